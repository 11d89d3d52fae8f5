"""Denoisers that need no training, on every noise set: `python -m tools.bench.baselines`.

A 3x3 Gaussian blur and a 3x3 median (the simplest benchmarks), non-local means and BM3D with
the noise level estimated from each image (scikit-image's `estimate_sigma`: a denoiser on the
grader's images is not told the noise level). BM3D takes about 2 s per 32x32 image here, so it
runs on the first --bm3d-n images of each set. Writes results/baselines.json.
"""
import argparse
import time

import numpy as np
import torch
import torch.nn.functional as F

from tools.results_writer import ROOT, write_results
from tools.data import NOISE_NAMES, ensure_noise_set, load_pair
from tools.metrics import psnr

# the noise sets of results/eval_models.json, the default (pixelation) first
NOISE_SETS = tuple(n for n in NOISE_NAMES if n != "mix")


def gaussian_blur_3x3(images):
    """`(N, 3, H, W)` in [0, 1] blurred by the separable kernel [1, 2, 1] / 4, edges replicated."""
    kernel = torch.tensor([1.0, 2.0, 1.0]) / 4
    kernel = (kernel[:, None] * kernel[None, :]).expand(3, 1, 3, 3)
    return F.conv2d(F.pad(images, (1, 1, 1, 1), mode="replicate"), kernel, groups=3)


def median_3x3(images):
    """`(N, 3, H, W)` in [0, 1]: the median of each pixel's 3x3 neighbourhood, per channel."""
    padded = F.pad(images, (1, 1, 1, 1), mode="replicate")
    windows = padded.unfold(2, 3, 1).unfold(3, 3, 1)  # (N, 3, H, W, 3, 3)
    return windows.reshape(*images.shape, 9).median(dim=-1).values


def per_image(denoise_one):
    """A batch denoiser from one working on a single `(H, W, 3)` float64 image in [0, 1]."""
    def denoise(images):
        arrays = images.permute(0, 2, 3, 1).double().numpy()
        out = np.stack([np.clip(denoise_one(image), 0, 1) for image in arrays])
        return torch.from_numpy(out).permute(0, 3, 1, 2).float()
    return denoise


def estimated_sigma(image):
    from skimage.restoration import estimate_sigma
    return max(float(np.mean(estimate_sigma(image, channel_axis=-1))), 1e-3)


def nl_means(image):
    from skimage.restoration import denoise_nl_means
    sigma = estimated_sigma(image)
    # h = 0.8 sigma is scikit-image's documented choice for a given noise level
    return denoise_nl_means(image, h=0.8 * sigma, sigma=sigma, patch_size=5, patch_distance=6,
                            fast_mode=True, channel_axis=-1)


def bm3d(image):
    import bm3d as bm3d_package
    return bm3d_package.bm3d_rgb(image, sigma_psd=estimated_sigma(image))


METHODS = {"blur_3x3": gaussian_blur_3x3, "median_3x3": median_3x3,
           "nl_means": per_image(nl_means), "bm3d": per_image(bm3d)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="images per noise set")
    parser.add_argument("--bm3d-n", type=int, default=100, help="images per noise set for BM3D (slow)")
    parser.add_argument("--noise", default=",".join(NOISE_SETS), help="noise sets, comma-separated")
    args = parser.parse_args()
    data_dir = ROOT / "data"
    results = {}
    for noise in args.noise.split(","):
        noisy, clean = load_pair(ensure_noise_set(noise, data_dir))
        results[noise] = {}
        for name, denoise in METHODS.items():
            n = args.bm3d_n if name == "bm3d" else args.n
            x, y = noisy[:n].float() / 255, clean[:n].float() / 255
            start = time.time()
            denoised = denoise(x).clamp(0, 1)
            results[noise][name] = {"psnr": psnr(denoised, y), "noisy_psnr": psnr(x, y), "n_images": len(x),
                                    "seconds": time.time() - start}
            print(f"{noise:18s} {name:10s} {results[noise][name]['psnr']:.2f} dB "
                  f"(noisy {results[noise][name]['noisy_psnr']:.2f} dB, {len(x)} images)", flush=True)
    write_results("baselines", {"noise_sets": results})


if __name__ == "__main__":
    main()
