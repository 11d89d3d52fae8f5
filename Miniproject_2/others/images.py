"""Checking and converting the course's image tensors (uint8 or float, values 0-255).

Miniproject_1 and Miniproject_2 carry this same file (tensor methods and `empty` only, as
Miniproject_2 allows), because each project must stand alone; tests/test_both_models.py keeps
the two identical, so both projects accept and refuse exactly the same inputs.
"""
from torch import empty

TENSOR = type(empty(0))
UINT8 = empty(0).byte().dtype


def check_images(images, name="images"):
    """Raise ValueError unless `images` is a finite `(N, 3, H, W)` uint8 or floating-point tensor."""
    if not isinstance(images, TENSOR):
        raise ValueError(f"{name} must be a torch.Tensor, got {type(images).__name__}")
    if images.dim() != 4 or images.shape[1] != 3:
        raise ValueError(f"{name} must have shape (N, 3, H, W), got {tuple(images.shape)}")
    if images.numel() == 0:
        raise ValueError(f"{name} is empty: shape {tuple(images.shape)}")
    if images.dtype != UINT8 and not images.is_floating_point():
        raise ValueError(f"{name} must be uint8 or float with values 0-255, got {images.dtype}")
    if images.is_floating_point() and not images.isfinite().all():
        raise ValueError(f"{name} contains NaN or infinite values")


def check_pairs(train_input, train_target, multiple):
    """Raise ValueError unless the two are valid images of one shape, with sides divisible by `multiple`."""
    check_images(train_input, "train_input")
    check_images(train_target, "train_target")
    if train_input.shape != train_target.shape:
        raise ValueError(f"train_input {tuple(train_input.shape)} and train_target "
                         f"{tuple(train_target.shape)} must have the same shape")
    if train_input.shape[2] % multiple or train_input.shape[3] % multiple:
        raise ValueError(f"training images must have sides divisible by {multiple}, "
                         f"got {tuple(train_input.shape[2:])}: crop them first")


def check_num_epochs(num_epochs):
    """Raise ValueError unless `num_epochs` is a positive int (True is not a number of epochs)."""
    if isinstance(num_epochs, bool) or not isinstance(num_epochs, int) or num_epochs < 1:
        raise ValueError(f"num_epochs must be a positive integer, got {num_epochs!r}")


def to_unit_range(images):
    """uint8 or float 0-255 -> a new float32 tensor in [0, 1] (float inputs outside 0-255 are clipped)."""
    return (images.float() / 255).clamp_(0, 1)
