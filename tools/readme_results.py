"""Write the README's results section from the committed result files: `python -m tools.readme_results`.

The section between `<!-- results:start -->` and `<!-- results:end -->` is generated, never
edited by hand, so the README cannot disagree with results/ (read through `tools.facts`).
`--check` only compares.
"""
import argparse
import sys
from pathlib import Path

from tools.facts import (MP1_CYCLES, MissingResult, ablation_table, load, measured_on_gaussian_data,
                         optimizer_table, robust_comparison, training_summary)

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
NOISE_LABELS = {
    "pixelation": "pixelation, blocks 5-14 (the course's)", "pixelation_fine": "pixelation, blocks 2-4",
    "pixelation_coarse": "pixelation, blocks 12-15", "gaussian15": "Gaussian 15", "gaussian25": "Gaussian 25",
    "gaussian50": "Gaussian 50", "poisson": "Poisson (lambda 30)", "blind": "Gaussian, sigma 5-50 per image",
}
STATISTIC_LABELS = {
    "noisy_psnr": "noisy-input PSNR (dB)", "residual_std": "residual standard deviation",
    "kurtosis": "kurtosis (Gaussian: 3)", "channel_correlation": "correlation of the R and G residuals",
    "neighbour_correlation": "correlation with the next pixel", "std_flattest_30pct": "std on the flattest 30% of pixels",
    "std_strongest_edges_10pct": "std on the 10% with the strongest edges",
    "std_near_black_or_white": "std on near-black and near-white pixels",
}
MODELS = ("Miniproject_1", "Miniproject_2", "Miniproject_2 extended U-Net")
BASELINES = {"blur_3x3": "3x3 Gaussian blur", "median_3x3": "3x3 median", "nl_means": "non-local means",
             "bm3d": "BM3D"}


def db(value):
    return f"{value:.2f} dB"


def statistics_table(stats):
    lines = ["| residual noisy - clean (0-255) | the course's | ours | Gaussian 25 (the old default) |",
             "|---|---|---|---|"]
    for key, label in STATISTIC_LABELS.items():
        lines.append(f"| {label} | {stats['course'][key]:.2f} | {stats['ours'][key]:.2f} | {stats['gaussian25'][key]:.2f} |")
    return lines


def main_table(evals, baselines, speed, mp2_speed, logs):
    pixelation = baselines["noise_sets"]["pixelation"]
    noisy = evals["projects"]["Miniproject_1"]["pixelation"]["noisy_psnr"]
    lines = ["| | PSNR | gain over noisy | training | epoch of 50,000 pairs | predict 32x32 | predict 512x512 |",
             "|---|---|---|---|---|---|---|", f"| noisy input | {db(noisy)} | | | | | |"]
    for name in MODELS:
        if name not in evals["projects"]:
            continue
        row = evals["projects"][name]["pixelation"]
        fast = speed["projects"].get(name)
        speeds = (f"{fast['epoch_seconds_50k'] / 60:.1f} min | {fast['predict_images_per_second']['32x32']:.0f} images/s "
                  f"| {fast['predict_images_per_second']['512x512']:.1f} images/s" if fast else "| |")
        if name == "Miniproject_2 extended U-Net" and "unet_epoch_seconds_50000_pairs" in mp2_speed:
            speeds = f"{mp2_speed['unet_epoch_seconds_50000_pairs'] / 60:.1f} min (`mp2_speed`) | |"
        lines.append(f"| **{name}** | **{db(row['psnr'])}** | +{db(row['psnr'] - row['noisy_psnr'])} "
                     f"| {logs[name]} | {speeds} |")
    for key, label in BASELINES.items():
        row = pixelation[key]
        subset = "" if row["n_images"] == evals["n_images"] else f" (first {row['n_images']} images)"
        lines.append(f"| {label}{subset} | {db(row['psnr'])} | {row['psnr'] - row['noisy_psnr']:+.2f} dB | | | | |")
    return lines


def noise_table(evals, baselines):
    names = [name for name in MODELS if name in evals["projects"]]
    header = ["noise", "noisy", *names, *BASELINES.values()]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for noise, label in NOISE_LABELS.items():
        first = evals["projects"][names[0]][noise]
        cells = [label, db(first["noisy_psnr"])]
        cells += [db(evals["projects"][name][noise]["psnr"]) for name in names]
        cells += [db(baselines["noise_sets"][noise][key]["psnr"]) for key in BASELINES]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def robust_table(robust):
    comparison = robust_comparison(robust)
    trainings = [comparison["reference"], comparison["other"]]
    lines = ["| noise | noisy | " + " | ".join(f"trained on {t}" for t in trainings) + " |",
             "|" + "---|" * (2 + len(trainings))]
    for noise, label in NOISE_LABELS.items():
        row = comparison["noises"][noise]
        cells = [label, db(row["noisy"])]
        cells += [f"{row['trainings'][t]['mean']:.2f} ± {row['trainings'][t]['half_range']:.2f} dB" for t in trainings]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def markdown_table(header, rows):
    """A Markdown table's lines: `header` and each row, lists of cells."""
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(r) + " |" for r in rows]


def seeded_psnr(row):
    """`mean ± sd dB` of a configuration run on several seeds, `mean dB` on one."""
    return f"{row['mean']:.2f} ± {row['sd']:.2f} dB" if row["seeds"] > 1 else f"{row['mean']:.2f} dB"


def ablations_table(ablations):
    rows = []
    for row in ablation_table(ablations):
        name = row["name"] if row["setting"] in row["name"] else f"{row['name']} ({row['setting']})"
        compared = ["", ""] if row["reference"] else [f"{row['delta']:+.2f} dB", row["verdict"]]
        rows.append([name, seeded_psnr(row), *compared, f"{row['time_ratio']:.2f}x"])
    return markdown_table(["configuration", "PSNR (mean ± sd)", "difference", "verdict", "training time"], rows)


def optimizers_table(optimizers):
    rows = [[row["optimizer"], f"{row['learning_rate']:g}", str(row["batch_size"]), seeded_psnr(row), str(row["seeds"]),
             "(shipped)" if row["shipped"] else row.get("verdict", "")] for row in optimizer_table(optimizers)["runs"]]
    return markdown_table(["optimiser", "learning rate", "batch", "PSNR (mean ± sd)", "seeds", "against the shipped one"],
                          rows)


def one_epoch_table(one_epoch):
    lines = ["| | shipped model | shipped + 1 epoch (the course's check) | fresh `Model()` + 1 epoch |",
             "|---|---|---|---|"]
    for name, row in sorted(one_epoch["projects"].items()):
        lines.append(f"| {name} | {db(row['shipped_psnr'])} | {db(row['loaded_then_one_epoch_psnr'])} "
                     f"| {db(row['fresh_one_epoch_psnr'])} |")
    return lines


def render():
    """The results section as Markdown."""
    stats, evals, baselines = load("pixelation_stats.json"), load("eval_models.json"), load("baselines.json")
    speed, robust, one_epoch = load("speed.json"), load("robust_training.json"), load("one_epoch.json")
    mp2_speed, twin = load("mp2_speed.json"), load("mp2_twin.json")
    ablations, optimizers = load("mp1_ablations.json"), load("mp2_optimizers.json")
    epochs = {stem: training_summary(load(f"{stem}.csv"))["epochs"] for stem in (*MP1_CYCLES, "train_mp2", "train_mp2_unet")}
    logs = {"Miniproject_1": " + ".join(str(epochs[stem]) for stem in MP1_CYCLES) + " epochs (cosine cycles)",
            "Miniproject_2": f"{epochs['train_mp2']} epochs",
            "Miniproject_2 extended U-Net": f"{epochs['train_mp2_unet']} epochs"}
    budget = robust["budget"]
    lines = [
        "All numbers come from `results/`, measured on the 2-core CPU this kit is developed on, on the default",
        f"validation set ({evals['n_images']:,} pixelated images from 3 held-out scenes) unless a table says otherwise.",
        "`python -m tools.readme_results` regenerates this section; the command under each table regenerates its numbers.",
        "",
        "**The corruption, against the course's** (`python -m tools.bench.pixelation_stats`; the course's figures were",
        "measured on about a hundred of its validation pairs, its noisy-input PSNR on all of them):",
        "",
        *statistics_table(stats),
        "",
        "**Denoising the default validation set** (`python -m tools.bench.eval_models`, `python -m tools.bench.baselines`,",
        f"`python -m tools.bench.speed` with a load average of {speed['load_average_1min']:.1f}). The baselines need no",
        "training; non-local means and BM3D are given the noise level scikit-image estimates from each image.",
        "",
        *main_table(evals, baselines, speed, mp2_speed, logs),
        "",
        "**Every noise set** (`predict` as shipped; the same commands). The models were trained on the mix of",
        "corruptions (see the next table for why); BM3D ran on the first "
        f"{baselines['noise_sets']['pixelation']['bm3d']['n_images']} images of each set, the rest on all of them.",
        "",
        *noise_table(evals, baselines),
        "",
        f"**Train on pixelation only, or on a mix?** Miniproject_1 trained for {budget['epochs']} epoch on "
        f"{budget['pairs']:,} pairs of each, {budget['seeds']} seeds (mean ± half the range), one pass per image",
        "(`python -m tools.bench.robust_training`). The mix (`python -m tools.data --noise mix`) is half the course's",
        "pixelation, the rest finer and coarser pixelation, Gaussian 15, 25, 50 and Poisson.",
        "",
        *robust_table(robust),
        "",
        f"**Miniproject_1's choices** (`python -m tools.bench.mp1_ablations`): each configuration changes one thing and",
        f"trains a fresh network for {ablations['budget']['epochs']} epoch on {ablations['budget']['pairs']:,} pixelation "
        f"pairs, {ablations['budget']['seeds']} seeds. A difference within the larger range",
        "of the two configurations' seeds is \"no difference\"; the time is relative to the shipped configuration, a",
        "rough guide only (other jobs shared the CPU). \"shipped\" is the shipped network trained by `Model.train` at its",
        "own rate and batch size, not those of `python -m tools.train_mp1`.",
        "",
        *ablations_table(ablations),
        "",
        f"**Miniproject_2: SGD or Adam** (`python -m tools.bench.mp2_optimizers`): the prescribed network, "
        f"{optimizers['budget']['epochs']} epoch on {optimizers['budget']['pairs']:,} pixelation pairs, a grid of",
        "learning rates on one seed, then each optimiser's best rate and each batch size on more seeds.",
        "",
        *optimizers_table(optimizers),
        "",
        "**The course's training check** (`python -m tools.bench.one_epoch`): the course's harness loads `bestmodel.pth`,",
        f"trains one epoch on all {one_epoch['n_train']:,} pairs, then evaluates. `train` holds out 1 pair in 50 and ends",
        "with the weights that did best on them, so it cannot end worse than it started on those pairs.",
        "",
        *one_epoch_table(one_epoch),
        "",
        "**What `predict` adds to the network**: the mean of the outputs for the 8 flips and rotations of each image",
        "(`model.self_ensemble = False` turns it off). The clipping correction stays off: `train` finds the pixelation",
        "heavy-tailed.",
        "",
        "| | network alone | + self-ensemble (`predict`) |",
        "|---|---|---|",
    ]
    for name in MODELS:
        if name in evals["projects"]:
            row = evals["projects"][name]["pixelation"]
            lines.append(f"| {name} | {db(row['psnr_network'])} | {db(row['psnr'])} |")
    lines += [
        "",
        "**Miniproject_2's framework against torch** (`python -m tools.bench.mp2_speed`, forward + backward at the",
        "prescribed network's shapes, time ours / time torch autograd):",
        "",
        "| layer | module | ours | torch | ratio | matmul floor |",
        "|---|---|---|---|---|---|",
    ]
    for layer in mp2_speed["layers"]:
        lines.append(f"| {layer['layer']} | {layer['module']} {layer['in']}->{layer['out']} at {layer['input_size']}x"
                     f"{layer['input_size']} | {layer['ours_ms']:.1f} ms | {layer['torch_ms']:.1f} ms | {layer['ratio']:.2f} "
                     f"| {layer['matmul_floor_ratio']:.2f} |")
    lines += [
        f"| whole network | | | | {mp2_speed['network_ratio']:.2f} | |",
        "",
        "The matmul floor is the time of three bare matrix products that do torch's multiply-adds for the layer, as a",
        "ratio to torch's time: on this CPU torch's convolutions (oneDNN) run faster than its matrix products, so a layer",
        "built on `unfold` and matrix products cannot beat that ratio without doing less arithmetic than torch.",
        "`PolyphaseUpsampling` does (it never builds the upsampled image); `Conv2d` cannot.",
        "",
        f"Its `torch.nn` twin, trained with the same settings and seed (`python -m tools.bench.mp2_twin`, run on "
        f"{twin['date']}{' on the former Gaussian default data' if measured_on_gaussian_data(twin) else ''}): "
        f"ours {db(twin['ours_psnr'])}, twin {db(twin['twin_psnr'])}, {abs(twin['difference']):.3f} dB apart.",
        "",
        "Denoised validation images (`python -m tools.bench.examples`):",
        "",
        "![noisy, denoised and clean validation images](results/examples.png)",
    ]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the README is not up to date")
    args = parser.parse_args(argv)
    text = README.read_text()
    head, rest = text.split(START)
    _, tail = rest.split(END)
    try:
        updated = f"{head}{START}\n{render()}\n{END}{tail}"
    except MissingResult as error:
        sys.exit(str(error))
    if args.check:
        sys.exit(0 if updated == text else "README.md's results are out of date: run python -m tools.readme_results")
    README.write_text(updated)


if __name__ == "__main__":
    main()
