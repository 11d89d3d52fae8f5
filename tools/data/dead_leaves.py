"""Procedural "dead leaves" photos: overlapping discs of random colour, radii drawn from p(r) ~ r^-3.

That radius law makes the images scale-invariant, like natural photos, and such images are
known to train denoisers nearly as well as photos (Achddou et al., 2021). They add variety
at no licensing cost; the default build does not use them (see results/dead_leaves.json).
Each one is a large "photo" that the builder cuts regions from, like a real one.
"""
import numpy as np

from .scenes import Scene

SIZE = 768
DISCS = 6000
R_MIN, R_MAX = 2.0, 200.0
# one procedural photo per this many training images, so that they vary as much as photos do
IMAGES_PER_PHOTO = 500


def dead_leaves(rng, size=SIZE):
    """One `(size, size, 3)` uint8 image; later discs hide earlier ones (painted in order)."""
    image = np.empty((size, size, 3), np.uint8)
    image[:] = rng.integers(0, 256, 3, dtype=np.uint8)  # the background
    # inverse transform sampling of p(r) ~ r^-3 on [R_MIN, R_MAX]
    u = rng.random(DISCS)
    radii = (R_MIN ** -2 - u * (R_MIN ** -2 - R_MAX ** -2)) ** -0.5
    centres = rng.uniform(-R_MAX / 2, size + R_MAX / 2, (DISCS, 2))
    colours = rng.integers(0, 256, (DISCS, 3), dtype=np.uint8)
    for (cy, cx), radius, colour in zip(centres, radii, colours):
        top, bottom = max(0, int(cy - radius)), min(size, int(cy + radius) + 1)
        left, right = max(0, int(cx - radius)), min(size, int(cx + radius) + 1)
        if top >= bottom or left >= right:
            continue
        yy, xx = np.ogrid[top:bottom, left:right]
        inside = (yy - cy) ** 2 + (xx - cx) ** 2 < radius ** 2
        image[top:bottom, left:right][inside] = colour
    return image


def dead_leaves_scenes(n_images, rng):
    """Enough procedural photos, as scenes, for `n_images` training images (none for 0)."""
    count = -(-n_images // IMAGES_PER_PHOTO)
    photos = [dead_leaves(rng) for _ in range(count)]
    return [Scene(f"dead_leaves/{i}", "procedural", "procedural dead leaves (no licence needed)",
                  lambda photo=photo: photo)
            for i, photo in enumerate(photos)]
