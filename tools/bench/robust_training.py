"""Train on pixelation only, or on a mix of corruptions? `python -m tools.bench.robust_training`.

Miniproject_1's network, trained through `Model.train` with the same budget and seeds on the
default pixelation pairs (data/) and on the `mix` pairs (data/mix/: half pixelation of the
course's block sizes, the rest finer and coarser pixelation, Gaussian 15/25/50 and Poisson;
see tools/data/noise.py), then measured through `predict` on every noise set. The grader's
data is pixelation, "but their noise characteristics may vary". Writes
results/robust_training.json.
"""
import argparse
import time

import torch

from Miniproject_1.model import Model
from tools.results_writer import ROOT, write_results
from tools.data import NOISE_NAMES, ensure_dataset, ensure_noise_set, load_pair
from tools.metrics import model_psnr, psnr

TRAINING_SETS = {"pixelation": ROOT / "data", "mix": ROOT / "data" / "mix"}
NOISE_SETS = tuple(n for n in NOISE_NAMES if n != "mix")


def training_pairs(name, n_pairs):
    """The first `n_pairs` training pairs of `name` ('pixelation' or 'mix'), built if missing."""
    train_path, _ = ensure_dataset(TRAINING_SETS[name], noise=name)
    return tuple(t[:n_pairs] for t in load_pair(train_path))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=25_000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--seeds", type=int, default=2)
    args = parser.parse_args()
    noise_sets = {noise: load_pair(ensure_noise_set(noise, ROOT / "data")) for noise in NOISE_SETS}
    runs = []
    for seed in range(args.seeds):
        for name in TRAINING_SETS:
            inputs, targets = training_pairs(name, args.pairs)
            torch.manual_seed(seed)
            model = Model()
            model.self_ensemble = False  # the training choice is what is compared, one pass is enough
            start = time.time()
            model.train(inputs, targets, args.epochs)
            psnrs = {noise: model_psnr(model, *pair) for noise, pair in noise_sets.items()}
            runs.append({"training": name, "seed": seed, "seconds": time.time() - start, "psnr": psnrs})
            print(name, seed, {k: round(v, 2) for k, v in psnrs.items()}, flush=True)
    noisy = {noise: psnr(noisy.float() / 255, clean.float() / 255) for noise, (noisy, clean) in noise_sets.items()}
    write_results("robust_training", {"budget": {"pairs": args.pairs, "epochs": args.epochs, "seeds": args.seeds},
                                      "noisy_psnr": noisy, "runs": runs})


if __name__ == "__main__":
    main()
