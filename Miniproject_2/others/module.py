"""The `Module` base class: forward, hand-written backward, and named parameters.

Every gradient here is computed by hand; `model.py` switches autograd off for the process.
"""
import math

from torch import empty


def pair(value):
    """`3 -> (3, 3)`, `(3, 5) -> (3, 5)`: the int-or-tuple convention of `torch.nn`."""
    if isinstance(value, int):
        return (value, value)
    value = tuple(value)
    if len(value) != 2 or not all(isinstance(v, int) for v in value):
        raise ValueError(f"expected an int or a pair of ints, got {value!r}")
    return value


def uniform(shape, bound):
    """A float32 tensor of `shape` drawn from U(-bound, bound) with torch's global generator."""
    return empty(shape).uniform_(-bound, bound)


class Module:
    """Base class. Subclasses implement `forward` and `backward`.

    A module with parameters lists their attribute names in `_param_names`; each parameter
    `p` has its gradient in `p_grad` (same shape), accumulated by `backward` with `+=`.
    """

    _param_names = ()

    def forward(self, *inputs):
        raise NotImplementedError

    def backward(self, grad_output):
        """Gradient w.r.t. the input of the last `forward`; adds parameter gradients into `*_grad`."""
        raise NotImplementedError

    def __call__(self, *inputs):
        return self.forward(*inputs)

    def named_param(self, prefix=""):
        """`[(name, parameter, gradient), ...]`, names as in a `torch.nn` state dict."""
        return [(prefix + name, getattr(self, name), getattr(self, name + "_grad"))
                for name in self._param_names if getattr(self, name) is not None]

    def param(self):
        """`[(parameter, gradient), ...]`; empty for modules without parameters."""
        return [(p, g) for _, p, g in self.named_param()]

    def zero_grad(self):
        for _, grad in self.param():
            grad.zero_()

    def children(self):
        return []

    def to(self, *args, **kwargs):
        """Move/cast parameters and gradients like `Tensor.to` (e.g. `.to(x.device)`, `.to(x.dtype)`)."""
        for name in self._param_names:
            if getattr(self, name) is not None:
                setattr(self, name, getattr(self, name).to(*args, **kwargs))
                setattr(self, name + "_grad", getattr(self, name + "_grad").to(*args, **kwargs))
        for child in self.children():
            child.to(*args, **kwargs)
        return self

    def state_dict(self):
        """`{name: tensor}` of the parameters (detached copies), loadable by `load_state_dict`."""
        return {name: p.clone() for name, p, _ in self.named_param()}

    def load_state_dict(self, state):
        """Copy `state` (`{name: tensor}`) into the parameters, in place; names, shapes and finite
        values are all checked first, so a ValueError leaves every parameter as it was."""
        own = {name: p for name, p, _ in self.named_param()}
        if set(own) != set(state):
            raise ValueError(f"state dict keys {sorted(map(str, state))[:8]} do not match the model's "
                             f"{sorted(own)[:8]}")
        for name, p in own.items():
            value = state[name]
            if not isinstance(value, type(p)) or not value.is_floating_point():
                raise ValueError(f"{name}: expected a float tensor, got {type(value).__name__}")
            if tuple(value.shape) != tuple(p.shape):
                raise ValueError(f"{name}: shape {tuple(value.shape)} in the state dict, "
                                 f"{tuple(p.shape)} in the model")
            if not value.isfinite().all():
                raise ValueError(f"{name} holds NaN or infinite values")
        for name, p in own.items():
            p.copy_(state[name])

    def __repr__(self):
        return f"{type(self).__name__}({self.extra_repr()})"

    def extra_repr(self):
        return ""


def kaiming_bound(fan_in):
    """torch.nn's default: kaiming_uniform(a=sqrt(5)) for weights and U(+-1/sqrt(fan_in)) for biases
    both reduce to the bound 1/sqrt(fan_in)."""
    return 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
