"""Training and prediction speed of both mini-projects on this machine: `python -m tools.bench.speed`.

- Epoch time: one epoch of `Model.train` on 16,384 pairs, the best of 3 runs, scaled to
  50,000 pairs. Both models train smaller sets in smaller batches (more steps per epoch); from
  16,384 pairs on, both use the batch size of the full 50,000 pairs.
- Throughput of `predict`: images per second for 1,000 images of 32x32 and 4 of 512x512
  (also with one pass per image instead of the 8-fold self-ensemble).
Run it on an otherwise idle machine: the load average is stored with the results.
Writes results/speed.json.
"""
import importlib
import os
import time

import torch

from tools.results_writer import ROOT, write_results
from tools.trained_models import PROJECTS
from tools.data import ensure_dataset, load_pair

TRAIN_PAIRS = 16_384
EPOCH_RUNS = 3


def timed(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def throughput(model, small, large):
    """Images per second of `model.predict` on 32x32 and 512x512 images."""
    return {"32x32": len(small) / timed(lambda: model.predict(small)),
            "512x512": len(large) / timed(lambda: model.predict(large))}


def main():
    train_path, _ = ensure_dataset(ROOT / "data")
    inputs, targets = (t[:TRAIN_PAIRS] for t in load_pair(train_path))
    small = torch.randint(0, 256, (1000, 3, 32, 32), dtype=torch.uint8)
    large = torch.rand(4, 3, 512, 512) * 255
    projects = {}
    for project in PROJECTS:
        model = importlib.import_module(f"{project}.model").Model()
        model.predict(small[:10])  # warm-up: first calls allocate and pick kernels
        # the best of a few runs: the one least slowed by other processes on a shared machine
        epoch = min(timed(lambda: model.train(inputs, targets, 1)) for _ in range(EPOCH_RUNS)) * 50_000 / TRAIN_PAIRS
        projects[project] = {"epoch_seconds_50k": epoch, "predict_images_per_second": throughput(model, small, large)}
        model.self_ensemble = False  # and one pass per image instead of eight
        projects[project]["predict_images_per_second_single_pass"] = throughput(model, small, large)
        print(project, projects[project], flush=True)
    write_results("speed", {"load_average_1min": os.getloadavg()[0], "projects": projects})


if __name__ == "__main__":
    main()
