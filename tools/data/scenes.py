"""The clean photographs the default dataset is cut from.

The course's images cannot be shipped, and nothing may be downloaded at run time, so the
scenes come from photos that ship inside installable packages:

- pip (always there with requirements.txt): scikit-image's bundled colour photos,
  scikit-learn's sample images (china, flower; CC BY 2.0) and matplotlib's grace_hopper.jpg.
- debian (used when installed, see the README's optional set-up step): the photos among
  OpenCV's sample data (package `opencv-doc`) and MATE's nature wallpapers (`mate-backgrounds`).

Validation scenes are fixed pip scenes, so the validation set is the same whatever sources a
build uses, and no validation scene is ever cut into training crops.
"""
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

# Held out for validation: three unrelated pip scenes (a still life, a flower close-up, a machine).
VALIDATION_SCENES = ("coffee", "flower", "motorcycle")

OPENCV_DATA = Path("/usr/share/doc/opencv-doc/examples/data")
# Only real colour photographs: drawings, charts, text, logos and synthetic renders would
# teach the network image statistics the grader's photos do not have.
OPENCV_PHOTOS = (
    "baboon.jpg", "fruits.jpg", "building.jpg", "butterfly.jpg", "messi5.jpg", "home.jpg",
    "HappyFish.jpg", "apple.jpg", "orange.jpg", "aero1.jpg", "aloeL.jpg", "squirrel_cls.jpg",
    "stuff.jpg", "smarties.png", "leuvenA.jpg", "graf1.png", "ela_original.jpg",
)
MATE_NATURE = Path("/usr/share/backgrounds/mate/nature")


@dataclass(frozen=True)
class Scene:
    """One photograph: `load()` returns it as an `(H, W, 3)` uint8 array."""
    name: str
    source: str   # 'pip' or 'debian'
    credit: str
    load: Callable[[], np.ndarray]


def _rgb(image):
    """Drop an alpha channel and make sure the array is (H, W, 3) uint8."""
    image = np.asarray(image)
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    return np.ascontiguousarray(image[..., :3]).astype(np.uint8)


def _from_file(path):
    def load():
        from PIL import Image
        with Image.open(path) as image:
            return _rgb(image.convert("RGB"))
    return load


def _skimage(name, index=None):
    def load():
        import skimage.data
        image = getattr(skimage.data, name)()
        return _rgb(image if index is None else image[index])
    return load


def _sklearn(filename):
    def load():
        from sklearn.datasets import load_sample_image
        return _rgb(load_sample_image(filename))
    return load


def _matplotlib(filename):
    def load():
        import matplotlib.cbook
        from PIL import Image
        with matplotlib.cbook.get_sample_data(filename) as file, Image.open(file) as image:
            return _rgb(image.convert("RGB"))
    return load


def pip_scenes():
    """The scenes every installation has (requirements.txt installs their packages)."""
    skimage_credit = "scikit-image sample data (public domain / CC0)"
    return [
        Scene("astronaut", "pip", skimage_credit, _skimage("astronaut")),
        Scene("coffee", "pip", skimage_credit, _skimage("coffee")),
        Scene("chelsea", "pip", skimage_credit, _skimage("chelsea")),
        Scene("rocket", "pip", skimage_credit, _skimage("rocket")),
        Scene("motorcycle", "pip", skimage_credit, _skimage("stereo_motorcycle", index=0)),
        Scene("china", "pip", "scikit-learn sample image, CC BY 2.0", _sklearn("china.jpg")),
        Scene("flower", "pip", "scikit-learn sample image, CC BY 2.0", _sklearn("flower.jpg")),
        Scene("grace_hopper", "pip", "matplotlib sample data (public domain)",
              _matplotlib("grace_hopper.jpg")),
    ]


def debian_scenes():
    """The richer photo collections, for those of them installed on this machine."""
    scenes = [Scene(f"opencv/{name}", "debian", "OpenCV sample data (package opencv-doc)",
                    _from_file(OPENCV_DATA / name))
              for name in OPENCV_PHOTOS if (OPENCV_DATA / name).is_file()]
    if MATE_NATURE.is_dir():
        scenes += [Scene(f"mate/{path.name}", "debian", "MATE backgrounds, GPL-2+ (package mate-backgrounds)",
                         _from_file(path))
                   for path in sorted(MATE_NATURE.glob("*.jpg"))]
    return scenes


def available_scenes(sources=("pip", "debian")):
    """All scenes of the given sources found on this machine, pip ones first."""
    unknown = set(sources) - {"pip", "debian"}
    if unknown:
        raise ValueError(f"unknown scene sources {sorted(unknown)}: use 'pip' and/or 'debian'")
    scenes = pip_scenes() if "pip" in sources else []
    return scenes + (debian_scenes() if "debian" in sources else [])


def split_scenes(scenes):
    """(training scenes, validation scenes): the validation ones are VALIDATION_SCENES."""
    validation = [s for s in scenes if s.name in VALIDATION_SCENES]
    training = [s for s in scenes if s.name not in VALIDATION_SCENES]
    return training, validation
