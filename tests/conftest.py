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
