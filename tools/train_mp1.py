"""Train Miniproject_1's U-Net on the default data and write Miniproject_1/bestmodel.pth.

    python tools/train_mp1.py                       # the settings below
    python tools/train_mp1.py --epochs 2 --n-train 5000 --out /tmp/m.pth

Resumable: a checkpoint is written after every epoch, and a rerun with the same arguments
continues from it. Each epoch appends loss, validation PSNR and time to the log CSV.
"""
import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from Miniproject_1.model import Model  # noqa: E402
from Miniproject_1.others.clipping import target_noise_std  # noqa: E402
from Miniproject_1.others.training import Trainer, learning_rate, steps_per_epoch  # noqa: E402
from tools.data import ensure_clean_targets, ensure_dataset, load_pair  # noqa: E402
from tools.metrics import network_psnr  # noqa: E402
from tools.run_files import append_row, save_atomically  # noqa: E402

# Settings, each overridable on the command line.
EPOCHS = 14            # about 40 minutes on a 2-core CPU; the cosine schedule spans exactly these
N_TRAIN = 50_000       # all the pairs
SEED = 0
DATA_DIR = ROOT / "data"
OUT = ROOT / "Miniproject_1" / "bestmodel.pth"
LOG = ROOT / "results" / "train_mp1.csv"
CHECKPOINT = ROOT / "runs" / "mp1" / "checkpoint.pth"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--n-train", type=int, default=N_TRAIN)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--log", type=Path, default=LOG)
    parser.add_argument("--checkpoint", type=Path, default=CHECKPOINT)
    parser.add_argument("--clean-targets", action="store_true",
                        help="Noise2Clean: train on (noisy, clean) pairs instead (needs train_clean.pkl)")
    return parser.parse_args()


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    train_path, val_path = ensure_dataset(args.data_dir)
    inputs, targets = load_pair(train_path)
    if args.clean_targets:
        targets = load_pair(ensure_clean_targets(args.data_dir))[0]
    inputs, targets = inputs[:args.n_train], targets[:args.n_train]
    val_noisy, val_clean = load_pair(val_path)

    model = Model()
    model.target_noise_std = target_noise_std(inputs, targets)  # saved with the weights, as train() does
    if args.clean_targets:  # swapping a clean target in as the input would teach adding noise
        model.settings = replace(model.settings, swap_pairs=False)
    total_steps = args.epochs * steps_per_epoch(model.settings, inputs.shape[0])
    trainer = Trainer(model.net, model.device, model.settings, total_steps=total_steps)
    first_epoch, elapsed = 0, 0.0
    if args.checkpoint.is_file():
        state = torch.load(args.checkpoint, weights_only=True)
        model.net.load_state_dict(state["net"])
        trainer.load_state_dict(state["trainer"])
        torch.set_rng_state(state["rng"])
        first_epoch, elapsed = state["epoch"], state["elapsed"]
        print(f"resuming from {args.checkpoint} after epoch {first_epoch}")
    elif args.log.exists():
        args.log.unlink()  # a fresh run starts a fresh log

    for epoch in range(first_epoch, args.epochs):
        start = time.time()
        lr = learning_rate(model.settings, trainer.step, trainer.total_steps)
        loss = trainer.train_epoch(inputs, targets, f"{epoch + 1}/{args.epochs}")
        elapsed += time.time() - start
        val = network_psnr(model, val_noisy, val_clean)  # eval_models measures the whole predict()
        print(f"  validation PSNR {val:.2f} dB after {elapsed / 60:.1f} min of training", flush=True)
        append_row(args.log, ["epoch", "train_loss", "val_psnr", "train_seconds", "learning_rate"],
                   [epoch + 1, f"{loss:.6f}", f"{val:.4f}", f"{elapsed:.1f}", f"{lr:.2e}"])
        model.save(args.out)
        save_atomically({"net": model.net.state_dict(), "trainer": trainer.state_dict(),
                         "rng": torch.get_rng_state(), "epoch": epoch + 1, "elapsed": elapsed},
                        args.checkpoint)


if __name__ == "__main__":
    main()
