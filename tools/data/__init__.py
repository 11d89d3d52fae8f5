"""The default dataset: clean photos from installed packages, cut into 32x32 crops, with named noise."""
from .build import (DEFAULT_DATA_DIR, build_dataset, ensure_clean_targets, ensure_dataset, ensure_noise_set,
                    load_pair)
from .noise import DEFAULT_NOISE, NOISE_NAMES, add_noise

__all__ = ["DEFAULT_DATA_DIR", "DEFAULT_NOISE", "NOISE_NAMES", "add_noise", "build_dataset",
           "ensure_clean_targets", "ensure_dataset", "ensure_noise_set", "load_pair"]
