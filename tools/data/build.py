"""Build the default dataset in the course's format (command line: `python -m tools.data`).

`train_data.pkl` = `(noisy_a, noisy_b)` and `val_data.pkl` = `(noisy, clean)`, uint8
tensors `(N, 3, 32, 32)` saved with `torch.save`, like the course's files. Each image comes
from a random region of a photo (see `scenes.py`) split into 32x32 blocks: the clean image is
the mean of each block, a pixelated image one random pixel of each block (`pixelation.py`);
image noise (Gaussian, Poisson) is added to the clean image instead. The build is
deterministic for a given seed and set of installed scenes, and records what it used in
`manifest.json`.
"""
import json
import time
from pathlib import Path

import numpy as np
import torch

from ..run_files import save_atomically
from .dead_leaves import dead_leaves_scenes
from .noise import DEFAULT_BLOCKS, DEFAULT_NOISE, IMAGE_NOISE, MIX, NOISE_NAMES, PIXELATION, add_noise, check_noise
from .pixelation import SIZE, pixelate
from .scenes import available_scenes, split_scenes

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"
# Each photo is kept at LEVELS short sides, from MIN_SHORT_SIDE (an image of 5-pixel blocks is
# then nearly the whole photo, as the course's images show whole scenes) up to
# MAX_SHORT_SIDE or the photo's own size, whichever is smaller; an image's region is cut at one
# of them. Larger levels give closer views, with less detail inside each block.
MIN_SHORT_SIDE, MAX_SHORT_SIDE, LEVELS = 192, 1024, 6
# A clean image whose pixel standard deviation is below this (0-255 scale) is sky or wall: rejected.
FLAT_STD = 4.0


def pyramid(image):
    """The photo at up to LEVELS geometric short sides, as a list of `(H, W, 3)` uint8 arrays."""
    from PIL import Image
    photo = Image.fromarray(image)
    short = min(photo.size)
    sides = np.geomspace(min(MIN_SHORT_SIDE, short), min(short, MAX_SHORT_SIDE), LEVELS)
    return [np.asarray(photo.resize(tuple(round(s * side / short) for s in photo.size), Image.LANCZOS))
            for side in sides]


def random_region(pyramids, blocks, rng):
    """A random `(32 s, 32 s, 3)` region and its block size s in `blocks` = (smallest, largest),
    or (None, None) when the level drawn is too small for the smallest block."""
    levels = pyramids[rng.integers(len(pyramids))]
    level = levels[rng.integers(len(levels))]
    largest = min(min(level.shape[:2]) // SIZE, blocks[1])
    if largest < blocks[0]:
        return None, None
    block = int(rng.integers(blocks[0], largest + 1))
    top = rng.integers(level.shape[0] - SIZE * block + 1)
    left = rng.integers(level.shape[1] - SIZE * block + 1)
    return level[top:top + SIZE * block, left:left + SIZE * block], block


def cut_images(pyramids, block_ranges, rng):
    """One image per entry of `block_ranges`: `(clean, point_a, point_b)`, uint8 tensors `(N, 3, 32, 32)`.

    Each comes from a random region (scene, level, position, block size in its range), with the
    same random flip and rotation for its three versions.
    """
    images = np.empty((3, len(block_ranges), SIZE, SIZE, 3), np.uint8)
    made = 0
    while made < len(block_ranges):
        region, block = random_region(pyramids, block_ranges[made], rng)
        if region is None:
            continue
        clean, points = pixelate(region, block, rng)
        if clean.std() < FLAT_STD:
            continue
        quarter_turns, flip = rng.integers(4), rng.integers(2)
        for version, image in enumerate([clean, *points]):
            image = np.rot90(image, k=quarter_turns)
            images[version, made] = image[:, ::-1] if flip else image
        made += 1
    return torch.from_numpy(images).permute(0, 1, 4, 2, 3).contiguous().unbind(0)


def corrupt(noise, clean, points, seed):
    """The noisy version of each image, for one noise name per image (`noise`: a list of names)."""
    noisy = points.clone()
    for index, name in enumerate(IMAGE_NOISE):  # pixelation is already there: the point samples
        chosen = torch.tensor([n == name for n in noise])
        if chosen.any():
            generator = torch.Generator().manual_seed(seed * 16 + index)
            noisy[chosen] = add_noise(name, clean[chosen], generator)
    return noisy


def draw_noises(noise, count, rng):
    """The noise name of each of `count` images: `noise` itself, or a draw from MIX for 'mix'."""
    if noise != "mix":
        return [noise] * count
    names = list(MIX)
    return [names[i] for i in rng.choice(len(names), size=count, p=list(MIX.values()))]


def make_images(scenes, noise, count, rng, seed):
    """`(clean, noisy_a, noisy_b)` uint8 `(count, 3, 32, 32)`: two independent corruptions of each image."""
    check_noise(noise)
    names = draw_noises(noise, count, rng)
    pyramids = [pyramid(scene.load()) for scene in scenes]
    clean, point_a, point_b = cut_images(pyramids, [PIXELATION.get(n, DEFAULT_BLOCKS) for n in names], rng)
    return clean, corrupt(names, clean, point_a, seed), corrupt(names, clean, point_b, seed + 1)


def build_dataset(data_dir=DEFAULT_DATA_DIR, n_train=50_000, n_val=1_000, noise=DEFAULT_NOISE,
                  sources=("pip", "debian"), max_train_scenes=None, seed=0, save_clean=False, dead_leaves_fraction=0.0,
                  log=print):
    """Write train_data.pkl, val_data.pkl and manifest.json into `data_dir`; return their paths.

    With `dead_leaves_fraction` > 0, that fraction of the training images are cut from procedural
    dead-leaves images instead of photos. With `save_clean`, also train_clean.pkl = `(clean, clean)`:
    the clean training images, for the Noise2Clean comparison (the course's data has no such file).
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
    val_clean, val_noisy, _ = make_images(validation, noise, n_val, rng, seed + 3)
    n_leaves = round(dead_leaves_fraction * n_train)
    train_clean, noisy_a, noisy_b = (torch.cat(parts) for parts in zip(
        make_images(dead_leaves_scenes(n_leaves, rng), noise, n_leaves, rng, seed + 5),
        make_images(training, noise, n_train - n_leaves, rng, seed + 1)))
    log(f"  made {n_train + n_val} images in {time.time() - start:.1f} s")
    train_path, val_path = data_dir / "train_data.pkl", data_dir / "val_data.pkl"
    save_atomically((noisy_a, noisy_b), train_path)
    save_atomically((val_noisy, val_clean), val_path)
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


def ensure_dataset(data_dir=DEFAULT_DATA_DIR, log=print, noise=DEFAULT_NOISE):
    """Paths of train_data.pkl and val_data.pkl in `data_dir`, building a dataset with `noise`
    (default: the default dataset) if either is missing."""
    data_dir = Path(data_dir)
    train_path, val_path = data_dir / "train_data.pkl", data_dir / "val_data.pkl"
    if not (train_path.is_file() and val_path.is_file()):
        build_dataset(data_dir, noise=noise, log=log)
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
    """Path of `val_data_<noise>.pkl`: validation images with another corruption, built if missing.

    Image noise is added to the clean images of `val_data.pkl` (the course's own file works
    too); a pixelation set, made from the photos, is cut afresh from the validation scenes with
    its block sizes. The seed is fixed per noise name, so every build of it is the same. The
    noise `val_data.pkl` itself has (its manifest's, or pixelation for the course's own files)
    gives `val_data.pkl`.
    """
    check_noise(noise)
    _, val_path = ensure_dataset(data_dir, log=log)
    manifest = Path(data_dir) / "manifest.json"
    if noise == (json.loads(manifest.read_text())["noise"] if manifest.is_file() else DEFAULT_NOISE):
        return val_path
    path = Path(data_dir) / f"val_data_{noise}.pkl"
    if not path.is_file():
        log(f"building {path.name}: validation images with {noise} noise")
        _, clean = load_pair(val_path)
        seed = 1000 + NOISE_NAMES.index(noise)
        if noise in IMAGE_NOISE:
            noisy = add_noise(noise, clean, torch.Generator().manual_seed(seed))
        else:
            _, validation = split_scenes(available_scenes(("pip",)))
            clean, noisy, _ = make_images(validation, noise, len(clean), np.random.default_rng(seed), seed)
        save_atomically((noisy, clean), path)
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
