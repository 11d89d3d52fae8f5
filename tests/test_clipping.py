"""The clipping correction of both projects: the clipped-noise mean, its inverse, the noise level
estimated from training pairs, and how Model.train/predict/save use it."""
import pytest
import torch

from Miniproject_1 import model as mp1
from Miniproject_1.others import clipping as clipping1
from Miniproject_2 import model as mp2
from Miniproject_2.others import clipping as clipping2
from Miniproject_2.others.network import prescribed_net

torch.set_grad_enabled(True)  # Miniproject_2 turns autograd off on import; other suites need it on

MODULES = [pytest.param(clipping1, id="Miniproject_1"), pytest.param(clipping2, id="Miniproject_2")]


def smooth_clean_images(n=64, size=32, seed=0):
    """Clean uint8-range images with flat regions at every tone, black and white included."""
    generator = torch.Generator().manual_seed(seed)
    blocks = torch.randint(0, 256, (n, 3, size // 8, size // 8), generator=generator).float()
    blocks[:, :, 0, 0], blocks[:, :, -1, -1] = 0.0, 255.0
    return blocks.repeat_interleave(8, 2).repeat_interleave(8, 3)


def noisy_uint8(clean, sigma, seed):
    generator = torch.Generator().manual_seed(seed)
    return (clean + sigma * torch.randn(clean.shape, generator=generator)).round().clamp(0, 255).to(torch.uint8)


@pytest.mark.parametrize("clipping", MODULES)
@pytest.mark.parametrize("sigma", [10.0, 25.0, 50.0])
def test_clipped_mean_matches_the_mean_of_clipped_samples(clipping, sigma):
    x = torch.tensor([-30.0, 0.0, 7.0, 40.0, 128.0, 230.0, 255.0, 270.0])
    samples = (x[:, None] + sigma * torch.randn(len(x), 400_000)).clamp(0, 255)
    torch.testing.assert_close(clipping.clipped_mean(x, sigma), samples.mean(1), atol=0.25, rtol=0)


@pytest.mark.parametrize("clipping", MODULES)
def test_solve_clipped_mean_inverts_it(clipping):
    x = torch.linspace(0, 255, 511, dtype=torch.float64)
    biased = clipping.clipped_mean(x, 25.0)
    assert biased[0] > 9 and biased[-1] < 246  # black and white really are biased
    torch.testing.assert_close(clipping.solve_clipped_mean(biased, 25.0), x, atol=1e-5, rtol=0)


@pytest.mark.parametrize("clipping", MODULES)
@pytest.mark.parametrize("sigma", [5.0, 25.0, 50.0])
def test_unclip_interpolates_the_exact_inverse_to_a_hundredth_of_a_grey_level(clipping, sigma):
    outputs = torch.cat([torch.rand(10_000) * 255, torch.linspace(0, 255, 1001)])
    exact = clipping.solve_clipped_mean(outputs.double(), sigma).float()
    torch.testing.assert_close(clipping.unclip(outputs, sigma), exact, atol=0.01, rtol=0)


@pytest.mark.parametrize("clipping", MODULES)
def test_unclip_leaves_mid_tones_alone_and_keeps_outputs_in_range(clipping):
    outputs = torch.tensor([0.0, 3.0, 100.0, 128.0, 150.0, 252.0, 255.0])
    corrected = clipping.unclip(outputs, 25.0)
    torch.testing.assert_close(corrected[2:5], outputs[2:5], atol=1e-3, rtol=0)
    assert corrected[0] == 0 and corrected[-1] == 255 and corrected[1] < 3 and corrected[5] > 252
    assert torch.equal(clipping.unclip(outputs, 0.0), outputs)


@pytest.mark.parametrize("clipping", MODULES)
@pytest.mark.parametrize("sigma", [15.0, 25.0, 50.0])
def test_target_noise_std_measures_the_noise_of_clipped_noisy_pairs(clipping, sigma):
    clean = smooth_clean_images()
    a, b = noisy_uint8(clean, sigma, 1), noisy_uint8(clean, sigma, 2)
    assert clipping.target_noise_std(a, b) == pytest.approx(sigma, rel=0.04)


@pytest.mark.parametrize("clipping", MODULES)
def test_target_noise_std_is_zero_for_clean_targets(clipping):
    clean = smooth_clean_images()
    assert clipping.target_noise_std(noisy_uint8(clean, 25.0, 1), clean.to(torch.uint8)) == 0.0


@pytest.mark.parametrize("clipping", MODULES)
def test_target_noise_std_is_zero_for_noise_that_grows_with_the_tone(clipping):
    clean = smooth_clean_images()
    generator = torch.Generator().manual_seed(3)
    a, b = (torch.poisson(clean / 255 * 30, generator=generator) / 30 * 255 for _ in range(2))
    assert clipping.target_noise_std(a, b) == 0.0  # Poisson: the correction would not fit it


@pytest.mark.parametrize("clipping", MODULES)
def test_target_noise_std_is_zero_for_heavy_tailed_noise(clipping):
    """Noise of level 25 that is mostly small with rare large values (kurtosis about 9): not Gaussian."""
    clean = smooth_clean_images()
    generator = torch.Generator().manual_seed(4)

    def heavy_tailed():
        scale = torch.where(torch.rand(clean.shape, generator=generator) < 0.1, 70.0, 9.0)
        return (clean + scale * torch.randn(clean.shape, generator=generator)).round().clamp(0, 255)
    assert clipping.target_noise_std(heavy_tailed(), heavy_tailed()) == 0.0


@pytest.mark.parametrize("clipping", MODULES)
def test_target_noise_std_is_zero_for_pixelation_pairs(clipping, small_dataset):
    from tools.data import load_pair
    a, b = load_pair(small_dataset / "train_data.pkl")
    assert clipping.target_noise_std(a, b) == 0.0


@pytest.mark.parametrize("clipping", MODULES)
def test_target_noise_std_is_zero_without_enough_unclipped_pixels(clipping):
    black = torch.zeros(4, 3, 32, 32, dtype=torch.uint8)
    assert clipping.target_noise_std(black, black + 10) == 0.0
    narrow = torch.full((4, 3, 32, 2), 128, dtype=torch.uint8)
    assert clipping.target_noise_std(narrow, narrow) == 0.0


def test_both_projects_carry_the_same_correction():
    x = torch.linspace(-5, 260, 100)
    assert torch.equal(clipping1.unclip(x, 20.0), clipping2.unclip(x, 20.0))
    clean = smooth_clean_images(n=8)
    a, b = noisy_uint8(clean, 20.0, 1), noisy_uint8(clean, 20.0, 2)
    assert clipping1.target_noise_std(a, b) == clipping2.target_noise_std(a, b)


def small_mp1():
    model = mp1.Model()
    model.network_settings = {**mp1.NETWORK, "width": 8, "depth": 2, "top_width": 8, "head_widths": (8, 8)}
    model.net = model._build(model.network_settings)
    return model


def small_mp2(monkeypatch):
    monkeypatch.setattr(mp2, "prescribed_net", lambda: prescribed_net((8, 16)))
    return mp2.Model()


@pytest.mark.parametrize("project", ["Miniproject_1", "Miniproject_2"])
def test_train_measures_the_target_noise_and_predict_undoes_its_clipping(project, monkeypatch):
    model = small_mp1() if project == "Miniproject_1" else small_mp2(monkeypatch)
    clipping = clipping1 if project == "Miniproject_1" else clipping2
    clean = smooth_clean_images(n=64)
    model.train(noisy_uint8(clean, 20.0, 1), noisy_uint8(clean, 20.0, 2), 1, **(
        {"log": None} if project == "Miniproject_2" else {}))
    assert model.target_noise_std == pytest.approx(20.0, rel=0.05)
    images = torch.rand(2, 3, 16, 16) * 255
    corrected = model.predict(images)
    std, model.target_noise_std = model.target_noise_std, 0.0
    torch.testing.assert_close(corrected, clipping.unclip(model.predict(images), std))


def test_mp1_save_and_load_keep_the_target_noise_level(tmp_path):
    model = small_mp1()
    model.target_noise_std = 17.5
    model.save(tmp_path / "m.pth")
    loaded = mp1.Model()
    loaded.load_pretrained_model(tmp_path / "m.pth")
    assert loaded.target_noise_std == 17.5


def test_mp2_state_dict_keeps_the_target_noise_level(monkeypatch):
    model = small_mp2(monkeypatch)
    model.target_noise_std = 17.5
    loaded = small_mp2(monkeypatch)
    loaded.load_state_dict(model.state_dict())
    assert loaded.target_noise_std == 17.5
    assert torch.equal(loaded.net[0].weight, model.net[0].weight)


def test_weights_saved_without_a_noise_level_load_with_the_correction_off(tmp_path, monkeypatch):
    model = small_mp1()
    torch.save({"network": model.network_settings, "state_dict": model.net.state_dict()}, tmp_path / "old.pth")
    model.load_pretrained_model(tmp_path / "old.pth")
    assert model.target_noise_std == 0.0
    model2 = small_mp2(monkeypatch)
    model2.target_noise_std = 9.0
    model2.load_state_dict(model2.net.state_dict())
    assert model2.target_noise_std == 0.0
