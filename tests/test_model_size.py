"""Parameter and multiply-add counts (tools/model_size.py), the reports' architecture tables."""
import torch

from Miniproject_1.model import NETWORK
from Miniproject_1.others.unet import UNet
from Miniproject_2.others.network import prescribed_net, unet
from tools.model_size import framework_size, torch_size


def test_one_convolution_by_hand():
    conv = torch.nn.Conv2d(3, 8, 3, stride=2, padding=1)
    size = torch_size(conv, size=32)
    assert (size["parameters"], size["multiply_adds"]) == (8 * 3 * 9 + 8, 16 * 16 * 8 * 3 * 9)


def test_the_prescribed_network_by_hand():
    w1, w2 = 96, 192  # down to 16, 8; the upsamplings convolve images of 16 and 32
    layers = [(16, 3, w1), (8, w1, w2), (16, w2, w1), (32, w1, 3)]
    assert framework_size(prescribed_net((w1, w2)))["layers"] == [s * s * i * o * 9 for s, i, o in layers]


def test_the_framework_unet_counts_like_miniproject_1s_torch_unet():
    ours, theirs = framework_size(unet()), torch_size(UNet(**NETWORK))
    assert (ours["parameters"], ours["multiply_adds"]) == (theirs["parameters"], theirs["multiply_adds"])
    assert list(theirs["parts"]) == ["stem", "down", "decode", "head"]
    assert sum(part["multiply_adds"] for part in theirs["parts"].values()) == theirs["multiply_adds"]


def test_counting_leaves_the_network_as_it_was():
    net = prescribed_net((4, 8))
    framework_size(net)
    assert all("forward" not in vars(m) for m in net.modules if hasattr(m, "kernel_size"))
