"""2-D convolutions built on `unfold`/`fold` and matrix products.

Two equivalent ways compute a convolution; each call takes the one that touches less memory:
- "unfold": `out = W @ unfold(x)`, the im2col of the input with `C_in * kh * kw` rows.
- "fold" (stride 1 only, when `C_out < C_in`): `out = fold(W_flipped^T @ x)`: the same sum seen
  as a transposed convolution, whose columns have only `C_out * kh * kw` rows.
The backward pass takes the route its forward took (stored in `ConvContext`): on the "fold" route
the input gradient is a convolution of the output gradient with the flipped kernel (an unfold of
`grad_output`); on the "unfold" route it is a fold of `W^T @ grad_output`.
"""
from .im2col import fold, unfold
from .module import Module, kaiming_bound, pair, uniform


def conv_output_size(size, kernel, stride, padding, dilation):
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def flipped_padding(kernel, padding, dilation):
    """Padding of the flipped-kernel convolution that is the adjoint of a stride-1 convolution."""
    return tuple(d * (k - 1) - p for k, p, d in zip(kernel, padding, dilation))


def adjoint_is_smaller(stride, c_in, c_out, adjoint_pad):
    """Whether the flipped-kernel ("fold") form applies (stride 1, padding at most the kernel
    reach) and has fewer column rows than the unfold of the input."""
    return stride == (1, 1) and c_out < c_in and min(adjoint_pad) >= 0


def sum_of_products(a, b):
    """`sum_n a[n] @ b[n]^T` for `a (N, P, L)`, `b (N, Q, L)` -> `(P, Q)`, accumulated in place:
    a batched product then a sum would build an `(N, P, Q)` temporary several times slower."""
    out = a[0] @ b[0].t()
    for n in range(1, a.shape[0]):
        out.addmm_(a[n], b[n].t())
    return out


class ConvContext:
    """What a convolution's backward needs from its forward."""

    def __init__(self, x, weight, stride, padding, dilation, cols, route):
        self.x, self.weight, self.cols, self.route = x, weight, cols, route
        self.stride, self.padding, self.dilation = stride, padding, dilation


def conv2d_forward(x, weight, bias, stride, padding, dilation):
    """`x (N, C_in, H, W)`, `weight (C_out, C_in, kh, kw)`, `bias (C_out,)` or None -> `(out, ctx)`."""
    n, c_in, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    h_out = conv_output_size(h, kh, stride[0], padding[0], dilation[0])
    w_out = conv_output_size(w, kw, stride[1], padding[1], dilation[1])
    if h_out < 1 or w_out < 1:
        raise ValueError(f"input {h}x{w} is too small for kernel {kh}x{kw} with padding {padding} "
                         f"and dilation {dilation}")
    adjoint_pad = flipped_padding((kh, kw), padding, dilation)
    if adjoint_is_smaller(stride, c_in, c_out, adjoint_pad):
        w_flip = weight.flip(2, 3).permute(0, 2, 3, 1).reshape(c_out * kh * kw, c_in)
        out = fold(w_flip @ x.reshape(n, c_in, h * w), (h_out, w_out), (kh, kw),
                   dilation=dilation, padding=adjoint_pad)
        if bias is not None:
            out += bias.view(1, c_out, 1, 1)
        return out, ConvContext(x, weight, stride, padding, dilation, None, "fold")
    cols = unfold(x, (kh, kw), dilation=dilation, padding=padding, stride=stride)
    w_mat = weight.reshape(c_out, -1)
    if bias is None:
        out = w_mat @ cols
    else:
        # Bias first, then one multiply-add per image: the order torch's own CPU convolution
        # sums in, so float32 results equal F.conv2d's to the last bit on that path.
        out = bias.view(1, c_out, 1).expand(n, c_out, cols.shape[2]).contiguous()
        out.baddbmm_(w_mat.expand(n, -1, -1), cols)
    return out.view(n, c_out, h_out, w_out), ConvContext(x, weight, stride, padding, dilation, cols, "unfold")


def conv2d_backward(ctx, grad_output, need_input_grad=True):
    """`grad_output (N, C_out, H_out, W_out)` -> `(grad_x or None, grad_weight, grad_bias)`, on the
    route the forward took (`ctx.route`)."""
    x, weight = ctx.x, ctx.weight
    n, c_in, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    grad_bias = grad_output.sum((0, 2, 3))
    grad_x = None
    if ctx.route == "fold":
        # rows (o, i, j) of the flipped kernel, columns at every input position
        grad_cols = unfold(grad_output, (kh, kw), dilation=ctx.dilation,
                           padding=flipped_padding((kh, kw), ctx.padding, ctx.dilation))
        grad_flip = sum_of_products(grad_cols, x.reshape(n, c_in, h * w))
        grad_weight = grad_flip.view(c_out, kh, kw, c_in).permute(0, 3, 1, 2).flip(2, 3)
        if need_input_grad:
            w_adj = weight.flip(2, 3).transpose(0, 1).reshape(c_in, c_out * kh * kw)
            grad_x = (w_adj @ grad_cols).view(n, c_in, h, w)
    else:
        g = grad_output.reshape(n, c_out, -1)
        grad_weight = sum_of_products(g, ctx.cols).view(weight.shape)
        if need_input_grad:
            grad_x = fold(weight.reshape(c_out, -1).t() @ g, (h, w), (kh, kw), dilation=ctx.dilation,
                          padding=ctx.padding, stride=ctx.stride)
    return grad_x, grad_weight, grad_bias


class _ConvNd(Module):
    """What `Conv2d` and `TransposeConv2d` share, as `torch.nn.modules.conv._ConvNd` does: the
    settings and their checks, `weight` and `bias` with torch's initialisation, the repr."""

    _param_names = ("weight", "bias")

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, transposed,
                 output_padding, bias):
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride = pair(kernel_size), pair(stride)
        self.padding, self.dilation = pair(padding), pair(dilation)
        self.transposed, self.output_padding = transposed, pair(output_padding)
        if min(self.kernel_size) < 1 or min(self.stride) < 1 or min(self.dilation) < 1 or min(self.padding) < 0:
            raise ValueError(f"invalid {type(self).__name__} settings: kernel {kernel_size}, stride {stride}, "
                             f"padding {padding}, dilation {dilation}")
        if any(op >= max(s, d) for op, s, d in zip(self.output_padding, self.stride, self.dilation)):
            raise ValueError("output_padding must be smaller than either stride or dilation")
        # torch's weight layouts, and its fan_in taken from weight.shape[1] (out_channels for a
        # transposed convolution)
        channels = (in_channels, out_channels) if transposed else (out_channels, in_channels)
        bound = kaiming_bound(channels[1] * self.kernel_size[0] * self.kernel_size[1])
        self.weight = uniform(channels + self.kernel_size, bound)
        self.bias = uniform((out_channels,), bound) if bias else None
        self.weight_grad = self.weight.new_zeros(self.weight.shape)
        self.bias_grad = self.bias.new_zeros(self.bias.shape) if bias else None

    def extra_repr(self):
        transposed = f", output_padding={self.output_padding}" if self.transposed else ""
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}{transposed}, dilation={self.dilation}, "
                f"bias={self.bias is not None}")


class Conv2d(_ConvNd):
    """Like `torch.nn.Conv2d` (no groups): `weight (out, in, kh, kw)`, `bias (out,)`, torch's init."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, bias=True):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, False, 0, bias)
        self.need_input_grad = True  # a first layer may set this to False to skip dL/dx
        self._ctx = None

    def forward(self, x):
        check_input(x, self.in_channels, type(self).__name__)
        out, self._ctx = conv2d_forward(x, self.weight, self.bias, self.stride, self.padding, self.dilation)
        return out

    def backward(self, grad_output):
        grad_x, grad_w, grad_b = conv2d_backward(self._ctx, grad_output, self.need_input_grad)
        self.weight_grad += grad_w
        if self.bias is not None:
            self.bias_grad += grad_b
        return grad_x


class TransposeConv2d(_ConvNd):
    """Like `torch.nn.ConvTranspose2d` (no groups): `weight (in, out, kh, kw)`, `bias (out,)`."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0,
                 bias=True, dilation=1):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, True,
                         output_padding, bias)
        self._x = None

    def output_size(self, h, w):
        return tuple((size - 1) * s - 2 * p + d * (k - 1) + op + 1 for size, s, p, d, k, op in zip(
            (h, w), self.stride, self.padding, self.dilation, self.kernel_size, self.output_padding))

    def forward(self, x):
        check_input(x, self.in_channels, type(self).__name__)
        n, c_in, h, w = x.shape
        self._x = x
        cols = self.weight.reshape(c_in, -1).t() @ x.reshape(n, c_in, h * w)
        out = fold(cols, self.output_size(h, w), self.kernel_size, dilation=self.dilation,
                   padding=self.padding, stride=self.stride)
        if self.bias is not None:
            out += self.bias.view(1, -1, 1, 1)
        return out

    def backward(self, grad_output):
        x = self._x
        n, c_in, h, w = x.shape
        g_cols = unfold(grad_output, self.kernel_size, dilation=self.dilation, padding=self.padding,
                        stride=self.stride)  # (N, out * kh * kw, h * w)
        x_mat = x.reshape(n, c_in, h * w)
        self.weight_grad += sum_of_products(x_mat, g_cols).view(self.weight.shape)
        if self.bias is not None:
            self.bias_grad += grad_output.sum((0, 2, 3))
        return (self.weight.reshape(c_in, -1) @ g_cols).view(n, c_in, h, w)


def check_input(x, channels, name):
    """A clear error for a wrong input, instead of a shape error deep inside a matrix product."""
    if x.dim() != 4 or x.shape[1] != channels:
        raise ValueError(f"{name} expects (N, {channels}, H, W) input, got {tuple(x.shape)}")
