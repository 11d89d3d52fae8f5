"""The grader harness (`test.py`) and the import audit, on small fake submissions and fake data.

A correct fake submission passes every check; each kind of broken one fails the right check
with a message that says what is wrong. The fakes are tiny (a 3x3 filter), the data 32x32.
"""
import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
# test.py shares its name with the standard library's `test` package: load it by path.
_spec = importlib.util.spec_from_file_location("grader", ROOT / "test.py")
grader = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(grader)
from tools.audit import audit_imports, audit_miniproject  # noqa: E402

# A fake Miniproject_1: a per-channel 3x3 filter, learned with Noise2Noise from the identity.
GOOD_MP1 = '''
from pathlib import Path
import torch


class Model:
    def __init__(self):
        self.net = torch.nn.Conv2d(3, 3, 3, padding=1, groups=3, bias=False, padding_mode="replicate")
        with torch.no_grad():
            self.net.weight.zero_()
            self.net.weight[:, :, 1, 1] = 1

    def load_pretrained_model(self):
        self.net.load_state_dict(torch.load(Path(__file__).parent / "bestmodel.pth", weights_only=True))

    def train(self, train_input, train_target, num_epochs):
        optimizer = torch.optim.Adam(self.net.parameters(), lr=0.003)  # gentle: fine-tunes a loaded model
        noisy, target = train_input.float() / 255, train_target.float() / 255
        for step in range(num_epochs * 40):
            batch = slice(step * 16 % len(noisy), step * 16 % len(noisy) + 16)
            loss = ((self.net(noisy[batch]) - target[batch]) ** 2).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    def predict(self, test_input):
        with torch.no_grad():
            return self.net(test_input.float() / 255).clamp(0, 1) * 255
'''

# A fake Miniproject_2 framework with the allowed imports only; the model imports part of it,
# so ReLU, Sigmoid and NearestUpsampling are found only in others/framework.py.
GOOD_FRAMEWORK = '''
from torch import empty
from torch.nn.functional import fold, unfold


class Conv2d:
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0):
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        bound = (in_channels * kernel_size ** 2) ** -0.5
        self.weight = empty(out_channels, in_channels, kernel_size, kernel_size).uniform_(-bound, bound)
        self.bias = empty(out_channels).uniform_(-bound, bound)
        self.weight_grad, self.bias_grad = self.weight.new_zeros(self.weight.shape), self.bias.new_zeros(out_channels)

    def forward(self, x):
        self.size = x.shape[-2:]
        self.columns = unfold(x, self.kernel_size, padding=self.padding, stride=self.stride)
        out = self.weight.flatten(1) @ self.columns + self.bias.view(1, -1, 1)
        h, w = ((s + 2 * self.padding - self.kernel_size) // self.stride + 1 for s in self.size)
        return out.view(x.shape[0], -1, h, w)

    def backward(self, grad):
        grad = grad.flatten(2)
        self.weight_grad += (grad @ self.columns.transpose(1, 2)).sum(0).view(self.weight.shape)
        self.bias_grad += grad.sum((0, 2))
        columns = self.weight.flatten(1).t() @ grad
        return fold(columns, self.size, self.kernel_size, padding=self.padding, stride=self.stride)

    def param(self):
        return [(self.weight, self.weight_grad), (self.bias, self.bias_grad)]


class NearestUpsampling:
    def __init__(self, scale_factor):
        self.scale = scale_factor

    def forward(self, x):
        return x.repeat_interleave(self.scale, 2).repeat_interleave(self.scale, 3)

    def backward(self, grad):
        n, c, h, w = grad.shape
        return grad.view(n, c, h // self.scale, self.scale, w // self.scale, self.scale).sum((3, 5))

    def param(self):
        return []


class ReLU:
    def forward(self, x):
        self.mask = x > 0
        return x * self.mask

    def backward(self, grad):
        return grad * self.mask

    def param(self):
        return []


class Sigmoid:
    def forward(self, x):
        self.out = 1 / (1 + (-x).exp())
        return self.out

    def backward(self, grad):
        return grad * self.out * (1 - self.out)

    def param(self):
        return []


class MSE:
    def forward(self, prediction, target):
        self.difference = prediction - target
        return (self.difference ** 2).mean()

    def backward(self):
        return 2 * self.difference / self.difference.numel()

    def param(self):
        return []


class SGD:
    def __init__(self, params, lr):
        self.params, self.lr = params, lr

    def step(self):
        for value, grad in self.params:
            value -= self.lr * grad

    def zero_grad(self):
        for _, grad in self.params:
            grad.zero_()


class Sequential:
    def __init__(self, *modules):
        self.modules = modules

    def forward(self, x):
        for module in self.modules:
            x = module.forward(x)
        return x

    def backward(self, grad):
        for module in reversed(self.modules):
            grad = module.backward(grad)
        return grad

    def param(self):
        return [pair for module in self.modules for pair in module.param()]
'''

GOOD_MP2 = '''
from pathlib import Path
import torch
from .others.framework import Conv2d, Sequential

torch.set_grad_enabled(False)  # as some submissions do: the harness must turn autograd back on


class Model:
    def __init__(self):
        self.conv = Conv2d(3, 3, 3, padding=1)
        self.conv.weight.zero_()
        self.conv.bias.zero_()
        for channel in range(3):
            self.conv.weight[channel, channel, 1, 1] = 1
        self.net = Sequential(self.conv)

    def load_pretrained_model(self):
        weight, bias = torch.load(Path(__file__).parent / "bestmodel.pth", weights_only=True)
        self.conv.weight.copy_(weight)
        self.conv.bias.copy_(bias)

    def train(self, train_input, train_target, num_epochs):
        # Least squares for one number: the mix of identity and 3x3 box blur that best maps
        # one noisy copy to the other (Noise2Noise), then the filter set to that mix.
        noisy, target = train_input.float() / 255, train_target.float() / 255
        self.conv.weight.zero_()
        for channel in range(3):
            self.conv.weight[channel, channel] = 1 / 9
        change = self.net.forward(noisy) - noisy
        mix = (change * (target - noisy)).sum() / (change * change).sum()
        self.conv.weight.mul_(mix)
        for channel in range(3):
            self.conv.weight[channel, channel, 1, 1] += 1 - mix

    def predict(self, test_input):
        return self.net.forward(test_input.float() / 255).clamp(0, 1) * 255
'''


MP1_PREDICT = """        with torch.no_grad():
            return self.net(test_input.float() / 255).clamp(0, 1) * 255
"""


def mp1_with(predict=MP1_PREDICT, init="", header=""):
    """GOOD_MP1 with another body for predict, lines run first in Model(), and lines before it all."""
    source = header + GOOD_MP1.replace(MP1_PREDICT, textwrap.indent(textwrap.dedent(predict), " " * 8))
    return source.replace("    def __init__(self):\n", "    def __init__(self):\n" + textwrap.indent(init, " " * 8))


def box_blur_mp1():
    return {"weight": torch.full((3, 1, 3, 3), 1 / 9)}


def box_blur_mp2():
    weight = torch.zeros(3, 3, 3, 3)
    for channel in range(3):
        weight[channel, channel] = 1 / 9
    return [weight, torch.zeros(3)]


def write_project(root, mp1=GOOD_MP1, mp2=GOOD_MP2, framework=GOOD_FRAMEWORK):
    """A fake submission in the course layout under `root`; returns `root`."""
    for number, model, weights in ((1, mp1, box_blur_mp1()), (2, mp2, box_blur_mp2())):
        folder = root / f"Miniproject_{number}"
        (folder / "others").mkdir(parents=True)
        (folder / "__init__.py").write_text("")
        (folder / "others" / "__init__.py").write_text("")
        (folder / "model.py").write_text(textwrap.dedent(model))
        (folder / f"Report_{number}.pdf").write_bytes(b"%PDF-1.4 fake\n")
        torch.save(weights, folder / "bestmodel.pth")
    (root / "Miniproject_2" / "others" / "framework.py").write_text(framework)
    return root


def smooth_images(count, generator):
    """`count` smooth uint8 images `(count, 3, 32, 32)`: a blur must help on them."""
    coarse = torch.rand(count, 3, 4, 4, generator=generator)
    return (torch.nn.functional.interpolate(coarse, size=(32, 32), mode="bilinear", align_corners=False)
            * 255).round().to(torch.uint8)


def noisy(clean, generator, sigma=25):
    return (clean.float() + sigma * torch.randn(clean.shape, generator=generator)).round().clamp(0, 255).to(torch.uint8)


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """The fakes are tiny: one thread is faster, and does not fight other jobs on a shared 2-core machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """Fake data in the course's format: 200 training pairs and 150 validation images of 32x32."""
    folder = tmp_path_factory.mktemp("data")
    generator = torch.Generator().manual_seed(0)
    train_clean, val_clean = smooth_images(200, generator), smooth_images(150, generator)
    torch.save((noisy(train_clean, generator), noisy(train_clean, generator)), folder / "train_data.pkl")
    torch.save((noisy(val_clean, generator), val_clean), folder / "val_data.pkl")
    return folder


def grade(root, data_dir, number, **options):
    """Grade one mini-project in this process; {check name: Check}."""
    lines = []
    result = grader.Grader(root, number, grader.Data(data_dir), lines.append).grade(**options)
    checks = {check.name: check for check in result.checks}
    assert len(lines) == len(checks)
    return checks


def failed(checks):
    return sorted(name for name, check in checks.items() if not check.passed)


# --- a correct submission ---------------------------------------------------------------------

def test_correct_miniproject_1_passes_every_check(tmp_path, data_dir):
    checks = grade(write_project(tmp_path), data_dir, 1)
    assert failed(checks) == []
    assert checks["psnr"].values["gain"] > 1
    assert checks["train"].values["train_pairs"] == 200  # fewer pairs than asked: all of them


def test_correct_miniproject_2_passes_every_check_and_autograd_is_restored(tmp_path, data_dir):
    checks = grade(write_project(tmp_path), data_dir, 2)
    assert failed(checks) == []
    assert "NearestUpsampling" in checks["module Upsampling"].message
    assert torch.is_grad_enabled()  # the fake switched it off on import


@pytest.mark.parametrize("name", ["Upsampling", "TransposeConv2d"])
def test_upsampling_module_is_found_under_any_course_name(tmp_path, data_dir, name):
    framework = GOOD_FRAMEWORK
    if name == "TransposeConv2d":  # a transposed convolution, beside NearestUpsampling: both are checked
        framework += TRANSPOSED
    else:
        framework = framework.replace("class NearestUpsampling", "class Upsampling")
    checks = grade(write_project(tmp_path, framework=framework), data_dir, 2, train=False)
    assert checks["module Upsampling"].passed, checks["module Upsampling"].message
    assert name in checks["module Upsampling"].message


TRANSPOSED = '''

class TransposeConv2d:
    """Transposed convolution: the forward of Conv2d's backward (weight (in, out, k, k) as torch)."""
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0):
        self.inner = Conv2d(out_channels, in_channels, kernel_size, stride, padding)
        self.bias = empty(out_channels).zero_()
        self.bias_grad = empty(out_channels).zero_()

    def forward(self, x):
        self.x = x
        n, _, h, w = x.shape
        k, s, p = self.inner.kernel_size, self.inner.stride, self.inner.padding
        self.out_size = ((h - 1) * s - 2 * p + k, (w - 1) * s - 2 * p + k)
        self.inner.size = self.out_size
        self.inner.columns = None
        columns = self.inner.weight.flatten(1).t() @ x.flatten(2)
        return fold(columns, self.out_size, k, padding=p, stride=s) + self.bias.view(1, -1, 1, 1)

    def backward(self, grad):
        k, s, p = self.inner.kernel_size, self.inner.stride, self.inner.padding
        columns = unfold(grad, k, padding=p, stride=s)
        self.bias_grad += grad.sum((0, 2, 3))
        self.inner.weight_grad += (self.x.flatten(2) @ columns.transpose(1, 2)).sum(0).view(self.inner.weight.shape)
        return (self.inner.weight.flatten(1) @ columns).view(self.x.shape)

    def param(self):
        return [(self.inner.weight, self.inner.weight_grad), (self.bias, self.bias_grad)]
'''


def test_two_submissions_in_one_process_do_not_share_modules(tmp_path, data_dir):
    good = write_project(tmp_path / "good")
    bad = write_project(tmp_path / "bad", mp1=GOOD_MP1.replace(
        "return self.net(test_input.float() / 255).clamp(0, 1) * 255",
        "return self.net(test_input.float() / 255).clamp(0, 1)[:, :, 1:] * 255"))
    assert failed(grade(good, data_dir, 1, train=False)) == []
    assert "predict shapes" in failed(grade(bad, data_dir, 1, train=False))
    assert failed(grade(good, data_dir, 1, train=False)) == []


# --- broken submissions -----------------------------------------------------------------------

def test_missing_files_fail_structure_and_psnr_names_bestmodel(tmp_path, data_dir):
    root = write_project(tmp_path)
    (root / "Miniproject_1" / "bestmodel.pth").unlink()
    (root / "Miniproject_1" / "Report_1.pdf").unlink()
    checks = grade(root, data_dir, 1, train=False)
    assert failed(checks) == ["psnr", "structure"]
    assert "bestmodel.pth" in checks["structure"].message and "Report_1.pdf" in checks["structure"].message
    assert "bestmodel.pth is missing" in checks["psnr"].message


def test_missing_project_folder_fails_every_check_with_a_message(tmp_path, data_dir):
    checks = grade(tmp_path, data_dir, 2, train=False)
    assert all(not check.passed for check in checks.values())
    assert "Miniproject_2/ not found" in checks["structure"].message
    assert "model.py is missing" in checks["module Conv2d"].message


# Small breakages of the good submission: (text replaced, its replacement, the checks that must
# fail, what the first of them must say)
BROKEN_MP1 = {
    "required_arguments": ("def __init__(self):", "def __init__(self, channels):", ["instantiate"],
                           ["Model() with no arguments failed", "needs a default"]),
    "wrong_shape": ("clamp(0, 1) * 255", "clamp(0, 1)[:, :2] * 255", ["predict shapes", "psnr"],
                    ["returned shape (1, 2, 512, 512), expected (1, 3, 512, 512)"]),
    "out_of_range": ("clamp(0, 1) * 255", "clamp(0, 1) * 255 + 1", ["predict shapes"], ["expected [0, 255]"]),
}


@pytest.mark.parametrize("breakage", BROKEN_MP1)
def test_broken_model_fails_its_check_with_a_message(tmp_path, data_dir, breakage):
    original, replacement, failing, message = BROKEN_MP1[breakage]
    assert original in GOOD_MP1  # the breakage really changes the submission
    checks = grade(write_project(tmp_path, mp1=GOOD_MP1.replace(original, replacement)), data_dir, 1, train=False)
    assert set(failing) <= set(failed(checks))
    assert all(part in checks[failing[0]].message for part in message)


def test_predict_crashing_on_odd_sizes_fails_with_where(tmp_path, data_dir):
    crashing = GOOD_MP1.replace(
        "            return self.net(test_input.float() / 255).clamp(0, 1) * 255",
        "            x = test_input.float()\n"
        "            coarse = torch.nn.functional.interpolate(torch.nn.functional.avg_pool2d(x, 2), scale_factor=2)\n"
        "            return ((x + coarse) / 2).clamp(0, 255)")
    checks = grade(write_project(tmp_path, mp1=crashing), data_dir, 1, train=False)
    assert failed(checks) == ["predict shapes"]  # the 32x32 validation images still work
    assert "RuntimeError" in checks["predict shapes"].message
    assert "Miniproject_1/model.py:" in checks["predict shapes"].message


def test_training_that_makes_the_loaded_model_worse_fails_train(tmp_path, data_dir):
    """The course's check: bestmodel.pth loaded, one epoch, and the model must not be worse."""
    root = write_project(tmp_path, mp1=GOOD_MP1.replace("lr=0.003", "lr=0.05"))
    checks = grade(root, data_dir, 1)
    assert failed(checks) == ["train"]
    assert "training made the loaded model worse" in checks["train"].message


def test_training_that_resets_the_model_to_its_input_fails_train(tmp_path, data_dir):
    resets = GOOD_MP1.replace("optimizer = torch.optim.Adam", "self.__init__()\n        optimizer = torch.optim.Adam")
    root = write_project(tmp_path, mp1=resets.replace("range(num_epochs * 40)", "range(0)"))
    checks = grade(root, data_dir, 1)
    assert failed(checks) == ["train"]
    assert "needs more than noisy + 0.5 dB" in checks["train"].message


def test_import_error_fails_import_and_the_checks_that_need_it(tmp_path, data_dir):
    root = write_project(tmp_path, mp1="import not_a_real_module\n" + GOOD_MP1)
    checks = grade(root, data_dir, 1, train=False)
    assert failed(checks) == ["import", "imports audit", "instantiate", "predict shapes", "psnr"]
    assert "ModuleNotFoundError" in checks["import"].message
    assert "Miniproject_1/model.py:1" in checks["import"].message
    assert "not run" in checks["psnr"].message


@pytest.mark.parametrize("module", ["numpy", "torchvision"])
def test_forbidden_import_in_miniproject_2_fails_the_audit(tmp_path, data_dir, module):
    root = write_project(tmp_path, framework=GOOD_FRAMEWORK.replace(
        "from torch import empty", f"try:\n    import {module}\nexcept ImportError:\n    pass\nfrom torch import empty"))
    checks = grade(root, data_dir, 2, train=False)
    assert failed(checks) == ["imports audit"]
    assert f"Miniproject_2/others/framework.py:3: {module}" in checks["imports audit"].message


def test_missing_modules_fail_with_their_names(tmp_path, data_dir):
    framework = GOOD_FRAMEWORK.replace("class ReLU", "class Relu").replace("class NearestUpsampling", "class Upsample")
    checks = grade(write_project(tmp_path, framework=framework), data_dir, 2, train=False)
    assert failed(checks) == ["module ReLU", "module Sequential", "module Upsampling"]
    assert "ReLU not found" in checks["module ReLU"].message
    assert "ReLU not found" in checks["module Sequential"].message
    assert "NearestUpsampling, Upsampling, TransposeConv2d" in checks["module Upsampling"].message


def test_wrong_gradient_fails_the_module_check(tmp_path, data_dir):
    framework = GOOD_FRAMEWORK.replace("self.bias_grad += grad.sum((0, 2))", "self.bias_grad += 2 * grad.sum((0, 2))")
    checks = grade(write_project(tmp_path, framework=framework), data_dir, 2, train=False)
    assert {"module Conv2d", "module Sequential"} <= set(failed(checks))
    assert "gradient of the (4,) parameter" in checks["module Conv2d"].message


def test_missing_data_file_fails_with_how_to_build_it(tmp_path, data_dir):
    (tmp_path / "data").mkdir()
    checks = grade(write_project(tmp_path / "project"), tmp_path / "data", 1)
    assert failed(checks) == ["psnr", "train"]
    assert "val_data.pkl not found" in checks["psnr"].message and "python -m tools.data" in checks["psnr"].message
    assert "train_data.pkl not found" in checks["train"].message


def test_corrupt_data_file_fails_with_a_message(tmp_path, data_dir):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "val_data.pkl").write_bytes(b"not a pickle")
    checks = grade(write_project(tmp_path / "project"), tmp_path / "data", 1, train=False)
    assert failed(checks) == ["psnr"]
    assert "is not a readable data file" in checks["psnr"].message


def test_empty_validation_file_fails_with_a_message(tmp_path):
    (tmp_path / "data").mkdir()
    empty = torch.zeros(0, 3, 32, 32, dtype=torch.uint8)
    torch.save((empty, empty), tmp_path / "data" / "val_data.pkl")
    checks = grade(write_project(tmp_path / "project"), tmp_path / "data", 1, train=False)
    assert failed(checks) == ["psnr"]
    assert "val_data.pkl holds 0 images" in checks["psnr"].message


def test_predict_that_changes_its_input_fails_and_later_grades_see_the_data_intact(tmp_path, data_dir):
    root = write_project(tmp_path, mp1=mp1_with(predict="""
        output = test_input.float().clone()
        test_input.zero_()
        return output
        """))
    data = grader.Data(data_dir)  # shared, as when one process grades both projects
    mp1 = {c.name: c for c in grader.Grader(root, 1, data, lambda check: None).grade(train=False).checks}
    mp2 = {c.name: c for c in grader.Grader(root, 2, data, lambda check: None).grade(train=False).checks}
    assert failed(mp1) == ["predict shapes", "psnr"]
    assert "predict changed its input tensor in place" in mp1["psnr"].message
    noisy_val, clean = torch.load(data_dir / "val_data.pkl", weights_only=True)
    assert mp2["psnr"].passed
    assert mp2["psnr"].values["noisy_psnr"] == round(grader.psnr(noisy_val / 255, clean / 255), 4)


@pytest.mark.parametrize("init, predict, error", [
    ("sys.exit(0)\n", MP1_PREDICT, "SystemExit: 0 (at Miniproject_1/model.py:9 in __init__)"),
    ("", "raise KeyboardInterrupt\n", "KeyboardInterrupt (at Miniproject_1/model.py:28 in predict)"),
])
def test_exit_or_interrupt_raised_by_a_submission_fails_its_checks_only(tmp_path, data_dir, init, predict, error):
    root = write_project(tmp_path, mp1=mp1_with(predict, init, header="import sys\n"))
    checks = grade(root, data_dir, 1, train=False)
    broken = ["instantiate", "predict shapes", "psnr"] if init else ["predict shapes", "psnr"]
    assert failed(checks) == broken
    assert all(error in checks[name].message and "never exit or interrupt" in checks[name].message
               for name in broken)


# --- the command line -------------------------------------------------------------------------

def run_cli(*args):
    return subprocess.run([sys.executable, str(ROOT / "test.py"), *map(str, args)], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "OMP_NUM_THREADS": "1"})


def test_command_line_passes_writes_json_and_measures_noise_sets(tmp_path, data_dir):
    root = write_project(tmp_path / "project")
    noisy_val, clean = torch.load(data_dir / "val_data.pkl", weights_only=True)
    torch.save((noisy(clean, torch.Generator().manual_seed(5), sigma=15), clean), data_dir / "val_data_gaussian15.pkl")
    report = tmp_path / "results.json"
    run = run_cli("-p", root, "-d", data_dir, "--project", 1, "--noise", "gaussian15", "--json", report)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "PASS  psnr gaussian15" in run.stdout and "Summary: Miniproject_1 8/8 PASS" in run.stdout
    results = json.loads(report.read_text())
    assert results["passed"] and [c["name"] for c in results["projects"]["Miniproject_1"]["checks"]][-1] == "train"


def test_command_line_exits_non_zero_on_a_failure(tmp_path, data_dir):
    report = tmp_path / "results.json"
    run = run_cli("-p", tmp_path, "-d", data_dir, "--project", 2, "--no-train", "--json", report)
    assert run.returncode == 1
    assert "FAIL  structure" in run.stdout
    assert json.loads(report.read_text())["passed"] is False


# Submissions whose predict misbehaves on one input: (its imports, lines put before the good
# predict, extra command-line options, lines the report must hold)
MISBEHAVING_PREDICT = {
    # os._exit on the 512x512 image only: predict shapes fails, and psnr runs in a new process.
    "ends_the_process": ("import os\n", "if test_input.shape[-1] == 512:\n    os._exit(0)\n", [],
                         ["FAIL  predict shapes       the submission ended the grading process during this "
                          "check (exit status 0)", "PASS  psnr"]),
    # Hangs on the first slice of 100 validation images: psnr, the last check with --no-train.
    "hangs": ("import time\n", "if len(test_input) == 100:\n    time.sleep(600)\n", ["--timeout", 2],
              ["FAIL  psnr                 did not finish within 2 s: stopped"]),
}


@pytest.mark.parametrize("behaviour", MISBEHAVING_PREDICT)
def test_command_line_survives_a_predict_that_misbehaves(tmp_path, data_dir, behaviour):
    header, first_lines, options, expected = MISBEHAVING_PREDICT[behaviour]
    predict = first_lines + textwrap.dedent(MP1_PREDICT)
    root = write_project(tmp_path / "project", mp1=mp1_with(header=header, predict=predict))
    run = run_cli("-p", root, "-d", data_dir, "--project", 1, "--no-train", *options)
    assert run.returncode == 1, run.stdout + run.stderr
    assert all(line in run.stdout for line in expected), run.stdout
    assert "Summary: Miniproject_1 5/6 PASS (1 FAIL)" in run.stdout


def test_command_line_skips_the_model_checks_when_the_import_ends_its_process(tmp_path, data_dir):
    root = write_project(tmp_path / "project", mp1="import os\nos._exit(3)\n" + GOOD_MP1)
    run = run_cli("-p", root, "-d", data_dir, "--project", 1, "--no-train")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "FAIL  import               the submission ended the grading process during this check " \
           "(exit status 3)" in run.stdout
    assert "PASS  imports audit" in run.stdout
    assert "FAIL  psnr                 not run: Miniproject_1.model did not finish importing" in run.stdout


# --- the import audit -------------------------------------------------------------------------

def write_module(tmp_path, source, package="Miniproject_2"):
    folder = tmp_path / package
    folder.mkdir()
    (folder / "model.py").write_text(textwrap.dedent(source))
    return folder


def test_audit_allows_the_course_names_and_relative_imports(tmp_path):
    folder = write_module(tmp_path, """
        import math, os
        import torch
        import torch.nn.functional as F
        from torch import empty, cat, arange
        from torch.nn.functional import fold, unfold
        from .others.nn import Conv2d
        from Miniproject_2.others import training
        torch.set_grad_enabled(False)
        weights = torch.load("bestmodel.pth", weights_only=True)
        columns = F.unfold(empty(1, 3, 4, 4), 2).float()
        """)
    assert audit_miniproject(folder) == []


def test_audit_flags_other_torch_names_however_imported(tmp_path):
    folder = write_module(tmp_path, """
        import torch
        from torch import zeros
        from torch import nn
        import torch.nn.functional as F
        x = torch.randn(3)
        y = F.conv2d
        layer = nn.Linear(2, 2)
        import numpy as np
        """)
    assert [(v.line, v.name) for v in audit_miniproject(folder)] == [
        (3, "torch.zeros"), (6, "torch.randn"), (7, "torch.nn.functional.conv2d"), (8, "torch.nn.Linear"), (9, "numpy")]


def test_audit_of_miniproject_1_allows_torch_and_guarded_tqdm_only(tmp_path):
    folder = write_module(tmp_path, """
        import torch.nn as nn
        try:
            from tqdm import tqdm
        except ImportError:
            tqdm = None
        import tqdm.auto
        import scipy
        """, package="Miniproject_1")
    assert [(v.line, v.name.split()[0]) for v in audit_miniproject(folder)] == [(7, "tqdm.auto"), (8, "scipy")]
    assert audit_imports(folder, optional_modules=("tqdm",), torch_names=None) == audit_miniproject(folder, 1)
