"""The course's corruption: pixelation, a point sample of each block against the block's mean.

The course's images are photos downsampled to 32x32. Cut a region of 32s x 32s pixels from a
photo and split it into 32x32 blocks of s x s pixels:

- the clean image is the mean of each block (area downsampling);
- a noisy image takes, for each block, ONE pixel drawn at random inside it, the same pixel for
  R, G and B (point sampling, what a nearest-neighbour resize does with a random phase).

The noise (noisy - clean) is zero-mean by construction, heavy-tailed (large at edges, small in
flat areas), the same in the three channels and independent from block to block: what the
course's validation pairs show (results/pixelation_stats.json). Two independent samplings of the
same blocks make a Noise2Noise pair.
"""
import numpy as np

SIZE = 32


def block_means(region, block):
    """`(32 s, 32 s, 3)` uint8 region -> `(32, 32, 3)` uint8: the rounded mean of each s x s block."""
    blocks = region.reshape(SIZE, block, SIZE, block, 3).astype(np.float32)
    return np.rint(blocks.mean(axis=(1, 3))).astype(np.uint8)


def point_sample(region, block, rng):
    """`(32 s, 32 s, 3)` uint8 region -> `(32, 32, 3)` uint8: one random pixel of each s x s block."""
    offset_y, offset_x = rng.integers(block, size=(2, SIZE, SIZE))
    rows = np.arange(SIZE)[:, None] * block + offset_y
    cols = np.arange(SIZE)[None, :] * block + offset_x
    return region[rows, cols]


def pixelate(region, block, rng, samples=2):
    """The clean image of `region` and `samples` independent point samplings of it, all `(32, 32, 3)` uint8."""
    return block_means(region, block), [point_sample(region, block, rng) for _ in range(samples)]
