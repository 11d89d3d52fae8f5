"""The default dataset: photos from installed packages, pixelated to 32x32 like the course's, or with named noise."""
from .build import (DEFAULT_DATA_DIR, build_dataset, ensure_clean_targets, ensure_dataset, ensure_noise_set,
                    load_pair)
from .noise import DEFAULT_NOISE, IMAGE_NOISE, NOISE_NAMES, PIXELATION, add_noise

__all__ = ["DEFAULT_DATA_DIR", "DEFAULT_NOISE", "IMAGE_NOISE", "NOISE_NAMES", "PIXELATION", "add_noise",
           "build_dataset", "ensure_clean_targets", "ensure_dataset", "ensure_noise_set", "load_pair"]
