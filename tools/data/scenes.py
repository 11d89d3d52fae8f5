"""The clean photographs the default dataset is cut from.

The course's images cannot be shipped, and nothing may be downloaded at run time, so the
scenes come from photos that ship inside installable packages:

- pip (always there with requirements.txt): scikit-image's bundled colour photos,
  scikit-learn's sample images (china, flower; CC BY 2.0) and matplotlib's grace_hopper.jpg.
- debian (used when installed, see the README's optional set-up step): the photographs among
  OpenCV's sample data (package `opencv-doc`), MATE's nature wallpapers (`mate-backgrounds`),
  KDE Plasma's and LXQt's wallpapers (`plasma-workspace-wallpapers`, `lxqt-themes`), the
  Wikimedia Commons photos of GCompris' activities (`gcompris-qt-data`: animals, monuments,
  musicians, the sea floor), Tux Typing's landscapes (`tuxtype-data`) and the Scribus
  templates' photos (`scribus-template`). Drawings, renders, logos and gradients in those
  packages are left out by the lists below.

Validation scenes are fixed pip scenes, so the validation set is the same whatever sources a
build uses, and no validation scene is ever cut into training crops.
"""
import fnmatch
import io
import struct
import zlib
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

PLASMA_WALLPAPERS = Path("/usr/share/wallpapers")
# The photographs among Plasma's wallpapers, with their authors (LGPL-3, as each wallpaper's
# metadata.json says); the other wallpapers are renders and drawings.
PLASMA_PHOTOS = {
    "BytheWater": "Maciej Wiklo", "ColdRipple": "Risto Saukonpää", "ColorfulCups": "Dmitri Popov",
    "DarkestHour": "Risto Saukonpää", "EveningGlow": "Ian Hex", "FallenLeaf": "Martin Klapetek",
    "Grey": "Sigi Sagi", "Kite": "Risto Saukonpää", "OneStandsOut": "Risto Saukonpää",
    "Path": "Risto Saukonpää", "summer_1am": "Risto Saukonpää",
}
LXQT_WALLPAPERS = Path("/usr/share/lxqt/wallpapers")
# The photographs among LXQt's wallpapers; the rest are logos, gradients and low-poly renders.
LXQT_PHOTOS = (
    "Butterfly-Kenneth-Wimer.jpg", "Valendas.png", "after-the-rain.jpg", "appleflower.png",
    "beam.png", "butterfly.png", "cloud.png", "drop.png", "flowers.png", "fog.jpg",
    "this-is-not-windows.jpg",
)
GCOMPRIS_RCC = Path("/usr/share/gcompris-qt/rcc")
# GCompris ships each activity's files packed in a Qt resource bundle, <activity>.rcc. These
# fnmatch patterns (relative to the activity's resource/ folder) match only photographs;
# the rest of GCompris is drawn (the `lang` pictures, the fish sprites of `clickgame`, ...)
# or too small.
GCOMPRIS_PHOTOS = (
    ("erase", "*.webp"),                      # wild animals, 1920x1080
    ("explore_farm_animals", "animals/*.webp"),
    ("explore_world_animals", "animals/*.webp"),
    ("explore_monuments", "*/*.webp"),        # buildings and landscapes of six countries
    ("explore_world_music", "music/*.webp"),  # musicians and instruments
    ("clickgame", "sea*.webp"),               # the sea floor behind the fish
)
TUXTYPE_IMAGES = Path("/usr/share/tuxtype/images")
# kcas*.jpg are Tux Typing's landscape photos; its backgrounds/ are space images, far from
# the photos the grader uses.
TUXTYPE_PHOTOS = "kcas*.jpg"
SCRIBUS_TEMPLATES = Path("/usr/share/scribus/templates")
# The templates' photos other than the moon and eclipse shots, which are mostly black sky.
SCRIBUS_PHOTOS = ("br2/nature.jpg", "br2/sunset.jpg", "menu2/pizza.jpg")


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


def _rcc_files(bundle):
    """{path: (flags, start, size)} of the files in a Qt resource bundle (the bytes of a .rcc).

    The format (Qt's rcc.cpp): a 'qres' header gives the offsets of a tree of nodes, of their
    UTF-16 names and of the data; a node is a folder (flag 2) with a run of child nodes, or a
    file with the offset of its length-prefixed bytes (zlib-compressed if flag 1 is set).
    """
    version, tree, data, names = struct.unpack_from(">4I", bundle, 4)
    node_size = 22 if version >= 2 else 14   # version 2 added a modification time to each node

    def name(offset):
        length, = struct.unpack_from(">H", bundle, names + offset)
        return bundle[names + offset + 6:names + offset + 6 + 2 * length].decode("utf-16-be")

    files, folders = {}, [(0, "")]
    while folders:
        index, path = folders.pop()
        node = tree + index * node_size
        name_offset, flags = struct.unpack_from(">IH", bundle, node)
        path = f"{path}/{name(name_offset)}" if index else ""
        if flags & 2:
            count, first = struct.unpack_from(">II", bundle, node + 6)
            folders += [(child, path) for child in range(first, first + count)]
        else:
            offset = data + struct.unpack_from(">I", bundle, node + 10)[0]
            files[path.lstrip("/")] = (flags, offset + 4, struct.unpack_from(">I", bundle, offset)[0])
    return files


def _rcc_bytes(bundle, entry):
    """The bytes of one file of a .rcc, given its `_rcc_files` entry."""
    flags, start, size = entry
    raw = bundle[start:start + size]
    if flags & 1:
        return zlib.decompress(raw[4:])   # qCompress: a 4-byte length, then a zlib stream
    if flags:
        raise ValueError(f"a GCompris resource uses compression flags {flags}: only zlib is read")
    return raw


def _from_rcc(path, member):
    def load():
        from PIL import Image
        bundle = path.read_bytes()
        data = _rcc_bytes(bundle, _rcc_files(bundle)[member])
        with Image.open(io.BytesIO(data)) as image:
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


def _file_scenes(prefix, folder, names, credit):
    """One scene per file of `names` (relative to `folder`) that is on this machine."""
    return [Scene(f"{prefix}/{name}", "debian", credit, _from_file(folder / name))
            for name in names if (folder / name).is_file()]


def _plasma_scenes():
    scenes = []
    for name, author in PLASMA_PHOTOS.items():
        # Every file in a wallpaper's images/ is the same picture, whatever size its name says.
        images = sorted((PLASMA_WALLPAPERS / name / "contents" / "images").glob("*.jpg"))
        if images:
            credit = f"KDE Plasma wallpaper by {author}, LGPL-3 (package plasma-workspace-wallpapers)"
            scenes.append(Scene(f"plasma/{name}", "debian", credit, _from_file(images[0])))
    return scenes


def _readme_fields(paragraph):
    """{field: text} of one paragraph of a GCompris README ('Copyright: ...', 'Files:' and the
    file names on the lines after it, ...); a line without a known field continues the last."""
    fields, key = {}, None
    for line in paragraph.splitlines():
        head, _, rest = line.partition(":")
        if head in ("Copyright", "License", "Source", "Comments", "Files"):
            key, line = head, rest
        if key:
            fields[key] = f"{fields.get(key, '')} {line.strip()}".strip()
    return fields


def _gcompris_credits(bundle, files):
    """{path in the bundle: 'author, licence, source'} from the READMEs inside a GCompris .rcc."""
    credits = {}
    for readme in [path for path in files if path.endswith("/README")]:
        folder = readme.rsplit("/", 1)[0]
        for paragraph in _rcc_bytes(bundle, files[readme]).decode("utf-8", "replace").split("\n\n"):
            fields = _readme_fields(paragraph)
            credit = ", ".join(fields[key] for key in ("Copyright", "License", "Source") if key in fields)
            for name in fields.get("Files", "").split():
                credits[f"{folder}/{name}"] = credit
    return credits


def _gcompris_scenes():
    scenes = []
    for activity, pattern in GCOMPRIS_PHOTOS:
        path = GCOMPRIS_RCC / f"{activity}.rcc"
        if not path.is_file():
            continue
        bundle = path.read_bytes()
        files = _rcc_files(bundle)
        credits = _gcompris_credits(bundle, files)
        resource = f"gcompris/src/activities/{activity}/resource/"
        for member in sorted(files):
            name = member[len(resource):]
            if member.startswith(resource) and fnmatch.fnmatch(name, pattern):
                # One README entry misspells its file (audaPalatina): credit it by its README.
                credit = credits.get(member, "Wikimedia Commons photo credited in the activity's README")
                credit = f"{credit} (GCompris, package gcompris-qt-data)"
                scenes.append(Scene(f"gcompris/{activity}/{name}", "debian", credit,
                                    _from_rcc(path, member)))
    return scenes


def debian_scenes():
    """The richer photo collections, for those of them installed on this machine."""
    mate = sorted(path.name for path in MATE_NATURE.glob("*.jpg"))
    tuxtype = sorted(path.name for path in TUXTYPE_IMAGES.glob(TUXTYPE_PHOTOS))
    return (
        _file_scenes("opencv", OPENCV_DATA, OPENCV_PHOTOS,
                     "OpenCV sample data, Apache-2.0 and BSD-3-Clause (package opencv-doc)")
        + _file_scenes("mate", MATE_NATURE, mate, "MATE backgrounds, GPL-2+ (package mate-backgrounds)")
        + _plasma_scenes()
        + _file_scenes("lxqt", LXQT_WALLPAPERS, LXQT_PHOTOS,
                       "LXQt wallpapers, CC BY-SA 3.0 (package lxqt-themes)")
        + _gcompris_scenes()
        + _file_scenes("tuxtype", TUXTYPE_IMAGES, tuxtype,
                       "Tux Typing backgrounds, GPL-2 (package tuxtype-data)")
        + _file_scenes("scribus", SCRIBUS_TEMPLATES, SCRIBUS_PHOTOS,
                       "Scribus template photos by Riku Leino, public domain (package scribus-template)")
    )


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
