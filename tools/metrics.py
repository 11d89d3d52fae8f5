"""Image-quality metrics, computed exactly as the course's harness does."""
import torch


def psnr(denoised, clean, max_range=1.0):
    """Mean over images of the per-image PSNR, in dB.

    `denoised`, `clean`: `(N, C, H, W)` tensors on the same scale (the course uses [0, 1]).
    Each image gets its own PSNR from its own MSE; the result is their mean, as in the
    course's `compute_psnr` (not the PSNR of the pooled MSE, which is lower).
    """
    if denoised.shape != clean.shape or denoised.dim() != 4:
        raise ValueError(
            f"psnr needs two (N, C, H, W) tensors of one shape, got {tuple(denoised.shape)} "
            f"and {tuple(clean.shape)}")
    mse = ((denoised.double() - clean.double()) ** 2).mean(dim=(1, 2, 3))
    return psnr_from_mse(mse, max_range)


def psnr_from_mse(per_image_mse, max_range=1.0):
    """The course's PSNR (mean of per-image PSNRs, dB) from a tensor of per-image mean squared errors."""
    mse = per_image_mse.double()
    return (20 * torch.log10(torch.tensor(max_range, dtype=torch.float64)) - 10 * torch.log10(mse)).mean().item()


def model_psnr(model, noisy, clean):
    """PSNR of `model.predict(noisy)` against `clean`, both uint8 `(N, 3, H, W)` 0-255, on [0, 1]."""
    return psnr(model.predict(noisy) / 255, clean.float() / 255)


def network_psnr(model, noisy, clean):
    """PSNR of the network alone: `model_psnr` with the model's self-ensemble and its clipping
    correction (see the projects' `others/clipping.py`) switched off for the measurement."""
    settings = model.self_ensemble, model.target_noise_std
    model.self_ensemble, model.target_noise_std = False, 0.0
    try:
        return model_psnr(model, noisy, clean)
    finally:
        model.self_ensemble, model.target_noise_std = settings
