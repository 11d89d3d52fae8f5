"""Containers: `Sequential` chains modules; `SkipConcat` adds a U-Net skip connection."""
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


class SkipConcat(Container):
    """`x -> cat([x, inner(x)], dim=1)` with `inner = Sequential(*modules)`: a U-Net skip connection.

    Nest them to build a U-Net: `Sequential(enc, SkipConcat(down, ..., up), dec)`.
    """

    def forward(self, x):
        self._channels = x.shape[1]
        y = x
        for m in self.modules:
            y = m.forward(y)
        return cat([x, y], 1)

    def backward(self, grad_output):
        g = grad_output[:, self._channels:]
        for m in reversed(self.modules):
            g = m.backward(g)
        return grad_output[:, :self._channels] + g
