"""`PolyphaseUpsampling`: `Upsampling` (nearest upsampling, then a convolution) for 'same'
convolutions, computed without building the upsampled image.

Output pixel `(s*i + a, s*j + b)` (phase `(a, b)`) of a convolution with an odd kernel and
padding `(k - 1) / 2` on an image upsampled `s` times reads a small window of the *small* input,
with a kernel made of sums of the original taps (for a 3x3 kernel and `s = 2`: 2x2 windows). One
convolution of the small image with all `s * s` phase kernels (`s * s * C_out` outputs), then an
interleave, gives the result with about half the multiply-adds of upsample-then-convolve.
"""

from .conv import check_input, conv2d_backward, conv2d_forward
from .upsampling import Upsampling


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


class PolyphaseUpsampling(Upsampling):
    """`Upsampling` with the same arguments, parameters, initialisation and results (to float
    rounding), for a 'same' convolution only: odd kernel, padding `(k - 1) / 2`, stride 1 and
    dilation 1. `(N, in, H, W) -> (N, out, sh * H, sw * W)`.
    """

    def __init__(self, in_channels, out_channels, kernel_size, scale_factor=2, stride=1, padding=0,
                 dilation=1, bias=True):
        super().__init__(in_channels, out_channels, kernel_size, scale_factor, stride, padding, dilation, bias)
        if not (self.stride == (1, 1) and self.dilation == (1, 1)
                and all(k == 2 * p + 1 for k, p in zip(self.kernel_size, self.padding))):
            raise ValueError(f"PolyphaseUpsampling needs an odd kernel, padding (k - 1) / 2, stride 1 and "
                             f"dilation 1; got kernel {kernel_size}, padding {padding}, stride {stride}, "
                             f"dilation {dilation}: use Upsampling for these settings")
        self.plans = [PhasePlan(k, s) for k, s in zip(self.kernel_size, self.scale_factor)]

    def phase_kernels(self):
        """The weights as one kernel per output phase: `(out * sh * sw, in, window_h, window_w)`."""
        ph, pw = self.plans
        mh, mw = ph.matrix(self.weight), pw.matrix(self.weight)
        k = (mh @ self.weight @ mw.t()).view(self.out_channels, self.in_channels, ph.scale, ph.window,
                                             pw.scale, pw.window)
        return k.permute(0, 2, 4, 1, 3, 5).reshape(self.out_channels * ph.scale * pw.scale, self.in_channels,
                                                   ph.window, pw.window)

    def forward(self, x):
        check_input(x, self.in_channels, type(self).__name__)
        ph, pw = self.plans
        n, _, h, w = x.shape
        c_out = self.out_channels
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
        ph, pw = self.plans
        c_out, c_in = self.out_channels, self.in_channels
        n, _, hh, ww = grad_output.shape
        h, w = hh // ph.scale, ww // pw.scale
        g = grad_output.view(n, c_out, h, ph.scale, w, pw.scale)
        h_every, w_every = h + 2 * ph.pad - ph.window + 1, w + 2 * pw.pad - pw.window + 1
        g_every = grad_output.new_zeros((n, c_out, ph.scale, pw.scale, h_every, w_every))
        for a, ra in enumerate(ph.start):
            for b, rb in enumerate(pw.start):
                g_every[:, :, a, b, ra:ra + h, rb:rb + w] = g[:, :, :, a, :, b]
        g_every = g_every.view(n, c_out * ph.scale * pw.scale, h_every, w_every)
        grad_x, grad_k, _ = conv2d_backward(self._ctx, g_every, self.need_input_grad)
        grad_k = grad_k.view(c_out, ph.scale, pw.scale, c_in, ph.window, pw.window).permute(0, 3, 1, 4, 2, 5)
        grad_k = grad_k.reshape(c_out, c_in, ph.scale * ph.window, pw.scale * pw.window)
        self.weight_grad += ph.matrix(grad_k).t() @ grad_k @ pw.matrix(grad_k)
        if self.bias is not None:
            self.bias_grad += grad_output.sum((0, 2, 3))
        return grad_x
