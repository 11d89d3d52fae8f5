"""Train Miniproject_1's U-Net on the default data and write Miniproject_1/bestmodel.pth.

    python -m tools.train_mp1                       # the settings below
    python -m tools.train_mp1 --epochs 2 --n-train 5000 --out /tmp/m.pth

The training is `Model.train` itself, the code the grader runs; this command adds a validation
PSNR, a log row and a checkpoint after every epoch. Rerunning the same command resumes a killed
run; a checkpoint written with other settings is refused. With --out, the log and the
checkpoint go beside it unless --log and --checkpoint say otherwise.
"""
import argparse
from dataclasses import replace
from pathlib import Path

import torch

from Miniproject_1.model import Model
from tools.data import ensure_clean_targets, ensure_dataset, load_pair
from tools.training_run import check_writable_folder, epoch_callback, load_checkpoint, resume, start_log

# Settings, each overridable on the command line.
EPOCHS = 12            # the cosine schedule spans exactly these
N_TRAIN = 50_000       # all the pairs
SEED = 0
ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"
OUT = ROOT / "Miniproject_1" / "bestmodel.pth"
LOG = ROOT / "results" / "train_mp1.csv"
CHECKPOINT = ROOT / "runs" / "mp1" / "checkpoint.pth"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--n-train", type=int, default=N_TRAIN)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    parser.add_argument("--out", type=Path, help=f"default: {OUT.relative_to(ROOT)}")
    parser.add_argument("--log", type=Path, help=f"default: {LOG.relative_to(ROOT)}, or <out>.csv with --out")
    parser.add_argument("--checkpoint", type=Path,
                        help=f"default: {CHECKPOINT.relative_to(ROOT)}, or <out>.checkpoint.pth with --out")
    parser.add_argument("--clean-targets", action="store_true",
                        help="Noise2Clean: train on (noisy, clean) pairs instead (needs train_clean.pkl)")
    args = parser.parse_args(argv)
    if args.out is None:
        args.out, args.log, args.checkpoint = OUT, args.log or LOG, args.checkpoint or CHECKPOINT
    args.log = args.log or args.out.with_suffix(".csv")
    args.checkpoint = args.checkpoint or args.out.with_suffix(".checkpoint.pth")
    return args


def main(argv=None):
    args = parse_args(argv)
    check_writable_folder(args.out)  # a bad --out fails now, not after hours of training
    for path in (args.log, args.checkpoint):
        path.parent.mkdir(parents=True, exist_ok=True)
    settings = {"epochs": args.epochs, "n_train": args.n_train, "seed": args.seed,
                "data_dir": str(args.data_dir.resolve()), "clean_targets": args.clean_targets}
    saved = load_checkpoint(args.checkpoint, settings)
    start_log(args.log, resumed=saved is not None)
    torch.manual_seed(args.seed)
    train_path, val_path = ensure_dataset(args.data_dir)
    inputs, targets = load_pair(train_path)
    if args.clean_targets:
        targets = load_pair(ensure_clean_targets(args.data_dir))[0]
    inputs, targets = inputs[:args.n_train], targets[:args.n_train]
    model = Model()
    if args.clean_targets:  # swapping a clean target in as the input would teach adding noise
        model.settings = replace(model.settings, swap_pairs=False)
    on_epoch = epoch_callback(model, *load_pair(val_path), args.log, args.checkpoint, settings)
    model.train(inputs, targets, args.epochs, on_epoch=on_epoch, resume=resume(saved))
    model.save(args.out)
    print(f"done: weights in {args.out}, log in {args.log}")


if __name__ == "__main__":
    main()
