"""The one road from results/ to prose: load the committed result files, derive what the text quotes.

The README's results section (`tools/readme_results.py`) and both reports (`report/build.py`)
read results/ only through this module. Every result file names the script that wrote it
(`"script"` in a JSON file); for a missing file, `producer` gives the command by the kit's rule:
`results/<name>.json` is written by `python -m tools.bench.<name>`, a training log by its
training command. The folders of RECORDS hold earlier measurements (results/gaussian_era/, on the
former Gaussian data, for one) that no command of today rewrites: they are restored from git.

`for_text(results)` adds to the loaded files what would be awkward to compute in the text
(typst): summaries of the training logs, the robust-training comparison, the best baseline on
each noise set, and so on.
"""
import csv
import json
import statistics
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[1] / "results"
# The training logs, and the command that writes each (all share tools.training_run.LOG_HEADER).
TRAINING_LOGS = {
    "train_mp1": "python -m tools.train_mp1",
    # the warm restart of the shipped Miniproject_1, from the weights the first cycle wrote
    "train_mp1_restart1": "python -m tools.train_mp1 --restart 1",
    "train_mp2": "python -m tools.train_mp2",
    "train_mp2_unet": "python -m tools.train_mp2 --net unet",
}
# Measurements on the former default data (results/gaussian_era/README.md).
GAUSSIAN_ERA = "gaussian_era"
# Miniproject_1's training with Model.train's own rate and batch size, before the shipped recipe.
MP1_FIRST_RECIPE = "mp1_first_recipe"
# Folders of records, each explained by its README.md: restored from git, never measured again.
RECORDS = {GAUSSIAN_ERA: "measured on the former Gaussian data",
           MP1_FIRST_RECIPE: "Miniproject_1's first training recipe"}
# The first day of the pixelation default (commit 59392e7): a result file dated before it was
# measured on the former Gaussian data, whatever folder it is in (mp2_twin.json, for one).
PIXELATION_SINCE = "2026-12-02"


class MissingResult(Exception):
    """A result file is missing or unreadable; the message says which command writes it."""


def producer(name):
    """The command that writes `results/<name>` (a path inside results/, with its suffix)."""
    path = Path(name)
    if path.parts[0] in RECORDS:
        return f"git checkout -- results/{path.as_posix()}"
    return TRAINING_LOGS.get(path.stem, f"python -m tools.bench.{path.stem}")


def _how_to_write(name):
    """`run `<command>``, with what the record is for a file in a folder of RECORDS."""
    text = f"run `{producer(name)}`"
    folder = Path(name).parts[0]
    if folder in RECORDS:
        text += f" ({RECORDS[folder]}, see results/{folder}/README.md)"
    return text


def _number(text):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def load(name, results=RESULTS):
    """The contents of `results/<name>`: a dict for JSON, `{column: [values]}` for CSV (numbers parsed)."""
    path = Path(results) / name
    if not path.is_file():
        raise MissingResult(f"{path} is missing: {_how_to_write(name)} to write it")
    if path.suffix == ".csv":
        with open(path, newline="") as file:
            rows = list(csv.DictReader(file))
        if not rows:
            raise MissingResult(f"{path} has no rows: rerun `{producer(name)}`")
        return {column: [_number(row[column]) for row in rows] for column in rows[0]}
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise MissingResult(f"{path} is not valid JSON ({error}): rerun `{producer(name)}`") from None


def load_all(names, results=RESULTS):
    """The files `names` (paths inside results/) as a nested dict: `gaussian_era/mp1_n2c.json` is
    `["gaussian_era"]["mp1_n2c"]`. Files other than JSON and CSV (figures) are only checked to exist.
    One MissingResult names every missing file, each with the command that writes it."""
    missing = [name for name in names if not (Path(results) / name).is_file()]
    if missing:
        lines = "\n".join(f"  {Path(results) / name}: {_how_to_write(name)}" for name in missing)
        raise MissingResult(f"result files missing:\n{lines}")
    loaded = {}
    for name in names:
        path = Path(name)
        if path.suffix in (".json", ".csv"):
            folder = loaded
            for part in path.parent.parts:
                folder = folder.setdefault(part, {})
            folder[path.stem] = load(name, results)
    return loaded


def measured_on_gaussian_data(result):
    """Whether a JSON result (with its `"date"`) was measured before the pixelation default."""
    return result.get("date", PIXELATION_SINCE) < PIXELATION_SINCE


def curve(log):
    """`(minutes of training at the end of each epoch, validation PSNR after it)` of a `load`ed training log."""
    minutes, total = [], 0.0
    for seconds in log["epoch_seconds"]:
        total += seconds
        minutes.append(total / 60)
    return minutes, list(log["val_psnr"])


def training_summary(log):
    """Epochs, first/final/best validation PSNR and minutes of a training log (`load`ed CSV)."""
    seconds = sum(log["epoch_seconds"])
    return {"epochs": len(log["epoch"]), "first_psnr": log["val_psnr"][0], "final_psnr": log["val_psnr"][-1],
            "best_psnr": max(log["val_psnr"]), "minutes": seconds / 60, "epoch_seconds": seconds / len(log["epoch"])}


def seed_summary(values):
    """`{"mean", "sd", "half_range", "seeds"}` of one configuration's results over its seeds."""
    values = list(values)
    return {"mean": statistics.mean(values), "sd": statistics.stdev(values) if len(values) > 1 else 0.0,
            "half_range": (max(values) - min(values)) / 2, "seeds": len(values)}


def compare_seeds(values, reference):
    """`{"difference", "spread", "verdict"}` of two configurations' results over their seeds.

    `difference` is the mean of `values` minus the mean of `reference`; `spread` is the larger
    range between the seeds of one configuration. Two seeds of one configuration differ by that
    much, so a smaller difference is "no difference"; a larger one is "better" or "worse".
    """
    difference = statistics.mean(values) - statistics.mean(reference)
    spread = max(max(v) - min(v) for v in (values, reference))
    verdict = "no difference" if abs(difference) <= spread else "better" if difference > 0 else "worse"
    return {"difference": difference, "spread": spread, "verdict": verdict}


# The logs of the shipped model's cycles, as tools/train_mp1.py writes them (a test ties the two).
MP1_CYCLES = ("train_mp1", "train_mp1_restart1")
# The cycles of the first recipe (results/mp1_first_recipe/): one cycle and two warm restarts.
FIRST_RECIPE_CYCLES = ("train_mp1", "train_mp1_restart1", "train_mp1_restart2")


def mp1_training(results, stems=MP1_CYCLES):
    """A Miniproject_1 training, all its cosine cycles together (those of `stems` whose logs are
    loaded, in order): `{"cycles": [training_summary, ...], "epochs", "minutes", "final_psnr", "curve"}`,
    `curve` being the validation PSNR after every epoch."""
    cycles = [results[stem] for stem in stems if stem in results]
    summaries = [training_summary(log) for log in cycles]
    return {"cycles": summaries, "epochs": sum(c["epochs"] for c in summaries),
            "minutes": sum(c["minutes"] for c in summaries), "final_psnr": summaries[-1]["final_psnr"],
            "curve": [psnr for log in cycles for psnr in log["val_psnr"]]}


def robust_comparison(robust, reference="pixelation"):
    """Each training of results/robust_training.json on each noise set, with its seeds summarised.

    `{noise: {"noisy", "trainings": {training: seed_summary}, "difference", "spread", "verdict"}}`:
    the other training against `reference` by `compare_seeds`.
    """
    trainings = list(dict.fromkeys(run["training"] for run in robust["runs"]))
    other = next(t for t in trainings if t != reference)
    table = {}
    for noise, noisy in robust["noisy_psnr"].items():
        values = {training: [run["psnr"][noise] for run in robust["runs"] if run["training"] == training]
                  for training in trainings}
        table[noise] = {"noisy": noisy, "trainings": {t: seed_summary(v) for t, v in values.items()},
                        **compare_seeds(values[other], values[reference])}
    return {"reference": reference, "other": other, "trainings": trainings, "noises": table}


def best_baselines(baselines):
    """`{noise: {"method", "psnr", "n_images"}}`: the baseline with the highest PSNR on each noise set."""
    best = {}
    for noise, methods in baselines["noise_sets"].items():
        name = max(methods, key=lambda method: methods[method]["psnr"])
        best[noise] = {"method": name, "psnr": methods[name]["psnr"], "n_images": methods[name]["n_images"]}
    return best


def largest_statistic_gap(stats):
    """The statistic of results/pixelation_stats.json where ours is relatively farthest from the course's."""
    def gap(key):
        course = stats["course"][key]
        return abs(stats["ours"][key] - course) / max(abs(course), 1.0)
    key = max(stats["course"], key=gap)
    return {"key": key, "course": stats["course"][key], "ours": stats["ours"][key]}


def ablation_table(ablations, reference="shipped"):
    """The runs of results/mp1_ablations.json in the file's order, each with its `seed_summary` and,
    by `compare_seeds`, its difference to the run named `reference` (`delta`, `spread`, `verdict`)."""
    runs = ablations["runs"]
    base = next(run for run in runs if run["name"] == reference)
    table = []
    for run in runs:
        comparison = compare_seeds(run["val_psnr"], base["val_psnr"])
        table.append({**run, **seed_summary(run["val_psnr"]), "delta": comparison.pop("difference"), **comparison,
                      "reference": run is base, "time_ratio": mean_seconds_ratio(run, base)})
    return table


def mean_seconds_ratio(run, base):
    """The mean training time of `run` over its seeds, as a multiple of `base`'s."""
    return statistics.mean(run["seconds"]) / statistics.mean(base["seconds"])


def optimizer_table(optimizers):
    """results/mp2_optimizers.json summarised: every run with its `seed_summary`; for each optimiser
    (at the shipped batch size) its best rate; and each run with several seeds compared with the
    shipped configuration by `compare_seeds`."""
    shipped = optimizers["budget"]["shipped"]

    def is_shipped(run):
        return all(run[key] == shipped[key] for key in ("optimizer", "learning_rate", "batch_size"))

    base = next(run for run in optimizers["runs"] if is_shipped(run))
    runs = []
    for run in optimizers["runs"]:
        row = {**run, **seed_summary(run["val_psnr"]), "shipped": run is base, "time_ratio": mean_seconds_ratio(run, base)}
        if len(run["val_psnr"]) > 1 and run is not base:
            row.update(compare_seeds(run["val_psnr"], base["val_psnr"]))
        runs.append(row)
    best = {row["optimizer"]: row for row in runs if row["batch_size"] == shipped["batch_size"] and row.get("best_rate")}
    return {"runs": runs, "best": best, "shipped": next(row for row in runs if row["shipped"])}


def one_epoch_changes(one_epoch):
    """`{project: {"change", "fresh_minus_shipped"}}` of results/one_epoch.json, in dB."""
    return {name: {"change": row["loaded_then_one_epoch_psnr"] - row["shipped_psnr"],
                   "fresh_minus_shipped": row["fresh_one_epoch_psnr"] - row["shipped_psnr"]}
            for name, row in one_epoch["projects"].items()}


def mean_tile_psnr(examples):
    """`{row: mean PSNR of its tiles}` of results/examples.json."""
    return {name: sum(values) / len(values) for name, values in examples["psnr"].items()}


def first_recipe_training(logs):
    """`mp1_training` of the first recipe's logs (results/mp1_first_recipe/)."""
    return mp1_training(logs, FIRST_RECIPE_CYCLES)


# What `for_text` derives: {key in "derived": (the result file it needs, the function of that file)}.
DERIVED = {
    "mp1_first_recipe": (MP1_FIRST_RECIPE, first_recipe_training),
    "robust": ("robust_training", robust_comparison),
    "best_baseline": ("baselines", best_baselines),
    "largest_statistic_gap": ("pixelation_stats", largest_statistic_gap),
    "one_epoch": ("one_epoch", one_epoch_changes),
    "examples_mean": ("examples", mean_tile_psnr),
    "mp2_twin_on_gaussian_data": ("mp2_twin", measured_on_gaussian_data),
    "ablations": ("mp1_ablations", ablation_table),
    "optimizers": ("mp2_optimizers", optimizer_table),
}


def for_text(results):
    """The `load_all`ed `results` plus `"derived"`: the summaries the reports quote (each when its files are loaded)."""
    derived = {stem: training_summary(results[stem]) for stem in TRAINING_LOGS if stem in results}
    if "train_mp1" in results:
        derived["mp1_training"] = mp1_training(results)
    derived.update({key: derive(results[stem]) for key, (stem, derive) in DERIVED.items() if stem in results})
    return {**results, "derived": derived}
