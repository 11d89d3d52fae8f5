"""Undoing the bias that clipping puts into Noise2Noise targets.

Noise2Noise learns the mean of its targets. With uint8 images the noisy targets are clipped to
[0, 255], so near black the noise can only push a pixel up and near white only down: for
Gaussian noise of standard deviation s the mean of the targets over a clean value x is
m(x) = E[clip(x + s z, 0, 255)], not x (black becomes about 0.4 s). The trained network outputs
about m(x); `unclip` solves m(x) = output for x. The noise level comes from the training pairs
themselves (`target_noise_std`), so no clean image is needed; clean targets, noise whose level
depends on the tone (Poisson) and heavy-tailed noise (pixelation) give 0, which leaves the
outputs as they are. The same code as
Miniproject_1's others/clipping.py (tensor methods and `arange` only), repeated because each
project must stand alone.
"""
import math

from torch import arange

# Pixels whose neighbours average between these values (0-255) are at least 96 grey levels, about
# 2 standard deviations of the strongest noise we test (Gaussian 50), from both clipping limits.
MID_TONES = (96.0, 160.0)
MAX_IMAGES = 4096      # enough pixels for a standard deviation to better than 1%
MIN_PIXELS = 1000      # fewer unclipped pixels than this say nothing: the correction stays off
# The correction models noise whose level does not depend on the tone (Gaussian). The darker and
# the brighter half of MID_TONES must agree on the noise variance within this fraction of it, or
# the correction stays off: Poisson noise (variance growing with the clean value) differs by about
# 25% there, Gaussian noise by under 4%.
FLAT_NOISE = 0.1
# The correction models Gaussian noise, whose input-minus-target difference is Gaussian too:
# kurtosis 3. Above this, the noise has heavy tails and the correction stays off: the course's
# pixelation (one pixel of a block against the block's mean) gives about 15, Poisson about 3.
MAX_KURTOSIS = 4.0
BISECTION_STEPS = 30   # halves a bracket of about 550 grey levels to below 1e-6
# `unclip` solves once for this many outputs evenly spread over [0, 255] and interpolates between
# them: 0.016 grey levels apart, so it is off by less than 0.01 grey levels, at a fraction of the
# cost of solving for every pixel.
TABLE_SIZE = 2 ** 14 + 1


def target_noise_std(inputs, targets):
    """Standard deviation (0-255 scale) of the noise in `targets`, from `(N, C, H, W)` pairs; 0 when
    it cannot be measured, depends on the tone (see FLAT_NOISE) or is not Gaussian (MAX_KURTOSIS).

    For a pixel `a = x + n_a` in the input and `b = x + n_b` in the target with independent
    noises, `var(b) - cov(a, b) = var(n_b)`. Only pixels whose left and right neighbours both lie
    in MID_TONES are used (a choice that does not involve their own noise), so that they are not
    clipped. Noise2Noise pairs of Gaussian 25 give 25.0, of Gaussian 50 about 48.5 (centres that
    differ from their neighbours are still clipped now and then); clean targets, Poisson noise and
    pixelation give 0.
    """
    if inputs.shape[-1] < 3:
        return 0.0
    a, b = inputs[:MAX_IMAGES].double(), targets[:MAX_IMAGES].double()
    left, right = (a[..., :-2] + b[..., :-2]) / 2, (a[..., 2:] + b[..., 2:]) / 2
    a, b = a[..., 1:-1], b[..., 1:-1]
    low, high = MID_TONES
    middle = (low + high) / 2
    variances = []
    for band in ((low, high), (low, middle), (middle, high)):  # all mid tones, then each half
        picked = (left > band[0]) & (left < band[1]) & (right > band[0]) & (right < band[1])
        if picked.sum() < MIN_PIXELS:
            return 0.0
        variances.append(_noise_variance(a[picked], b[picked]))
        if len(variances) == 1 and _kurtosis(a[picked] - b[picked]) > MAX_KURTOSIS:
            return 0.0
    variance, darker, brighter = variances
    if variance <= 0 or abs(brighter - darker) > FLAT_NOISE * variance:
        return 0.0
    return math.sqrt(variance)


def _kurtosis(values):
    """E[(v - mean)^4] / var^2: 3 for a Gaussian, larger for heavy tails (0 for constant values)."""
    centred = values - values.mean()
    variance = (centred * centred).mean()
    return ((centred ** 4).mean() / variance ** 2).item() if variance > 0 else 0.0


def _noise_variance(a, b):
    """`var(b) - cov(a, b)` over paired pixel values: the variance of `b`'s own noise."""
    a, b = a - a.mean(), b - b.mean()
    return ((b * b).mean() - (a * b).mean()).item()


def _integral_of_normal_cdf(u):
    """G(u) = the integral of the standard normal CDF from minus infinity to u = u Phi(u) + phi(u)."""
    return u * 0.5 * (1 + (u / math.sqrt(2)).erf()) + (-u * u / 2).exp() / math.sqrt(2 * math.pi)


def clipped_mean(x, std, top=255.0):
    """E[clip(x + std z, 0, top)] for z standard normal, elementwise: top minus the integral of
    P(x + std z < t) over t in [0, top]."""
    return top - std * (_integral_of_normal_cdf((top - x) / std) - _integral_of_normal_cdf(-x / std))


def solve_clipped_mean(means, std, top=255.0):
    """The x with `clipped_mean(x, std, top) == means`, elementwise, clipped to [0, top]: bisection
    on a bracket of 6 standard deviations beyond both limits, as `clipped_mean` increases with x."""
    low = means.new_full(means.shape, -6.0 * std)
    high = means.new_full(means.shape, top + 6.0 * std)
    for _ in range(BISECTION_STEPS):
        middle = (low + high) / 2
        too_low = clipped_mean(middle, std, top) < means
        low, high = middle.where(too_low, low), high.where(too_low, middle)
    return ((low + high) / 2).clamp(0.0, top)


def unclip(outputs, std, top=255.0):
    """The network's outputs (float tensor, 0-`top`) with the clipping bias undone, elementwise:
    `solve_clipped_mean`, read from a table by linear interpolation. `std` 0 changes nothing."""
    if std <= 0:
        return outputs
    steps = TABLE_SIZE - 1
    grid = arange(TABLE_SIZE, device=outputs.device).double() * (top / steps)
    table = solve_clipped_mean(grid, std, top).to(outputs.dtype)
    position = outputs.clamp(0.0, top) * (steps / top)
    below = position.floor().clamp(max=steps - 1)
    weight = position - below
    below = below.long()
    return table[below] * (1 - weight) + table[below + 1] * weight
