"""Fixtures shared by the test files."""
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def small_dataset(tmp_path_factory):
    """A small default dataset (64 training pairs, 100 validation images), built once per run.

    Returns the folder holding train_data.pkl, val_data.pkl and manifest.json.
    """
    from tools.data import build_dataset
    data_dir = tmp_path_factory.mktemp("data")
    build_dataset(data_dir, n_train=64, n_val=100, log=lambda message: None)
    return data_dir


@pytest.fixture
def dihedral_mean_kernel():
    """A function: the mean of a convolution kernel over the 8 flips/rotations, each applied as the
    self-ensemble undoes it; for one convolution, the self-ensemble equals that kernel."""
    def mean_kernel(weight):
        total = 0
        for quarter_turns in range(4):
            for flip in (False, True):
                k = weight.rot90(-quarter_turns, (2, 3))
                total = total + (k.flip(3) if flip else k)
        return total / 8
    return mean_kernel
