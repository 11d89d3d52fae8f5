"""The course's training check, for both projects: `python -m tools.bench.one_epoch`.

The course's harness loads bestmodel.pth, runs `train(train_input, train_target, num_epochs=1)` on
all 50,000 pairs, then evaluates. Measured here through `predict`, on the default validation set:
- `loaded`: the shipped model before and after that epoch (it must not get worse);
- `fresh`: a new `Model()` after one epoch, against the shipped model.
Writes results/one_epoch.json.
"""
import argparse
import importlib
import json
import time

import torch

from tools.results_writer import RESULTS, ROOT, write_results
from tools.trained_models import PROJECTS, predict_in_slices
from tools.data import ensure_dataset, load_pair
from tools.metrics import psnr


def predict_psnr(model, noisy, clean):
    return psnr(predict_in_slices(model, noisy) / 255, clean.float() / 255)


def timed_epoch(model, inputs, targets):
    start = time.time()
    model.train(inputs, targets, 1)
    return time.time() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", action="append", choices=PROJECTS,
                        help="measure only this project (repeatable); the other's results in one_epoch.json are kept")
    args = parser.parse_args()
    train_path, val_path = ensure_dataset(ROOT / "data")
    inputs, targets = load_pair(train_path)
    noisy, clean = load_pair(val_path)
    previous = RESULTS / "one_epoch.json"
    projects = json.loads(previous.read_text())["projects"] if args.project and previous.is_file() else {}
    for project in args.project or PROJECTS:
        module = importlib.import_module(f"{project}.model")
        torch.manual_seed(0)
        loaded = module.Model()
        loaded.load_pretrained_model()
        shipped = predict_psnr(loaded, noisy, clean)
        seconds = timed_epoch(loaded, inputs, targets)
        after = predict_psnr(loaded, noisy, clean)
        fresh = module.Model()
        fresh_seconds = timed_epoch(fresh, inputs, targets)
        projects[project] = {"shipped_psnr": shipped, "loaded_then_one_epoch_psnr": after,
                             "loaded_epoch_seconds": seconds, "fresh_one_epoch_psnr": predict_psnr(fresh, noisy, clean),
                             "fresh_epoch_seconds": fresh_seconds}
        print(project, {k: round(v, 2) for k, v in projects[project].items()}, flush=True)
    write_results("one_epoch", {"n_train": len(inputs), "n_val": len(noisy), "projects": projects})


if __name__ == "__main__":
    main()
