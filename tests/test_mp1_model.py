"""Miniproject_1's Model: the course API contract, the shipped weights, and clear errors."""
import os
import shutil
import subprocess
import sys

import pytest
import torch

from Miniproject_1 import model as mp1
from Miniproject_1.model import Model
from Miniproject_1.others import inference
from Miniproject_1.others.training import TrainSettings, batch_size_for, steps_per_epoch
from tools.data import load_pair
from tools.metrics import psnr


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return Model()


@pytest.fixture(scope="module")
def pretrained():
    m = Model()
    m.load_pretrained_model()
    return m


def test_model_takes_no_arguments_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Model()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("shape, dtype", [
    ((1, 3, 512, 512), torch.float32),
    ((3, 3, 37, 53), torch.uint8),
    ((100, 3, 32, 32), torch.uint8),
    ((2, 3, 1, 1), torch.float64),
    ((1, 3, 5, 200), torch.float32),
])
def test_predict_keeps_shape_and_returns_floats_in_range(model, shape, dtype):
    images = (torch.rand(shape) * 255).to(dtype)
    out = model.predict(images)
    assert out.shape == images.shape
    assert out.is_floating_point()
    assert out.min() >= 0 and out.max() <= 255


def test_predict_gives_same_result_for_uint8_and_float_input(model):
    images = torch.randint(0, 256, (4, 3, 32, 32), dtype=torch.uint8)
    torch.testing.assert_close(model.predict(images), model.predict(images.float()))


def test_predict_and_train_leave_float_inputs_unchanged():
    a, b = torch.rand(4, 3, 8, 8) * 255, torch.rand(4, 3, 8, 8) * 255
    copies = a.clone(), b.clone()
    fresh = Model()
    fresh.predict(a)
    fresh.train(a, b, 1)
    assert torch.equal(a, copies[0]) and torch.equal(b, copies[1])


def test_predict_in_chunks_equals_predict_at_once(model, monkeypatch):
    images = torch.rand(10, 3, 32, 32) * 255
    whole = model.predict(images)
    monkeypatch.setattr(inference, "MAX_PIXELS_PER_CHUNK", 3 * 32 * 32)  # chunks of 3 images
    torch.testing.assert_close(model.predict(images), whole)


def test_tiled_predict_matches_whole_image_closely(pretrained, monkeypatch):
    image = torch.rand(1, 3, 96, 80) * 255
    whole = pretrained.predict(image)
    monkeypatch.setattr(inference, "MAX_PIXELS_PER_CHUNK", 32 * 32)
    monkeypatch.setattr(inference, "TILE", 32)
    tiled = pretrained.predict(image)
    # tiles see MARGIN pixels of context: far edges of the receptive field differ a little
    assert (tiled - whole).abs().mean() < 0.05
    assert (tiled - whole).abs().max() < 2.0


@pytest.mark.parametrize("top_width, head_widths, expected", [
    (None, (64, 32), (16, 64, 32)),  # the paper's top: 2 * width, then 64 -> 32
    (4, (6, 5), (4, 6, 5)),
])
def test_unet_top_and_head_widths(top_width, head_widths, expected):
    from Miniproject_1.others.unet import UNet
    net = UNet(width=8, depth=2, top_width=top_width, head_widths=head_widths)
    last_level, head = net.decode[-1], net.head
    assert (last_level[1][0].out_channels, head[0][0].out_channels, head[1][0].out_channels) == expected
    assert head[0][0].in_channels == expected[0] + 3  # the input image is concatenated back
    x = torch.rand(2, 3, 12, 16)
    assert net(x).shape == x.shape


@pytest.mark.parametrize("shape", [(2, 3, 12, 12), (1, 3, 7, 10)])
def test_self_ensemble_equals_the_network_with_a_symmetrised_kernel(shape, dihedral_mean_kernel):
    # For one convolution, averaging over the turned and flipped inputs (each output turned back)
    # is the same convolution with its kernel averaged over the same 8 transforms.
    torch.manual_seed(0)
    conv = torch.nn.Conv2d(3, 3, 3, padding=1, bias=False)
    images = torch.rand(shape)
    symmetric = torch.nn.functional.conv2d(images, dihedral_mean_kernel(conv.weight.detach()), padding=1)
    with torch.no_grad():
        ensembled = inference._denoise_ensembled(conv, images, multiple=1)
        single = conv(images)
    torch.testing.assert_close(ensembled, symmetric)
    assert (single - symmetric).abs().max() > 1e-2  # the kernel is not symmetric: the test can fail


def test_predict_uses_the_self_ensemble_only_when_asked(pretrained):
    images = torch.rand(2, 3, 16, 24) * 255
    pretrained.self_ensemble = False
    single = pretrained.predict(images)
    pretrained.self_ensemble = True
    ensembled = pretrained.predict(images)
    assert ensembled.shape == single.shape
    assert (ensembled - single).abs().max() > 1e-3


def test_pretrained_model_clearly_beats_a_3x3_blur_on_pixelated_images(pretrained, small_dataset):
    from tools.bench.baselines import gaussian_blur_3x3
    noisy, clean = load_pair(small_dataset / "val_data.pkl")
    clean = clean.float() / 255
    blurred = psnr(gaussian_blur_3x3(noisy.float() / 255), clean)
    assert psnr(pretrained.predict(noisy) / 255, clean) > blurred + 1.0


def test_pretrained_model_loads_from_any_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Model().load_pretrained_model()


def test_bestmodel_holds_only_tensors_and_settings():
    saved = torch.load(mp1.BESTMODEL, weights_only=True)
    assert set(saved) == {"network", "state_dict", "target_noise_std"}
    assert saved["target_noise_std"] == 0.0  # trained on the mix, heavy-tailed: no clipping correction
    assert os.path.getsize(mp1.BESTMODEL) < 20e6


def test_train_lowers_the_loss_on_a_tiny_set():
    torch.manual_seed(0)
    clean = (torch.rand(256, 3, 1, 1) * 200 + 20).expand(256, 3, 16, 16)
    noisy_a = (clean + 25 * torch.randn(clean.shape)).clamp(0, 255)
    noisy_b = (clean + 25 * torch.randn(clean.shape)).clamp(0, 255)
    m = Model()
    before = ((m.predict(noisy_a) - clean) ** 2).mean()
    m.train(noisy_a, noisy_b.to(torch.uint8), num_epochs=2)
    after = ((m.predict(noisy_a) - clean) ** 2).mean()
    assert after < 0.5 * before


def test_train_works_with_autograd_globally_off():
    m = Model()
    images = torch.randint(0, 256, (8, 3, 16, 16), dtype=torch.uint8)
    with torch.no_grad():  # as after `import Miniproject_2.model`, which disables autograd
        m.train(images, images, num_epochs=1)


def test_small_training_sets_get_smaller_batches_and_enough_steps():
    settings = TrainSettings()
    assert batch_size_for(settings, 50_000) == 64
    assert batch_size_for(settings, 16_384) == 64
    assert batch_size_for(settings, 2_000) == 7
    assert batch_size_for(settings, 10) == 1
    assert steps_per_epoch(settings, 2_000) >= settings.min_steps_per_epoch


def test_train_continues_from_the_pretrained_model(pretrained, small_dataset):
    a, b = load_pair(small_dataset / "train_data.pkl")
    m = Model()
    m.load_pretrained_model()
    m.train(a[:32], b[:32], num_epochs=1)


def test_save_is_atomic_when_writing_fails(tmp_path, monkeypatch):
    path = tmp_path / "bestmodel.pth"
    m = Model()
    m.save(path)
    before = path.read_bytes()

    def broken_save(obj, file):
        with open(file, "wb") as handle:
            handle.write(b"half a file")
        raise OSError("disk full")
    monkeypatch.setattr(torch, "save", broken_save)
    with pytest.raises(OSError):
        m.save(path)
    assert path.read_bytes() == before


def test_missing_bestmodel_gives_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m tools.train_mp1"):
        Model().load_pretrained_model(tmp_path / "bestmodel.pth")


def test_miniproject_works_when_copied_alone(tmp_path):
    shutil.copytree(mp1.BESTMODEL.parent, tmp_path / "Miniproject_1",
                    ignore=shutil.ignore_patterns("__pycache__"))
    code = ("import torch; from Miniproject_1.model import Model; m = Model(); m.load_pretrained_model(); "
            "print(tuple(m.predict(torch.rand(1, 3, 9, 9) * 255).shape))")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(1, 3, 9, 9)"
