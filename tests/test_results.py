"""The measurement helpers, and the README's results section against results/."""
import math
import subprocess
import sys

from tools.bench.mp1_short import short_run
from tools.data import load_pair
from tools.readme_results import ROOT


def test_short_run_trains_a_fresh_network_and_measures_it(small_dataset):
    inputs, targets = load_pair(small_dataset / "train_data.pkl")
    noisy, clean = load_pair(small_dataset / "val_data.pkl")
    result = short_run(inputs[:32], targets[:32], noisy[:20], clean[:20], network={"width": 8, "depth": 2}, epochs=1)
    assert set(result) == {"val_psnr", "seconds"}
    assert math.isfinite(result["val_psnr"]) and result["seconds"] > 0


def test_readme_results_section_is_generated_from_the_committed_results():
    check = subprocess.run([sys.executable, "tools/readme_results.py", "--check"], cwd=ROOT,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
