"""Train Miniproject_1's U-Net and write Miniproject_1/bestmodel.pth: `python -m tools.train_mp1`.

    python -m tools.train_mp1                       # the settings below
    python -m tools.train_mp1 --epochs 2 --n-train 5000 --out /tmp/m.pth
    python -m tools.train_mp1 --restart 1           # then the warm restart (RESTARTS below)
    python -m tools.train_mp1 --init weights.pth --learning-rate 3e-4   # any other starting point

What the command adds around `Model.train` (log, checkpoints, resuming): tools/training_run.py.
"""
import argparse
from dataclasses import replace
from pathlib import Path

import torch

from Miniproject_1.model import Model
from tools.data import ensure_clean_targets, load_pair
from tools.training_run import add_run_arguments, data_paths, epoch_callback, resolve_outputs, resume, start_run

# Settings, each overridable on the command line.
EPOCHS = 10            # the cosine schedule spans exactly these
# The first cycle's peak rate, twice Model.train's own, and the batch size of every run, half its
# own (TrainSettings, what the course's one-epoch check runs). Model.train's own settings reached
# a lower PSNR in more epochs, one run each (results/mp1_first_recipe/ against results/train_mp1*.csv).
LEARNING_RATE = 2e-3
BATCH_SIZE = 32
N_TRAIN = 50_000       # all the pairs
SEED = 0
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "Miniproject_1" / "bestmodel.pth"
LOG = ROOT / "results" / "train_mp1.csv"
CHECKPOINT = ROOT / "runs" / "mp1" / "checkpoint.pth"
# The shipped model's warm restart (SGDR, Loshchilov and Hutter 2017): another cosine cycle from
# the weights the first one wrote, at a lower peak rate, since the first cycle's validation PSNR
# was still rising at its end (results/train_mp1_restart1.csv).
RESTARTS = ({"epochs": 6, "learning_rate": 3e-4},)


def restart_files(k):
    """The log and checkpoint of the `k`-th restart (1-based)."""
    return ROOT / "results" / f"train_mp1_restart{k}.csv", ROOT / "runs" / f"mp1_restart{k}" / "checkpoint.pth"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_arguments(parser, EPOCHS, N_TRAIN, SEED)
    parser.set_defaults(epochs=None)  # filled in below: --restart has its own default
    parser.add_argument("--clean-targets", action="store_true",
                        help="Noise2Clean: train on (noisy, clean) pairs instead (needs train_clean.pkl)")
    parser.add_argument("--init", type=Path, help="start from these weights (Model.train then fine-tunes them)")
    parser.add_argument("--learning-rate", type=float,
                        help=f"the peak learning rate of this run (default: {LEARNING_RATE}, or Model.train's "
                             "fine-tuning rate with --init)")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE,
                        help=f"the batch size of this run (default {BATCH_SIZE})")
    parser.add_argument("--restart", type=int, choices=range(1, len(RESTARTS) + 1), metavar="K",
                        help=f"the shipped model's K-th warm restart: --init {OUT.relative_to(ROOT)} with the K-th "
                             f"settings of {list(RESTARTS)} (each overridable), logged to "
                             "results/train_mp1_restart<K>.csv")
    args = parser.parse_args(argv)
    if args.batch_size < 1:
        parser.error(f"--batch-size must be at least 1, got {args.batch_size}")
    if args.restart:
        restart = RESTARTS[args.restart - 1]
        args.init = args.init or OUT
        args.learning_rate = args.learning_rate or restart["learning_rate"]
        args.epochs = args.epochs or restart["epochs"]
        if args.out is None:
            log, checkpoint = restart_files(args.restart)
            args.log, args.checkpoint = args.log or log, args.checkpoint or checkpoint
    args.epochs = args.epochs or EPOCHS
    if args.init is None:
        args.learning_rate = args.learning_rate or LEARNING_RATE
    return resolve_outputs(args, OUT, LOG, CHECKPOINT)


def main(argv=None):
    args = parse_args(argv)
    settings = {"epochs": args.epochs, "n_train": args.n_train, "seed": args.seed, "clean_targets": args.clean_targets,
                "data_dir": str(args.data_dir.resolve()), "train_data": str(args.train_data.resolve()),
                "init": str(args.init.resolve()) if args.init else None, "learning_rate": args.learning_rate,
                "batch_size": args.batch_size}
    saved = start_run(args, settings, OUT)
    torch.manual_seed(args.seed)
    train_path, val_path = data_paths(args.data_dir, args.train_data)
    inputs, targets = load_pair(train_path)
    if args.clean_targets:
        targets = load_pair(ensure_clean_targets(args.train_data))[0]
    inputs, targets = inputs[:args.n_train], targets[:args.n_train]
    model = Model()
    if args.init:
        model.load_pretrained_model(args.init)
    if args.learning_rate:  # the rate given is the rate used, with or without --init
        model.settings = replace(model.settings, learning_rate=args.learning_rate, fine_tune_factor=1.0)
    model.settings = replace(model.settings, batch_size=args.batch_size)
    if args.clean_targets:  # swapping a clean target in as the input would teach adding noise
        model.settings = replace(model.settings, swap_pairs=False)
    on_epoch = epoch_callback(model, *load_pair(val_path), args.log, args.checkpoint, settings)
    model.train(inputs, targets, args.epochs, on_epoch=on_epoch, resume=resume(saved))
    model.save(args.out)
    print(f"done: weights in {args.out}, log in {args.log}")


if __name__ == "__main__":
    main()
