"""How far Miniproject_2's modules are from torch in float32, at the prescribed network's shapes.

Each module runs forward and backward in float32 on random inputs and a random output gradient
(seeded per module), beside two references computed with torch autograd on the same values: torch's
own float32 implementation (`torch.nn.functional`), and the same expression in float64, exact for these
float32 inputs up to float64 rounding. The float32 errors say whether our result agrees
with torch's; the float64 ones say how accurate each is, and `torch_float64_*` gives torch's own
float32 error for scale. Writes results/mp2_module_errors.json:

    {"batch", "seconds", "modules": [entry, ...]} plus the machine (threads included) and the date, where
    entry = {
      "module": "Conv2d 3->96, stride 2",        # what was measured, in words
      "kind": "Conv2d",                          # our class
      "shape": [32, 3, 32, 32],                  # input shape (N, C, H, W)
      "output_error", "input_grad_error", "param_grad_error":
          max |ours - torch float32| of the output, dL/dx and all parameter gradients together
      "float64_output_error", "float64_input_grad_error", "float64_param_grad_error":
          max |ours - torch float64|
      "torch_float64_output_error", "torch_float64_input_grad_error", "torch_float64_param_grad_error":
          max |torch float32 - torch float64|
      "max_abs_reference": {"output", "input_grad", "param_grad"}: max |torch float64|, the scale
          that the errors are relative to
    }

`param_grad_*` are null for modules without parameters. MSE's output is the loss and its output
gradient a random scalar; the whole network's input gradient is measured although `Model` skips it.

    python -m tools.bench.mp2_module_errors [--batch 32] [--threads 1]
"""
import argparse
import time

import torch
import torch.nn.functional as F

from tools.results_writer import write_results
from Miniproject_2.others.activations import LeakyReLU, ReLU, Sigmoid
from Miniproject_2.others.containers import Residual, SkipConcat
from Miniproject_2.others.conv import Conv2d, TransposeConv2d
from Miniproject_2.others.losses import MSE
from Miniproject_2.others.network import PRESCRIBED_WIDTHS, prescribed_net
from Miniproject_2.others.polyphase_upsampling import PolyphaseUpsampling
from Miniproject_2.others.pooling import MaxPool2d
from Miniproject_2.others.upsampling import NearestUpsampling, Upsampling

QUANTITIES = ("output", "input_grad", "param_grad")
UNET_WIDTH = 32  # the extended U-Net's width: the containers are measured at its top level


class LossAsModule:
    """MSE against a fixed target, seen as a one-input module so that it is measured like the others."""

    kind = "MSE"

    def __init__(self, target):
        self.mse, self.target = MSE(), target

    def forward(self, x):
        return self.mse.forward(x, self.target)

    def backward(self, grad_output):
        return self.mse.backward(grad_output)

    def param(self):
        return []


def conv_ref(stride=1, padding=1):
    return lambda x, w, b: F.conv2d(x, w, b, stride, padding)


def up_conv_ref(x, w, b):
    return F.conv2d(F.interpolate(x, scale_factor=2, mode="nearest"), w, b, padding=1)


def network_ref(x, w0, b0, w1, b1, w2, b2, w3, b3):
    """The prescribed network in torch.nn.functional, upsampling layers as upsample-then-convolve."""
    y = F.relu(F.conv2d(x, w0, b0, 2, 1))
    y = F.relu(F.conv2d(y, w1, b1, 2, 1))
    y = F.relu(up_conv_ref(y, w2, b2))
    return torch.sigmoid(up_conv_ref(y, w3, b3))


def module_cases(batch=32, widths=PRESCRIBED_WIDTHS, size=32, unet_width=UNET_WIDTH):
    """`[(name, module, reference, input), ...]` at the prescribed network's shapes for `size`x`size`
    images: `reference(x, *params)` is the torch expression of `module` with its parameters in
    `module.param()` order. Each module and input is drawn from its own seed."""
    w1, w2 = widths
    half, quarter = size // 2, size // 4
    specs = [
        (f"Conv2d 3->{w1}, stride 2", lambda: Conv2d(3, w1, 3, stride=2, padding=1), conv_ref(2), (3, size)),
        (f"Conv2d {w1}->{w2}, stride 2", lambda: Conv2d(w1, w2, 3, stride=2, padding=1), conv_ref(2), (w1, half)),
        (f"Conv2d {w1}->3 (fold route)", lambda: Conv2d(w1, 3, 3, padding=1), conv_ref(), (w1, size)),
        (f"TransposeConv2d {w2}->{w1}, stride 2", lambda: TransposeConv2d(w2, w1, 3, stride=2, padding=1,
                                                                          output_padding=1),
         lambda x, w, b: F.conv_transpose2d(x, w, b, 2, 1, 1), (w2, quarter)),
        ("NearestUpsampling x2", lambda: NearestUpsampling(2),
         lambda x: F.interpolate(x, scale_factor=2, mode="nearest"), (w2, quarter)),
        (f"Upsampling {w2}->{w1}", lambda: Upsampling(w2, w1, 3, padding=1), up_conv_ref, (w2, quarter)),
        (f"PolyphaseUpsampling {w2}->{w1}", lambda: PolyphaseUpsampling(w2, w1, 3, padding=1), up_conv_ref,
         (w2, quarter)),
        (f"PolyphaseUpsampling {w1}->3", lambda: PolyphaseUpsampling(w1, 3, 3, padding=1), up_conv_ref, (w1, half)),
        ("ReLU", ReLU, F.relu, (w1, half)),
        ("LeakyReLU 0.1", lambda: LeakyReLU(0.1), lambda x: F.leaky_relu(x, 0.1), (unet_width, size)),
        ("Sigmoid", Sigmoid, torch.sigmoid, (3, size)),
        ("MaxPool2d 2", lambda: MaxPool2d(2), lambda x: F.max_pool2d(x, 2), (unet_width, size)),
        ("MSE", None, None, (3, size)),
        (f"SkipConcat(Conv2d, LeakyReLU) {unet_width}->{unet_width}",
         lambda: SkipConcat(Conv2d(unet_width, unet_width, 3, padding=1), LeakyReLU(0.1)),
         lambda x, w, b: torch.cat([x, F.leaky_relu(F.conv2d(x, w, b, padding=1), 0.1)], 1), (unet_width, size)),
        (f"Residual(Conv2d, LeakyReLU, Conv2d) 3->{unet_width}->3",
         lambda: Residual(Conv2d(3, unet_width, 3, padding=1), LeakyReLU(0.1), Conv2d(unet_width, 3, 3, padding=1)),
         lambda x, w0, b0, w1_, b1: x + F.conv2d(F.leaky_relu(F.conv2d(x, w0, b0, padding=1), 0.1), w1_, b1,
                                                 padding=1), (3, size)),
        ("prescribed network", None, network_ref, (3, size)),
    ]
    cases = []
    for seed, (name, make, reference, (channels, side)) in enumerate(specs):
        torch.manual_seed(seed)
        # in [0, 1] like the images the network sees; elsewhere zero-mean, so ReLUs cut half
        x = torch.rand(batch, channels, side, side) if name == "prescribed network" else \
            torch.randn(batch, channels, side, side)
        if name == "MSE":
            target = torch.rand_like(x)
            module, reference = LossAsModule(target), (lambda t: lambda x: F.mse_loss(x, t.to(x.dtype)))(target)
        elif name == "prescribed network":
            module = prescribed_net(widths)
            module[0].need_input_grad = True  # Model skips dL/d(image); measured here all the same
        else:
            module = make()
        cases.append((name, module, reference, x))
    return cases


def autograd(reference, x, params, grad_output, dtype):
    """`(output, dL/dx, [dL/dp, ...])` of `reference` by torch autograd, everything cast to `dtype`."""
    xr = x.detach().to(dtype, copy=True).requires_grad_(True)
    pr = [p.detach().to(dtype, copy=True).requires_grad_(True) for p in params]
    with torch.enable_grad():
        y = reference(xr, *pr)
        y.backward(grad_output.to(dtype))
    return y.detach(), xr.grad, [p.grad for p in pr]


def max_error(ours, reference):
    """max |ours - reference| over a tensor or a list of tensors, in float64; None for an empty list."""
    if isinstance(ours, list):
        return max((max_error(a, b) for a, b in zip(ours, reference)), default=None)
    return (ours.double() - reference.double()).abs().max().item()


def max_abs(values):
    if isinstance(values, list):
        return max((max_abs(v) for v in values), default=None)
    return values.abs().max().item()


def compare(name, module, reference, x):
    """One entry of the results (see the module docstring): `module` (float32) against `reference`
    by autograd in float32 and in float64, one forward and one backward pass on `x`."""
    params = [p for p, _ in module.param()]
    with torch.no_grad():  # as in Model, where importing the framework turns autograd off
        y = module.forward(x)
        torch.manual_seed(1000)
        grad_output = torch.randn_like(y)
        for _, g in module.param():
            g.zero_()
        ours = (y, module.backward(grad_output), [g for _, g in module.param()])
    ref32 = autograd(reference, x, params, grad_output, torch.float32)
    ref64 = autograd(reference, x, params, grad_output, torch.float64)
    entry = {"module": name, "kind": getattr(module, "kind", type(module).__name__), "shape": list(x.shape)}
    for prefix, (a, b) in (("", (ours, ref32)), ("float64_", (ours, ref64)), ("torch_float64_", (ref32, ref64))):
        for quantity, mine, theirs in zip(QUANTITIES, a, b):
            entry[f"{prefix}{quantity}_error"] = max_error(mine, theirs)
    entry["max_abs_reference"] = {q: max_abs(v) for q, v in zip(QUANTITIES, ref64)}
    return entry


def measure(cases):
    return [compare(*case) for case in cases]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=32, help="images per batch (default: 32, the training batch)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default: 1)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    entries = measure(module_cases(args.batch))
    seconds = time.perf_counter() - start
    for e in entries:
        params = "" if e["param_grad_error"] is None else f"  dW {e['param_grad_error']:.1e}"
        print(f"{e['module']:<45} y {e['output_error']:.1e}  dx {e['input_grad_error']:.1e}{params}")
    write_results("mp2_module_errors", {"batch": args.batch, "seconds": round(seconds, 1), "modules": entries})


if __name__ == "__main__":
    main()
