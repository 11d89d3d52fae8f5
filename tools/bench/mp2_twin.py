"""Miniproject_2's network against its torch.nn twin, trained with the same settings and seed.

Both start from the same weights, see the same shuffled, augmented batches (the same generator,
reseeded) and take Adam steps on the same cosine schedule; ours uses the framework from scratch,
the twin torch.nn, autograd and torch.optim.Adam. Writes results/mp2_twin.json with both
validation PSNRs and their difference.

    python -m tools.bench.mp2_twin [--n-train 10000] [--epochs 3] [--threads 1]
"""
import argparse
import json
import time

import torch

from tools.results_writer import write_results
from Miniproject_2 import model as mp2
from Miniproject_2.others.losses import MSE
from Miniproject_2.others.network import PRESCRIBED_KERNEL, PRESCRIBED_WIDTHS, prescribed_net
from Miniproject_2.others.optim import Adam
from Miniproject_2.others.inference import predict_batched
from Miniproject_2.others.training import batches, cosine_lr
from tools.data import ensure_dataset, load_pair
from tools.metrics import psnr



def torch_twin(widths=PRESCRIBED_WIDTHS, kernel=PRESCRIBED_KERNEL):
    """The prescribed network in torch.nn; `Upsampling` is `Upsample(nearest)` then `Conv2d`."""
    nn, pad = torch.nn, kernel // 2
    w1, w2 = widths
    return nn.Sequential(
        nn.Conv2d(3, w1, kernel, 2, pad), nn.ReLU(), nn.Conv2d(w1, w2, kernel, 2, pad), nn.ReLU(),
        nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv2d(w2, w1, kernel, padding=pad)), nn.ReLU(),
        nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv2d(w1, 3, kernel, padding=pad)), nn.Sigmoid())


def copy_weights(ours, twin):
    with torch.no_grad():
        for (name, p, _), q in zip(ours.named_param(), twin.parameters()):
            assert p.shape == q.shape, name
            q.copy_(p)


def train_ours(net, inputs, targets, epochs, batch_size, lr, seed):
    torch.manual_seed(seed)
    optimizer, loss_fn = Adam(net.param(), lr=lr), MSE()
    steps, step = epochs * -(-len(inputs) // batch_size), 0
    for _ in range(epochs):
        for x, y in batches(inputs, targets, batch_size):
            optimizer.lr = cosine_lr(lr, step / steps)
            optimizer.zero_grad()
            loss_fn.forward(net.forward(x), y)
            net.backward(loss_fn.backward())
            optimizer.step()
            step += 1


def train_twin(net, inputs, targets, epochs, batch_size, lr, seed):
    torch.manual_seed(seed)
    optimizer = torch.optim.Adam(net.parameters(), lr=lr, foreach=False)
    steps, step = epochs * -(-len(inputs) // batch_size), 0
    for _ in range(epochs):
        for x, y in batches(inputs, targets, batch_size):
            for group in optimizer.param_groups:
                group["lr"] = cosine_lr(lr, step / steps)
            optimizer.zero_grad()
            with torch.enable_grad():
                torch.nn.functional.mse_loss(net(x), y).backward()
            optimizer.step()
            step += 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n-train", type=int, default=10_000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=mp2.BATCH_SIZE)
    parser.add_argument("--lr", type=float, default=mp2.LEARNING_RATE)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    train_path, val_path = ensure_dataset()
    a, b = load_pair(train_path)
    inputs, targets = a[:args.n_train].float() / 255, b[:args.n_train].float() / 255
    val_noisy, val_clean = load_pair(val_path)
    val_in, val_clean = val_noisy.float() / 255, val_clean.float() / 255

    torch.manual_seed(args.seed)
    ours = prescribed_net()
    twin = torch_twin()
    copy_weights(ours, twin)
    timings = {}
    start = time.time()
    train_ours(ours, inputs, targets, args.epochs, args.batch_size, args.lr, args.seed)
    timings["ours_seconds"] = round(time.time() - start, 1)
    start = time.time()
    train_twin(twin, inputs, targets, args.epochs, args.batch_size, args.lr, args.seed)
    timings["twin_seconds"] = round(time.time() - start, 1)

    ours_psnr = psnr(predict_batched(ours, val_in, 4, 1000), val_clean)
    with torch.no_grad():
        twin_psnr = psnr(twin(val_in), val_clean)
    max_weight_diff = max((p - q.detach()).abs().max().item()
                          for (_, p, _), q in zip(ours.named_param(), twin.parameters()))
    result = {"ours_psnr": round(ours_psnr, 4), "twin_psnr": round(twin_psnr, 4),
              "difference": round(ours_psnr - twin_psnr, 4),
              "max_abs_weight_difference": max_weight_diff,
              "settings": {"n_train": len(inputs), "epochs": args.epochs, "batch_size": args.batch_size,
                           "lr": args.lr, "seed": args.seed, "optimizer": "Adam, cosine schedule",
                           "widths": list(PRESCRIBED_WIDTHS), "kernel": PRESCRIBED_KERNEL,
                           "threads": args.threads},
              **timings}
    print(json.dumps(result, indent=1))
    write_results("mp2_twin", result)


if __name__ == "__main__":
    main()
