"""Named corruptions: how a noisy image is made from a photo region or from a clean image.

Two kinds:

- image noise (`gaussian25`, `poisson`, ...): each function takes `clean`, a uint8 tensor
  `(N, C, H, W)` with values 0-255, and a `torch.Generator`, and returns a uint8 tensor of the
  same shape (rounded and clipped, as a camera or an 8-bit file would store it);
- pixelation (`pixelation`, ...): the course's corruption, made from the full-resolution region
  behind each clean image (`pixelation.py`); its name gives the range of block sizes.

`mix` draws one of several of them per image, for training a model robust to all of them.
"""
import torch


def _to_uint8(values):
    return values.round().clamp(0, 255).to(torch.uint8)


def gaussian(sigma):
    """Additive white Gaussian noise of standard deviation `sigma` on the 0-255 scale."""
    def add_noise(clean, generator):
        noise = torch.randn(clean.shape, generator=generator) * sigma
        return _to_uint8(clean.float() + noise)
    return add_noise


def poisson(peak):
    """Shot noise: pixel value x in [0, 1] becomes Poisson(peak * x) / peak (Noise2Noise, lambda=peak)."""
    def add_noise(clean, generator):
        rate = clean.float() / 255 * peak
        return _to_uint8(torch.poisson(rate, generator=generator) / peak * 255)
    return add_noise


def blind_gaussian(low, high):
    """Gaussian noise whose sigma is drawn per image, uniformly in [low, high]: the level is unknown."""
    def add_noise(clean, generator):
        sigma = low + (high - low) * torch.rand(clean.shape[0], 1, 1, 1, generator=generator)
        noise = torch.randn(clean.shape, generator=generator) * sigma
        return _to_uint8(clean.float() + noise)
    return add_noise


IMAGE_NOISE = {
    "gaussian25": gaussian(25),
    "gaussian15": gaussian(15),
    "gaussian50": gaussian(50),
    "poisson": poisson(30),
    "blind": blind_gaussian(5, 50),
}
# Block sizes s (a 32x32 image is cut from a region of 32s x 32s pixels), smallest and largest.
# 5-14 reproduces the course's statistics (results/pixelation_stats.json: noisy-input PSNR
# 20.6 dB against 20.7); the finer and coarser ranges test (and train) robustness to another
# downsampling factor. 15 is the largest block the validation photos (short side 400-500) allow.
PIXELATION = {
    "pixelation": (5, 14),
    "pixelation_fine": (2, 4),
    "pixelation_coarse": (12, 15),
}
# The robust training mix: each training pair draws one corruption with these weights. Half is
# the course's pixelation; the rest covers other downsampling factors and the paper's noises.
MIX = {"pixelation": 0.5, "pixelation_fine": 0.1, "pixelation_coarse": 0.1,
       "gaussian15": 0.075, "gaussian25": 0.075, "gaussian50": 0.075, "poisson": 0.075}
NOISE_NAMES = (*PIXELATION, *IMAGE_NOISE, "mix")
DEFAULT_NOISE = "pixelation"
# The block sizes of the clean images that image noise is added to: the course's.
DEFAULT_BLOCKS = PIXELATION[DEFAULT_NOISE]


def check_noise(noise):
    """Raise ValueError unless `noise` is one of NOISE_NAMES."""
    if noise not in NOISE_NAMES:
        raise ValueError(f"unknown noise {noise!r}: choose one of {', '.join(NOISE_NAMES)}")


def add_noise(noise, clean, generator):
    """Apply the image noise model named `noise` (one of IMAGE_NOISE) to clean uint8 images."""
    check_noise(noise)
    if noise not in IMAGE_NOISE:
        raise ValueError(f"{noise!r} is made from the full-resolution photo, not from a clean image: "
                         f"build it with `python -m tools.data --noise {noise}`")
    return IMAGE_NOISE[noise](clean, generator)
