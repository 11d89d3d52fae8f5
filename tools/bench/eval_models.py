"""PSNR of the trained models on every noise set: `python -m tools.bench.eval_models`.

Both projects' shipped models and the extended U-Net, on the default (pixelation) validation
set and on every other corruption of tools/data/noise.py. `psnr` is what predict() gives: the
mean output over 8 flips and rotations, then the clipping correction where train() turned it on
(others/clipping.py); `psnr_single_pass` drops the ensemble, `psnr_network` both (the network
alone, as in the training logs). Writes results/eval_models.json.
"""
import torch

from tools.results_writer import ROOT, write_results
from tools.trained_models import predict_in_slices, trained_models
from tools.data import NOISE_NAMES, ensure_noise_set, load_pair
from tools.metrics import network_psnr, psnr

NOISE_SETS = tuple(n for n in NOISE_NAMES if n != "mix")


def main():
    sets = {noise: load_pair(ensure_noise_set(noise, ROOT / "data")) for noise in NOISE_SETS}
    projects, noise_levels = {}, {}
    for name, model in trained_models().items():
        projects[name], noise_levels[name] = {}, model.target_noise_std
        for noise, (noisy, clean_uint8) in sets.items():
            clean = clean_uint8.float() / 255
            row = {"psnr": psnr(predict_in_slices(model, noisy) / 255, clean),
                   "noisy_psnr": psnr(noisy.float() / 255, clean)}
            model.self_ensemble = False
            row["psnr_single_pass"] = psnr(predict_in_slices(model, noisy) / 255, clean)
            model.self_ensemble = True
            row["psnr_network"] = network_psnr(model, noisy, clean_uint8)
            projects[name][noise] = row
            print(f"{name} {noise:18s} {row['psnr']:.2f} dB (noisy {row['noisy_psnr']:.2f} dB)", flush=True)
    write_results("eval_models", {"n_images": len(next(iter(sets.values()))[0]), "target_noise_std": noise_levels,
                                  "projects": projects})


if __name__ == "__main__":
    torch.manual_seed(0)
    main()
