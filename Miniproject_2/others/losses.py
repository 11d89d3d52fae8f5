"""Loss functions."""
from .module import Module


class MSE(Module):
    """Mean squared error over all elements, like `torch.nn.MSELoss()`.

    `forward(prediction, target)` returns a 0-d tensor; `backward()` returns dL/dprediction.
    """

    def forward(self, prediction, target):
        if prediction.shape != target.shape:
            raise ValueError(f"MSE needs prediction and target of one shape, got "
                             f"{tuple(prediction.shape)} and {tuple(target.shape)}")
        self._diff = prediction - target
        return (self._diff * self._diff).mean()

    def backward(self, grad_output=1.0):
        return self._diff * (2.0 * grad_output / self._diff.numel())
