"""Grade Noise2Noise mini-project submissions in the course's layout: `python test.py --help`.

Any project folder holding `Miniproject_1/` and/or `Miniproject_2/` can be graded, ours or
anyone's: the submission is used only through the course's API (`Model()`,
`load_pretrained_model()`, `train(...)`, `predict(...)`, and for Miniproject_2 the framework's
modules). Each check prints one PASS/FAIL line; a check that crashes is a FAIL with its error
and where it happened, and the other checks still run. Each mini-project is graded in a child
process with a time limit per check, so a submission that exits, kills its process or hangs
fails that check instead of ending the grader. Exit status 1 when any check fails.
"""
import argparse
import contextlib
import functools
import importlib
import json
import math
import multiprocessing
import pkgutil
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from tools.atomic import atomic_path  # noqa: E402
from tools.audit import audit_miniproject  # noqa: E402
from tools.data import DEFAULT_DATA_DIR, NOISE_NAMES, ensure_dataset, ensure_noise_set, load_pair  # noqa: E402
from tools.metrics import psnr  # noqa: E402

PROJECTS = (1, 2)
# The course feeds the validation set to predict in slices of this many images.
PREDICT_SLICE = 100
# Training check: one epoch on the first pairs of train_data.pkl. 2,000 pairs is 4% of an epoch:
# about 12 s for a model that meets the course's 5 minutes per 50,000 pairs.
DEFAULT_TRAIN_PAIRS = 2000
# "Clearly beats the noisy input": the trained model must gain at least this much PSNR.
DEFAULT_TRAIN_MARGIN_DB = 0.5
# predict must handle any size: a large image, and odd sizes in both dtypes the course uses.
PREDICT_CASES = (("float", (1, 3, 512, 512)), ("uint8", (3, 3, 37, 53)), ("float", (2, 3, 31, 33)))
UPSAMPLING_NAMES = ("NearestUpsampling", "Upsampling", "TransposeConv2d")
MODULE_NAMES = ("Conv2d", "Upsampling", "ReLU", "Sigmoid", "MSE", "SGD", "Sequential")
# Forward and backward must match torch within this (float32 arithmetic in another order).
RTOL, ATOL = 1e-4, 1e-5
# Time limit of one check, seconds. Generous: the training check takes about 12 s for a model
# at the course's speed limit, predict on the validation set a few seconds.
DEFAULT_TIMEOUT_S = 300
# How long a child process may take to exit once it has sent every check: time to flush the
# submission's last prints, not long enough for a thread it left running to stall the grader.
CHILD_EXIT_GRACE_S = 5
# What a submission's code may raise that must be a FAIL, not the grader's end: sys.exit and
# KeyboardInterrupt are not Exceptions, and would otherwise stop the grading process.
SUBMISSION_ERRORS = (Exception, SystemExit, KeyboardInterrupt)


class Fail(Exception):
    """A check's verdict: the submission is wrong, and the message says how."""


@dataclass
class Check:
    name: str
    passed: bool
    message: str
    seconds: float
    values: dict = field(default_factory=dict)


@dataclass
class ProjectResult:
    name: str
    checks: list = field(default_factory=list)

    @property
    def passed(self):
        return all(check.passed for check in self.checks)


# ---------------------------------------------------------------------------------------------
# Data: loaded once, on first use, with messages that say how to get the files.

class Data:
    """The course's data files in `data_dir`, loaded lazily; `build` allows building the default dataset."""

    def __init__(self, data_dir, build=False, log=print):
        self.data_dir, self.build, self.log = Path(data_dir), build, log
        self.cache = {}

    def path(self, filename):
        path = self.data_dir / filename
        if not path.is_file() and self.build:
            ensure_dataset(self.data_dir, log=self.log)
        return path

    def load(self, filename):
        if filename not in self.cache:
            try:
                self.cache[filename] = check_not_empty(load_pair(self.path(filename)), self.data_dir / filename)
            except (FileNotFoundError, ValueError) as error:
                self.cache[filename] = error
        if isinstance(self.cache[filename], Exception):
            raise Fail(str(self.cache[filename]))
        return self.cache[filename]

    def validation(self):
        """`(noisy, clean)` uint8 `(N, 3, H, W)` of val_data.pkl."""
        return self.load("val_data.pkl")

    def training(self):
        """`(noisy_a, noisy_b)` uint8 `(N, 3, H, W)` of train_data.pkl."""
        return self.load("train_data.pkl")

    def noise_set(self, noise):
        """`(noisy, clean)` of val_data_<noise>.pkl, built from val_data.pkl's clean images if missing."""
        path = self.data_dir / f"val_data_{noise}.pkl"
        if not path.is_file():
            self.validation()  # a clear message if val_data.pkl itself is missing
            if not (self.build or (self.data_dir / "train_data.pkl").is_file()):
                # ensure_noise_set would build the whole default dataset into someone else's folder
                raise Fail(f"{path.name} not found in {self.data_dir}: build it with `python -m tools.data "
                           f"--data-dir {self.data_dir} --noise-sets {noise}` or drop --noise {noise}")
            ensure_noise_set(noise, self.data_dir, log=self.log)
        return self.load(path.name)

    def prepare(self, noises=()):
        """Build the default files that are missing, in the grader's own process, before any check
        runs: a build (about 30 s) must not count against a check's time limit."""
        if not self.build:
            return
        for load in [self.validation] + [functools.partial(self.noise_set, noise) for noise in noises]:
            try:
                load()
            except Exception:  # the checks that need the file try again and report why it is missing
                continue


def check_not_empty(pair, path):
    """`pair` as loaded from `path`; ValueError if it holds no images (torch.cat fails on them later)."""
    if len(pair[0]) == 0:
        raise ValueError(f"{path} holds 0 images: a data file needs at least one (N, 3, H, W) image; "
                         f"copy the course's file again, or rebuild the default one with "
                         f"`python -m tools.data --data-dir {path.parent}`")
    return pair


# ---------------------------------------------------------------------------------------------
# Running checks.

def describe_error(error, project_root):
    """`Type: message (at Miniproject_1/model.py:42 in predict)`: the deepest frame in the submission."""
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    where = None
    for frame in traceback.extract_tb(error.__traceback__):
        try:
            relative = Path(frame.filename).resolve().relative_to(project_root)
        except ValueError:
            continue
        where = f"{relative.as_posix()}:{frame.lineno} in {frame.name}"
    if where:
        text += f" (at {where})"
    if isinstance(error, (SystemExit, KeyboardInterrupt)):
        text += "; a submission must return or raise an exception, never exit or interrupt the program"
    return text


def print_check(check):
    """Print a Check's line, `PASS  name  message`, with the message's later lines indented under it."""
    print(f"{'PASS' if check.passed else 'FAIL'}  {check.name:<20} " + check.message.replace("\n", "\n" + " " * 26),
          flush=True)


class Grader:
    """Runs the checks of one mini-project and reports each Check as it ends (default: prints its line).

    Every check can run first: what several need (the import of the model, the framework's
    classes) is done on first use, so a new process can take over from any check.
    `import_error`, when given, is why the model did not import in an earlier process: the
    checks that need it are then not run.
    """

    def __init__(self, project_root, number, data, report=print_check, import_error=None):
        self.root, self.number, self.data, self.report = Path(project_root).resolve(), number, data, report
        self.package = f"Miniproject_{number}"
        self.folder = self.root / self.package
        self.result = ProjectResult(self.package)
        self._model_module = None
        self.import_error = import_error

    def run(self, name, check, *args):
        """Run `check(*args)`, which returns a message (or `(message, values)`) or raises Fail."""
        start = time.perf_counter()
        try:
            outcome = check(*args)
            message, values = outcome if isinstance(outcome, tuple) else (outcome, {})
            passed = True
        except Fail as error:
            passed, message, values = False, str(error), {}
        except SUBMISSION_ERRORS as error:  # a crash in the submission is a verdict, not the grader's end
            passed, message, values = False, describe_error(error, self.root), {}
        record = Check(name, passed, message, round(time.perf_counter() - start, 3), values)
        self.result.checks.append(record)
        self.report(record)
        return record

    # -- structure and import ------------------------------------------------------------------

    def check_structure(self):
        if not self.folder.is_dir():
            raise Fail(f"folder {self.package}/ not found in {self.root}: the project path (-p) must hold "
                       f"Miniproject_1/ and Miniproject_2/ as in the course's layout")
        required = ("__init__.py", "model.py", "bestmodel.pth", f"Report_{self.number}.pdf")
        missing = [name for name in required if not (self.folder / name).is_file()]
        if missing:
            hints = {"__init__.py": "create an empty one", "model.py": "it must define the Model class",
                     "bestmodel.pth": "train the model and save its weights there",
                     f"Report_{self.number}.pdf": "build the report"}
            raise Fail("missing in " + self.package + "/: "
                       + "; ".join(f"{name} ({hints[name]})" for name in missing))
        return "all files present: " + ", ".join(required)

    def check_import(self):
        self.model_module()
        return f"{self.package}.model imported, Model found"

    def model_module(self):
        """The submission's `<package>.model`, imported on first use. The first failure is the
        import's Fail; later calls fail as "not run" with its reason, without importing again."""
        if self._model_module is None and self.import_error is None:
            self._model_module = self.import_model()
        if self._model_module is None:
            raise Fail(f"not run: {self.import_error}")
        return self._model_module

    def import_model(self):
        """Import `<package>.model` from the project root; Fail (and `import_error` set) if it cannot be."""
        if not (self.folder / "model.py").is_file():
            self.import_error = f"{self.package}/model.py is missing"
            raise Fail(f"cannot import {self.package}.model: {self.import_error}")
        forget_package(self.package)
        try:
            with project_on_path(self.root, self.package):
                module = importlib.import_module(f"{self.package}.model")
        except SUBMISSION_ERRORS as error:
            self.import_error = describe_error(error, self.root)
            raise Fail(f"{self.package}.model does not import: {self.import_error}\n"
                       f"fix the import error above (the folder must work alone, with torch and the standard library)")
        if not isinstance(getattr(module, "Model", None), type):
            self.import_error = f"{self.package}/model.py defines no class Model"
            raise Fail(self.import_error)
        return module

    def check_audit(self):
        if not self.folder.is_dir():
            raise Fail(f"nothing to audit: {self.package}/ not found")
        violations = audit_miniproject(self.folder, self.number)
        if violations:
            allowed = ("torch and the standard library (tqdm inside try/except ImportError)" if self.number == 1 else
                       "the standard library and, from torch, only empty, cat, arange, fold, unfold, "
                       "set_grad_enabled, load, save")
            listing = "\n".join(f"{v.file}:{v.line}: {v.name}" for v in violations)
            raise Fail(f"{len(violations)} forbidden import(s); allowed: {allowed}\n{listing}")
        return "torch and standard library only" if self.number == 1 else \
            "standard library + empty, cat, arange, fold, unfold (+ set_grad_enabled, load, save)"

    def model_class(self):
        return self.model_module().Model

    # -- the Model API ---------------------------------------------------------------------------

    def check_instantiate(self):
        Model = self.model_class()
        start = time.perf_counter()
        try:
            Model()
        except TypeError as error:
            raise Fail(f"Model() with no arguments failed: {describe_error(error, self.root)}; "
                       f"the course creates the model as Model(), so every argument needs a default")
        return f"Model() in {time.perf_counter() - start:.2f} s"

    def check_predict_shapes(self):
        model = self.model_class()()
        generator = torch.Generator().manual_seed(0)
        shown = []
        for kind, shape in PREDICT_CASES:
            images = torch.rand(shape, generator=generator) * 255
            if kind == "uint8":
                images = images.to(torch.uint8)
            label = f"{'x'.join(map(str, shape))} {kind}"
            predict_checked(model, images, f"predict on {label}")
            shown.append(label)
        return ", ".join(shown) + ": same shape, floats in [0, 255]"

    def check_psnr(self, noise=None):
        noisy, clean = self.data.validation() if noise is None else self.data.noise_set(noise)
        Model = self.model_class()
        if not (self.folder / "bestmodel.pth").is_file():
            raise Fail(f"{self.package}/bestmodel.pth is missing: train the model and save its weights there "
                       f"(load_pretrained_model loads them)")
        model = Model()
        model.load_pretrained_model()
        start = time.perf_counter()
        denoised = predict_in_slices(model, noisy)
        seconds = time.perf_counter() - start
        return psnr_verdict(denoised, noisy, clean, f"in {seconds:.1f} s on {len(noisy)} images", margin=0.0)

    def check_train(self, pairs, margin):
        noisy_a, noisy_b = self.data.training()
        noisy, clean = self.data.validation()
        pairs = min(pairs, len(noisy_a))
        model = self.model_class()()
        start = time.perf_counter()
        model.train(noisy_a[:pairs].clone(), noisy_b[:pairs].clone(), num_epochs=1)
        seconds = time.perf_counter() - start
        denoised = predict_in_slices(model, noisy)
        message, values = psnr_verdict(denoised, noisy, clean, "", margin=margin)
        values.update(train_pairs=pairs, train_seconds=round(seconds, 3))
        return f"1 epoch on {pairs} pairs in {seconds:.1f} s: {message}", values

    # -- Miniproject_2's modules -----------------------------------------------------------------

    @functools.cached_property
    def framework(self):
        """The framework's classes by name, looked up in `.model`, then in each `.others` submodule."""
        sources = [self.model_module()]
        others_dir = self.folder / "others"
        if others_dir.is_dir():
            with project_on_path(self.root, self.package):
                for info in pkgutil.iter_modules([str(others_dir)]):
                    try:
                        sources.append(importlib.import_module(f"{self.package}.others.{info.name}"))
                    except SUBMISSION_ERRORS:
                        continue  # a broken helper file is the import check's business, not a module's
        found = {}
        for name in MODULE_NAMES[:1] + UPSAMPLING_NAMES + MODULE_NAMES[2:]:
            for source in sources:
                if isinstance(getattr(source, name, None), type):
                    found[name] = getattr(source, name)
                    break
        return found

    def check_module(self, name):
        found = self.framework
        if name == "Upsampling":
            upsampling = [found[n] for n in UPSAMPLING_NAMES if n in found]
            if not upsampling:
                raise Fail(f"no upsampling module: define one of {', '.join(UPSAMPLING_NAMES)} in "
                           f"{self.package}/model.py or a module of {self.package}/others/")
            return check_upsampling(upsampling)
        needs = {"SGD": ("SGD", "Conv2d"), "Sequential": ("Sequential", "Conv2d", "ReLU", "Sigmoid")}.get(name, (name,))
        missing = [n for n in needs if n not in found]
        if missing:
            raise Fail(f"{', '.join(missing)} not found: define {'it' if len(missing) == 1 else 'them'} in "
                       f"{self.package}/model.py or a module of {self.package}/others/ (the course imports "
                       f"them from {self.package}.model)")
        return MODULE_CHECKS[name](*(found[n] for n in needs))

    # -- all of it -------------------------------------------------------------------------------

    def steps(self, train=True, train_pairs=DEFAULT_TRAIN_PAIRS, train_margin=DEFAULT_TRAIN_MARGIN_DB, noises=()):
        """`(name, check, *args)` for every check, in the order they run."""
        steps = [("structure", self.check_structure), ("import", self.check_import),
                 ("imports audit", self.check_audit)]
        if self.number == 2:
            steps += [(f"module {name}", self.check_module, name) for name in MODULE_NAMES]
        steps += [("instantiate", self.check_instantiate), ("predict shapes", self.check_predict_shapes),
                  ("psnr", self.check_psnr)]
        steps += [(f"psnr {noise}", self.check_psnr, noise) for noise in noises]
        if train:
            steps.append(("train", self.check_train, train_pairs, train_margin))
        return steps

    def grade(self, first=0, **options):
        """Run the checks from the `first`-th on (the earlier ones ran in an earlier process); the ProjectResult."""
        grad_mode = torch.is_grad_enabled()  # a submission may switch autograd off on import
        try:
            for name, check, *args in self.steps(**options)[first:]:
                self.run(name, check, *args)
        finally:
            torch.set_grad_enabled(grad_mode)
            forget_package(self.package)
        return self.result


@contextlib.contextmanager
def project_on_path(root, package):
    """`root` first on sys.path, and no other entry holding `package` (this repository's own, say),
    so that `import <package>` finds the submission being graded and nothing else."""
    saved = list(sys.path)
    sys.path[:] = [str(root)] + [entry for entry in saved
                                 if not (Path(entry or ".") / package).resolve().is_dir()]
    importlib.invalidate_caches()
    try:
        yield
    finally:
        sys.path[:] = saved


def forget_package(package):
    """Drop `package` and its submodules from sys.modules, so the next import reads the files again."""
    for name in [name for name in sys.modules if name == package or name.startswith(package + ".")]:
        del sys.modules[name]


# ---------------------------------------------------------------------------------------------
# Prediction and PSNR, as the course computes them.

def check_prediction(output, images, label):
    """Fail unless `output` is a float tensor shaped like `images`, on its device, with values in [0, 255]."""
    if not isinstance(output, torch.Tensor):
        raise Fail(f"{label}: returned {type(output).__name__}, expected a tensor")
    if output.shape != images.shape:
        raise Fail(f"{label}: returned shape {tuple(output.shape)}, expected {tuple(images.shape)}")
    if not output.is_floating_point():
        raise Fail(f"{label}: returned {output.dtype}, expected floats in [0, 255]")
    if output.device != images.device:
        raise Fail(f"{label}: returned a tensor on {output.device}, expected it on the input's device {images.device}")
    if not torch.isfinite(output).all():
        raise Fail(f"{label}: returned NaN or infinite values")
    low, high = output.min().item(), output.max().item()
    if low < 0 or high > 255:
        raise Fail(f"{label}: values in [{low:.4g}, {high:.4g}], expected [0, 255] (clamp the output)")


def predict_checked(model, images, label):
    """`model.predict` on a copy of `images`, its output checked; Fail if predict changed the copy.

    The grader's own data is never handed over, so the noisy baseline stays right; a predict
    that changes its input in place fails, since it would corrupt the caller's data anywhere.
    """
    given = images.clone()
    output = model.predict(given)
    if not torch.equal(given, images):
        raise Fail(f"{label}: predict changed its input tensor in place; leave the caller's data intact "
                   f"(work on a copy, such as test_input.clone())")
    check_prediction(output, images, label)
    return output


def predict_in_slices(model, noisy):
    """`model.predict` on uint8 `noisy` in slices of PREDICT_SLICE, as the course does; floats in [0, 1]."""
    outputs = []
    for start in range(0, len(noisy), PREDICT_SLICE):
        batch = noisy[start:start + PREDICT_SLICE]
        output = predict_checked(model, batch, f"predict on validation images {start}-{start + len(batch) - 1}")
        outputs.append(output.detach().cpu().float())
    return torch.cat(outputs) / 255


def psnr_verdict(denoised, noisy, clean, detail, margin):
    """Message and values comparing PSNR of `denoised` ([0, 1]) with the noisy input's; Fail below noisy + margin."""
    clean = clean.float() / 255
    output_db, noisy_db = psnr(denoised, clean), psnr(noisy.float() / 255, clean)
    values = {"psnr_db": round(output_db, 4), "noisy_psnr_db": round(noisy_db, 4),
              "gain_db": round(output_db - noisy_db, 4)}
    message = f"{output_db:.2f} dB (noisy {noisy_db:.2f} dB, gain {output_db - noisy_db:+.2f} dB)" + \
        (f" {detail}" if detail else "")
    if not math.isfinite(output_db) or output_db <= noisy_db + margin:
        need = f"more than noisy + {margin:.1f} dB" if margin else "more than the noisy input"
        raise Fail(f"{message}: needs {need}")
    return message, values


# ---------------------------------------------------------------------------------------------
# Miniproject_2's modules against torch autograd.

def assert_close(label, got, expected):
    if not isinstance(got, torch.Tensor):
        raise Fail(f"{label}: got {type(got).__name__}, expected a tensor")
    if tuple(got.shape) != tuple(expected.shape):
        raise Fail(f"{label}: shape {tuple(got.shape)}, torch gives {tuple(expected.shape)}")
    got, expected = got.detach().double(), expected.detach().double()
    error = (got - expected).abs().max().item() if got.numel() else 0.0
    scale = expected.abs().max().item() if expected.numel() else 0.0
    if not error <= ATOL + RTOL * scale:
        raise Fail(f"{label}: differs from torch by up to {error:.3g} (values up to {scale:.3g})")


def param_pairs(module, label):
    """`module.param()` checked to be a list of (value, gradient) tensor pairs of one shape."""
    pairs = module.param()
    if not isinstance(pairs, (list, tuple)):
        raise Fail(f"{label}.param() returned {type(pairs).__name__}, expected a list of (value, gradient) pairs")
    for i, pair in enumerate(pairs):
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2
                and all(isinstance(t, torch.Tensor) for t in pair) and pair[0].shape == pair[1].shape):
            raise Fail(f"{label}.param()[{i}] is not a (value, gradient) pair of tensors of one shape")
    return list(pairs)


def compare_with_torch(label, module, x, reference, select=lambda pairs: pairs):
    """Forward and backward of `module` on `x` against `reference(x, *parameters)` under torch autograd.

    `select(pairs)` gives the module's (value, gradient) pairs in the order `reference` takes them;
    gradients are compared as the change backward makes, so accumulating and overwriting both pass.
    """
    before = select(param_pairs(module, label))
    grads_before = [grad.detach().clone() for _, grad in before]
    with torch.enable_grad():
        x_ref = x.clone().requires_grad_()
        params_ref = [value.detach().clone().requires_grad_() for value, _ in before]
        y_ref = reference(x_ref, *params_ref)
    assert_close(f"{label} forward", module.forward(x.clone()), y_ref)
    grad_output = torch.randn(y_ref.shape, generator=torch.Generator().manual_seed(1))
    with torch.enable_grad():
        y_ref.backward(grad_output)
    assert_close(f"{label} backward (gradient of the input)", module.backward(grad_output.clone()), x_ref.grad)
    after = select(param_pairs(module, label))
    for (value, grad), old, ref in zip(after, grads_before, params_ref):
        assert_close(f"{label} backward (gradient of the {tuple(value.shape)} parameter)", grad - old, ref.grad)


def random_input(*shape, seed=0):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed))


def conv_selector(weight_shape, label):
    """`select` for a convolution: its weight pair (shape `weight_shape`) then bias pair, found by shape."""
    def select(pairs):
        weights = [p for p in pairs if tuple(p[0].shape) == weight_shape]
        biases = [p for p in pairs if tuple(p[0].shape) == (weight_shape[0],)]
        if len(weights) != 1 or len(biases) != 1 or len(pairs) != 2:
            raise Fail(f"{label}.param() must be [(weight {weight_shape}, grad), (bias ({weight_shape[0]},), grad)], "
                       f"got shapes {[tuple(p[0].shape) for p in pairs]}")
        return [weights[0], biases[0]]
    return select


# (in, out, kernel, stride, padding, input shape)
CONV_CASES = ((3, 4, 3, 1, 1, (2, 3, 8, 9)), (3, 5, 2, 2, 0, (2, 3, 9, 10)), (2, 3, 3, 2, 1, (1, 2, 7, 6)))


def check_conv2d(Conv2d):
    for seed, (c_in, c_out, k, stride, padding, shape) in enumerate(CONV_CASES):
        label = f"Conv2d({c_in}, {c_out}, kernel_size={k}, stride={stride}, padding={padding})"
        conv = Conv2d(c_in, c_out, kernel_size=k, stride=stride, padding=padding)
        compare_with_torch(label, conv, random_input(*shape, seed=seed),
                           lambda x, w, b: F.conv2d(x, w, b, stride=stride, padding=padding),
                           conv_selector((c_out, c_in, k, k), label))
    return f"{len(CONV_CASES)} configurations: forward, input and parameter gradients match torch"


# Constructor calls tried for an upsampling module, since the course leaves its arguments open:
# nearest upsampling alone, transposed convolution, or nearest upsampling followed by a convolution.
UPSAMPLING_CALLS = (((), {"scale_factor": 2}),
                    ((3, 5), {"kernel_size": 3, "stride": 2, "padding": 1}),
                    ((3, 5), {"kernel_size": 3, "padding": 1, "scale_factor": 2}),
                    ((), {"scale_factor": 2, "in_channels": 3, "out_channels": 5, "kernel_size": 3, "padding": 1}),
                    ((2,), {}))


def upsampling_references(module, x, y):
    """(description, reference, select) triples that could explain `module`'s output `y` for input `x`."""
    pairs = param_pairs(module, type(module).__name__)
    if not pairs:
        scale = y.shape[-1] // x.shape[-1] if isinstance(y, torch.Tensor) and y.dim() == 4 else 2
        return [(f"nearest x{scale}", lambda x, s=scale: F.interpolate(x, scale_factor=s, mode="nearest"),
                 lambda pairs: pairs)]
    weights = [p for p in pairs if p[0].dim() == 4]
    if len(weights) != 1:
        return []
    weight_shape = tuple(weights[0][0].shape)
    found = []
    k = weight_shape[-1]
    for padding in range(k):
        if weight_shape[:2] == (x.shape[1], y.shape[1]):
            for stride in (2, 1):
                found.append((f"transposed convolution (stride {stride}, padding {padding})",
                              lambda x, w, b, s=stride, p=padding: F.conv_transpose2d(x, w, b, stride=s, padding=p),
                              transposed_selector(weight_shape)))
        if weight_shape[:2] == (y.shape[1], x.shape[1]):
            found.append((f"nearest x2 + convolution (padding {padding})",
                          lambda x, w, b, p=padding: F.conv2d(F.interpolate(x, scale_factor=2, mode="nearest"), w, b, padding=p),
                          conv_selector(weight_shape, type(module).__name__)))
    return found


def transposed_selector(weight_shape):
    def select(pairs):
        weight = [p for p in pairs if tuple(p[0].shape) == weight_shape]
        bias = [p for p in pairs if tuple(p[0].shape) == (weight_shape[1],)]
        if len(weight) != 1 or len(bias) != 1:
            raise Fail(f"TransposeConv2d.param() must be [(weight {weight_shape}, grad), (bias, grad)]")
        return [weight[0], bias[0]]
    return select


def check_upsampling(classes):
    """Pass when each upsampling class present, built one of the usual ways, matches its torch equivalent."""
    return "; ".join(check_one_upsampling(cls) for cls in classes)


def check_one_upsampling(cls):
    x = random_input(2, 3, 5, 6, seed=3)
    tried = []
    for args, kwargs in UPSAMPLING_CALLS:
        label = f"{cls.__name__}{format_call(args, kwargs)}"
        try:
            module = cls(*args, **kwargs)
            y = module.forward(x.clone())
        except Exception as error:
            tried.append(f"{label}: {type(error).__name__}: {error}")
            continue
        for description, reference, select in upsampling_references(module, x, y):
            with torch.enable_grad():
                expected = reference(x, *[v for v, _ in select(param_pairs(module, cls.__name__))])
            if isinstance(y, torch.Tensor) and y.shape == expected.shape and torch.allclose(y, expected, RTOL, 1e-4):
                compare_with_torch(label, cls(*args, **kwargs), x, reference, select)  # a fresh module
                return f"{label} as {description}: forward and backward match torch"
        shape = tuple(y.shape) if isinstance(y, torch.Tensor) else type(y).__name__
        tried.append(f"{label}: output {shape} matches none of nearest upsampling, transposed convolution, "
                     f"nearest + convolution")
    raise Fail(f"{cls.__name__} matched no torch upsampling:\n" + "\n".join(tried))


def format_call(args, kwargs):
    return "(" + ", ".join([repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]) + ")"


def check_activation(cls, reference):
    module = cls()
    if param_pairs(module, cls.__name__):
        raise Fail(f"{cls.__name__}.param() must be an empty list: it has no parameters")
    compare_with_torch(f"{cls.__name__}()", module, random_input(2, 3, 4, 5, seed=4), reference)
    return "forward and backward match torch, param() is empty"


def check_relu(ReLU):
    return check_activation(ReLU, torch.relu)


def check_sigmoid(Sigmoid):
    return check_activation(Sigmoid, torch.sigmoid)


def check_mse(MSE):
    loss = MSE()
    prediction, target = random_input(2, 3, 4, 5, seed=5), random_input(2, 3, 4, 5, seed=6)
    with torch.enable_grad():
        prediction_ref = prediction.clone().requires_grad_()
        expected = F.mse_loss(prediction_ref, target)
        expected.backward()
    value = loss.forward(prediction.clone(), target.clone())
    value = value if isinstance(value, torch.Tensor) else torch.tensor(float(value))
    assert_close("MSE forward", value.reshape(()), expected)
    try:
        gradient = loss.backward()
    except TypeError:  # some frameworks pass the two tensors again
        gradient = loss.backward(prediction.clone(), target.clone())
    assert_close("MSE backward (gradient of the prediction)", gradient, prediction_ref.grad)
    return "mean squared error and its gradient match torch.nn.functional.mse_loss"


def check_sgd(SGD, Conv2d):
    conv = Conv2d(3, 4, kernel_size=3, stride=1, padding=1)
    x = random_input(2, 3, 6, 6, seed=7)
    conv.forward(x)
    conv.backward(random_input(2, 4, 6, 6, seed=8))
    values = [v.detach().clone() for v, _ in param_pairs(conv, "Conv2d")]
    grads = [g.detach().clone() for _, g in param_pairs(conv, "Conv2d")]
    if all((g == 0).all() for g in grads):
        raise Fail("Conv2d.backward left every gradient in param() at zero: SGD cannot be checked")
    lr, errors = 0.05, []
    for make in (lambda: SGD(conv.param(), lr=lr), lambda: SGD(conv, lr=lr), lambda: SGD(conv.param(), lr)):
        try:
            optimizer = make()
            break
        except TypeError as error:
            errors.append(str(error))
    else:
        raise Fail(f"SGD could not be built as SGD(model.param(), lr=...) or SGD(model, lr=...): {'; '.join(errors)}")
    optimizer.step()
    for (value, _), old, grad in zip(param_pairs(conv, "Conv2d"), values, grads):
        assert_close("SGD step (parameter - lr * gradient)", value, old - lr * grad)
    zero_grad = getattr(optimizer, "zero_grad", None)
    if callable(zero_grad):
        zero_grad()
        if any((g != 0).any() for _, g in param_pairs(conv, "Conv2d")):
            raise Fail("SGD.zero_grad() left non-zero gradients in param()")
    return "step() moves every parameter by -lr * gradient" + (", zero_grad() clears them" if callable(zero_grad) else "")


def check_sequential(Sequential, Conv2d, ReLU, Sigmoid):
    model = Sequential(Conv2d(3, 4, kernel_size=3, padding=1), ReLU(), Conv2d(4, 3, kernel_size=3, stride=2, padding=1),
                       Sigmoid())
    pairs = param_pairs(model, "Sequential")
    shapes = [tuple(v.shape) for v, _ in pairs]
    expected = [(4, 3, 3, 3), (4,), (3, 4, 3, 3), (3,)]
    if shapes != expected:
        raise Fail(f"Sequential.param() must list its modules' pairs in order, shapes {expected}; got {shapes}")

    def reference(x, w1, b1, w2, b2):
        return torch.sigmoid(F.conv2d(torch.relu(F.conv2d(x, w1, b1, padding=1)), w2, b2, stride=2, padding=1))

    compare_with_torch("Sequential(Conv2d, ReLU, Conv2d, Sigmoid)", model, random_input(2, 3, 8, 7, seed=9), reference)
    return "Conv2d, ReLU, Conv2d, Sigmoid: forward, backward and param() match torch"


# The check of each Miniproject_2 module, by the name its line shows.
MODULE_CHECKS = {"Conv2d": check_conv2d, "Upsampling": check_upsampling, "ReLU": check_relu,
                 "Sigmoid": check_sigmoid, "MSE": check_mse, "SGD": check_sgd, "Sequential": check_sequential}


# ---------------------------------------------------------------------------------------------
# Each mini-project in child processes: nothing a submission does (os._exit, a signal, a hang)
# can end or stall the grader, which always prints its summary.

def grade_in_child(connection, project_path, number, data_dir, build, first, import_error, options):
    """The child process: run the checks from the `first`-th on, sending each Check (as a dict) to the parent."""
    sys.stdout.reconfigure(line_buffering=True)  # the submission's prints come out before its checks' lines
    connection.send(None)  # ready: the parent starts the first check's clock now, not before importing torch
    Grader(project_path, number, Data(data_dir, build), lambda check: connection.send(asdict(check)),
           import_error).grade(first, **options)


def run_child(job, result, count, timeout, report):
    """Run `grade_in_child(connection, *job)` for the checks from `len(result.checks)` to `count`,
    adding each Check it sends to `result` and reporting it.

    Returns None when the child sent them all, else `(message, seconds)` for the check it was
    running when it ran past `timeout` seconds or ended (the caller records that check).
    """
    # spawn: a fresh interpreter, since forking a process that runs torch's threads can deadlock.
    # Not a daemon, so a submission may still start its own processes (DataLoader workers).
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=grade_in_child, args=(sender, *job))
    child.start()
    sender.close()  # only the child holds the sending end now: its end reads here as end of file
    try:
        with contextlib.suppress(EOFError):  # a child that ended at start-up is caught by the first check below
            receiver.recv()  # its "ready"
        while len(result.checks) < count:
            start = time.perf_counter()
            if not receiver.poll(timeout):
                child.kill()
                return (f"did not finish within {timeout:g} s: stopped; make it faster, or raise the limit "
                        f"with --timeout", round(timeout, 3))
            try:
                check = Check(**receiver.recv())
            except EOFError:
                child.join(CHILD_EXIT_GRACE_S)
                status = "" if child.exitcode is None else f" (exit status {child.exitcode})"
                return (f"the submission ended the grading process during this check{status}: it must "
                        f"return or raise an exception, never end its process (os._exit, a signal)",
                        round(time.perf_counter() - start, 3))
            result.checks.append(check)
            report(check)
        child.join(CHILD_EXIT_GRACE_S)
        return None
    finally:
        if child.is_alive():  # stopped above, or a thread the submission left running keeps it alive
            child.kill()
        child.join()
        receiver.close()


def grade_isolated(project_path, number, data, timeout=DEFAULT_TIMEOUT_S, report=print_check, **options):
    """Grade Miniproject_<number> in child processes; a ProjectResult with a Check for every check.

    A check that runs past `timeout` seconds, or during which its process ends, is a FAIL, and a
    new child process runs the checks after it (if the import was that check, the checks that
    need the model are not run).
    """
    names = [name for name, *_ in Grader(project_path, number, data).steps(**options)]
    result = ProjectResult(f"Miniproject_{number}")
    import_error = None
    while len(result.checks) < len(names):
        job = (project_path, number, data.data_dir, data.build, len(result.checks), import_error, options)
        stopped = run_child(job, result, len(names), timeout, report)
        if stopped is not None:
            check = Check(names[len(result.checks)], False, *stopped)
            result.checks.append(check)
            report(check)
            if check.name == "import":
                import_error = f"Miniproject_{number}.model did not finish importing (see the import check)"
    return result


# ---------------------------------------------------------------------------------------------
# Command line.

def grade_projects(project_path, data, projects=PROJECTS, timeout=DEFAULT_TIMEOUT_S, **options):
    """Grade each mini-project of `project_path`, each in its own child processes; list of ProjectResult."""
    data.prepare(options.get("noises", ()))
    results = []
    for number in projects:
        print(f"== Miniproject_{number} ==", flush=True)
        results.append(grade_isolated(project_path, number, data, timeout, **options))
    return results


def summary_line(results):
    parts = []
    for result in results:
        passed = sum(check.passed for check in result.checks)
        failed = len(result.checks) - passed
        parts.append(f"{result.name} {passed}/{len(result.checks)} PASS" + (f" ({failed} FAIL)" if failed else ""))
    return "Summary: " + ", ".join(parts)


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Grade Noise2Noise mini-projects in the course's layout.")
    parser.add_argument("-p", "--project-path", type=Path, default=ROOT,
                        help="folder holding Miniproject_1/ and Miniproject_2/ (default: this repository)")
    parser.add_argument("-d", "--data-path", type=Path, default=None,
                        help=f"folder with train_data.pkl and val_data.pkl (default: {DEFAULT_DATA_DIR}, built if missing)")
    parser.add_argument("--project", type=int, choices=PROJECTS, action="append",
                        help="grade only this mini-project (repeatable; default: both)")
    parser.add_argument("--no-train", action="store_true", help="skip the training check")
    parser.add_argument("--train-pairs", type=int, default=DEFAULT_TRAIN_PAIRS,
                        help=f"training pairs for the one-epoch training check (default {DEFAULT_TRAIN_PAIRS})")
    parser.add_argument("--train-margin", type=float, default=DEFAULT_TRAIN_MARGIN_DB,
                        help=f"PSNR gain over the noisy input the training check needs, dB (default {DEFAULT_TRAIN_MARGIN_DB})")
    parser.add_argument("--noise", default="",
                        help=f"also measure PSNR on val_data_<noise>.pkl for these, comma-separated: {', '.join(NOISE_NAMES)}")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="SECONDS",
                        help=f"time limit of each check; a check still running then is stopped and FAILs "
                             f"(default {DEFAULT_TIMEOUT_S})")
    parser.add_argument("--json", type=Path, help="write the results to this JSON file")
    args = parser.parse_args(argv)
    args.noises = [n for n in args.noise.split(",") if n]
    unknown = [n for n in args.noises if n not in NOISE_NAMES]
    if unknown:
        parser.error(f"unknown noise {', '.join(unknown)}: choose from {', '.join(NOISE_NAMES)}")
    if args.train_pairs < 1:
        parser.error("--train-pairs must be at least 1")
    if not args.timeout > 0:
        parser.error("--timeout must be a positive number of seconds")
    return args


def main(argv=None):
    args = parse_args(argv)
    data_path = args.data_path or DEFAULT_DATA_DIR
    print(f"Grading {args.project_path.resolve()} with data {data_path.resolve()}", flush=True)
    start = time.perf_counter()
    data = Data(data_path, build=args.data_path is None)
    results = grade_projects(args.project_path, data, tuple(args.project or PROJECTS), args.timeout,
                             train=not args.no_train, train_pairs=args.train_pairs, train_margin=args.train_margin,
                             noises=args.noises)
    passed = all(result.passed for result in results)
    print(summary_line(results))
    print(f"{'All checks passed' if passed else 'Some checks FAILED'} in {time.perf_counter() - start:.1f} s")
    if args.json:
        report = {"project_path": str(args.project_path.resolve()), "data_path": str(data_path.resolve()),
                  "passed": passed, "seconds": round(time.perf_counter() - start, 3),
                  "projects": {r.name: {"passed": r.passed, "checks": [asdict(c) for c in r.checks]} for r in results}}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(args.json) as temporary:
            temporary.write_text(json.dumps(report, indent=1) + "\n")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
