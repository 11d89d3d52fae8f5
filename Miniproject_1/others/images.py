"""Checking and converting the course's image tensors (uint8 or float, values 0-255)."""
import torch


def check_images(images, name="images"):
    """Raise ValueError unless `images` is a `(N, 3, H, W)` uint8 or float tensor without NaN."""
    if not isinstance(images, torch.Tensor):
        raise ValueError(f"{name} must be a torch.Tensor, got {type(images).__name__}")
    if images.dim() != 4 or images.shape[1] != 3:
        raise ValueError(f"{name} must have shape (N, 3, H, W), got {tuple(images.shape)}")
    if images.numel() == 0:
        raise ValueError(f"{name} is empty: shape {tuple(images.shape)}")
    if images.dtype != torch.uint8 and not images.is_floating_point():
        raise ValueError(f"{name} must be uint8 or float with values 0-255, got {images.dtype}")
    if images.is_floating_point() and not torch.isfinite(images).all():
        raise ValueError(f"{name} contains NaN or infinite values")


def to_unit_range(images):
    """uint8 or float 0-255 -> float32 in [0, 1] (float inputs outside 0-255 are clipped)."""
    return (images.float() / 255).clamp_(0, 1)
