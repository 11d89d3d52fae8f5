"""Containers: `Sequential` chains modules; `SkipConcat` adds a U-Net skip connection; `Residual`
adds the input to the output."""
from torch import cat

from .module import Module


class Container(Module):
    """Parameters of the children, named `<index>.<name>` like a `torch.nn.Sequential` state dict."""

    def __init__(self, *modules):
        self.modules = list(modules)

    def children(self):
        return self.modules

    def named_param(self, prefix=""):
        return [entry for i, m in enumerate(self.modules) for entry in m.named_param(f"{prefix}{i}.")]

    def __getitem__(self, index):
        return self.modules[index]

    def __len__(self):
        return len(self.modules)

    def __repr__(self):
        inner = "\n".join(f"  ({i}): " + repr(m).replace("\n", "\n  ") for i, m in enumerate(self.modules))
        return f"{type(self).__name__}(\n{inner}\n)"


class Sequential(Container):
    def forward(self, x):
        for m in self.modules:
            x = m.forward(x)
        return x

    def backward(self, grad_output):
        for m in reversed(self.modules):
            grad_output = m.backward(grad_output)
        return grad_output


class SkipConcat(Sequential):
    """`x -> cat([x, inner(x)], dim=1)` with `inner = Sequential(*modules)`: a U-Net skip connection.

    Nest them to build a U-Net: `Sequential(enc, SkipConcat(down, ..., up), dec)`.
    """

    def forward(self, x):
        self._channels = x.shape[1]
        return cat([x, super().forward(x)], 1)

    def backward(self, grad_output):
        inner = super().backward(grad_output[:, self._channels:])
        return grad_output[:, :self._channels] + inner


class Residual(Sequential):
    """`x -> x + inner(x)` with `inner = Sequential(*modules)`: a network that learns a correction
    of its input (for a denoiser, minus the noise) starts near the identity."""

    def forward(self, x):
        return x + super().forward(x)

    def backward(self, grad_output):
        return grad_output + super().backward(grad_output)
