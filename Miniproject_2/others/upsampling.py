"""Nearest-neighbour upsampling, and `Upsampling`: nearest upsampling followed by a convolution.

`Upsampling` with an odd kernel and 'same' padding never builds the upsampled image: each of the
`s * s` output phases `(a, b)` (pixels `(s*i + a, s*j + b)`) is a convolution of the *small* input
with a kernel made of sums of the original taps. One convolution with `s * s * C_out` outputs
computes all phases, and a depth-to-space reshape interleaves them: the same sums over
`s * s` times fewer columns.
"""
from torch import arange, cat

from .conv import Conv2d, check_input, conv2d_backward, conv2d_forward
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


def phase_matrix(kernel, padding, scale, device, dtype):
    """`M (scale * k_small, kernel)`: row `a * k_small + d` sums the taps `u` of output phase `a`
    that read the small-image offset `d - padding_small` (`k_small = 2 * padding_small + 1`)."""
    pad_small = -((-padding) // scale)  # ceil(padding / scale)
    k_small = 2 * pad_small + 1
    taps = arange(kernel, device=device)
    rows = [((a + taps - padding).div(scale, rounding_mode="floor") + pad_small == d).view(1, kernel)
            for a in range(scale) for d in range(k_small)]
    return cat(rows, 0).to(dtype), pad_small


class Upsampling(Module):
    """Nearest upsampling by `scale_factor`, then `Conv2d(in, out, kernel_size, stride, padding, dilation, bias)`.

    `weight (out, in, kh, kw)` and `bias (out,)` are those of the convolution on the upsampled
    image, initialised like `torch.nn.Conv2d`.
    """

    _param_names = ("weight", "bias")

    def __init__(self, in_channels, out_channels, kernel_size, scale_factor=2, stride=1, padding=0,
                 dilation=1, bias=True):
        self.upsample = NearestUpsampling(scale_factor)
        self.conv = Conv2d(in_channels, out_channels, kernel_size, stride, padding, dilation, bias)
        self.scale_factor = self.upsample.scale_factor
        kernel, pad = self.conv.kernel_size, self.conv.padding
        # the phase route needs 'same' output size: odd kernel, padding (k - 1) / 2, stride 1
        self.phased = (self.conv.stride == (1, 1) and self.conv.dilation == (1, 1)
                       and all(k == 2 * p + 1 for k, p in zip(kernel, pad)))
        self._ctx = None

    # the parameters live in the inner convolution (one copy, one initialisation)
    weight = property(lambda self: self.conv.weight, lambda self, v: setattr(self.conv, "weight", v))
    bias = property(lambda self: self.conv.bias, lambda self, v: setattr(self.conv, "bias", v))
    weight_grad = property(lambda self: self.conv.weight_grad,
                           lambda self, v: setattr(self.conv, "weight_grad", v))
    bias_grad = property(lambda self: self.conv.bias_grad, lambda self, v: setattr(self.conv, "bias_grad", v))

    def phase_matrices(self):
        w = self.weight
        return [phase_matrix(k, p, s, w.device, w.dtype) for k, p, s in
                zip(self.conv.kernel_size, self.conv.padding, self.scale_factor)]

    def forward(self, x):
        check_input(x, self.conv.in_channels, "Upsampling")
        if not self.phased:
            self._ctx = None
            return self.conv.forward(self.upsample.forward(x))
        (mh, ph), (mw, pw) = self.phase_matrices()
        sh, sw = self.scale_factor
        c_out, c_in = self.conv.out_channels, self.conv.in_channels
        # phase kernels: (out, in, sh*kh_small, sw*kw_small) -> (out * sh * sw, in, kh_small, kw_small)
        small = (mh @ self.weight @ mw.t()).view(c_out, c_in, sh, 2 * ph + 1, sw, 2 * pw + 1)
        small = small.permute(0, 2, 4, 1, 3, 5).reshape(c_out * sh * sw, c_in, 2 * ph + 1, 2 * pw + 1)
        out, self._ctx = conv2d_forward(x, small, None, (1, 1), (ph, pw), (1, 1))
        n, _, h, w = out.shape
        out = out.view(n, c_out, sh, sw, h, w).permute(0, 1, 4, 2, 5, 3).reshape(n, c_out, h * sh, w * sw)
        if self.bias is not None:
            out += self.bias.view(1, -1, 1, 1)
        return out

    def backward(self, grad_output):
        if self._ctx is None:
            return self.upsample.backward(self.conv.backward(grad_output))
        (mh, ph), (mw, pw) = self.phase_matrices()
        sh, sw = self.scale_factor
        c_out, c_in = self.conv.out_channels, self.conv.in_channels
        n, _, hh, ww = grad_output.shape
        h, w = hh // sh, ww // sw
        g_small = grad_output.view(n, c_out, h, sh, w, sw).permute(0, 1, 3, 5, 2, 4).reshape(
            n, c_out * sh * sw, h, w)
        grad_x, grad_small, _ = conv2d_backward(self._ctx, g_small, self.conv.need_input_grad)
        grad_small = grad_small.view(c_out, sh, sw, c_in, 2 * ph + 1, 2 * pw + 1).permute(0, 3, 1, 4, 2, 5)
        grad_small = grad_small.reshape(c_out, c_in, sh * (2 * ph + 1), sw * (2 * pw + 1))
        self.conv.weight_grad += mh.t() @ grad_small @ mw
        if self.bias is not None:
            self.conv.bias_grad += grad_output.sum((0, 2, 3))
        return grad_x

    def to(self, *args, **kwargs):
        self.conv.to(*args, **kwargs)
        return self

    def extra_repr(self):
        return f"scale_factor={self.scale_factor}, {self.conv.extra_repr()}"
