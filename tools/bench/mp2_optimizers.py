"""SGD, SGD with momentum and Adam for Miniproject_2's prescribed network, at one budget:
`python -m tools.bench.mp2_optimizers`.

The course asks for SGD; the shipped model trains with Adam. Each optimiser gets a small grid of
learning rates (one seed), then its best rate two more seeds; the batch size gets the same
treatment with Adam at the shipped rate. Every run trains a fresh prescribed network with the
framework's own loop (`others/training.py`'s `run_epoch`, the loop `Model.train` runs, with its
cosine schedule) on the first `--pairs` default pixelation pairs, then measures the validation
PSNR of the network alone. Writes results/mp2_optimizers.json.
"""
import argparse
import statistics
import time

import torch

from Miniproject_2.model import BATCH_SIZE, LEARNING_RATE, Model
from Miniproject_2.others.images import to_unit_range
from Miniproject_2.others.losses import MSE
from Miniproject_2.others.network import prescribed_net
from Miniproject_2.others.optim import SGD, Adam
from Miniproject_2.others.training import cosine_lr, run_epoch
from tools.metrics import network_psnr
from tools.results_writer import write_results
from tools.short_runs import default_data

OPTIMIZERS = {
    "SGD": (lambda params, lr: SGD(params, lr), (0.3, 1.0, 3.0, 10.0)),
    "SGD, momentum 0.9": (lambda params, lr: SGD(params, lr, momentum=0.9), (0.03, 0.1, 0.3, 1.0)),
    "Adam": (lambda params, lr: Adam(params, lr), (5e-4, LEARNING_RATE, 8e-3)),
}
BATCH_SIZES = (8, BATCH_SIZE, 128)


def train_once(data, optimizer, lr, batch_size, seed):
    """Validation PSNR (network alone) and seconds of one fresh prescribed network."""
    inputs, targets, val_noisy, val_clean = data
    torch.manual_seed(seed)
    model = Model()
    model.net = prescribed_net()
    start = time.time()
    run_epoch(model.net, MSE(), OPTIMIZERS[optimizer][0](model.net.param(), lr), inputs, targets, batch_size,
              lambda fraction: cosine_lr(lr, fraction))
    return network_psnr(model, val_noisy, val_clean), time.time() - start


def run(data, optimizer, lr, batch_size, seeds):
    results = [train_once(data, optimizer, lr, batch_size, seed) for seed in seeds]
    row = {"optimizer": optimizer, "learning_rate": lr, "batch_size": batch_size, "seeds": list(seeds),
           "val_psnr": [psnr for psnr, _ in results], "seconds": [seconds for _, seconds in results]}
    print(f"{optimizer:18s} lr {lr:<7g} batch {batch_size:<4d} " + " ".join(f"{p:.2f}" for p in row["val_psnr"]),
          flush=True)
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=12_800)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    inputs, targets, val_noisy, val_clean = default_data(args.pairs)
    data = (to_unit_range(inputs), to_unit_range(targets), val_noisy, val_clean)
    grid = [run(data, name, lr, BATCH_SIZE, [0]) for name, (_, rates) in OPTIMIZERS.items() for lr in rates]
    grid += [run(data, "Adam", LEARNING_RATE, batch, [0]) for batch in BATCH_SIZES if batch != BATCH_SIZE]
    more_seeds = range(1, args.seeds)
    for name in OPTIMIZERS:  # each optimiser's best rate, and every batch size with Adam, on more seeds
        best = max((row for row in grid if row["optimizer"] == name and row["batch_size"] == BATCH_SIZE),
                   key=lambda row: row["val_psnr"][0])
        best["best_rate"] = True
    for row in grid:
        shipped = row["optimizer"] == "Adam" and row["learning_rate"] == LEARNING_RATE
        if row.get("best_rate") or shipped:
            extra = run(data, row["optimizer"], row["learning_rate"], row["batch_size"], more_seeds)
            row["seeds"] += extra["seeds"]
            row["val_psnr"] += extra["val_psnr"]
            row["seconds"] += extra["seconds"]
        row["mean_psnr"] = statistics.mean(row["val_psnr"])
    write_results("mp2_optimizers", {"budget": {"pairs": args.pairs, "epochs": 1, "seeds": args.seeds,
                                                "shipped": {"optimizer": "Adam", "learning_rate": LEARNING_RATE,
                                                            "batch_size": BATCH_SIZE}},
                                     "runs": grid})


if __name__ == "__main__":
    main()
