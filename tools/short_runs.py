"""Short, identical-budget training runs of Miniproject_1's network, for comparing choices.

Every run trains a fresh network from the same seed on the same pairs for the same number
of steps, then measures the PSNR on the default validation set. A short budget favours the
choices that learn fastest; the shipped model sees each pair over ten times as often
(tools/train_mp1.py).
"""
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import torch

from Miniproject_1.model import NETWORK, Model
from Miniproject_1.others.training import steps_per_epoch
from tools.data import build_dataset, ensure_dataset, load_pair
from tools.metrics import model_psnr, network_psnr
from tools.results_writer import ROOT, write_results

BUDGET = {"pairs": 12_800, "epochs": 1, "seed": 0}


def default_data(n_pairs=BUDGET["pairs"]):
    """(inputs, targets, val_noisy, val_clean) from data/: the first `n_pairs` training pairs."""
    train_path, val_path = ensure_dataset(ROOT / "data")
    inputs, targets = (t[:n_pairs] for t in load_pair(train_path))
    return (inputs, targets, *load_pair(val_path))


def short_run(inputs, targets, val_noisy, val_clean, network=None, settings=None, epochs=BUDGET["epochs"],
              seed=BUDGET["seed"]):
    """Train a fresh Model with the given network/settings overrides; return its PSNR (the network
    alone, as these runs compare training choices; and with predict's clipping correction), its
    training time and steps."""
    torch.manual_seed(seed)
    model = Model()
    model.self_ensemble = False
    model.network_settings = {**NETWORK, **(network or {})}
    model.net = model._build(model.network_settings)
    model.settings = replace(model.settings, **(settings or {}))
    start = time.time()
    model.train(inputs, targets, epochs)
    seconds = time.time() - start
    return {"val_psnr": network_psnr(model, val_noisy, val_clean),
            "val_psnr_unclipped": model_psnr(model, val_noisy, val_clean),
            "seconds": seconds, "steps": epochs * steps_per_epoch(model.settings, len(inputs))}


def short_run_on_build(**build_options):
    """Build a dataset of BUDGET["pairs"] pairs with `build_options` in a temporary folder and
    short-run on it; the validation set is the default one whatever the options."""
    with tempfile.TemporaryDirectory() as folder:
        build_dataset(folder, n_train=BUDGET["pairs"], log=lambda message: None, **build_options)
        inputs, targets = load_pair(Path(folder) / "train_data.pkl")
        return short_run(inputs, targets, *load_pair(Path(folder) / "val_data.pkl"))


def write_build_sweep(name, key, values, option=None):
    """Short-run on a dataset built with each of `values` for build_dataset's `option` (default:
    `key`) and write the runs, each labelled `key`, to results/<name>.json."""
    runs = []
    for value in values:
        result = short_run_on_build(**{option or key: value})
        runs.append({key: value, **result})
        print(f"{key} {value}: {result['val_psnr']:.2f} dB", flush=True)
    return write_results(name, {"budget": BUDGET, "runs": runs})
