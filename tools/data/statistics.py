"""What a corruption looks like: statistics of the residual noisy - clean, on the 0-255 scale.

These are the figures measured on public samples of the course's validation pairs (see
COURSE_STATISTICS), so a dataset's corruption can be compared with the course's number by number.
"""
import torch

# Measured on about a hundred of the course's validation pairs, recovered from 32x32 images
# published with student work (the noisy-input PSNR is the whole validation set's, 20.7 dB).
COURSE_STATISTICS = {
    "noisy_psnr": 20.7, "residual_std": 26.0, "kurtosis": 11.0, "channel_correlation": 0.9,
    "neighbour_correlation": 0.0, "std_flattest_30pct": 11.0, "std_strongest_edges_10pct": 46.0,
    "std_near_black_or_white": 10.0,
}
# clean grey level (0-255) below or above which a pixel counts as near black or near white
DARK, BRIGHT = 16, 239


def _correlation(x, y):
    x, y = x - x.mean(), y - y.mean()
    return float((x * y).mean() / (x.std() * y.std()))


def _std(values):
    """The standard deviation of `values`, NaN when there are fewer than two."""
    return float(values.std()) if values.numel() > 1 else float("nan")


def edge_strength(clean):
    """`(N, 3, H, W)` -> `(N, H - 1, W - 1)`: |horizontal| + |vertical| difference of the grey image."""
    grey = clean.float().mean(1)
    return (grey[:, :-1, 1:] - grey[:, :-1, :-1]).abs() + (grey[:, 1:, :-1] - grey[:, :-1, :-1]).abs()


def residual_statistics(noisy, clean):
    """The COURSE_STATISTICS figures for uint8 `(N, 3, H, W)` pairs `noisy`, `clean`."""
    residual = noisy.double() - clean.double()
    centred = residual - residual.mean()
    unit_noisy, unit_clean = noisy.double() / 255, clean.double() / 255
    mse = ((unit_noisy - unit_clean) ** 2).mean((1, 2, 3)).clamp_min(1e-10)
    inner = residual[:, :, :-1, :-1]  # the pixels edge_strength is defined on
    edges = edge_strength(clean).unsqueeze(1).expand_as(inner)
    grey = clean.double().mean(1, keepdim=True).expand_as(residual)
    return {
        "noisy_psnr": float((-10 * mse.log10()).mean()),
        "residual_std": float(residual.std()),
        "kurtosis": float((centred ** 4).mean() / (centred ** 2).mean() ** 2),
        "channel_correlation": _correlation(residual[:, 0], residual[:, 1]),
        "neighbour_correlation": _correlation(residual[..., :-1], residual[..., 1:]),
        "std_flattest_30pct": _std(inner[edges <= edges.quantile(0.3)]),
        "std_strongest_edges_10pct": _std(inner[edges >= edges.quantile(0.9)]),
        "std_near_black_or_white": _std(residual[(grey < DARK) | (grey > BRIGHT)]),
    }
