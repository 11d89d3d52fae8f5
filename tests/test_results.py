"""The measurement helpers, and the README's results section against results/."""
import json
import math
import subprocess
import sys

from tools import results_writer, short_runs
from tools.short_runs import short_run
from tools.data import load_pair
from tools.readme_results import ROOT


def test_short_run_trains_a_fresh_network_and_measures_it(small_dataset):
    inputs, targets = load_pair(small_dataset / "train_data.pkl")
    noisy, clean = load_pair(small_dataset / "val_data.pkl")
    result = short_run(inputs[:32], targets[:32], noisy[:20], clean[:20], network={"width": 8, "depth": 2}, epochs=1)
    assert set(result) == {"val_psnr", "val_psnr_unclipped", "seconds", "steps"}
    assert math.isfinite(result["val_psnr"]) and math.isfinite(result["val_psnr_unclipped"]) and result["seconds"] > 0
    assert result["steps"] == 32  # 32 pairs: batches of 1, so that the epoch still makes steps


def test_build_sweep_builds_one_dataset_per_value_and_labels_its_runs(tmp_path, monkeypatch):
    # A stand-in short_run whose PSNR is the number of pairs built: shows each value reached its build.
    monkeypatch.setitem(short_runs.BUDGET, "pairs", 8)
    monkeypatch.setattr(short_runs, "short_run", lambda inputs, *rest: {"val_psnr": float(len(inputs))})
    monkeypatch.setattr(results_writer, "RESULTS", tmp_path)
    monkeypatch.setattr(results_writer, "ROOT", tmp_path)
    built = []
    real_build = short_runs.build_dataset
    monkeypatch.setattr(short_runs, "build_dataset", lambda *args, **options: built.append(options) or real_build(
        *args, **{**options, "n_val": 4, "sources": ("pip",)}))
    path = short_runs.write_build_sweep("sweep", "n_scenes", [1, 2], option="max_train_scenes")
    assert [options["max_train_scenes"] for options in built] == [1, 2]
    results = json.loads(path.read_text())
    assert results["budget"]["pairs"] == 8
    assert results["runs"] == [{"n_scenes": 1, "val_psnr": 8.0}, {"n_scenes": 2, "val_psnr": 8.0}]


def test_readme_results_section_is_generated_from_the_committed_results():
    check = subprocess.run([sys.executable, "-m", "tools.readme_results", "--check"], cwd=ROOT,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_psnr_is_the_mean_of_per_image_psnrs_like_the_course():
    import torch
    from tools.metrics import psnr, psnr_from_mse
    clean = torch.zeros(2, 3, 4, 4)
    denoised = torch.cat([torch.full((1, 3, 4, 4), 0.1), torch.full((1, 3, 4, 4), 0.01)])
    # per-image MSEs 1e-2 and 1e-4: PSNRs 20 and 40 dB, mean 30 (the pooled MSE would give 23.0)
    assert math.isclose(psnr(denoised, clean), 30.0, abs_tol=1e-5)  # float32 inputs
    assert math.isclose(psnr_from_mse(torch.tensor([1e-2, 1e-4], dtype=torch.float64)), 30.0, abs_tol=1e-9)


class RecordingModel:
    """A stand-in Model whose predict() records the settings it ran with."""
    self_ensemble, target_noise_std = True, 25.0

    def predict(self, images):
        self.seen = (self.self_ensemble, self.target_noise_std)
        if images.shape[0] == 0:
            raise RuntimeError("no images")
        return images.float()


def test_network_psnr_turns_ensemble_and_correction_off_and_back_on():
    import pytest
    import torch
    from tools.metrics import model_psnr, network_psnr
    model = RecordingModel()
    images = torch.randint(0, 256, (2, 3, 4, 4), dtype=torch.uint8)
    clean = images // 2
    model_psnr(model, images, clean)
    assert model.seen == (True, 25.0)
    network_psnr(model, images, clean)
    assert model.seen == (False, 0.0) and (model.self_ensemble, model.target_noise_std) == (True, 25.0)
    with pytest.raises(RuntimeError):
        network_psnr(model, images[:0], clean[:0])
    assert (model.self_ensemble, model.target_noise_std) == (True, 25.0)
