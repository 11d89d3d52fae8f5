"""Nearest-neighbour upsampling, and `Upsampling`: nearest upsampling followed by a convolution.

`PolyphaseUpsampling` (polyphase_upsampling.py) computes the same thing faster for 'same'
convolutions; the network picks between them.
"""

from .conv import Conv2d, check_input
from .module import Module, pair


class NearestUpsampling(Module):
    """Like `torch.nn.Upsample(scale_factor=s, mode='nearest')` for integer `s` (or a pair)."""

    def __init__(self, scale_factor=2):
        self.scale_factor = pair(scale_factor)
        if min(self.scale_factor) < 1:
            raise ValueError(f"scale_factor must be a positive integer, got {scale_factor!r}")

    def forward(self, x):
        n, c, h, w = x.shape
        sh, sw = self.scale_factor
        return x.view(n, c, h, 1, w, 1).expand(n, c, h, sh, w, sw).reshape(n, c, h * sh, w * sw)

    def backward(self, grad_output):
        n, c, h, w = grad_output.shape
        sh, sw = self.scale_factor
        return grad_output.reshape(n, c, h // sh, sh, w // sw, sw).sum((3, 5))

    def extra_repr(self):
        return f"scale_factor={self.scale_factor}"


class Upsampling(Conv2d):
    """`torch.nn.Sequential(Upsample(scale_factor, mode='nearest'), Conv2d(in, out, kernel_size,
    stride, padding, dilation, bias))` as one module: `(N, in, H, W) -> (N, out, H', W')`, the
    convolution applied to the `(N, in, sh * H, sw * W)` upsampled image.

    The convolution's `weight (out, in, kh, kw)` and `bias (out,)` are this module's own
    parameters (state dict keys `weight`, `bias`), initialised like `torch.nn.Conv2d`.
    """

    def __init__(self, in_channels, out_channels, kernel_size, scale_factor=2, stride=1, padding=0,
                 dilation=1, bias=True):
        self.upsample = NearestUpsampling(scale_factor)
        self.scale_factor = self.upsample.scale_factor
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, bias)

    def forward(self, x):
        check_input(x, self.in_channels, type(self).__name__)
        return super().forward(self.upsample.forward(x))

    def backward(self, grad_output):
        grad = super().backward(grad_output)
        return None if grad is None else self.upsample.backward(grad)

    def extra_repr(self):
        return f"scale_factor={self.scale_factor}, {super().extra_repr()}"
