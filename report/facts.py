"""The numbers the reports' text quotes, derived from the loaded result files.

`for_text(results)` returns every loaded file under its name (`train_mp1`, `mp1_baselines`, ...)
plus `derived`: summaries that would be awkward to compute in typst. The build writes it to
report/figures/numbers.json, which report1.typ and report2.typ read.
"""

# Training logs: (PSNR column, seconds column, whether the seconds are cumulative).
TRAINING_LOGS = {
    "train_mp1": ("val_psnr", "train_seconds", True),
    "train_mp1_n2c": ("val_psnr", "train_seconds", True),
    "train_mp2": ("val_psnr_db", "epoch_seconds", False),
    "train_mp2_unet": ("val_psnr_db", "epoch_seconds", False),
}


def curve(log, stem):
    """`(minutes of training at the end of each epoch, validation PSNR after it)` of a training log."""
    psnr_column, seconds_column, cumulative = TRAINING_LOGS[stem]
    seconds = log[seconds_column]
    if not cumulative:
        seconds = [sum(seconds[:i + 1]) for i in range(len(seconds))]
    return [s / 60 for s in seconds], list(log[psnr_column])


def training_summary(log, stem):
    minutes, psnr = curve(log, stem)
    return {"epochs": len(psnr), "final_psnr": psnr[-1], "best_psnr": max(psnr), "first_psnr": psnr[0],
            "minutes": minutes[-1], "epoch_seconds": 60 * minutes[-1] / len(psnr)}


def ablation_table(ablations, reference="shipped"):
    """The ablation runs in the file's order, each with `delta`: its PSNR minus the reference run's
    (the run named `reference`, else the first)."""
    runs = ablations["runs"]
    base = next((run for run in runs if run["name"] == reference), runs[0])
    return [{**run, "delta": run["val_psnr"] - base["val_psnr"], "reference": run is base} for run in runs]


def for_text(results):
    derived = {}
    for stem in TRAINING_LOGS:
        if stem in results:
            derived[stem] = training_summary(results[stem], stem)
    if "mp1_ablations" in results:
        derived["ablations"] = ablation_table(results["mp1_ablations"])
    if "mp1_baselines" in results and "eval_models" in results:
        ours = results["eval_models"]["projects"]["Miniproject_1"]["gaussian25"]["psnr"]
        methods = results["mp1_baselines"]["methods"]
        derived["mp1_minus_baseline"] = {name: ours - m["psnr"] for name, m in methods.items()}
    if "examples" in results:
        tiles = results["examples"]["psnr_db"]
        derived["examples_mean"] = {name: sum(v) / len(v) for name, v in tiles.items()}
    if "mp2_speed" in results:
        layers = results["mp2_speed"]["layers"]
        derived["mp2_slowest_layer"] = max(layers, key=lambda layer: layer["ratio"])
    return {**results, "derived": derived}
