"""Build both reports from the committed results: `python report/build.py`.

    pip install -r requirements.txt                   # includes typst (the typesetter, a pip wheel)
    python report/build.py --authors "A (123456), B (234567)"   # Miniproject_1/Report_1.pdf, Miniproject_2/Report_2.pdf
    python report/build.py --report 2                 # only one of them

Steps: read the result files each report quotes, through tools/facts.py (a missing one stops
the build with the command that writes it); draw the figures into report/figures/ and write
report/figures/numbers.json, the numbers that the text quotes: the result files, what
tools.facts derives from them, and the settings read from the code (report/figures/ is
generated, and git-ignored); compile report/report1.typ and report2.typ with typst; refuse a
report over the course's 3 pages; then replace the PDF atomically, so a failed build never
leaves half a report.
"""
import argparse
import ast
import json
import os
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for folder in (ROOT, HERE):  # tools.facts, and plots.py beside this file
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
import plots  # noqa: E402
from tools import facts  # noqa: E402

RESULTS_DIR = facts.RESULTS
FIGURES_DIR = HERE / "figures"
MAX_PAGES = 3
# The author line of both reports, unless --authors gives it.
AUTHORS = "Group members: name (SCIPER), name (SCIPER), name (SCIPER)"

# The result files each report quotes (paths inside results/; tools.facts.producer names the
# command that writes each). The folders of tools.facts.RECORDS hold earlier measurements.
SHARED = ["pixelation_stats.json", "robust_training.json", "eval_models.json", "baselines.json",
          "one_epoch.json", "speed.json", "examples.json", "examples.png"]
REPORTS = {
    1: {"source": "report1.typ", "pdf": ROOT / "Miniproject_1" / "Report_1.pdf",
        "results": SHARED + ["train_mp1.csv", "train_mp1_restart1.csv", "mp1_first_recipe/train_mp1.csv",
                             "mp1_first_recipe/train_mp1_restart1.csv", "mp1_first_recipe/train_mp1_restart2.csv",
                             "train_mp2_unet.csv", "mp1_ablations.json", "gaussian_era/mp1_ablations.json",
                             "gaussian_era/mp1_n2c.json", "gaussian_era/data_scenes.json", "gaussian_era/dead_leaves.json"]},
    2: {"source": "report2.typ", "pdf": ROOT / "Miniproject_2" / "Report_2.pdf",
        "results": SHARED + ["train_mp2.csv", "train_mp2_unet.csv", "train_mp1.csv", "train_mp1_restart1.csv",
                             "mp2_speed.json", "mp2_twin.json", "mp2_optimizers.json",
                             "mp2_module_errors.json", "gaussian_era/mp2_sweep.json"]},
}


class BuildError(Exception):
    """The reports cannot be built; the message says what is missing and how to make it."""


def result_files(numbers):
    """The result files that the reports `numbers` quote, each once, in a stable order."""
    return list(dict.fromkeys(name for n in numbers for name in REPORTS[n]["results"]))


def load_results(results_dir, numbers):
    """The result files the reports `numbers` (1 and/or 2) quote, loaded by tools.facts.load_all;
    BuildError names every missing one with the command that writes it."""
    try:
        return facts.load_all(result_files(numbers), results_dir)
    except facts.MissingResult as error:
        raise BuildError(f"{error}\n(the reports quote them)") from None


def module_constants(path, names):
    """The values of the top-level assignments `names` in the Python file `path`, read without
    importing it (importing Miniproject_2.model would switch autograd off in this process)."""
    values = {}
    for node in ast.parse(Path(path).read_text()).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and getattr(node.targets[0], "id", None) in names:
            values[node.targets[0].id] = ast.literal_eval(node.value)
    missing = set(names) - set(values)
    if missing:
        raise BuildError(f"{path} no longer sets {', '.join(sorted(missing))}: update report/build.py")
    return values


def code_settings():
    """The settings the text describes, read from the code that uses them, so that no number is typed twice."""
    from Miniproject_1.model import NETWORK
    from Miniproject_1.others.held_out import HELD_OUT_EVERY, MAX_HELD_OUT
    from Miniproject_1.others.training import TrainSettings
    from Miniproject_1.others.unet import UNet
    from Miniproject_2.others.network import PRESCRIBED_KERNEL, PRESCRIBED_WIDTHS, prescribed_net, unet
    from tools.data.noise import MIX, PIXELATION
    from tools.model_size import framework_size, torch_size
    mp1 = TrainSettings()
    mp2 = module_constants(ROOT / "Miniproject_2" / "model.py", ["BATCH_SIZE", "LEARNING_RATE", "FINE_TUNE_FACTOR",
                                                                              "MIN_STEPS"])
    run = module_constants(ROOT / "tools" / "train_mp1.py",  # the training command's settings
                           ["N_TRAIN", "RESTARTS", "LEARNING_RATE", "BATCH_SIZE"])
    return {"mix": MIX, "pixelation_blocks": PIXELATION, "held_out_every": HELD_OUT_EVERY,
            "max_held_out": MAX_HELD_OUT, "training_pairs": run["N_TRAIN"],
            "mp1": {"network": NETWORK, "learning_rate": mp1.learning_rate, "batch_size": mp1.batch_size,
                    "min_steps_per_epoch": mp1.min_steps_per_epoch, "warmup_steps": mp1.warmup_steps,
                    "fine_tune_factor": mp1.fine_tune_factor, "size": torch_size(UNet(**NETWORK)),
                    "restarts": run["RESTARTS"], "run_learning_rate": run["LEARNING_RATE"],
                    "run_batch_size": run["BATCH_SIZE"]},
            "mp2": {"widths": PRESCRIBED_WIDTHS, "kernel": PRESCRIBED_KERNEL, "learning_rate": mp2["LEARNING_RATE"],
                    "batch_size": mp2["BATCH_SIZE"], "min_steps": mp2["MIN_STEPS"],
                    "fine_tune_factor": mp2["FINE_TUNE_FACTOR"], "size": framework_size(prescribed_net()),
                    "unet_size": framework_size(unet())}}


def count_pages(pdf):
    """Number of pages of a PDF (bytes) as typst writes it: one `/Type /Page` object per page."""
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))


def compile_report(source, pdf_path, root=HERE, max_pages=MAX_PAGES, log=print, authors=AUTHORS):
    """Compile the typst file `source` (inside `root`) into `pdf_path`, atomically; returns the page count.

    `authors` is the author line (typst reads it as `sys.inputs.authors`, style.typ)."""
    import typst
    try:
        pdf, warnings = typst.compile_with_warnings(str(source), root=str(root), sys_inputs={"authors": authors})
    except RuntimeError as error:  # typst.TypstError: `diagnostic` has the file, line and cause
        raise BuildError(f"typst could not compile {source}:\n{getattr(error, 'diagnostic', '') or error}") from None
    for warning in warnings:  # unknown fonts, overfull layout, ...: shown, not fatal
        log(f"typst warning in {Path(source).name}: {getattr(warning, 'diagnostic', '') or warning}")
    pages = count_pages(pdf)
    if pages > max_pages:
        raise BuildError(f"{Path(source).name} gives {pages} pages; the course allows {max_pages}: shorten it")
    pdf_path = Path(pdf_path)
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    temporary = pdf_path.with_name(pdf_path.name + ".tmp")
    temporary.write_bytes(pdf)
    os.replace(temporary, pdf_path)
    return pages


def build(numbers=(1, 2), results_dir=RESULTS_DIR, outputs=None, figures_dir=FIGURES_DIR, log=print, authors=AUTHORS):
    """Build the reports `numbers` with the author line `authors`; returns `{number: (pdf path, pages)}`.

    `outputs` maps a number to its PDF path (default: Report_N.pdf in Miniproject_N/). The figures
    and numbers.json go to `figures_dir`; typst compiles in its parent, where the .typ sources
    are copied when that is not report/ itself (tests build into a temporary folder this way).
    """
    outputs = outputs or {}
    results = load_results(results_dir, numbers)
    figures_dir = Path(figures_dir)
    figures_dir.mkdir(parents=True, exist_ok=True)
    stage = figures_dir.parent
    if stage.resolve() != HERE:
        for source in HERE.glob("*.typ"):
            shutil.copyfile(source, stage / source.name)
    shutil.copyfile(Path(results_dir) / "examples.png", figures_dir / "examples.png")
    drawn = plots.draw_all(results, figures_dir)
    log("figures: " + ", ".join(sorted(drawn)))
    numbers_for_text = {**facts.for_text(results), "code": code_settings()}
    (figures_dir / "numbers.json").write_text(json.dumps(numbers_for_text, indent=1) + "\n")
    built = {}
    for number in numbers:
        spec = REPORTS[number]
        pdf_path = Path(outputs.get(number, spec["pdf"]))
        pages = compile_report(stage / spec["source"], pdf_path, root=stage, log=log, authors=authors)
        log(f"wrote {pdf_path} ({pages} page{'s' if pages > 1 else ''})")
        built[number] = (pdf_path, pages)
    return built


def main(argv=None):
    parser = argparse.ArgumentParser(description="Build Report_1.pdf and Report_2.pdf from results/.")
    parser.add_argument("--report", type=int, choices=sorted(REPORTS), action="append",
                        help="build only this report (repeatable; default: both)")
    parser.add_argument("--results", type=Path, default=RESULTS_DIR, help="folder of result files (default: results/)")
    parser.add_argument("--out-dir", type=Path, help="write Report_N.pdf here (default: into Miniproject_N/)")
    parser.add_argument("--authors", default=AUTHORS,
                        help=f'the author line under the titles, e.g. "A (123456), B (234567)" (default: "{AUTHORS}")')
    args = parser.parse_args(argv)
    if not args.authors.strip():
        parser.error("--authors is empty: give the group's names (and SCIPERs)")
    numbers = tuple(args.report or sorted(REPORTS))
    outputs = {n: args.out_dir / REPORTS[n]["pdf"].name for n in numbers} if args.out_dir else None
    try:
        build(numbers, args.results, outputs, authors=args.authors)
    except BuildError as error:
        print(f"report build failed: {error}", file=sys.stderr)
        return 1
    except ImportError as error:
        print(f"report build failed: {error}: run `pip install -r requirements.txt` (it includes typst)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
