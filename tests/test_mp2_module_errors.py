"""tools/bench/mp2_module_errors.py: every module within float32 rounding of torch, and a wrong
module caught by the same measurement."""
import json

import pytest
import torch

from Miniproject_2.others.activations import ReLU
from Miniproject_2.others.conv import Conv2d, conv2d_forward
from tools.bench.mp2_module_errors import QUANTITIES, compare, conv_ref, measure, module_cases
from tools.results_writer import RESULTS

# Errors relative to the largest reference value. Float32 rounding stays near 1e-6 even for the
# sums over a training batch; a gradient 1% off is 1e-2.
REL_TOL = 1e-4
TINY = dict(batch=2, widths=(6, 8), size=8, unet_width=4)


def relative_errors(entry, prefix=""):
    """`{quantity: error / max |reference|}` of one results entry, for the quantities it has."""
    scale = entry["max_abs_reference"]
    return {q: entry[f"{prefix}{q}_error"] / scale[q] for q in QUANTITIES if entry[f"{prefix}{q}_error"] is not None}


@pytest.fixture(scope="module")
def tiny_entries():
    return measure(module_cases(**TINY))


def test_every_module_is_measured(tiny_entries):
    kinds = {e["kind"] for e in tiny_entries}
    assert kinds == {"Conv2d", "TransposeConv2d", "NearestUpsampling", "Upsampling", "PolyphaseUpsampling", "ReLU",
                     "LeakyReLU", "Sigmoid", "MaxPool2d", "MSE", "SkipConcat", "Residual", "Sequential"}


def test_every_module_matches_torch_float32_and_float64(tiny_entries):
    for entry in tiny_entries:
        for prefix in ("", "float64_"):
            for quantity, error in relative_errors(entry, prefix).items():
                assert error < REL_TOL, (entry["module"], prefix + quantity, error)


def test_modules_with_parameters_report_their_gradient_error(tiny_entries):
    for entry in tiny_entries:
        has_params = entry["kind"] not in {"NearestUpsampling", "ReLU", "LeakyReLU", "Sigmoid", "MaxPool2d", "MSE"}
        assert (entry["param_grad_error"] is not None) == has_params, entry["module"]


class ReLUWithoutMask(ReLU):
    def backward(self, grad_output):
        return grad_output


class ConvWithScaledWeightGrad(Conv2d):
    def backward(self, grad_output):
        grad_x = super().backward(grad_output)
        self.weight_grad *= 1.01
        return grad_x


class ConvWithFlippedKernel(Conv2d):
    """A convolution where the cross-correlation was meant: the classic forward bug."""

    def forward(self, x):
        out, self._ctx = conv2d_forward(x, self.weight.flip(2, 3), self.bias, self.stride, self.padding,
                                        self.dilation)
        return out


@pytest.mark.parametrize("module,quantity", [
    (ReLUWithoutMask(), "input_grad"),
    (ConvWithScaledWeightGrad(4, 5, 3, padding=1), "param_grad"),
    (ConvWithFlippedKernel(4, 5, 3, padding=1), "output"),
], ids=["relu-backward-without-mask", "conv-weight-grad-times-1.01", "conv-flipped-kernel"])
def test_a_wrong_module_is_caught(module, quantity):
    torch.manual_seed(0)
    x = torch.randn(2, 4, 6, 6)
    reference = torch.nn.functional.relu if isinstance(module, ReLU) else conv_ref()
    errors = relative_errors(compare("broken", module, reference, x))
    assert errors[quantity] > 20 * REL_TOL


def test_committed_results_cover_every_module_within_tolerance():
    results = json.loads((RESULTS / "mp2_module_errors.json").read_text())
    assert [e["module"] for e in results["modules"]] == [name for name, *_ in module_cases(batch=1)]
    for entry in results["modules"]:
        for quantity, error in relative_errors(entry).items():
            assert error < REL_TOL, (entry["module"], quantity, error)
