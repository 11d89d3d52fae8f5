"""The course's Model contract for Miniproject_2."""
import os

import pytest
import torch

from Miniproject_2 import model as mp2
from Miniproject_2.others.network import prescribed_net, unet
from Miniproject_2.others.conv import Conv2d
from Miniproject_2.others.inference import predict_ensembled
from Miniproject_2.others.training import batches, cosine_lr, dihedral

torch.set_grad_enabled(True)  # the framework turns autograd off on import; other suites need it on


@pytest.fixture(autouse=True)
def restore_grad_mode():
    torch.manual_seed(0)
    yield
    torch.set_grad_enabled(True)


@pytest.fixture
def small_model(monkeypatch):
    """A fresh Model, narrower (fast tests) and with a smaller batch so that a few images make
    several steps."""
    monkeypatch.setattr(mp2, "BATCH_SIZE", 4)
    monkeypatch.setattr(mp2, "prescribed_net", lambda: prescribed_net((8, 16)))
    return mp2.Model()


def pairs(n=8, size=8, dtype=torch.uint8):
    a = torch.randint(0, 256, (n, 3, size, size), dtype=torch.uint8)
    b = torch.randint(0, 256, (n, 3, size, size), dtype=torch.uint8)
    return (a, b) if dtype == torch.uint8 else (a.to(dtype), b.to(dtype))


def test_model_takes_no_arguments_and_predicts_in_range():
    x = torch.randint(0, 256, (2, 3, 8, 8), dtype=torch.uint8)
    y = mp2.Model().predict(x)
    assert y.shape == x.shape and y.is_floating_point()
    assert y.min() >= 0 and y.max() <= 255


@pytest.mark.parametrize("shape", [(1, 3, 32, 32), (3, 3, 17, 23), (2, 3, 1, 5), (1, 3, 33, 4)])
def test_predict_keeps_any_shape(shape):
    x = torch.rand(shape) * 255
    y = mp2.Model().predict(x)
    assert y.shape == x.shape and y.device == x.device
    assert y.min() >= 0 and y.max() <= 255


@pytest.mark.parametrize("shape", [(1, 3, 17, 23), (2, 3, 1, 5)])
def test_predict_pads_to_the_networks_own_multiple(shape):
    """The extended U-Net pools three times: predict pads to multiples of 8 for it, not 4."""
    model = mp2.Model()
    model.net = unet(width=4, top_width=4, head_widths=(4, 4))
    x = torch.rand(shape) * 255
    assert model.net.size_multiple == 8 and model.predict(x).shape == x.shape


def test_train_refuses_sizes_the_network_cannot_take():
    model = mp2.Model()
    model.net = unet(width=4, top_width=4, head_widths=(4, 4))
    with pytest.raises(ValueError, match="divisible by 8"):
        model.train(*pairs(size=12), 1, log=None)


def test_predict_uint8_and_float_agree():
    x = torch.randint(0, 256, (2, 3, 12, 12), dtype=torch.uint8)
    m = mp2.Model()
    torch.testing.assert_close(m.predict(x), m.predict(x.float()))


def test_predict_and_train_leave_float_inputs_unchanged(small_model):
    a, b = pairs(dtype=torch.float32)
    copies = a.clone(), b.clone()
    small_model.predict(a)
    small_model.train(a, b, 1, log=None)
    assert torch.equal(a, copies[0]) and torch.equal(b, copies[1])


def test_predict_in_chunks_equals_one_pass(monkeypatch):
    x = torch.randint(0, 256, (5, 3, 8, 8), dtype=torch.uint8)
    m = mp2.Model()
    whole = m.predict(x)
    monkeypatch.setattr(mp2, "PREDICT_PIXELS", 2 * 64)  # 2 images per pass
    torch.testing.assert_close(m.predict(x), whole)


def test_train_lowers_the_loss(small_model):
    """Fitting a fixed target (identity on smooth images) must reduce the MSE."""
    torch.manual_seed(1)
    x = (torch.rand(16, 3, 1, 1) * 255).expand(16, 3, 8, 8).contiguous()
    before = ((small_model.predict(x) - x) ** 2).mean()
    small_model.train(x, x, 100, log=None)
    after = ((small_model.predict(x) - x) ** 2).mean()
    assert after < 0.5 * before


def test_train_accepts_uint8_and_float(small_model):
    small_model.train(*pairs(), 1, log=None)
    small_model.train(*pairs(dtype=torch.float32), 1, log=None)


def test_train_reports_progress(small_model):
    lines = []
    small_model.train(*pairs(), 2, log=lines.append)
    assert any("epoch 2/2" in line for line in lines)


def test_pretrained_model_clearly_beats_the_noisy_input_on_pixelated_images(small_dataset):
    from tools.data import load_pair
    from tools.metrics import psnr
    model = mp2.Model()
    model.load_pretrained_model()
    noisy, clean = load_pair(small_dataset / "val_data.pkl")
    clean = clean.float() / 255
    assert psnr(model.predict(noisy) / 255, clean) > psnr(noisy.float() / 255, clean) + 2.5


def test_pretrained_model_loads_denoises_and_trains_further():
    small_model = mp2.Model()
    small_model.load_pretrained_model()
    clean = (torch.rand(4, 3, 1, 1) * 200 + 25).expand(4, 3, 16, 16)
    noisy = (clean + torch.randn(4, 3, 16, 16) * 25).clamp(0, 255)
    assert ((small_model.predict(noisy) - clean) ** 2).mean() < ((noisy - clean) ** 2).mean()
    small_model.train(*pairs(), 1, log=None)


def test_bestmodel_is_a_dict_of_tensors_only(tmp_path):
    """What Model saves/loads: named tensors, readable with weights_only=True."""
    if not os.path.exists(mp2.WEIGHTS):
        pytest.skip("bestmodel.pth not trained yet")
    state = torch.load(mp2.WEIGHTS, weights_only=True)
    assert isinstance(state, dict) and all(isinstance(v, torch.Tensor) for v in state.values())
    assert set(state) == {name for name, _, _ in mp2.Model().net.named_param()} | {"target_noise_std"}
    assert float(state["target_noise_std"]) == 0.0  # trained on the mix, heavy-tailed: no clipping correction


@pytest.mark.parametrize("shape", [(2, 3, 12, 12), (1, 3, 7, 10)])
def test_self_ensemble_equals_the_network_with_a_symmetrised_kernel(shape, dihedral_mean_kernel):
    # For one convolution, averaging over the turned and flipped inputs (each output turned back)
    # is the same convolution with its kernel averaged over the same 8 transforms.
    conv = Conv2d(3, 3, 3, padding=1, bias=False)
    images = torch.rand(shape)
    symmetric = torch.nn.functional.conv2d(images, dihedral_mean_kernel(conv.weight), padding=1)
    torch.testing.assert_close(predict_ensembled(conv, images, 1, 1), symmetric)
    assert (conv.forward(images) - symmetric).abs().max() > 1e-2  # not symmetric: the test can fail


def test_predict_uses_the_self_ensemble_only_when_asked():
    model, images = mp2.Model(), torch.rand(2, 3, 16, 24) * 255
    model.self_ensemble = False
    single = model.predict(images)
    model.self_ensemble = True
    ensembled = model.predict(images)
    assert ensembled.shape == single.shape and (ensembled - single).abs().max() > 1e-3


def test_dihedral_gives_the_eight_orientations_of_a_square():
    x = torch.arange(16.0).view(1, 1, 4, 4)
    seen = {tuple(dihedral(x, k).flatten().tolist()) for k in range(8)}
    assert len(seen) == 8
    assert all(sorted(s) == list(range(16)) for s in seen)


def test_dihedral_keeps_non_square_shapes():
    x = torch.rand(2, 3, 4, 6)
    assert all(dihedral(x, k).shape == x.shape for k in range(8))


def test_batches_cover_every_pair_once_with_inputs_matching_targets():
    x = torch.arange(10.0).view(10, 1, 1, 1).expand(10, 3, 4, 4).contiguous()
    got = torch.cat([a for a, _ in batches(x, x + 100, 3)])
    assert sorted(got[:, 0, 0, 0].tolist()) == list(range(10))
    assert all(torch.equal(a + 100, b) for a, b in batches(x, x + 100, 3))


def test_cosine_schedule_decays_from_base_to_floor():
    assert cosine_lr(1.0, 0.0) == 1.0
    assert cosine_lr(1.0, 1.0) == pytest.approx(0.02)
    assert cosine_lr(1.0, 0.25) > cosine_lr(1.0, 0.5) > cosine_lr(1.0, 0.75)
