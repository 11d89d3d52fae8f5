"""The networks: the course's prescribed one (the default of `Model`) and an extended U-Net."""
from .activations import LeakyReLU, ReLU, Sigmoid
from .containers import Residual, Sequential, SkipConcat
from .conv import Conv2d
from .pooling import MaxPool2d
from .polyphase_upsampling import PolyphaseUpsampling
from .upsampling import NearestUpsampling, Upsampling

# Chosen by tools/bench/mp2_sweep.py on the former Gaussian data (results/gaussian_era/mp2_sweep.json):
# at one short budget (96, 192) beat (64, 128) by 0.3 dB for 2.2x the multiply-adds.
PRESCRIBED_WIDTHS = (96, 192)
PRESCRIBED_KERNEL = 3


def upsampling_conv(in_channels, out_channels, kernel):
    """Nearest x2, then a `kernel` x `kernel` convolution with padding `kernel // 2`.

    PolyphaseUpsampling where it applies (odd kernels): the same results as Upsampling with about
    half the multiply-adds. results/mp2_speed.json (layers up1, up2) times it at or below torch's
    own upsample-then-convolve (`ratio`), while the bare matrix products of upsample-then-convolve,
    which plain Upsampling cannot avoid, take longer than torch does (`matmul_floor_ratio`).
    """
    up = PolyphaseUpsampling if kernel % 2 else Upsampling
    return up(in_channels, out_channels, kernel, scale_factor=2, padding=kernel // 2)


def prescribed_net(widths=PRESCRIBED_WIDTHS, kernel=PRESCRIBED_KERNEL):
    """The course's network: two stride-2 convolutions down, two upsamplings back, sigmoid output.

    `(N, 3, H, W)` in [0, 1] -> `(N, 3, H, W)` in (0, 1), H and W multiples of 4.
    """
    w1, w2 = widths
    pad = kernel // 2
    net = Sequential(
        Conv2d(3, w1, kernel, stride=2, padding=pad), ReLU(),
        Conv2d(w1, w2, kernel, stride=2, padding=pad), ReLU(),
        upsampling_conv(w2, w1, kernel), ReLU(),
        upsampling_conv(w1, 3, kernel), Sigmoid())
    net[0].need_input_grad = False  # nothing upstream needs dL/d(image)
    net.size_multiple = 4  # two stride-2 convolutions
    return net


def conv_block(in_channels, out_channels, slope):
    return [Conv2d(in_channels, out_channels, 3, padding=1), LeakyReLU(slope)]


def unet(width=32, depth=3, top_width=32, head_widths=(32, 16), slope=0.1):
    """Miniproject_1's U-Net (its `others/unet.py`, at its `NETWORK` settings) built from this
    framework's modules: a two-convolution stem, `depth` levels of 2x2 max-pooling and one
    convolution down, nearest upsampling, a concatenated skip and two convolutions up at each
    level, the input image concatenated before a three-convolution head, LeakyReLU(slope), and
    a residual output (the network predicts the noise and subtracts it). The only difference is
    the order of the concatenated channels (skip first here), which changes nothing learnable.

    `(N, 3, H, W)` in [0, 1] -> same shape; H and W multiples of `2 ** depth`.
    """
    inner = []  # the decoder levels, wrapped around each other from the deepest out
    for level in range(depth):
        in_channels = (width if level == 0 else 2 * width) + width
        out_channels = 2 * width if level < depth - 1 else top_width
        inner = [SkipConcat(MaxPool2d(2), *conv_block(width, width, slope), *inner, NearestUpsampling(2)),
                 *conv_block(in_channels, out_channels, slope), *conv_block(out_channels, out_channels, slope)]
    wide, narrow = head_widths
    net = Residual(SkipConcat(*conv_block(3, width, slope), *conv_block(width, width, slope), *inner),
                   *conv_block(top_width + 3, wide, slope), *conv_block(wide, narrow, slope),
                   Conv2d(narrow, 3, 3, padding=1))
    net.size_multiple = 2 ** depth
    return net
