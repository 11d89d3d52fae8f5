"""What both mini-projects must do alike: refuse bad input with the same clear message, load all or
nothing, never end train() worse than it started, and keep their deliberate copies identical."""
import filecmp
import math
from pathlib import Path

import pytest
import torch

from Miniproject_1 import model as mp1
from Miniproject_2 import model as mp2

ROOT = Path(__file__).resolve().parents[1]
PROJECTS = [mp1, mp2]
# Files each project must carry in the same version, since each must stand alone.
SHARED_FILES = ["others/clipping.py", "others/images.py", "others/held_out.py"]


@pytest.fixture(params=PROJECTS, ids=["mp1", "mp2"])
def project(request):
    return request.param


def small_pairs(n=8, size=32, seed=0):
    generator = torch.Generator().manual_seed(seed)
    clean = torch.rand(n, 3, size, size, generator=generator) * 255
    return tuple((clean + 20 * torch.randn(clean.shape, generator=generator)).clamp(0, 255) for _ in range(2))


@pytest.mark.parametrize("name", ["others/images.py", "others/held_out.py"])
def test_shared_files_are_identical_in_both_projects(name):
    assert filecmp.cmp(ROOT / "Miniproject_1" / name, ROOT / "Miniproject_2" / name, shallow=False), name


BAD_IMAGES = [
    (torch.rand(3, 32, 32), r"\(N, 3, H, W\)"),
    (torch.rand(4, 1, 32, 32), r"\(N, 3, H, W\)"),
    (torch.rand(0, 3, 32, 32), "empty"),
    (torch.full((1, 3, 32, 32), float("nan")), "NaN or infinite"),
    (torch.full((1, 3, 32, 32), float("inf")), "NaN or infinite"),
    (torch.full((1, 3, 32, 32), 7, dtype=torch.int64), "uint8 or float"),
    (torch.ones(1, 3, 32, 32, dtype=torch.bool), "uint8 or float"),
    ([[1.0]], "torch.Tensor"),
]


@pytest.mark.parametrize("images, message", BAD_IMAGES)
def test_predict_refuses_bad_images_with_the_same_message(project, images, message):
    with pytest.raises(ValueError, match=message):
        project.Model().predict(images)


@pytest.mark.parametrize("images, message", BAD_IMAGES)
def test_train_refuses_bad_inputs_and_targets_with_the_same_message(project, images, message):
    good = torch.rand(1, 3, 32, 32) * 255
    with pytest.raises(ValueError, match=message):
        project.Model().train(images, good, 1)
    with pytest.raises(ValueError, match=message):
        project.Model().train(good, images, 1)


def test_predict_refuses_inf_after_loading_the_shipped_weights(project):
    model = project.Model()
    model.load_pretrained_model()
    images = torch.full((1, 3, 16, 16), 100.0)
    images[0, 0, 3, 3] = float("inf")
    with pytest.raises(ValueError, match="NaN or infinite"):
        model.predict(images)


@pytest.mark.parametrize("epochs", [0, -1, 1.0, True, "1", None])
def test_train_refuses_anything_but_a_positive_int_of_epochs(project, epochs):
    with pytest.raises(ValueError, match="num_epochs must be a positive integer"):
        project.Model().train(*small_pairs(), epochs)


def test_train_refuses_pairs_of_different_shapes(project):
    a, b = small_pairs()
    with pytest.raises(ValueError, match="same shape"):
        project.Model().train(a, b[:4], 1)


def test_train_refuses_sides_the_network_cannot_halve_enough(project):
    a, b = small_pairs(size=30)
    with pytest.raises(ValueError, match="divisible by"):
        project.Model().train(a, b, 1)


def weights(model):
    return {name: tensor.clone() for name, tensor in model.net.state_dict().items()}


def same_weights(x, y):
    return x.keys() == y.keys() and all(torch.equal(x[k], y[k]) for k in x)


def test_loading_the_other_projects_file_says_what_was_expected(project):
    other = mp2 if project is mp1 else mp1
    model = project.Model()
    before = weights(model)
    with pytest.raises(ValueError, match=f"not a Miniproject_{1 if project is mp1 else 2} model file"):
        model.load_pretrained_model(str(Path(other.__file__).parent / "bestmodel.pth"))
    assert same_weights(weights(model), before) and model.target_noise_std == 0.0


def test_a_file_that_does_not_load_whole_leaves_the_model_as_it_was(project, tmp_path):
    model = project.Model()
    model.load_pretrained_model()
    before, noise_std = weights(model), model.target_noise_std
    saved = torch.load(Path(project.__file__).parent / "bestmodel.pth", weights_only=True)
    if project is mp1:
        saved["state_dict"] = dict(saved["state_dict"])
        last = sorted(saved["state_dict"])[-1]
        saved["state_dict"][last] = torch.zeros(1)
    else:
        last = sorted(k for k in saved if k != "target_noise_std")[-1]
        saved[last] = torch.zeros(1)
        saved["target_noise_std"] = torch.tensor(3.0)
    torch.save(saved, tmp_path / "broken.pth")
    with pytest.raises(ValueError):
        model.load_pretrained_model(str(tmp_path / "broken.pth"))
    assert same_weights(weights(model), before) and model.target_noise_std == noise_std


@pytest.mark.parametrize("level", [float("nan"), float("inf"), -1.0])
def test_a_file_with_an_impossible_noise_level_is_refused(project, tmp_path, level):
    saved = torch.load(Path(project.__file__).parent / "bestmodel.pth", weights_only=True)
    saved["target_noise_std"] = level if project is mp1 else torch.tensor(level)
    torch.save(saved, tmp_path / "bad.pth")
    with pytest.raises(ValueError, match="target_noise_std"):
        project.Model().load_pretrained_model(str(tmp_path / "bad.pth"))


def test_mp1_refuses_a_file_with_other_network_settings(tmp_path):
    saved = torch.load(mp1.BESTMODEL, weights_only=True)
    saved["network"] = {**saved["network"], "colour": 3}
    torch.save(saved, tmp_path / "odd.pth")
    model = mp1.Model()
    with pytest.raises(ValueError, match="settings"):
        model.load_pretrained_model(tmp_path / "odd.pth")
    assert model.network_settings == mp1.NETWORK


def test_a_train_that_fails_midway_leaves_the_weights_as_they_were(project):
    model = project.Model()
    before = weights(model)

    def stop(epoch, loss, state):
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        model.train(*small_pairs(), 1, on_epoch=stop)
    assert same_weights(weights(model), before) and not model.trained


def test_train_ends_with_the_weights_that_did_best_on_the_held_out_pairs(project, monkeypatch):
    """A held-out loss that only gets worse: train() must end with the starting weights."""
    model = project.Model()
    before = weights(model)
    losses = iter([1.0, 2.0])
    loss_function = "held_out_loss"
    if project is mp1:
        monkeypatch.setattr(mp1.Trainer, loss_function, lambda self, inputs, targets: next(losses))
    else:
        monkeypatch.setattr(mp2, loss_function, lambda *args: next(losses))
    model.train(*small_pairs(n=1000, size=8), 1, **({} if project is mp1 else {"log": None}))
    assert same_weights(weights(model), before) and model.trained


def test_train_holds_out_pairs_only_when_there_are_enough(project):
    from importlib import import_module
    held_out = import_module(f"{project.__name__.rsplit('.', 1)[0]}.others.held_out")
    a = torch.arange(5000.0).reshape(5000, 1, 1, 1)
    _, _, held, _ = held_out.split_held_out(a, a)
    assert len(held) == 100 and held[0].item() == 4900  # the last 1 in 50
    _, _, held, _ = held_out.split_held_out(a[:999], a[:999])
    assert len(held) == 0  # 19 pairs would be too few to choose weights with
    assert len(held_out.split_held_out(a.repeat(20, 1, 1, 1), a.repeat(20, 1, 1, 1))[2]) == held_out.MAX_HELD_OUT


def test_a_loaded_model_is_fine_tuned_at_a_lower_rate(project, monkeypatch):
    rates = []
    if project is mp1:
        original = mp1.Trainer.__init__

        def spy(self, net, device, settings, total_steps):
            rates.append(settings.learning_rate)
            original(self, net, device, settings, total_steps)
        monkeypatch.setattr(mp1.Trainer, "__init__", spy)
    else:
        original = mp2.Adam.__init__

        def spy(self, params, lr, **kwargs):
            rates.append(lr)
            original(self, params, lr, **kwargs)
        monkeypatch.setattr(mp2.Adam, "__init__", spy)
    model = project.Model()
    options = {} if project is mp1 else {"log": None}
    model.train(*small_pairs(n=4), 1, **options)
    model.train(*small_pairs(n=4), 1, **options)
    assert math.isclose(rates[1], rates[0] * 0.1)
