"""Named noise models: each maps clean uint8 images to noisy uint8 images.

Every function takes `clean`, a uint8 tensor `(N, C, H, W)` with values 0-255, and a
`torch.Generator`, and returns a uint8 tensor of the same shape (rounded and clipped, as a
camera or an 8-bit file would store it).
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


# Gaussian 25 is the default: its noisy validation PSNR (about 20.5 dB) is close to the course's 20.7 dB.
NOISE_MODELS = {
    "gaussian25": gaussian(25),
    "gaussian15": gaussian(15),
    "gaussian50": gaussian(50),
    "poisson": poisson(30),
    "blind": blind_gaussian(5, 50),
}
NOISE_NAMES = tuple(NOISE_MODELS)
DEFAULT_NOISE = "gaussian25"


def add_noise(noise, clean, generator):
    """Apply the noise model named `noise` (one of NOISE_NAMES)."""
    if noise not in NOISE_MODELS:
        raise ValueError(f"unknown noise {noise!r}: choose one of {', '.join(NOISE_NAMES)}")
    return NOISE_MODELS[noise](clean, generator)
