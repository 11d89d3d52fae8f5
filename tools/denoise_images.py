"""Denoise real image files of any size with either mini-project's trained model.

    python tools/denoise_images.py photo.jpg scan.png --project 1 --out-dir denoised/

Reads PNG or JPEG (any size; greyscale and alpha are converted to RGB), writes
`<name>_denoised.png` into the output folder (default: beside each input).
"""
import argparse
import importlib
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]


def load_model(project):
    """The trained `Model` of Miniproject_<project>."""
    sys.path.insert(0, str(ROOT))
    model = importlib.import_module(f"Miniproject_{project}.model").Model()
    model.load_pretrained_model()
    return model


def denoise_file(model, source, destination):
    with Image.open(source) as image:
        pixels = np.asarray(image.convert("RGB"))
    noisy = torch.from_numpy(pixels.copy()).permute(2, 0, 1)[None]
    denoised = model.predict(noisy)[0].round().clamp(0, 255).to(torch.uint8)
    Image.fromarray(denoised.permute(1, 2, 0).numpy()).save(destination)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("images", nargs="+", type=Path, help="PNG or JPEG files")
    parser.add_argument("--project", type=int, choices=(1, 2), default=1, help="which mini-project's model")
    parser.add_argument("--out-dir", type=Path, default=None, help="where to write (default: beside each input)")
    args = parser.parse_args(argv)
    missing = [str(path) for path in args.images if not path.is_file()]
    if missing:
        parser.error(f"no such file: {', '.join(missing)}")
    model = load_model(args.project)
    for source in args.images:
        folder = args.out_dir or source.parent
        folder.mkdir(parents=True, exist_ok=True)
        destination = folder / f"{source.stem}_denoised.png"
        denoise_file(model, source, destination)
        print(f"{source} -> {destination}")


if __name__ == "__main__":
    main()
