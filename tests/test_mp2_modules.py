"""Every Miniproject_2 module against torch autograd in float64, over many configurations."""
import copy

import pytest
import torch
import torch.nn.functional as F

from Miniproject_2.others.activations import LeakyReLU, ReLU, Sigmoid
from Miniproject_2.others.containers import Residual, Sequential, SkipConcat
from Miniproject_2.others.conv import Conv2d, TransposeConv2d
from Miniproject_2.others.im2col import fold, unfold
from Miniproject_2.others.losses import MSE
from Miniproject_2.others.network import prescribed_net, unet
from Miniproject_2.others.optim import SGD, Adam
from Miniproject_2.others.polyphase_upsampling import PolyphaseUpsampling
from Miniproject_2.others.pooling import MaxPool2d
from Miniproject_2.others.upsampling import NearestUpsampling, Upsampling

torch.set_grad_enabled(True)  # importing the framework turned autograd off for the whole session

TOL = dict(rtol=1e-10, atol=1e-12)


@pytest.fixture(autouse=True)
def seeded():
    torch.manual_seed(0)
    yield
    torch.set_grad_enabled(True)


def double(module):
    return module.to(torch.float64)


def check_against_torch(ours, reference, x, params=()):
    """Forward, then two backward passes (gradients must accumulate), compared with autograd.

    `reference(x, *params)` is the torch expression; `params` are our module's parameters in
    the order `reference` takes them.
    """
    xr = x.clone().requires_grad_(True)
    pr = [p.clone().requires_grad_(True) for p in params]
    with torch.enable_grad():
        yr = reference(xr, *pr)
    y = ours.forward(x)
    assert y.shape == yr.shape
    torch.testing.assert_close(y, yr.detach(), **TOL)
    grads = [torch.randn_like(y) for _ in range(2)]
    ours.zero_grad()
    gx = [ours.backward(g) for g in grads]  # two passes: parameter gradients add up
    with torch.enable_grad():
        torch.autograd.backward(yr, grads[0] + grads[1])
    if x.requires_grad is False and xr.grad is not None:
        torch.testing.assert_close(gx[0] + gx[1], xr.grad, **TOL)
    for (p, g), ref in zip(ours.param(), pr):
        torch.testing.assert_close(g, ref.grad, **TOL)


# (in, out, kernel, stride, padding, dilation, bias, batch, H, W)
CONV_CASES = [
    (3, 4, 1, 1, 0, 1, True, 1, 5, 5),
    (2, 3, 2, 1, 0, 1, True, 2, 6, 7),
    (3, 3, 3, 1, 1, 1, True, 1, 8, 8),
    (3, 5, 3, 2, 1, 1, False, 3, 9, 7),
    (4, 2, 3, 1, 1, 1, True, 2, 7, 9),       # fewer outputs than inputs: the fold route
    (6, 2, (3, 5), 1, (1, 2), 1, True, 2, 8, 11),
    (6, 2, (2, 4), 1, (0, 2), (2, 1), False, 1, 9, 10),
    (5, 3, 4, 3, 2, 1, True, 2, 13, 11),
    (2, 4, 5, 2, 2, 1, True, 3, 11, 12),
    (3, 2, 5, 1, 0, 1, True, 1, 9, 9),
    (3, 3, (1, 3), (3, 1), (0, 1), 1, True, 2, 10, 6),
    (4, 3, 3, 2, 0, 2, True, 2, 12, 13),
    (4, 1, 3, 1, 2, 2, False, 2, 7, 8),
    (5, 2, 2, (2, 3), (1, 0), (1, 2), True, 4, 9, 14),
]


@pytest.mark.parametrize("case", CONV_CASES, ids=str)
def test_conv2d_matches_torch(case):
    c_in, c_out, k, s, p, d, bias, n, h, w = case
    conv = double(Conv2d(c_in, c_out, k, stride=s, padding=p, dilation=d, bias=bias))
    x = torch.randn(n, c_in, h, w, dtype=torch.float64)
    params = [conv.weight] + ([conv.bias] if bias else [])
    check_against_torch(conv, lambda x, w, b=None: F.conv2d(x, w, b, s, p, d), x, params)


@pytest.mark.parametrize("case", CONV_CASES, ids=str)
def test_unfold_and_fold_equal_torch_functional(case):
    c_in, _, k, s, p, d, _, n, h, w = case
    x = torch.randn(n, c_in, h, w, dtype=torch.float64)
    cols = F.unfold(x, k, d, p, s)
    assert torch.equal(unfold(x, k, d, p, s), cols)
    torch.testing.assert_close(fold(cols, (h, w), k, d, p, s), F.fold(cols, (h, w), k, d, p, s), **TOL)


def test_conv2d_parameters_and_init_match_torch_nn():
    torch.manual_seed(3)
    ref = torch.nn.Conv2d(4, 6, (3, 2))
    torch.manual_seed(3)
    ours = Conv2d(4, 6, (3, 2))
    assert ours.weight.shape == (6, 4, 3, 2) and ours.bias.shape == (6,)
    assert torch.equal(ours.weight, ref.weight.detach()) and torch.equal(ours.bias, ref.bias.detach())


def test_conv2d_without_bias_has_one_parameter():
    assert len(Conv2d(2, 2, 3, bias=False).param()) == 1


def test_conv2d_float32_equals_course_sample_test_over_many_seeds():
    """The course's sample test: torch.allclose at default tolerances, float32, 1x3x32x32."""
    failures = 0
    for seed in range(500):
        torch.manual_seed(seed)
        conv = Conv2d(3, 3, 3)
        x = torch.randn(1, 3, 32, 32)
        failures += not torch.allclose(conv.forward(x), F.conv2d(x, conv.weight, conv.bias))
    assert failures == 0


# (in, out, kernel, stride, padding, output_padding, dilation, bias, batch, H, W)
TRANSPOSE_CASES = [
    (3, 2, 3, 1, 0, 0, 1, True, 2, 5, 6),
    (2, 3, 3, 2, 1, 1, 1, True, 1, 4, 5),
    (4, 2, (2, 4), (2, 1), (0, 1), 0, 1, False, 2, 5, 4),
    (2, 2, 4, 3, 2, 2, 1, True, 3, 3, 4),
    (3, 3, 3, 2, 1, 0, 2, True, 2, 6, 5),
    (2, 4, 5, 1, 2, 0, 1, True, 1, 7, 7),
]


@pytest.mark.parametrize("case", TRANSPOSE_CASES, ids=str)
def test_transpose_conv2d_matches_torch(case):
    c_in, c_out, k, s, p, op, d, bias, n, h, w = case
    conv = double(TransposeConv2d(c_in, c_out, k, stride=s, padding=p, output_padding=op, bias=bias,
                                  dilation=d))
    x = torch.randn(n, c_in, h, w, dtype=torch.float64)
    params = [conv.weight] + ([conv.bias] if bias else [])
    check_against_torch(conv, lambda x, w, b=None: F.conv_transpose2d(x, w, b, s, p, op, 1, d), x, params)


def test_transpose_conv2d_init_matches_torch_nn():
    torch.manual_seed(5)
    ref = torch.nn.ConvTranspose2d(4, 3, 3, stride=2)
    torch.manual_seed(5)
    ours = TransposeConv2d(4, 3, 3, stride=2)
    assert torch.equal(ours.weight, ref.weight.detach()) and torch.equal(ours.bias, ref.bias.detach())


@pytest.mark.parametrize("scale", [1, 2, 3, (2, 3)])
def test_nearest_upsampling_matches_torch(scale):
    x = torch.randn(2, 3, 4, 5, dtype=torch.float64)
    factor = scale if isinstance(scale, int) else tuple(float(s) for s in scale)
    check_against_torch(NearestUpsampling(scale),
                        lambda x: F.interpolate(x, scale_factor=factor, mode="nearest"), x)


# Upsampling is nearest upsampling followed by Conv2d: every convolution of CONV_CASES, after a
# square and a non-square upsampling.
@pytest.mark.parametrize("scale", [2, (3, 2)], ids=str)
@pytest.mark.parametrize("case", CONV_CASES, ids=str)
def test_upsampling_matches_interpolate_then_conv(case, scale):
    c_in, c_out, k, s, p, d, bias, n, h, w = case
    up = double(Upsampling(c_in, c_out, k, scale_factor=scale, stride=s, padding=p, dilation=d, bias=bias))
    factor = scale if isinstance(scale, int) else tuple(float(v) for v in scale)
    x = torch.randn(n, c_in, h, w, dtype=torch.float64)
    params = [up.weight] + ([up.bias] if bias else [])

    def reference(x, w, b=None):
        return F.conv2d(F.interpolate(x, scale_factor=factor, mode="nearest"), w, b, s, p, d)
    check_against_torch(up, reference, x, params)


# (in, out, kernel, scale, bias, batch, H, W): 'same' convolutions (padding kernel // 2, stride 1),
# the only ones PolyphaseUpsampling takes
POLYPHASE_CASES = [
    (3, 4, 3, 2, True, 2, 4, 5),
    (5, 2, 3, 2, True, 1, 6, 6),       # fewer outputs than inputs: the fold route inside
    (2, 3, 5, 2, False, 2, 3, 4),
    (3, 3, 1, 2, True, 2, 4, 3),
    (2, 4, 3, 3, True, 1, 3, 4),
    (3, 2, 3, 1, True, 2, 4, 4),
    (3, 2, (3, 5), (2, 3), True, 2, 3, 3),
    (4, 3, 7, 2, True, 1, 5, 5),
    (2, 3, (1, 3), (3, 2), False, 3, 2, 5),
]


def polyphase_and_plain(case):
    """A PolyphaseUpsampling and an Upsampling for `case`, in float64, with the same parameters."""
    c_in, c_out, k, scale, bias, *_ = case
    padding = tuple(v // 2 for v in (k if isinstance(k, tuple) else (k, k)))
    torch.manual_seed(1)
    fast = double(PolyphaseUpsampling(c_in, c_out, k, scale_factor=scale, padding=padding, bias=bias))
    torch.manual_seed(1)
    plain = double(Upsampling(c_in, c_out, k, scale_factor=scale, padding=padding, bias=bias))
    return fast, plain, padding


@pytest.mark.parametrize("case", POLYPHASE_CASES, ids=str)
def test_polyphase_upsampling_matches_interpolate_then_conv(case):
    *_, scale, bias, n, h, w = case
    up, _, padding = polyphase_and_plain(case)
    factor = scale if isinstance(scale, int) else tuple(float(v) for v in scale)
    x = torch.randn(n, up.in_channels, h, w, dtype=torch.float64)
    params = [up.weight] + ([up.bias] if bias else [])

    def reference(x, w, b=None):
        return F.conv2d(F.interpolate(x, scale_factor=factor, mode="nearest"), w, b, padding=padding)
    check_against_torch(up, reference, x, params)


@pytest.mark.parametrize("case", POLYPHASE_CASES, ids=str)
def test_polyphase_upsampling_equals_plain_upsampling(case):
    """Same initialisation, state dict keys, output, input gradient and parameter gradients."""
    *_, n, h, w = case
    fast, plain, _ = polyphase_and_plain(case)
    assert fast.state_dict().keys() == plain.state_dict().keys()
    for a, b in zip(fast.state_dict().values(), plain.state_dict().values()):
        assert torch.equal(a, b)
    x = torch.randn(n, fast.in_channels, h, w, dtype=torch.float64)
    y = plain.forward(x)
    torch.testing.assert_close(fast.forward(x), y, **TOL)
    g = torch.randn_like(y)
    fast.zero_grad(), plain.zero_grad()
    torch.testing.assert_close(fast.backward(g), plain.backward(g), **TOL)
    for (_, gf), (_, gp) in zip(fast.param(), plain.param()):
        torch.testing.assert_close(gf, gp, **TOL)


@pytest.mark.parametrize("kernel,padding,stride,dilation", [(3, 0, 1, 1), (2, 1, 1, 1), (3, 1, 2, 1), (3, 2, 1, 2)])
def test_polyphase_upsampling_rejects_other_than_same_convolutions(kernel, padding, stride, dilation):
    with pytest.raises(ValueError, match="use Upsampling"):
        PolyphaseUpsampling(2, 3, kernel, padding=padding, stride=stride, dilation=dilation)


@pytest.mark.parametrize("module,reference", [
    (ReLU(), F.relu),
    (LeakyReLU(), F.leaky_relu),
    (LeakyReLU(0.2), lambda x: F.leaky_relu(x, 0.2)),
    (Sigmoid(), torch.sigmoid),
], ids=["relu", "leaky", "leaky0.2", "sigmoid"])
def test_activation_matches_torch(module, reference):
    x = torch.randn(3, 2, 5, 4, dtype=torch.float64) * 4
    check_against_torch(module, reference, x)


def test_sigmoid_is_stable_for_large_inputs():
    x = torch.tensor([-1e4, -800.0, -50.0, 0.0, 50.0, 800.0, 1e4])
    y = Sigmoid().forward(x)
    assert torch.isfinite(y).all()
    torch.testing.assert_close(y, torch.sigmoid(x))


@pytest.mark.parametrize("kernel,stride,padding,shape", [
    (2, None, 0, (2, 3, 8, 8)), (3, 2, 1, (1, 2, 7, 9)), ((2, 3), (2, 1), 0, (2, 2, 6, 7)), (3, 3, 0, (1, 2, 10, 8)),
])
def test_maxpool_matches_torch(kernel, stride, padding, shape):
    x = torch.randn(*shape, dtype=torch.float64)
    check_against_torch(MaxPool2d(kernel, stride, padding), lambda x: F.max_pool2d(x, kernel, stride, padding), x)


def test_mse_matches_torch():
    pred, target = torch.randn(4, 3, 5, 5, dtype=torch.float64), torch.randn(4, 3, 5, 5, dtype=torch.float64)
    pr = pred.clone().requires_grad_(True)
    with torch.enable_grad():
        ref = torch.nn.MSELoss()(pr, target)
        ref.backward()
    mse = MSE()
    torch.testing.assert_close(mse.forward(pred, target), ref.detach(), **TOL)
    torch.testing.assert_close(mse.backward(), pr.grad, **TOL)


def test_mse_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="same shape|one shape"):
        MSE().forward(torch.zeros(2, 3), torch.zeros(3, 2))


def test_sequential_chain_matches_torch():
    ours = double(Sequential(Conv2d(3, 4, 3, padding=1), LeakyReLU(0.1), MaxPool2d(2),
                             Conv2d(4, 2, 3, stride=2, padding=1, bias=False), ReLU(),
                             Upsampling(2, 3, 3, padding=1), Sigmoid()))
    x = torch.randn(2, 3, 8, 12, dtype=torch.float64)

    def reference(x, w0, b0, w3, w5, b5):
        y = F.max_pool2d(F.leaky_relu(F.conv2d(x, w0, b0, padding=1), 0.1), 2)
        y = F.relu(F.conv2d(y, w3, None, stride=2, padding=1))
        return torch.sigmoid(F.conv2d(F.interpolate(y, scale_factor=2.0), w5, b5, padding=1))
    check_against_torch(ours, reference, x, [p for p, _ in ours.param()])
    assert [n for n, _, _ in ours.named_param()] == ["0.weight", "0.bias", "3.weight", "5.weight", "5.bias"]


def test_skip_concat_matches_torch():
    ours = double(SkipConcat(Conv2d(3, 2, 3, padding=1), ReLU()))
    x = torch.randn(2, 3, 5, 6, dtype=torch.float64)
    check_against_torch(ours, lambda x, w, b: torch.cat([x, F.relu(F.conv2d(x, w, b, padding=1))], 1),
                        x, [ours[0].weight, ours[0].bias])


def test_residual_matches_torch():
    ours = double(Residual(Conv2d(3, 3, 3, padding=1), ReLU()))
    x = torch.randn(2, 3, 5, 6, dtype=torch.float64)
    check_against_torch(ours, lambda x, w, b: x + F.relu(F.conv2d(x, w, b, padding=1)),
                        x, [ours[0].weight, ours[0].bias])


def optimizer_trajectories(make_ours, make_torch, steps=4):
    """Parameters after `steps` updates with the same gradients, ours and torch.optim's."""
    params = [torch.randn(3, 4, dtype=torch.float64), torch.randn(5, dtype=torch.float64)]
    grads = [torch.zeros_like(p) for p in params]
    ref = [p.clone().requires_grad_(True) for p in params]
    ours, theirs = make_ours(list(zip(params, grads))), make_torch(ref)
    for _ in range(steps):
        fresh = [torch.randn_like(p) for p in params]
        ours.zero_grad()
        for g, f in zip(grads, fresh):
            g += f
        ours.step()
        for r, f in zip(ref, fresh):
            r.grad = f.clone()
        theirs.step()
    return params, [r.detach() for r in ref]


@pytest.mark.parametrize("momentum,weight_decay", [(0.0, 0.0), (0.9, 0.0), (0.5, 0.01)])
def test_sgd_steps_equal_torch_optim(momentum, weight_decay):
    ours, theirs = optimizer_trajectories(
        lambda p: SGD(p, lr=0.1, momentum=momentum, weight_decay=weight_decay),
        lambda p: torch.optim.SGD(p, lr=0.1, momentum=momentum, weight_decay=weight_decay))
    for a, b in zip(ours, theirs):
        torch.testing.assert_close(a, b, **TOL)


@pytest.mark.parametrize("lr,betas,weight_decay", [(1e-3, (0.9, 0.999), 0.0), (0.05, (0.8, 0.9), 0.01)])
def test_adam_steps_equal_torch_optim(lr, betas, weight_decay):
    ours, theirs = optimizer_trajectories(
        lambda p: Adam(p, lr=lr, betas=betas, weight_decay=weight_decay),
        lambda p: torch.optim.Adam(p, lr=lr, betas=betas, weight_decay=weight_decay, foreach=False))
    for a, b in zip(ours, theirs):
        torch.testing.assert_close(a, b, **TOL)


def torch_twin(widths, kernel=3):
    """The prescribed network in torch.nn (Upsampling = Upsample + Conv2d)."""
    w1, w2 = widths
    nn, pad = torch.nn, kernel // 2
    return nn.Sequential(
        nn.Conv2d(3, w1, kernel, 2, pad), nn.ReLU(), nn.Conv2d(w1, w2, kernel, 2, pad), nn.ReLU(),
        nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv2d(w2, w1, kernel, padding=pad)), nn.ReLU(),
        nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv2d(w1, 3, kernel, padding=pad)), nn.Sigmoid())


def test_prescribed_training_step_equals_torch_nn():
    """Three SGD-with-momentum steps of the prescribed network, ours vs the torch.nn twin."""
    ours = double(prescribed_net((6, 8)))
    twin = torch_twin((6, 8)).double()
    with torch.no_grad():
        for (_, p, _), q in zip(ours.named_param(), twin.parameters()):
            q.copy_(p)
    opt, topt = SGD(ours.param(), lr=0.5, momentum=0.9), torch.optim.SGD(twin.parameters(), lr=0.5, momentum=0.9)
    mse = MSE()
    for _ in range(3):
        x, y = torch.rand(4, 3, 12, 16, dtype=torch.float64), torch.rand(4, 3, 12, 16, dtype=torch.float64)
        opt.zero_grad()
        loss = mse.forward(ours.forward(x), y)
        ours.backward(mse.backward())
        opt.step()
        topt.zero_grad()
        with torch.enable_grad():
            tloss = torch.nn.functional.mse_loss(twin(x), y)
            tloss.backward()
        topt.step()
        torch.testing.assert_close(loss, tloss.detach(), **TOL)
    for (_, p, _), q in zip(ours.named_param(), twin.parameters()):
        torch.testing.assert_close(p, q.detach(), **TOL)


def convolutions(module):
    """Our Conv2d modules in the order a forward pass meets them."""
    if isinstance(module, Conv2d):
        return [module]
    return [conv for child in module.children() for conv in convolutions(child)]


def test_unet_is_miniproject_1_network_to_the_last_bit_of_float64():
    """The extended U-Net computes what Miniproject_1's torch U-Net computes with the same weights,
    forward and backward; the concatenations put the skip first here, last there."""
    from Miniproject_1.others.unet import UNet
    sizes = {"width": 4, "depth": 3, "top_width": 5, "head_widths": (6, 3)}
    ours, theirs = double(unet(**sizes)), UNet(**sizes).double()
    # the convolutions after a concatenation, and how many channels the skip brings
    skip_channels = {id(theirs.head[0][0]): 3, **{id(level[0][0]): sizes["width"] for level in theirs.decode}}
    pairs = list(zip(convolutions(ours), [m for m in theirs.modules() if isinstance(m, torch.nn.Conv2d)]))
    assert len(pairs) == 14 == len(convolutions(ours))
    for mine, twin in pairs:
        weight = twin.weight.detach()
        skip = skip_channels.get(id(twin), 0)
        if skip:  # torch's [upsampled, skip] -> our [skip, upsampled]
            weight = torch.cat([weight[:, -skip:], weight[:, :-skip]], 1)
        mine.weight.copy_(weight)
        mine.bias.copy_(twin.bias.detach())
    x = torch.rand(2, 3, 16, 24, dtype=torch.float64)
    g = torch.randn_like(x)
    with torch.enable_grad():
        xr = x.clone().requires_grad_(True)
        y = theirs(xr)
        y.backward(g)
    torch.testing.assert_close(ours.forward(x), y.detach(), **TOL)
    ours.zero_grad()
    torch.testing.assert_close(ours.backward(g), xr.grad, **TOL)
    for mine, twin in pairs:
        skip = skip_channels.get(id(twin), 0)
        grad = twin.weight.grad if not skip else torch.cat([twin.weight.grad[:, -skip:], twin.weight.grad[:, :-skip]], 1)
        torch.testing.assert_close(mine.weight_grad, grad, **TOL)
        torch.testing.assert_close(mine.bias_grad, twin.bias.grad, **TOL)


def test_unet_has_miniproject_1_shipped_size():
    from Miniproject_1.model import NETWORK
    from Miniproject_1.others.unet import UNet
    ours = unet()
    assert ours.size_multiple == 2 ** NETWORK["depth"]
    assert sum(p.numel() for p, _ in ours.param()) == sum(p.numel() for p in UNet(**NETWORK).parameters())


def test_unet_trains_and_keeps_shape():
    net = double(unet(width=4, depth=2, top_width=4, head_widths=(4, 4)))
    x = torch.rand(2, 3, 8, 12, dtype=torch.float64)
    y = net.forward(x)
    assert y.shape == x.shape
    mse, opt = MSE(), Adam(net.param(), lr=1e-2)
    first = None
    for _ in range(20):
        opt.zero_grad()
        loss = mse.forward(net.forward(x), x * 0.5)
        net.backward(mse.backward())
        opt.step()
        first = first if first is not None else loss.item()
    assert loss.item() < first


def test_state_dict_round_trip():
    a, b = prescribed_net((4, 6)), prescribed_net((4, 6))
    b.load_state_dict(copy.deepcopy(a.state_dict()))
    x = torch.rand(1, 3, 8, 8)
    assert torch.equal(a.forward(x), b.forward(x))
    with pytest.raises(ValueError, match="shape"):
        prescribed_net((4, 8)).load_state_dict(a.state_dict())
