"""Write the course's submission zip and check it: `python -m tools.bundle 123456 234567 345678`.

The zip `Proj_123456_234567_345678.zip` unpacks to one folder of that name, which holds
`Miniproject_1/` and `Miniproject_2/`, each with `__init__.py`, `model.py`, `bestmodel.pth`,
`Report_N.pdf` and the `.py` files of `others/`; nothing else goes in (no data, caches,
notebooks, tests or stray files: those are listed as left out). The course's grader takes that
folder as its project path and warns unless its name is `Proj_` and three SCIPERs: a group of
one or two gets the same warning here, and its zip is still written.

Refused: a SCIPER that is not six ASCII digits, a missing required file, and a mini-project that
imports more than the course allows (`tools/audit.py`). Before the zip replaces an older one,
it is unpacked into a temporary folder and graded there by `test.py --no-train` (structure,
instantiation, predict, PSNR); a zip that fails, or whose grading ends without its report, is
not kept.
"""
import argparse
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from tools.atomic import atomic_path
from tools.audit import audit_miniproject

ROOT = Path(__file__).resolve().parents[1]

PROJECTS = (1, 2)
# ASCII digits only: `\d` also matches other scripts' digits, such as the full-width '１'.
SCIPER = re.compile(r"[0-9]{6}")
# The course works in groups of up to three; its grader expects three SCIPERs in the folder name.
MAX_SCIPERS = 3
# What each file needs, and the command that makes it when it is missing.
REQUIRED = {
    "__init__.py": "create an empty one",
    "model.py": "it defines the Model class",
    "bestmodel.pth": "train it: python -m tools.train_mp{n}",
    "Report_{n}.pdf": "build it: python report/build.py",
}
# Never shipped, wherever they are: caches, notebooks' checkpoints, version control, tests.
EXCLUDED_DIRS = {"__pycache__", ".ipynb_checkpoints", ".git", "tests", "test", "data"}


class BundleError(Exception):
    """The submission cannot be bundled; the message says why and how to fix it."""


def project_name(scipers):
    """`Proj_<s1>_<s2>_<s3>` for 1 to 3 distinct six-digit SCIPERs; BundleError otherwise."""
    if not 1 <= len(scipers) <= MAX_SCIPERS:
        raise BundleError(f"give 1 to {MAX_SCIPERS} SCIPERs (one per group member), got {len(scipers)}")
    bad = [s for s in scipers if not SCIPER.fullmatch(s)]
    if bad:
        raise BundleError(f"a SCIPER is six ASCII digits (0-9): {', '.join(repr(s) for s in bad)} is not")
    if len(set(scipers)) != len(scipers):
        raise BundleError(f"the same SCIPER is given twice: {' '.join(scipers)}")
    return "Proj_" + "_".join(scipers)


def group_warning(scipers):
    """A warning for a group of fewer than three, whose folder name the course's grader warns about; else None."""
    if len(scipers) >= MAX_SCIPERS:
        return None
    return (f"warning: {len(scipers)} of {MAX_SCIPERS} SCIPERs given: the course's grader expects {MAX_SCIPERS} "
            f"in the folder name and will warn; that is expected for a group of {len(scipers)}, otherwise "
            f"give every member's SCIPER")


def is_shipped_code(relative):
    """True for a `.py` file of `others/` that is not a test, a cache or hidden (`relative` is under others/)."""
    parts = relative.parts
    if any(part in EXCLUDED_DIRS or part.startswith(".") for part in parts):
        return False
    name = parts[-1]
    return name.endswith(".py") and not (name.startswith("test_") or name.endswith("_test.py"))


def select_files(project_root, number):
    """`(shipped, left_out)` for `Miniproject_<number>/` of `project_root`.

    `shipped`: `(source path, path inside the project folder)` pairs; `left_out`: paths (relative
    to `project_root`) that exist but are not part of a submission. BundleError if a required file is missing.
    """
    folder = Path(project_root) / f"Miniproject_{number}"
    if not folder.is_dir():
        raise BundleError(f"{folder} not found: the project must hold Miniproject_1/ and Miniproject_2/")
    required = {name.format(n=number): hint.format(n=number) for name, hint in REQUIRED.items()}
    missing = [f"{name} ({hint})" for name, hint in required.items() if not (folder / name).is_file()]
    if missing:
        raise BundleError(f"missing in {folder.name}/: " + "; ".join(missing))
    report = folder / f"Report_{number}.pdf"
    with open(report, "rb") as file:
        if file.read(5) != b"%PDF-":
            raise BundleError(f"{folder.name}/{report.name} is not a PDF: build it with python report/build.py")
    shipped = [(folder / name, f"{folder.name}/{name}") for name in required]
    left_out = []
    for path in sorted(folder.rglob("*")):
        if path.is_dir():
            continue
        relative = path.relative_to(folder)
        if relative.parts[0] == "others" and is_shipped_code(relative.relative_to("others")):
            shipped.append((path, f"{folder.name}/{relative.as_posix()}"))
        elif relative.as_posix() not in required:
            left_out.append(f"{folder.name}/{relative.as_posix()}")
    return shipped, [p for p in left_out if "__pycache__" not in p]


def check_imports(project_root, number):
    """BundleError listing the imports of `Miniproject_<number>/` that the course forbids."""
    violations = audit_miniproject(Path(project_root) / f"Miniproject_{number}", number)
    if violations:
        allowed = "torch and the standard library" if number == 1 else "the standard library and the allowed torch names"
        lines = "\n".join(f"  {v.file}:{v.line}: {v.name}" for v in violations)
        raise BundleError(f"Miniproject_{number} imports more than {allowed}:\n{lines}\n"
                          f"(details: python -m tools.audit Miniproject_{number})")


def write_zip(members, path):
    """Write `members` (`(source path, name in the zip)` pairs) to the zip `path`, compressed."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for source, name in members:
            archive.write(source, name)


def run_grader(project_path, data_path, report_path):
    """Run this repository's `test.py --no-train` on `project_path`; returns its exit status."""
    command = [sys.executable, str(ROOT / "test.py"), "-p", str(project_path), "--no-train", "--json", str(report_path)]
    if data_path is not None:
        command += ["-d", str(data_path)]
    print("self-check: " + " ".join(command[1:]), flush=True)
    return subprocess.run(command, cwd=project_path.parent).returncode


def self_check(zip_path, name, data_path=None, grader=None):
    """Unpack `zip_path` in a temporary folder and grade the copy; returns `{project: psnr}` (dB).

    BundleError if the zip does not unpack to the single folder `name`, or the grader fails or
    ends without writing its report.
    """
    with tempfile.TemporaryDirectory(prefix="bundle_check_") as temporary:
        temporary = Path(temporary)
        with zipfile.ZipFile(zip_path) as archive:
            tops = {member.split("/")[0] for member in archive.namelist()}
            if tops != {name}:
                raise BundleError(f"the zip must unpack to the single folder {name}/, it holds {sorted(tops)}")
            archive.extractall(temporary)
        report_path = temporary / "grader.json"
        status = (grader or run_grader)(temporary / name, data_path, report_path)
        if status != 0:
            raise BundleError(f"the unpacked copy fails test.py (exit status {status}): see the FAIL lines above")
        report = json.loads(report_path.read_text()) if report_path.is_file() else {}
        if report.get("passed") is not True:  # exit status 0 alone may be a submission's sys.exit(0)
            raise BundleError("test.py on the unpacked copy ended without its report of passed checks: see its "
                              "output above for where it stopped")
    return {project: _psnr_of(result) for project, result in report["projects"].items()}


def _psnr_of(project_result):
    for check in project_result.get("checks", []):
        if check["name"] == "psnr" and "psnr" in check.get("values", {}):
            return check["values"]["psnr"]
    return None


def bundle(scipers, project_root=ROOT, out_dir=ROOT, data_path=None, grader=None):
    """Write and check `<out_dir>/Proj_<scipers>.zip` from `project_root`; returns `(zip path, left out, psnr)`.

    `grader(project_path, data_path, json_path) -> exit status` grades the unpacked copy (default: `run_grader`).
    """
    name = project_name(scipers)
    members, left_out = [], []
    for number in PROJECTS:
        shipped, skipped = select_files(project_root, number)
        check_imports(project_root, number)
        members += [(source, f"{name}/{inside}") for source, inside in shipped]
        left_out += skipped
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / f"{name}.zip"
    with atomic_path(final) as temporary:  # an older zip is replaced only by one that passed
        write_zip(members, temporary)
        psnr = self_check(temporary, name, data_path, grader)
    return final, left_out, psnr


def describe(zip_path, left_out, psnr):
    """The lines printed after a successful bundle: size, contents, what was left out."""
    with zipfile.ZipFile(zip_path) as archive:
        infos = archive.infolist()
    lines = [f"wrote {zip_path} ({zip_path.stat().st_size / 1e6:.2f} MB, {len(infos)} files):"]
    lines += [f"  {info.file_size:>10,d}  {info.filename}" for info in infos]
    if left_out:
        lines.append("left out (not part of a submission): " + ", ".join(left_out))
    lines += [f"{project}: PSNR {value:.2f} dB on the validation set" for project, value in psnr.items() if value is not None]
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description="Write and check the course's submission zip Proj_<SCIPERs>.zip.")
    parser.add_argument("scipers", nargs="+",
                        help=f"the group's SCIPER numbers, six ASCII digits each, 1 to {MAX_SCIPERS}; fewer than "
                             f"{MAX_SCIPERS} get a warning, since the course's grader expects {MAX_SCIPERS}")
    parser.add_argument("-p", "--project-path", type=Path, default=ROOT,
                        help="folder holding Miniproject_1/ and Miniproject_2/ (default: this repository)")
    parser.add_argument("-o", "--out-dir", type=Path, default=ROOT, help="where the zip goes (default: the repository)")
    parser.add_argument("-d", "--data-path", type=Path, default=None,
                        help="data folder for the self-check (default: test.py's, data/)")
    args = parser.parse_args(argv)
    try:
        zip_path, left_out, psnr = bundle(args.scipers, args.project_path, args.out_dir, args.data_path)
    except BundleError as error:
        print(f"bundle refused: {error}", file=sys.stderr)
        return 1
    print("\n".join(describe(zip_path, left_out, psnr)))
    warning = group_warning(args.scipers)
    if warning:
        print(warning, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
