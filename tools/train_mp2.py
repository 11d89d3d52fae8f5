"""Train Miniproject_2's network (the framework from scratch) and write Miniproject_2/bestmodel.pth.

    python tools/train_mp2.py                                  # the settings below
    python tools/train_mp2.py --epochs 2 --n-train 5000 --out /tmp/m.pth --log /tmp/log.csv
    python tools/train_mp2.py --net unet                       # the extended U-Net, into runs/mp2_unet.pth

Resumable: a checkpoint (weights, optimiser, epoch, random state) is written after every epoch and
a rerun with the same arguments continues from it. Each epoch appends loss, validation PSNR and
time to the log CSV, and writes the current weights (a dict of named tensors) atomically to --out.
"""
import argparse
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from Miniproject_2 import model as mp2  # noqa: E402
from Miniproject_2.others.clipping import target_noise_std  # noqa: E402
from Miniproject_2.others.network import unet  # noqa: E402
from Miniproject_2.others.optim import Adam  # noqa: E402
from Miniproject_2.others.training import cosine_lr, run_epoch  # noqa: E402
from tools.data import ensure_dataset, load_pair  # noqa: E402
from tools.metrics import network_psnr  # noqa: E402
from tools.run_files import append_row, save_atomically  # noqa: E402

# Settings, each overridable on the command line.
EPOCHS = 16            # about 40 minutes on one core shared with another training run
N_TRAIN = 50_000       # all the pairs
BATCH_SIZE = mp2.BATCH_SIZE
LEARNING_RATE = mp2.LEARNING_RATE  # cosine-decayed over all the epochs
SEED = 0
THREADS = 1            # 2 threads on 2 cores shared with another run thrash; 1 is faster then
NET = "prescribed"     # or "unet": the extended model
DATA_DIR = ROOT / "data"
# Where each network's weights, log and checkpoint go unless --out, --log, --checkpoint say otherwise:
# the extended U-Net never overwrites the shipped model or resumes from its checkpoint.
OUT = {"prescribed": ROOT / "Miniproject_2" / "bestmodel.pth", "unet": ROOT / "runs" / "mp2_unet.pth"}
LOG = {"prescribed": ROOT / "results" / "train_mp2.csv", "unet": ROOT / "results" / "train_mp2_unet.csv"}
CHECKPOINT = {net: ROOT / "runs" / f"mp2_{net}" / "checkpoint.pth" for net in OUT}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--n-train", type=int, default=N_TRAIN)
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    parser.add_argument("--lr", type=float, default=LEARNING_RATE)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--threads", type=int, default=THREADS)
    parser.add_argument("--net", choices=("prescribed", "unet"), default=NET)
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    parser.add_argument("--out", type=Path, help="default: Miniproject_2/bestmodel.pth (--net unet: runs/mp2_unet.pth)")
    parser.add_argument("--log", type=Path, help="default: results/train_mp2.csv (--net unet: results/train_mp2_unet.csv)")
    parser.add_argument("--checkpoint", type=Path, help="default: runs/mp2_<net>/checkpoint.pth")
    args = parser.parse_args()
    args.out = args.out or OUT[args.net]
    args.log = args.log or LOG[args.net]
    args.checkpoint = args.checkpoint or CHECKPOINT[args.net]
    return args


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    train_path, val_path = ensure_dataset(args.data_dir)
    noisy_a, noisy_b = load_pair(train_path)
    noisy_a, noisy_b = noisy_a[:args.n_train], noisy_b[:args.n_train]
    val_noisy, val_clean = load_pair(val_path)
    inputs, targets = noisy_a.float() / 255, noisy_b.float() / 255

    model = mp2.Model()
    if args.net == "unet":
        model.net = unet()
    model.target_noise_std = target_noise_std(noisy_a, noisy_b)  # saved with the weights, as train() does
    optimizer = Adam(model.net.param(), lr=args.lr)
    start_epoch = 0
    if args.checkpoint.exists():
        state = torch.load(args.checkpoint, weights_only=True)
        model.net.load_state_dict(state["net"])
        optimizer.load_state_dict(state["optimizer"])
        torch.set_rng_state(state["rng"])
        start_epoch = int(state["epoch"])
        print(f"resuming after epoch {start_epoch} from {args.checkpoint}")
    elif args.log.exists():
        args.log.unlink()  # a fresh run starts a fresh log

    for epoch in range(start_epoch, args.epochs):
        start = time.time()
        loss = run_epoch(model.net, model.loss, optimizer, inputs, targets, args.batch_size,
                         lambda f: cosine_lr(args.lr, (epoch + f) / args.epochs), log=print)
        seconds = time.time() - start
        val = network_psnr(model, val_noisy, val_clean)  # eval_models measures the whole predict()
        print(f"epoch {epoch + 1}/{args.epochs}: loss {loss:.5f}, validation {val:.3f} dB, {seconds:.0f} s",
              flush=True)
        append_row(args.log, ["epoch", "train_loss", "val_psnr_db", "epoch_seconds", "lr_end",
                              "n_train", "batch_size", "threads", "net"],
                   [epoch + 1, f"{loss:.6f}", f"{val:.4f}", f"{seconds:.1f}", f"{optimizer.lr:.6g}",
                    len(inputs), args.batch_size, args.threads, args.net])
        save_atomically(model.state_dict(), args.out)
        save_atomically({"net": model.net.state_dict(), "optimizer": optimizer.state_dict(),
                         "rng": torch.get_rng_state(), "epoch": epoch + 1}, args.checkpoint)
    if args.checkpoint.exists() and start_epoch < args.epochs:
        print(f"done: weights in {args.out}, log in {args.log}")


if __name__ == "__main__":
    main()
