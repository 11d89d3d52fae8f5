"""Build both reports from the committed results: `python report/build.py`.

    pip install -r requirements.txt            # includes typst (the typesetter, a pip wheel)
    python report/build.py                     # Miniproject_1/Report_1.pdf and Miniproject_2/Report_2.pdf
    python report/build.py --report 2          # only one of them

Steps: read the result files in results/ (a missing one stops the build with the command that
writes it); draw the figures into report/figures/ and write report/figures/numbers.json, the
numbers that the text quotes (report/figures/ is generated, and git-ignored); compile
report/report1.typ and report2.typ with typst; refuse a report over the course's 3 pages; then
replace the PDF atomically, so a failed build never leaves half a report.
"""
import argparse
import csv
import json
import os
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
import facts  # noqa: E402
import plots  # noqa: E402

RESULTS_DIR = ROOT / "results"
FIGURES_DIR = HERE / "figures"
MAX_PAGES = 3

# Every result file a report reads, and the command that writes it (run from the repository root).
PRODUCERS = {
    "train_mp1.csv": "python tools/train_mp1.py",
    "mp1_baselines.json": "python -m tools.bench.mp1_baselines",
    "mp1_n2c.json": "python -m tools.bench.mp1_n2c",
    "train_mp1_n2c.csv": "python tools/train_mp1.py --clean-targets --out runs/n2c/bestmodel.pth "
                         "--log results/train_mp1_n2c.csv --checkpoint runs/n2c/checkpoint.pth",
    "mp1_ablations.json": "python -m tools.bench.mp1_ablations",
    "data_scenes.json": "python -m tools.bench.data_scenes",
    "eval_models.json": "python -m tools.bench.eval_models",
    "speed.json": "python -m tools.bench.speed",
    "examples.json": "python -m tools.bench.examples",
    "examples.png": "python -m tools.bench.examples",
    "train_mp2.csv": "python tools/train_mp2.py",
    "mp2_speed.json": "python -m tools.bench.mp2_speed",
    "mp2_twin.json": "python -m tools.bench.mp2_twin",
    "train_mp2_unet.csv": "python tools/train_mp2.py --net unet --out runs/mp2_unet.pth --log results/train_mp2_unet.csv",
    "mp2_psnr.json": "python -m tools.bench.mp2_psnr",
    "mp2_sweep.json": "python -m tools.bench.mp2_sweep",
}
# What each report needs (`required`) and uses when present (`optional`).
REPORTS = {
    1: {"source": "report1.typ", "pdf": ROOT / "Miniproject_1" / "Report_1.pdf",
        "required": ["train_mp1.csv", "mp1_baselines.json", "mp1_n2c.json", "mp1_ablations.json",
                     "data_scenes.json", "eval_models.json", "speed.json", "examples.json", "examples.png"],
        "optional": ["train_mp1_n2c.csv"]},
    2: {"source": "report2.typ", "pdf": ROOT / "Miniproject_2" / "Report_2.pdf",
        "required": ["train_mp2.csv", "mp2_speed.json", "mp2_twin.json", "examples.json", "examples.png"],
        "optional": ["eval_models.json", "speed.json", "train_mp2_unet.csv", "mp2_psnr.json", "train_mp1.csv",
                     "mp2_sweep.json"]},
}


class BuildError(Exception):
    """The reports cannot be built; the message says what is missing and how to make it."""


def read_csv(path):
    """A CSV of numbers as `{column: [values]}` (ints and floats parsed, other text kept)."""
    with open(path, newline="") as file:
        rows = list(csv.DictReader(file))
    if not rows:
        raise BuildError(f"{path} has no rows: rerun `{PRODUCERS.get(path.name, 'its script')}`")
    return {column: [_number(row[column]) for row in rows] for column in rows[0]}


def _number(text):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def load_results(results_dir, numbers):
    """`{stem: contents}` of the result files `numbers` (1 and/or 2) need; BuildError names every missing one."""
    results_dir = Path(results_dir)
    required = sorted({name for n in numbers for name in REPORTS[n]["required"]})
    optional = sorted({name for n in numbers for name in REPORTS[n]["optional"]} - set(required))
    missing = [name for name in required if not (results_dir / name).is_file()]
    if missing:
        lines = "\n".join(f"  {results_dir / name}: run `{PRODUCERS[name]}`" for name in missing)
        raise BuildError(f"result files missing, the reports quote them:\n{lines}")
    loaded = {}
    for name in required + [name for name in optional if (results_dir / name).is_file()]:
        path = results_dir / name
        if path.suffix == ".csv":
            loaded[path.stem] = read_csv(path)
        elif path.suffix == ".json":
            try:
                loaded[path.stem] = json.loads(path.read_text())
            except json.JSONDecodeError as error:
                raise BuildError(f"{path} is not valid JSON ({error}): rerun `{PRODUCERS[name]}`") from None
    return loaded


def count_pages(pdf):
    """Number of pages of a PDF (bytes) as typst writes it: one `/Type /Page` object per page."""
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))


def compile_report(source, pdf_path, root=HERE, max_pages=MAX_PAGES, log=print):
    """Compile the typst file `source` (inside `root`) into `pdf_path`, atomically; returns the page count."""
    import typst
    try:
        pdf, warnings = typst.compile_with_warnings(str(source), root=str(root))
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


def build(numbers=(1, 2), results_dir=RESULTS_DIR, outputs=None, figures_dir=FIGURES_DIR, log=print):
    """Build the reports `numbers`; returns `{number: (pdf path, pages)}`.

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
    (figures_dir / "numbers.json").write_text(json.dumps(facts.for_text(results), indent=1) + "\n")
    built = {}
    for number in numbers:
        spec = REPORTS[number]
        pdf_path = Path(outputs.get(number, spec["pdf"]))
        pages = compile_report(stage / spec["source"], pdf_path, root=stage, log=log)
        log(f"wrote {pdf_path} ({pages} page{'s' if pages > 1 else ''})")
        built[number] = (pdf_path, pages)
    return built


def main(argv=None):
    parser = argparse.ArgumentParser(description="Build Report_1.pdf and Report_2.pdf from results/.")
    parser.add_argument("--report", type=int, choices=sorted(REPORTS), action="append",
                        help="build only this report (repeatable; default: both)")
    parser.add_argument("--results", type=Path, default=RESULTS_DIR, help="folder of result files (default: results/)")
    parser.add_argument("--out-dir", type=Path, help="write Report_N.pdf here (default: into Miniproject_N/)")
    args = parser.parse_args(argv)
    numbers = tuple(args.report or sorted(REPORTS))
    outputs = {n: args.out_dir / REPORTS[n]["pdf"].name for n in numbers} if args.out_dir else None
    try:
        build(numbers, args.results, outputs)
    except BuildError as error:
        print(f"report build failed: {error}", file=sys.stderr)
        return 1
    except ImportError as error:
        print(f"report build failed: {error}: run `pip install -r requirements.txt` (it includes typst)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
