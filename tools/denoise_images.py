"""Denoise real image files of any size with either mini-project's trained model.

    python -m tools.denoise_images photo.jpg scan.png --project 1 --out-dir denoised/

Reads PNG or JPEG (any size; greyscale, 16-bit and alpha are converted to 8-bit RGB, and a
photo's EXIF orientation is applied), writes `<name>_denoised.png` into the output folder
(default: beside each input), replacing the file of an earlier run. Two inputs that would
write the same file are refused before anything runs. A file that cannot be read or written
gets a one-line error and the others are still denoised; the exit status is then 1.
"""
import argparse
import importlib
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps

from tools.atomic import atomic_path

ROOT = Path(__file__).resolve().parents[1]

# The modes a 16-bit greyscale PNG opens in: convert("RGB") would clip their values at 255.
SIXTEEN_BIT_GREY_MODES = ("I;16", "I;16B", "I;16L", "I")
# 65535 / 255: maps 16-bit values onto 0-255, black to 0 and white to 255.
SIXTEEN_TO_EIGHT_BITS = 257


class FileError(Exception):
    """One file could not be denoised; the message, one line, says which, why and what to do."""


def load_model(project):
    """The trained `Model` of Miniproject_<project>."""
    model = importlib.import_module(f"Miniproject_{project}.model").Model()
    model.load_pretrained_model()
    return model


def read_pixels(source):
    """uint8 `(H, W, 3)` RGB pixels of the image file `source`, turned upright by its EXIF orientation."""
    with Image.open(source) as image:
        image = ImageOps.exif_transpose(image)
    if image.mode in SIXTEEN_BIT_GREY_MODES:
        grey = np.round(np.asarray(image, dtype=np.float64) / SIXTEEN_TO_EIGHT_BITS).clip(0, 255).astype(np.uint8)
        return np.repeat(grey[..., None], 3, axis=2)
    return np.asarray(image.convert("RGB"))


def output_paths(sources, out_dir):
    """`<stem>_denoised.png` for each source, in `out_dir` or beside it; ValueError if two sources
    would write the same file, or an output would be written over an input."""
    inputs = {source.resolve(): source for source in sources}
    writers, destinations = {}, []
    for source in sources:
        destination = (out_dir or source.parent) / f"{source.stem}_denoised.png"
        key = destination.resolve()
        if key in writers:
            raise ValueError(f"{writers[key]} and {source} would both be written to {destination}: "
                             f"denoise them in separate runs with different --out-dir")
        if key in inputs:
            raise ValueError(f"{source} would be written over the input {inputs[key]}: rename that input "
                             f"or give another --out-dir")
        writers[key] = source
        destinations.append(destination)
    return destinations


def denoise_file(model, source, destination):
    """Denoise `source` into the PNG `destination` (written atomically); FileError if it cannot."""
    try:
        pixels = read_pixels(source)
    except (OSError, Image.DecompressionBombError) as error:
        raise FileError(f"{source}: cannot read it as an image ({error}): give a PNG or JPEG file") from None
    folder = destination.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise FileError(f"{source}: cannot make the folder {folder}: a file is in the way; "
                        f"give --out-dir a folder") from None
    except OSError as error:
        raise FileError(f"{source}: cannot make the folder {folder} ({error.strerror or error}): "
                        f"give a writable --out-dir") from None
    noisy = torch.from_numpy(pixels.copy()).permute(2, 0, 1)[None]
    denoised = model.predict(noisy)[0].round().clamp(0, 255).to(torch.uint8)
    try:
        with atomic_path(destination) as temporary:
            Image.fromarray(denoised.permute(1, 2, 0).numpy()).save(temporary, format="PNG")
    except OSError as error:
        raise FileError(f"{source}: cannot write {destination} ({error.strerror or error}): "
                        f"give a writable --out-dir") from None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("images", nargs="+", type=Path, help="PNG or JPEG files")
    parser.add_argument("--project", type=int, choices=(1, 2), default=1, help="which mini-project's model")
    parser.add_argument("--out-dir", type=Path, default=None,
                        help="where to write <name>_denoised.png (default: beside each input)")
    args = parser.parse_args(argv)
    missing = [str(path) for path in args.images if not path.is_file()]
    if missing:
        parser.error(f"no such file: {', '.join(missing)}")
    try:
        destinations = output_paths(args.images, args.out_dir)
    except ValueError as error:
        parser.error(str(error))
    model = load_model(args.project)
    failures = 0
    for source, destination in zip(args.images, destinations):
        replacing = destination.exists()
        try:
            denoise_file(model, source, destination)
        except FileError as error:
            print(f"error: {error}", file=sys.stderr)
            failures += 1
            continue
        print(f"{source} -> {destination}" + (" (replaced the earlier file)" if replacing else ""))
    if failures:
        print(f"{failures} of {len(args.images)} files not denoised: see the errors above", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
