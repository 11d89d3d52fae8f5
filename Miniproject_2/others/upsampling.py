"""Nearest-neighbour upsampling, and `Upsampling`: nearest upsampling followed by a convolution.

`Upsampling` with an odd kernel and 'same' padding never builds the upsampled image. Output
pixel `(s*i + a, s*j + b)` (phase `(a, b)`) reads a small window of the *small* input, with a
kernel made of sums of the original taps (for a 3x3 kernel and `s = 2`: 2x2 windows). One
convolution of the small image with all `s * s` phase kernels (`s * s * C_out` outputs), then an
interleave, gives the result with about half the multiply-adds of upsample-then-convolve.
"""

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


class PhasePlan:
    """How output phase `a` (rows `s*i + a`) of a 'same' convolution with kernel `k` (padding
    `(k - 1) / 2`) on an image upsampled `s` times reads the small image.

    Tap `u` of phase `a` reads small row `i + floor((a + u - p) / s)`: a window of at most
    `window` rows starting at offset `low[a]`. All phases share one unfold of the small image
    (padding `pad`); phase `a` takes the windows from `start[a] = low[a] + pad` on.
    """

    def __init__(self, kernel, scale):
        p = (kernel - 1) // 2
        offsets = [[(a + u - p) // scale for u in range(kernel)] for a in range(scale)]
        self.low = [min(o) for o in offsets]
        self.window = max(max(o) - min(o) + 1 for o in offsets)
        self.pad = max(-min(self.low), max(lo + self.window - 1 for lo in self.low))
        self.start = [lo + self.pad for lo in self.low]
        self.offsets, self.scale, self.kernel = offsets, scale, kernel
        self._matrices = {}

    def matrix(self, like):
        """`M (scale * window, kernel)`: `M[a * window + d, u] = 1` where phase `a`'s tap `u` reads
        window row `d`; on `like`'s device and dtype (cached)."""
        key = (like.device, like.dtype)
        if key not in self._matrices:
            m = like.new_zeros((self.scale * self.window, self.kernel))
            for a, (offs, lo) in enumerate(zip(self.offsets, self.low)):
                for u, o in enumerate(offs):
                    m[a * self.window + o - lo, u] = 1
            self._matrices[key] = m
        return self._matrices[key]


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
        self.plans = [PhasePlan(k, s) for k, s in zip(kernel, self.scale_factor)] if self.phased else None
        self._ctx = None

    # the parameters live in the inner convolution (one copy, one initialisation)
    weight = property(lambda self: self.conv.weight, lambda self, v: setattr(self.conv, "weight", v))
    bias = property(lambda self: self.conv.bias, lambda self, v: setattr(self.conv, "bias", v))
    weight_grad = property(lambda self: self.conv.weight_grad,
                           lambda self, v: setattr(self.conv, "weight_grad", v))
    bias_grad = property(lambda self: self.conv.bias_grad, lambda self, v: setattr(self.conv, "bias_grad", v))

    def phase_kernels(self):
        """The weights as one kernel per output phase: `(out * sh * sw, in, window_h, window_w)`."""
        ph, pw = self.plans
        mh, mw = ph.matrix(self.weight), pw.matrix(self.weight)
        c_out, c_in = self.conv.out_channels, self.conv.in_channels
        k = (mh @ self.weight @ mw.t()).view(c_out, c_in, ph.scale, ph.window, pw.scale, pw.window)
        return k.permute(0, 2, 4, 1, 3, 5).reshape(c_out * ph.scale * pw.scale, c_in, ph.window, pw.window)

    def forward(self, x):
        check_input(x, self.conv.in_channels, "Upsampling")
        if not self.phased:
            self._ctx = None
            return self.conv.forward(self.upsample.forward(x))
        ph, pw = self.plans
        n, _, h, w = x.shape
        c_out = self.conv.out_channels
        every, self._ctx = conv2d_forward(x, self.phase_kernels(), None, (1, 1), (ph.pad, pw.pad), (1, 1))
        every = every.view(n, c_out, ph.scale, pw.scale, every.shape[2], every.shape[3])
        out = x.new_empty((n, c_out, h, ph.scale, w, pw.scale))
        for a, ra in enumerate(ph.start):
            for b, rb in enumerate(pw.start):
                out[:, :, :, a, :, b] = every[:, :, a, b, ra:ra + h, rb:rb + w]
        out = out.view(n, c_out, h * ph.scale, w * pw.scale)
        if self.bias is not None:
            out += self.bias.view(1, -1, 1, 1)
        return out

    def backward(self, grad_output):
        if self._ctx is None:
            return self.upsample.backward(self.conv.backward(grad_output))
        ph, pw = self.plans
        c_out, c_in = self.conv.out_channels, self.conv.in_channels
        n, _, hh, ww = grad_output.shape
        h, w = hh // ph.scale, ww // pw.scale
        g = grad_output.view(n, c_out, h, ph.scale, w, pw.scale)
        h_every, w_every = h + 2 * ph.pad - ph.window + 1, w + 2 * pw.pad - pw.window + 1
        g_every = grad_output.new_zeros((n, c_out, ph.scale, pw.scale, h_every, w_every))
        for a, ra in enumerate(ph.start):
            for b, rb in enumerate(pw.start):
                g_every[:, :, a, b, ra:ra + h, rb:rb + w] = g[:, :, :, a, :, b]
        g_every = g_every.view(n, c_out * ph.scale * pw.scale, h_every, w_every)
        grad_x, grad_k, _ = conv2d_backward(self._ctx, g_every, self.conv.need_input_grad)
        grad_k = grad_k.view(c_out, ph.scale, pw.scale, c_in, ph.window, pw.window).permute(0, 3, 1, 4, 2, 5)
        grad_k = grad_k.reshape(c_out, c_in, ph.scale * ph.window, pw.scale * pw.window)
        self.conv.weight_grad += ph.matrix(grad_k).t() @ grad_k @ pw.matrix(grad_k)
        if self.bias is not None:
            self.conv.bias_grad += grad_output.sum((0, 2, 3))
        return grad_x

    def to(self, *args, **kwargs):
        self.conv.to(*args, **kwargs)
        return self

    def extra_repr(self):
        return f"scale_factor={self.scale_factor}, {self.conv.extra_repr()}"
