"""The default dataset builder: the course's format, determinism, held-out scenes, noise levels."""
import json

import pytest
import torch

import numpy as np

from tools.data import (IMAGE_NOISE, NOISE_NAMES, PIXELATION, add_noise, build_dataset, ensure_clean_targets,
                        ensure_noise_set, load_pair)
from tools.data.dead_leaves import dead_leaves
from tools.data.pixelation import block_means, pixelate, point_sample
from tools.data.scenes import VALIDATION_SCENES, available_scenes, split_scenes
from tools.data.statistics import COURSE_STATISTICS, residual_statistics
from tools.metrics import psnr


def test_files_have_the_course_format(small_dataset):
    a, b = load_pair(small_dataset / "train_data.pkl")
    noisy, clean = load_pair(small_dataset / "val_data.pkl")
    assert a.shape == b.shape == (64, 3, 32, 32)
    assert noisy.shape == clean.shape == (100, 3, 32, 32)
    assert {a.dtype, b.dtype, noisy.dtype, clean.dtype} == {torch.uint8}
    # the files are plain tuples of tensors: torch.load with weights_only reads them
    assert isinstance(torch.load(small_dataset / "train_data.pkl", weights_only=True), tuple)


def test_training_pairs_are_two_independent_pixelations(small_dataset):
    a, b = load_pair(small_dataset / "train_data.pkl")
    difference = a.double() - b.double()
    assert abs(difference.mean()) < 1.5  # both are unbiased samples of the same blocks
    assert 20 < difference.std() < 50
    centred = difference - difference.mean()
    assert (centred ** 4).mean() / (centred ** 2).mean() ** 2 > 6  # heavy tails: edges, not Gaussian


def test_block_means_are_the_rounded_mean_of_each_block():
    rng = np.random.default_rng(0)
    region = rng.integers(0, 256, (32 * 3, 32 * 3, 3), dtype=np.uint8)
    means = block_means(region, 3)
    assert means.shape == (32, 32, 3) and means.dtype == np.uint8
    assert means[4, 7, 1] == round(region[12:15, 21:24, 1].mean())


def test_a_point_sample_is_one_pixel_of_its_block_for_all_three_channels():
    rng = np.random.default_rng(0)
    block = 4
    region = rng.integers(0, 256, (32 * block, 32 * block, 3), dtype=np.uint8)
    sampled = point_sample(region, block, rng)
    for y, x in [(0, 0), (5, 17), (31, 31)]:
        pixels = region[y * block:(y + 1) * block, x * block:(x + 1) * block].reshape(-1, 3)
        assert any((pixel == sampled[y, x]).all() for pixel in pixels)  # R, G and B from one pixel


def test_two_point_samples_differ_but_share_the_clean_image():
    rng = np.random.default_rng(0)
    region = rng.integers(0, 256, (32 * 6, 32 * 6, 3), dtype=np.uint8)
    clean, (a, b) = pixelate(region, 6, rng)
    assert not np.array_equal(a, b)
    assert np.array_equal(clean, block_means(region, 6))


def test_residual_statistics_of_gaussian_noise_are_gaussian():
    clean = torch.full((200, 3, 32, 32), 128, dtype=torch.uint8)
    clean[:, :, :, 16:] = 100  # an edge, so that edge strength varies
    noisy = add_noise("gaussian25", clean, torch.Generator().manual_seed(0))
    stats = residual_statistics(noisy, clean)
    assert set(stats) == set(COURSE_STATISTICS)
    assert abs(stats["kurtosis"] - 3) < 0.1 and abs(stats["channel_correlation"]) < 0.02
    assert abs(stats["residual_std"] - 25) < 0.5 and abs(stats["neighbour_correlation"]) < 0.02


def test_default_validation_set_has_the_course_statistics(small_dataset):
    stats = residual_statistics(*load_pair(small_dataset / "val_data.pkl"))
    assert abs(stats["noisy_psnr"] - COURSE_STATISTICS["noisy_psnr"]) < 1.0
    assert stats["kurtosis"] > 6 and stats["channel_correlation"] > 0.7
    assert abs(stats["neighbour_correlation"]) < 0.05
    assert stats["std_strongest_edges_10pct"] > 3 * stats["std_flattest_30pct"]


def test_validation_noise_is_close_to_the_course_level(small_dataset):
    noisy, clean = load_pair(small_dataset / "val_data.pkl")
    assert 19.5 < psnr(noisy.float() / 255, clean.float() / 255) < 22.0


def test_build_is_deterministic(tmp_path):
    for folder in ("one", "two"):
        build_dataset(tmp_path / folder, n_train=16, n_val=8, sources=("pip",), log=lambda m: None)
    for name in ("train_data.pkl", "val_data.pkl"):
        for x, y in zip(load_pair(tmp_path / "one" / name), load_pair(tmp_path / "two" / name)):
            assert torch.equal(x, y)


def test_clean_targets_are_rebuilt_from_the_manifest_without_changing_the_data(tmp_path):
    build_dataset(tmp_path, n_train=16, n_val=8, sources=("pip",), log=lambda m: None)
    before = load_pair(tmp_path / "train_data.pkl")
    clean, _ = load_pair(ensure_clean_targets(tmp_path, log=lambda m: None))
    after = load_pair(tmp_path / "train_data.pkl")
    assert all(torch.equal(x, y) for x, y in zip(before, after))
    assert clean.shape == before[0].shape
    assert 15 < (before[0].float() - clean.float()).std() < 35  # pixelation: about the course's 26


def test_clean_targets_need_a_manifest(tmp_path):
    build_dataset(tmp_path, n_train=16, n_val=8, sources=("pip",), log=lambda m: None)
    (tmp_path / "manifest.json").unlink()
    with pytest.raises(FileNotFoundError, match="manifest.json"):
        ensure_clean_targets(tmp_path, log=lambda m: None)


def test_no_scene_is_in_both_sets(small_dataset):
    manifest = json.loads((small_dataset / "manifest.json").read_text())
    assert set(manifest["val_scenes"]) == set(VALIDATION_SCENES)
    assert not set(manifest["train_scenes"]) & set(manifest["val_scenes"])
    training, validation = split_scenes(available_scenes())
    assert {s.name for s in validation} == set(VALIDATION_SCENES)
    assert not {s.name for s in training} & set(VALIDATION_SCENES)


def test_every_pip_scene_loads_as_a_colour_photo():
    for scene in available_scenes(("pip",)):
        image = scene.load()
        assert image.dtype.name == "uint8" and image.ndim == 3 and image.shape[2] == 3, scene.name
        assert min(image.shape[:2]) >= 256, scene.name


@pytest.mark.parametrize("noise, low, high", [
    ("gaussian15", 14.5, 15.5), ("gaussian25", 24.5, 25.5), ("gaussian50", 49, 51),
    # Poisson(30 x) / 30 at x = 128/255: standard deviation sqrt(x / 30) * 255 = 32.9
    ("poisson", 31.5, 34.5),
])
def test_noise_models_have_their_nominal_level(noise, low, high):
    grey = torch.full((64, 3, 32, 32), 128, dtype=torch.uint8)
    noisy = add_noise(noise, grey, torch.Generator().manual_seed(0))
    assert noisy.dtype == torch.uint8
    assert low < (noisy.float() - 128).std() < high


def test_blind_noise_draws_a_level_per_image_between_5_and_50():
    grey = torch.full((200, 3, 32, 32), 128, dtype=torch.uint8)
    levels = (add_noise("blind", grey, torch.Generator().manual_seed(0)).float() - 128).std(dim=(1, 2, 3))
    assert 4.5 < levels.min() < 8 and 46 < levels.max() < 51


def test_unknown_noise_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="gaussian25"):
        add_noise("speckle", torch.zeros(1, 3, 4, 4, dtype=torch.uint8), torch.Generator())


def test_pixelation_cannot_be_added_to_a_clean_image():
    with pytest.raises(ValueError, match="full-resolution photo"):
        add_noise("pixelation", torch.zeros(1, 3, 4, 4, dtype=torch.uint8), torch.Generator())


def test_image_noise_sets_share_the_validation_clean_images(small_dataset):
    _, clean = load_pair(small_dataset / "val_data.pkl")
    for noise in IMAGE_NOISE:
        noisy_other, clean_other = load_pair(ensure_noise_set(noise, small_dataset, log=lambda m: None))
        assert torch.equal(clean_other, clean)
        assert not torch.equal(noisy_other, clean)


def test_pixelation_sets_are_cut_afresh_with_their_block_sizes(small_dataset):
    _, clean = load_pair(small_dataset / "val_data.pkl")
    levels = {}
    for noise in PIXELATION:
        noisy_other, clean_other = load_pair(ensure_noise_set(noise, small_dataset, log=lambda m: None))
        assert clean_other.shape == clean.shape
        levels[noise] = residual_statistics(noisy_other, clean_other)["residual_std"]
    # larger blocks hold more detail, so the point sample strays further from their mean
    assert levels["pixelation_fine"] < levels["pixelation"] < levels["pixelation_coarse"]


def test_mix_draws_several_corruptions(tmp_path):
    build_dataset(tmp_path, n_train=200, n_val=8, noise="mix", sources=("pip",), log=lambda m: None)
    a, b = load_pair(tmp_path / "train_data.pkl")
    # image noise changes nearly every pixel; point samples leave many equal to each other
    equal_fraction = (a == b).float().mean((1, 2, 3))
    assert (equal_fraction < 0.05).any() and (equal_fraction > 0.1).any()


def test_missing_data_file_says_how_to_build_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m tools.data"):
        load_pair(tmp_path / "val_data.pkl")


def test_corrupt_data_file_is_reported(tmp_path):
    (tmp_path / "val_data.pkl").write_bytes(b"not a pickle")
    with pytest.raises(ValueError, match="not a readable data file"):
        load_pair(tmp_path / "val_data.pkl")


@pytest.mark.parametrize("content, message", [
    (torch.zeros(2, 3, 4, 4, dtype=torch.uint8), "pair of tensors"),
    ((torch.zeros(2, 3, 4, 4), torch.zeros(2, 3, 4, 4)), "uint8"),
    ((torch.zeros(2, 3, 4, 4, dtype=torch.uint8), torch.zeros(3, 3, 4, 4, dtype=torch.uint8)), "different shapes"),
])
def test_data_file_of_the_wrong_format_is_reported(tmp_path, content, message):
    torch.save(content, tmp_path / "train_data.pkl")
    with pytest.raises(ValueError, match=message):
        load_pair(tmp_path / "train_data.pkl")


def test_dead_leaves_are_deterministic_varied_colour_photos():
    image = dead_leaves(np.random.default_rng(0), size=128)
    assert image.shape == (128, 128, 3) and image.dtype == np.uint8
    assert np.array_equal(image, dead_leaves(np.random.default_rng(0), size=128))
    assert image.std() > 10  # not flat
    assert len({tuple(p) for p in image.reshape(-1, 3)}) > 5  # several discs


def test_build_can_mix_in_dead_leaves(tmp_path):
    build_dataset(tmp_path / "mixed", n_train=16, n_val=8, sources=("pip",), dead_leaves_fraction=0.5,
                  log=lambda m: None)
    build_dataset(tmp_path / "photos", n_train=16, n_val=8, sources=("pip",), log=lambda m: None)
    manifest = json.loads((tmp_path / "mixed" / "manifest.json").read_text())
    assert manifest["dead_leaves_fraction"] == 0.5
    mixed, photos = (load_pair(tmp_path / d / "train_data.pkl")[0] for d in ("mixed", "photos"))
    assert mixed.shape == photos.shape and not torch.equal(mixed, photos)
    val_mixed, val_photos = (load_pair(tmp_path / d / "val_data.pkl")[1] for d in ("mixed", "photos"))
    assert torch.equal(val_mixed, val_photos)  # validation is photos only, whatever the training mix
