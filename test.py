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

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from tools.atomic import atomic_path  # noqa: E402
from tools.audit import audit_miniproject  # noqa: E402
from tools.data import DEFAULT_DATA_DIR, NOISE_NAMES, ensure_dataset, ensure_noise_set, load_pair  # noqa: E402
from tools.metrics import psnr  # noqa: E402
# Fail is every check's verdict; it lives with the module checks, which raise it too.
from tools.module_checks import CLASS_NAMES, MODULE_NAMES, Fail, check_module  # noqa: E402

PROJECTS = (1, 2)
# The course feeds the validation set to predict in slices of this many images.
PREDICT_SLICE = 100
# Training check: one epoch on the first pairs of train_data.pkl. 2,000 pairs is 4% of an epoch:
# about 12 s for a model that meets the course's 5 minutes per 50,000 pairs.
DEFAULT_TRAIN_PAIRS = 2000
# "Clearly beats the noisy input": the trained model must gain at least this much PSNR.
DEFAULT_TRAIN_MARGIN_DB = 0.5
# How much PSNR the training check lets one epoch lose on a loaded model: the course requires that
# it does not make the model worse, and a few hundredths of a dB are evaluation noise.
TRAIN_TOLERANCE_DB = 0.05
# predict must handle any size: a large image, and odd sizes in both dtypes the course uses.
PREDICT_CASES = (("float", (1, 3, 512, 512)), ("uint8", (3, 3, 37, 53)), ("float", (2, 3, 31, 33)))
# Time limit of one check, seconds. Generous: the training check takes about 12 s for a model
# at the course's speed limit, predict on the validation set a few seconds.
DEFAULT_TIMEOUT_S = 300
# How long a child process may take to exit once it has sent every check: time to flush the
# submission's last prints, not long enough for a thread it left running to stall the grader.
CHILD_EXIT_GRACE_S = 5
# What a submission's code may raise that must be a FAIL, not the grader's end: sys.exit and
# KeyboardInterrupt are not Exceptions, and would otherwise stop the grading process.
SUBMISSION_ERRORS = (Exception, SystemExit, KeyboardInterrupt)


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
        """`(noisy, clean)` of val_data_<noise>.pkl, built if missing (see tools.data.ensure_noise_set)."""
        path = self.data_dir / f"val_data_{noise}.pkl"
        if not path.is_file():
            self.validation()  # a clear message if val_data.pkl itself is missing
            if not (self.build or (self.data_dir / "train_data.pkl").is_file()):
                # ensure_noise_set would build the whole default dataset into someone else's folder
                raise Fail(f"{path.name} not found in {self.data_dir}: build it with `python -m tools.data "
                           f"--data-dir {self.data_dir} --noise-sets {noise}` or drop --noise {noise}")
            path = ensure_noise_set(noise, self.data_dir, log=self.log)  # val_data.pkl for its own noise
        return self.load(path.name)

    def prepare(self, noises=()):
        """Build the default files that are missing, in the grader's own process, before any check
        runs: a build (a minute or two) must not count against a check's time limit."""
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
        """The course's training check: load bestmodel.pth, train one epoch, evaluate. Training must
        not make the model worse (by more than TRAIN_TOLERANCE_DB) and must beat the noisy input."""
        noisy_a, noisy_b = self.data.training()
        noisy, clean = self.data.validation()
        pairs = min(pairs, len(noisy_a))
        model = self.model_class()()
        model.load_pretrained_model()
        before = psnr(predict_in_slices(model, noisy), clean.float() / 255)
        start = time.perf_counter()
        model.train(noisy_a[:pairs].clone(), noisy_b[:pairs].clone(), num_epochs=1)
        seconds = time.perf_counter() - start
        message, values = psnr_verdict(predict_in_slices(model, noisy), noisy, clean, "", margin=margin)
        values.update(train_pairs=pairs, train_seconds=round(seconds, 3), psnr_before=round(before, 4))
        message = f"loaded, then 1 epoch on {pairs} pairs in {seconds:.1f} s: {message}, {before:.2f} dB before"
        if not values["psnr"] >= before - TRAIN_TOLERANCE_DB:
            raise Fail(f"{message}: training made the loaded model worse")
        return message, values

    # -- Miniproject_2's modules: found here, checked against torch in tools/module_checks.py ------

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
        for name in CLASS_NAMES:
            for source in sources:
                if isinstance(getattr(source, name, None), type):
                    found[name] = getattr(source, name)
                    break
        return found

    def check_module(self, name):
        return check_module(name, self.framework, self.package)

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
    values = {"psnr": round(output_db, 4), "noisy_psnr": round(noisy_db, 4),
              "gain": round(output_db - noisy_db, 4)}
    message = f"{output_db:.2f} dB (noisy {noisy_db:.2f} dB, gain {output_db - noisy_db:+.2f} dB)" + \
        (f" {detail}" if detail else "")
    if not math.isfinite(output_db) or output_db <= noisy_db + margin:
        need = f"more than noisy + {margin:.1f} dB" if margin else "more than the noisy input"
        raise Fail(f"{message}: needs {need}")
    return message, values


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
