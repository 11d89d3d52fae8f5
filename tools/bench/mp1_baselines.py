"""Classical denoisers on the default validation set, given the true noise level (sigma 25).

    python -m tools.bench.mp1_baselines [--n 1000]

BM3D (package `bm3d`, from requirements-bench.txt) and scikit-image's non-local means,
each with its usual settings for a known sigma. Writes results/mp1_baselines.json.
"""
import argparse
import time

import numpy as np
import torch

from tools.bench.common import ROOT, write_results
from tools.data import ensure_dataset, load_pair
from tools.metrics import psnr

SIGMA = 25 / 255


def run_per_image(denoise_one, noisy):
    """Apply `denoise_one` ((H, W, 3) floats in [0, 1] -> same) to each image of `(N, 3, H, W)` uint8."""
    images = noisy.permute(0, 2, 3, 1).numpy().astype(np.float64) / 255
    out = np.stack([np.clip(denoise_one(image), 0, 1) for image in images])
    return torch.from_numpy(out).permute(0, 3, 1, 2).float()


def bm3d_denoiser():
    import bm3d
    return lambda image: bm3d.bm3d_rgb(image, sigma_psd=SIGMA)


def nl_means_denoiser():
    from skimage.restoration import denoise_nl_means
    # h = 0.8 sigma with sigma given is scikit-image's documented choice for a known noise level
    return lambda image: denoise_nl_means(image, h=0.8 * SIGMA, sigma=SIGMA, patch_size=5,
                                          patch_distance=6, fast_mode=True, channel_axis=-1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="number of validation images")
    args = parser.parse_args()
    _, val_path = ensure_dataset(ROOT / "data")
    noisy, clean = (t[:args.n] for t in load_pair(val_path))
    clean = clean.float() / 255
    results = {"n_images": len(noisy), "noise": "gaussian25",
               "noisy_psnr": psnr(noisy.float() / 255, clean), "methods": {}}
    for name, make in [("nl_means", nl_means_denoiser), ("bm3d", bm3d_denoiser)]:
        start = time.time()
        denoised = run_per_image(make(), noisy)
        results["methods"][name] = {"psnr": psnr(denoised, clean), "seconds": time.time() - start}
        print(f"{name}: {results['methods'][name]['psnr']:.2f} dB in {time.time() - start:.0f} s", flush=True)
    write_results("mp1_baselines", results)


if __name__ == "__main__":
    main()
