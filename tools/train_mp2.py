"""Train Miniproject_2's network (the framework from scratch) and write Miniproject_2/bestmodel.pth.

    python -m tools.train_mp2                                  # the settings below
    python -m tools.train_mp2 --epochs 2 --n-train 5000 --out /tmp/m.pth
    python -m tools.train_mp2 --net unet                       # the extended U-Net, into runs/mp2_unet.pth

The training is `Model.train` itself, the code the grader runs; this command adds a validation
PSNR, a log row and a checkpoint after every epoch. Rerunning the same command resumes a killed
run; a checkpoint written with other settings is refused. With --out, the log and the
checkpoint go beside it unless --log and --checkpoint say otherwise.
"""
import argparse
from pathlib import Path

import torch

from Miniproject_2 import model as mp2
from Miniproject_2.others.network import unet
from tools.data import ensure_dataset, load_pair
from tools.training_run import check_writable_folder, epoch_callback, load_checkpoint, resume, start_log

# Settings, each overridable on the command line.
EPOCHS = 16            # the cosine schedule spans exactly these
N_TRAIN = 50_000       # all the pairs
SEED = 0
THREADS = 1            # 2 threads on 2 cores shared with another run thrash; 1 is faster then
NET = "prescribed"     # or "unet": the extended model
ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"
# Where each network's weights, log and checkpoint go unless --out, --log, --checkpoint say otherwise:
# the extended U-Net never overwrites the shipped model or resumes from its checkpoint.
OUT = {"prescribed": ROOT / "Miniproject_2" / "bestmodel.pth", "unet": ROOT / "runs" / "mp2_unet.pth"}
LOG = {"prescribed": ROOT / "results" / "train_mp2.csv", "unet": ROOT / "results" / "train_mp2_unet.csv"}
CHECKPOINT = {net: ROOT / "runs" / f"mp2_{net}" / "checkpoint.pth" for net in OUT}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--n-train", type=int, default=N_TRAIN)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--threads", type=int, default=THREADS)
    parser.add_argument("--net", choices=("prescribed", "unet"), default=NET)
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    parser.add_argument("--out", type=Path, help="default: Miniproject_2/bestmodel.pth (--net unet: runs/mp2_unet.pth)")
    parser.add_argument("--log", type=Path, help="default: results/train_mp2.csv (--net unet: results/train_mp2_unet.csv), "
                                                 "or <out>.csv with --out")
    parser.add_argument("--checkpoint", type=Path,
                        help="default: runs/mp2_<net>/checkpoint.pth, or <out>.checkpoint.pth with --out")
    args = parser.parse_args(argv)
    if args.out is None:
        args.out, args.log = OUT[args.net], args.log or LOG[args.net]
        args.checkpoint = args.checkpoint or CHECKPOINT[args.net]
    args.log = args.log or args.out.with_suffix(".csv")
    args.checkpoint = args.checkpoint or args.out.with_suffix(".checkpoint.pth")
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.out == OUT[args.net]:  # runs/ is ours to make; a folder given with --out must exist
        args.out.parent.mkdir(parents=True, exist_ok=True)
    check_writable_folder(args.out)  # a bad --out fails now, not after hours of training
    for path in (args.log, args.checkpoint):
        path.parent.mkdir(parents=True, exist_ok=True)
    settings = {"epochs": args.epochs, "n_train": args.n_train, "seed": args.seed, "net": args.net,
                "data_dir": str(args.data_dir.resolve())}
    saved = load_checkpoint(args.checkpoint, settings)
    start_log(args.log, resumed=saved is not None)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    train_path, val_path = ensure_dataset(args.data_dir)
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
