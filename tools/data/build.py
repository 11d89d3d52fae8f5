"""Build the default dataset in the course's format (command line: `python -m tools.data`).

`train_data.pkl` = `(noisy_a, noisy_b)` and `val_data.pkl` = `(noisy, clean)`, uint8
tensors `(N, 3, 32, 32)` saved with `torch.save`, like the course's files. The clean images
are random 32x32 crops of downscaled photos (see `scenes.py`); the build is deterministic
for a given seed and set of installed scenes, and records what it used in `manifest.json`.
"""
import json
import time
from pathlib import Path

import numpy as np
import torch

from ..run_files import save_atomically
from .dead_leaves import dead_leaves
from .noise import DEFAULT_NOISE, NOISE_NAMES, add_noise
from .scenes import available_scenes, split_scenes

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"
CROP = 32
# Scales run from "whole photo in 48 pixels" (the course's images are downsampled photos) up
# to at most a 512-pixel short side: larger wallpapers at full size give nearly flat crops.
MIN_SHORT_SIDE, MAX_SHORT_SIDE, LEVELS = 48, 512, 10
# A crop whose pixel standard deviation is below this (0-255 scale) is sky or wall: rejected.
FLAT_STD = 4.0


def pyramid(image):
    """The photo at LEVELS geometric scales, as a list of `(H, W, 3)` uint8 arrays."""
    from PIL import Image
    photo = Image.fromarray(image)
    short = min(photo.size)
    sides = np.geomspace(MIN_SHORT_SIDE, min(short, MAX_SHORT_SIDE), LEVELS)
    levels = []
    for side in sides:
        size = tuple(max(CROP, round(s * side / short)) for s in photo.size)
        levels.append(np.asarray(photo.resize(size, Image.LANCZOS)))
    return levels


def sample_crops(scenes, count, rng, log=print):
    """`count` clean crops `(count, 3, 32, 32)` uint8: scene, scale, position, flip and rotation at random."""
    pyramids = []
    for scene in scenes:
        pyramids.append(pyramid(scene.load()))
    crops = np.empty((count, CROP, CROP, 3), np.uint8)
    made = 0
    while made < count:
        levels = pyramids[rng.integers(len(pyramids))]
        level = levels[rng.integers(len(levels))]
        top = rng.integers(level.shape[0] - CROP + 1)
        left = rng.integers(level.shape[1] - CROP + 1)
        crop = level[top:top + CROP, left:left + CROP]
        if crop.std() < FLAT_STD:
            continue
        crop = np.rot90(crop, k=rng.integers(4))
        crops[made] = crop[:, ::-1] if rng.integers(2) else crop
        made += 1
    return torch.from_numpy(crops).permute(0, 3, 1, 2).contiguous()


def noisy_copy(noise, clean, seed):
    """`clean` with the noise model `noise`, drawn from a generator seeded with `seed`."""
    generator = torch.Generator().manual_seed(seed)
    return add_noise(noise, clean, generator)


def build_dataset(data_dir=DEFAULT_DATA_DIR, n_train=50_000, n_val=1_000, noise=DEFAULT_NOISE,
                  sources=("pip", "debian"), max_train_scenes=None, seed=0, save_clean=False, dead_leaves_fraction=0.0,
                  log=print):
    """Write train_data.pkl, val_data.pkl and manifest.json into `data_dir`; return their paths.

    With `dead_leaves_fraction` > 0, that fraction of the training images are procedural
    dead-leaves images instead of photo crops. With `save_clean`, also train_clean.pkl = `(clean, clean)`: the clean training images, for
    the Noise2Clean comparison (the course's data has no such file).
    """
    start = time.time()
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    training, validation = split_scenes(available_scenes(sources))
    if max_train_scenes is not None:
        training = training[:max_train_scenes]
    if not training or not validation:
        raise RuntimeError("no photos found to build the dataset from: install requirements.txt")
    log(f"building the dataset in {data_dir}: {n_train} training pairs from {len(training)} scenes, "
        f"{n_val} validation images from {len(validation)} held-out scenes, noise {noise}")
    rng = np.random.default_rng(seed)
    val_clean = sample_crops(validation, n_val, rng)
    train_clean = sample_crops(training, n_train, rng)
    n_leaves = round(dead_leaves_fraction * n_train)
    if n_leaves:
        train_clean[:n_leaves] = torch.from_numpy(dead_leaves(n_leaves, rng)).permute(0, 3, 1, 2)
    log(f"  cut {n_train + n_val} crops in {time.time() - start:.1f} s; adding noise")
    train_path, val_path = data_dir / "train_data.pkl", data_dir / "val_data.pkl"
    save_atomically((noisy_copy(noise, train_clean, seed + 1), noisy_copy(noise, train_clean, seed + 2)),
                    train_path)
    save_atomically((noisy_copy(noise, val_clean, seed + 3), val_clean), val_path)
    if save_clean:
        save_atomically((train_clean, train_clean), data_dir / "train_clean.pkl")
    manifest = {
        "noise": noise, "seed": seed, "n_train": n_train, "n_val": n_val, "sources": list(sources),
        "dead_leaves_fraction": dead_leaves_fraction,
        "train_scenes": [s.name for s in training], "val_scenes": [s.name for s in validation],
        "credits": sorted({s.credit for s in training + validation}),
    }
    (data_dir / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    log(f"  done in {time.time() - start:.1f} s")
    return train_path, val_path


def ensure_dataset(data_dir=DEFAULT_DATA_DIR, log=print):
    """Paths of train_data.pkl and val_data.pkl in `data_dir`, building the default dataset if either is missing."""
    data_dir = Path(data_dir)
    train_path, val_path = data_dir / "train_data.pkl", data_dir / "val_data.pkl"
    if not (train_path.is_file() and val_path.is_file()):
        build_dataset(data_dir, log=log)
    return train_path, val_path


def ensure_clean_targets(data_dir=DEFAULT_DATA_DIR, log=print):
    """Path of train_clean.pkl, the clean images of train_data.pkl (for Noise2Clean runs).

    If it is missing, the dataset is rebuilt with the settings in its manifest.json and the clean
    images kept: the build is deterministic, so the noisy files come out the same.
    """
    data_dir = Path(data_dir)
    path = data_dir / "train_clean.pkl"
    if path.is_file():
        return path
    ensure_dataset(data_dir, log=log)
    manifest_path = data_dir / "manifest.json"
    if not manifest_path.is_file():
        raise FileNotFoundError(f"{path} is missing and {data_dir} has no manifest.json to rebuild it from: "
                                f"clean targets exist only for datasets built by `python -m tools.data`")
    manifest = json.loads(manifest_path.read_text())
    build_dataset(data_dir, n_train=manifest["n_train"], n_val=manifest["n_val"], noise=manifest["noise"],
                  sources=tuple(manifest["sources"]), max_train_scenes=len(manifest["train_scenes"]),
                  seed=manifest["seed"], save_clean=True,
                  dead_leaves_fraction=manifest.get("dead_leaves_fraction", 0.0), log=log)
    return path


def ensure_noise_set(noise, data_dir=DEFAULT_DATA_DIR, log=print):
    """Path of `val_data_<noise>.pkl`: the validation clean images with another noise model.

    Built from the clean images of `val_data.pkl` (the course's own file works too), with a
    seed fixed per noise name, so every build of it is the same.
    """
    if noise not in NOISE_NAMES:
        raise ValueError(f"unknown noise {noise!r}: choose one of {', '.join(NOISE_NAMES)}")
    _, val_path = ensure_dataset(data_dir, log=log)
    path = Path(data_dir) / f"val_data_{noise}.pkl"
    if not path.is_file():
        log(f"building {path.name}: validation images with {noise} noise")
        _, clean = load_pair(val_path)
        save_atomically((noisy_copy(noise, clean, 1000 + NOISE_NAMES.index(noise)), clean), path)
    return path


def load_pair(path):
    """Load a course data file: two uint8 tensors `(N, 3, H, W)` of one shape.

    Raises FileNotFoundError or ValueError with what is wrong and how to fix it.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found: run `python -m tools.data --data-dir {path.parent}` to build the "
            f"default dataset, or point -d at a folder with the course's train_data.pkl and val_data.pkl")
    try:
        pair = torch.load(path, weights_only=True)
    except Exception as error:
        raise ValueError(f"{path} is not a readable data file ({type(error).__name__}: {error}); "
                         f"delete it and rebuild it, or copy the course's file again") from None
    if not (isinstance(pair, (tuple, list)) and len(pair) == 2 and all(isinstance(t, torch.Tensor) for t in pair)):
        raise ValueError(f"{path} must hold a pair of tensors (like the course's files), got {type(pair).__name__}")
    a, b = pair
    for tensor in pair:
        if tensor.dtype != torch.uint8 or tensor.dim() != 4 or tensor.shape[1] != 3:
            raise ValueError(f"{path} must hold uint8 tensors (N, 3, H, W), got {tensor.dtype} "
                             f"{tuple(tensor.shape)}")
    if a.shape != b.shape:
        raise ValueError(f"{path} holds tensors of different shapes {tuple(a.shape)} and {tuple(b.shape)}")
    return a, b
