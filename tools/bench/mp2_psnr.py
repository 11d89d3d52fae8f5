"""PSNR of Miniproject_2's shipped model (and its extended U-Net) beside Miniproject_1's.

Evaluates on the default validation set (data/val_data.pkl) with the course formula:
- the shipped `Miniproject_2/bestmodel.pth` through the course API (`Model().predict`),
- Miniproject_1's shipped model the same way, when present,
- the extended U-Net built from the framework, from its weights (--unet-weights, written by
  `tools/train_mp2.py --net unet`) when present, through the same `predict`.
All three average 8 flips and rotations and undo the clipping bias (see eval_models.py).
Writes results/mp2_psnr.json.

    python -m tools.bench.mp2_psnr [--unet-weights runs/mp2_unet.pth]
"""
import argparse
from pathlib import Path

import torch

from tools.bench.common import ROOT, write_results
from tools.data import ensure_dataset, load_pair
from tools.metrics import model_psnr, psnr

from Miniproject_2.model import Model as Model2  # noqa: E402  (after common puts ROOT on sys.path)
from Miniproject_2.others.network import unet  # noqa: E402

UNET_WEIGHTS = ROOT / "runs" / "mp2_unet.pth"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--unet-weights", type=Path, default=UNET_WEIGHTS)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    _, val_path = ensure_dataset()
    noisy, clean = load_pair(val_path)
    results = {"validation_set": "data/val_data.pkl", "images": len(noisy),
               "noisy_psnr_db": round(psnr(noisy.float() / 255, clean.float() / 255), 4)}

    mp2 = Model2()
    mp2.load_pretrained_model()
    results["mp2_prescribed_psnr_db"] = round(model_psnr(mp2, noisy, clean), 4)

    if (ROOT / "Miniproject_1" / "bestmodel.pth").exists():
        from Miniproject_1.model import Model as Model1
        mp1 = Model1()
        mp1.load_pretrained_model()
        results["mp1_psnr_db"] = round(model_psnr(mp1, noisy, clean), 4)
        results["mp2_prescribed_minus_mp1_db"] = round(results["mp2_prescribed_psnr_db"] - results["mp1_psnr_db"], 4)

    if args.unet_weights.exists():
        extended = Model2()
        extended.net = unet()
        extended.load_state_dict(torch.load(args.unet_weights, weights_only=True))
        results["mp2_extended_unet_psnr_db"] = round(model_psnr(extended, noisy, clean), 4)
        log = ROOT / "results" / "train_mp2_unet.csv"
        if log.exists():  # how far its training got (it shares the CPU with other runs)
            results["mp2_extended_unet_epochs_trained"] = int(log.read_text().split()[-1].split(",")[0])
        if "mp1_psnr_db" in results:
            results["mp2_extended_minus_mp1_db"] = round(results["mp2_extended_unet_psnr_db"] - results["mp1_psnr_db"], 4)
    print(results)
    write_results("mp2_psnr", results)


if __name__ == "__main__":
    main()
