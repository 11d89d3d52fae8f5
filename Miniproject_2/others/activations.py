"""Element-wise activations: `ReLU`, `LeakyReLU`, `Sigmoid`."""
from .module import Module


class ReLU(Module):
    def forward(self, x):
        self._mask = x > 0
        return x * self._mask

    def backward(self, grad_output):
        return grad_output * self._mask


class LeakyReLU(Module):
    """`x` where `x > 0`, else `negative_slope * x` (torch's default slope 0.01)."""

    def __init__(self, negative_slope=0.01):
        self.negative_slope = negative_slope

    def forward(self, x):
        self._slope = (x > 0).to(x.dtype).mul_(1 - self.negative_slope).add_(self.negative_slope)
        return x * self._slope

    def backward(self, grad_output):
        return grad_output * self._slope

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class Sigmoid(Module):
    """`1 / (1 + exp(-x))`, computed from `exp(-|x|)` so that no exponential overflows."""

    def forward(self, x):
        e = (-x.abs()).exp_()
        inv = 1 / (1 + e)  # sigmoid(|x|)
        self._out = inv.where(x >= 0, e * inv)  # sigmoid(x) = 1 - sigmoid(-x) = e / (1 + e) for x < 0
        return self._out

    def backward(self, grad_output):
        return grad_output * self._out * (1 - self._out)
