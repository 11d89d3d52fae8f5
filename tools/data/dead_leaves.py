"""Procedural "dead leaves" images: overlapping discs of random colour, radii drawn from p(r) ~ r^-3.

That radius law makes the images scale-invariant, like natural photos, and such images are
known to train denoisers nearly as well as photos (Achddou et al., 2021). They add variety
at no licensing cost; the default build does not use them (see results/dead_leaves.json).
"""
import numpy as np

SIZE = 32
DISCS = 200
R_MIN, R_MAX = 1.0, 32.0


def dead_leaves(count, rng, size=SIZE):
    """`(count, size, size, 3)` uint8 images; later discs hide earlier ones."""
    yy, xx = np.mgrid[:size, :size]
    images = np.empty((count, size, size, 3), np.uint8)
    for i in range(count):
        # inverse transform sampling of p(r) ~ r^-3 on [R_MIN, R_MAX]
        u = rng.random(DISCS)
        radius = (R_MIN ** -2 - u * (R_MIN ** -2 - R_MAX ** -2)) ** -0.5
        cx, cy = rng.uniform(-R_MAX / 2, size + R_MAX / 2, (2, DISCS))
        colours = rng.integers(0, 256, (DISCS + 1, 3), dtype=np.uint8)  # the last one is the background
        inside = (xx - cx[:, None, None]) ** 2 + (yy - cy[:, None, None]) ** 2 < radius[:, None, None] ** 2
        top = DISCS - 1 - np.argmax(inside[::-1], axis=0)  # the last disc drawn over each pixel
        images[i] = colours[np.where(inside.any(axis=0), top, DISCS)]
    return images
