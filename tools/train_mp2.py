"""Train Miniproject_2's network (the framework from scratch) and write Miniproject_2/bestmodel.pth.

    python -m tools.train_mp2                                  # the settings below
    python -m tools.train_mp2 --epochs 2 --n-train 5000 --out /tmp/m.pth
    python -m tools.train_mp2 --net unet                       # the extended U-Net, into weights/mp2_unet.pth

What the command adds around `Model.train` (log, checkpoints, resuming): tools/training_run.py.
"""
import argparse
from pathlib import Path

import torch

from Miniproject_2 import model as mp2
from Miniproject_2.others.network import unet
from tools.data import load_pair
from tools.training_run import add_run_arguments, data_paths, epoch_callback, resolve_outputs, resume, start_run

# Settings, each overridable on the command line.
EPOCHS = 12            # the cosine schedule spans exactly these
N_TRAIN = 50_000       # all the pairs
SEED = 0
THREADS = 1            # 2 threads on 2 cores shared with another run thrash; 1 is faster then
NET = "prescribed"     # or "unet": the extended model
ROOT = Path(__file__).resolve().parents[1]
# Where each network's weights, log and checkpoint go unless --out, --log, --checkpoint say otherwise:
# the extended U-Net never overwrites the shipped model or resumes from its checkpoint.
OUT = {"prescribed": ROOT / "Miniproject_2" / "bestmodel.pth", "unet": ROOT / "weights" / "mp2_unet.pth"}
LOG = {"prescribed": ROOT / "results" / "train_mp2.csv", "unet": ROOT / "results" / "train_mp2_unet.csv"}
CHECKPOINT = {net: ROOT / "runs" / f"mp2_{net}" / "checkpoint.pth" for net in OUT}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_arguments(parser, EPOCHS, N_TRAIN, SEED)
    parser.add_argument("--threads", type=int, default=THREADS)
    parser.add_argument("--net", choices=("prescribed", "unet"), default=NET)
    args = parser.parse_args(argv)
    return resolve_outputs(args, OUT[args.net], LOG[args.net], CHECKPOINT[args.net])


def main(argv=None):
    args = parse_args(argv)
    settings = {"epochs": args.epochs, "n_train": args.n_train, "seed": args.seed, "net": args.net,
                "data_dir": str(args.data_dir.resolve()), "train_data": str(args.train_data.resolve())}
    saved = start_run(args, settings, OUT[args.net])
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    train_path, val_path = data_paths(args.data_dir, args.train_data)
    inputs, targets = (t[:args.n_train] for t in load_pair(train_path))
    model = mp2.Model()
    if args.net == "unet":
        model.net = unet()
    on_epoch = epoch_callback(model, *load_pair(val_path), args.log, args.checkpoint, settings)
    model.train(inputs, targets, args.epochs, on_epoch=on_epoch, resume=resume(saved))
    model.save(str(args.out))
    print(f"done: weights in {args.out}, log in {args.log}")


if __name__ == "__main__":
    main()
