"""Max pooling on `unfold`/`fold`."""
from .im2col import fold, unfold
from .module import Module, pair


class MaxPool2d(Module):
    """Like `torch.nn.MaxPool2d(kernel_size, stride=None, padding=0)`; the gradient goes to the first maximum."""

    def __init__(self, kernel_size, stride=None, padding=0):
        self.kernel_size = pair(kernel_size)
        self.stride = pair(stride) if stride is not None else self.kernel_size
        self.padding = pair(padding)
        if any(2 * p > k for p, k in zip(self.padding, self.kernel_size)):
            raise ValueError("MaxPool2d padding must be at most half the kernel size")

    def forward(self, x):
        n, c, h, w = x.shape
        self._shape = x.shape
        if max(self.padding) > 0:  # pad with -inf so that padding never wins
            ph, pw = self.padding
            padded = x.new_full((n, c, h + 2 * ph, w + 2 * pw), float("-inf"))
            padded[:, :, ph:ph + h, pw:pw + w] = x
            x = padded
        cols = unfold(x, self.kernel_size, stride=self.stride)  # (N, C * kh * kw, L)
        k = self.kernel_size[0] * self.kernel_size[1]
        out, self._index = cols.view(n, c, k, -1).max(2, keepdim=True)
        self._cols_shape, self._padded = cols.shape, x.shape[2:]
        h_out = (x.shape[2] - self.kernel_size[0]) // self.stride[0] + 1
        return out.view(n, c, h_out, -1)

    def backward(self, grad_output):
        n, c = grad_output.shape[:2]
        k = self.kernel_size[0] * self.kernel_size[1]
        g_cols = grad_output.new_zeros((n, c, k, self._cols_shape[2]))
        g_cols.scatter_(2, self._index, grad_output.reshape(n, c, 1, -1))
        g = fold(g_cols.view(self._cols_shape), self._padded, self.kernel_size, stride=self.stride)
        ph, pw = self.padding
        return g[:, :, ph:ph + self._shape[2], pw:pw + self._shape[3]]

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
