"""Write the README's results section from the committed result files: `python tools/readme_results.py`.

The section between `<!-- results:start -->` and `<!-- results:end -->` is generated, never
edited by hand, so the README cannot disagree with results/. `--check` only compares.
"""
import argparse
import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "results"
README = ROOT / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
NOISE_LABELS = {"gaussian25": "Gaussian 25 (trained on)", "gaussian15": "Gaussian 15", "gaussian50": "Gaussian 50",
                "poisson": "Poisson (lambda 30)", "blind": "Gaussian, sigma 5-50 per image"}
# the command that writes each result file
PRODUCERS = {
    "eval_models.json": "python -m tools.bench.eval_models", "speed.json": "python -m tools.bench.speed",
    "mp1_baselines.json": "python -m tools.bench.mp1_baselines", "mp1_n2c.json": "python -m tools.bench.mp1_n2c",
    "mp1_ablations.json": "python -m tools.bench.mp1_ablations", "data_scenes.json": "python -m tools.bench.data_scenes",
    "mp2_speed.json": "python -m tools.bench.mp2_speed", "mp2_twin.json": "python -m tools.bench.mp2_twin",
    "dead_leaves.json": "python -m tools.bench.dead_leaves", "train_mp1.csv": "python tools/train_mp1.py", "train_mp2.csv": "python tools/train_mp2.py",
    "mp2_sweep.json": "python -m tools.bench.mp2_sweep", "mp2_psnr.json": "python -m tools.bench.mp2_psnr",
}


def load(name):
    path = RESULTS / name
    if not path.is_file():
        sys.exit(f"results/{name} is missing: run `{PRODUCERS.get(name, '?')}` to write it")
    if name.endswith(".csv"):
        with open(path, newline="") as file:
            return list(csv.DictReader(file))
    return json.loads(path.read_text())


def render():
    """The results section as Markdown."""
    evals, speed = load("eval_models.json")["projects"], load("speed.json")
    baselines, n2c = load("mp1_baselines.json"), load("mp1_n2c.json")
    mp2_speed, twin, sweep = load("mp2_speed.json"), load("mp2_twin.json"), load("mp2_sweep.json")
    mp2_psnr = load("mp2_psnr.json")
    ablations, scenes = load("mp1_ablations.json"), load("data_scenes.json")
    leaves = {run["dead_leaves_fraction"]: run["val_psnr"] for run in load("dead_leaves.json")["runs"]}
    log1, log2 = load("train_mp1.csv"), load("train_mp2.csv")
    mp1, mp2 = evals["Miniproject_1"]["gaussian25"], evals["Miniproject_2"]["gaussian25"]
    fast = speed["projects"]
    lines = [
        "All numbers come from `results/`, measured on the 2-core CPU this kit is developed on,",
        "on the default validation set (1,000 images from 3 held-out scenes, Gaussian noise sigma 25).",
        "`python tools/readme_results.py` regenerates this section; the command under each table",
        "regenerates its numbers.",
        "",
        "| | PSNR | gain over noisy | epoch of 50,000 pairs | predict 32x32 | predict 512x512 |",
        "|---|---|---|---|---|---|",
        f"| noisy input | {mp1['noisy_psnr']:.2f} dB | | | | |",
    ]
    for name, row in (("Miniproject_1", mp1), ("Miniproject_2", mp2)):
        s = fast[name]
        lines.append(f"| **{name}** | **{row['psnr']:.2f} dB** | +{row['psnr'] - row['noisy_psnr']:.2f} dB "
                     f"| {s['epoch_seconds_50k'] / 60:.1f} min | {s['predict_images_per_second']['32x32']:.0f} images/s "
                     f"| {s['predict_images_per_second']['512x512']:.1f} images/s |")
    for name, label in (("nl_means", "non-local means (scikit-image, true sigma)"), ("bm3d", "BM3D (true sigma)")):
        lines.append(f"| {label} | {baselines['methods'][name]['psnr']:.2f} dB "
                     f"| +{baselines['methods'][name]['psnr'] - baselines['noisy_psnr']:.2f} dB | | | |")
    lines += [
        "",
        f"`python -m tools.bench.eval_models`, `python -m tools.bench.speed` (load average "
        f"{speed['load_average_1min']:.1f} during the run), `python -m tools.bench.mp1_baselines`. "
        f"Shipped training: Miniproject_1 {len(log1)} epochs (`results/train_mp1.csv`), "
        f"Miniproject_2 {len(log2)} epochs (`results/train_mp2.csv`).",
        "",
        "**What `predict` adds to the network** (`python -m tools.bench.eval_models`): undoing the clipping "
        "bias of the noisy targets (see below; `model.target_noise_std = 0` turns it off), then averaging the "
        "outputs for the 8 flips and rotations of each image (`model.self_ensemble = False` turns it off).",
        "",
        "| | network alone | + clipping undone | + self-ensemble (`predict`) | one pass: predict 32x32 | 512x512 |",
        "|---|---|---|---|---|---|",
    ]
    for name in ("Miniproject_1", "Miniproject_2"):
        row, single = evals[name]["gaussian25"], fast[name]["predict_images_per_second_single_pass"]
        lines.append(f"| {name} | {row['psnr_network']:.2f} dB | {row['psnr_single_pass']:.2f} dB | {row['psnr']:.2f} dB "
                     f"| {single['32x32']:.0f} images/s | {single['512x512']:.1f} images/s |")
    lines += [
        "",
        "**Noise2Noise against Noise2Clean** (Miniproject_1: the same network, seed and budget, one pass per "
        "image; `python -m tools.bench.mp1_n2c`). Noise2Clean's gap is its lead over Noise2Noise: negative when "
        "Noise2Noise is ahead.",
        "",
        "| budget | Noise2Clean | Noise2Noise | gap | Noise2Noise, clipping undone | gap |",
        "|---|---|---|---|---|---|",
    ]
    for key, label in (("shipped_budget", "the shipped run"), ("short_budget", "short")):
        run = n2c[key]
        lines.append(f"| {label}: {run['epochs']} epochs on {run['n_train']:,} pairs | {run['noise2clean_db']:.2f} dB "
                     f"| {run['noise2noise_db']:.2f} dB | {run['gap_db']:.2f} dB | {run['noise2noise_unclipped_db']:.2f} dB "
                     f"| {run['gap_unclipped_db']:.2f} dB |")
    tones = n2c["by_tone"]
    nn, nc, nu = tones["noise2noise"], tones["noise2clean"], tones["noise2noise_unclipped"]
    lines += [
        "",
        "Noise2Noise learns the mean of its noisy targets. Stored as uint8, those are clipped at 0 and 255, so near "
        "black and white that mean is not the clean value: for Gaussian noise of sigma 25 a black pixel's targets "
        "average about 10. On mid-tone pixels "
        f"(clean values {tones['mid_tones'][0]}-{tones['mid_tones'][1]}, {100 * tones['mid_tone_fraction']:.0f}% of them), "
        f"whose noise is zero-mean, the network alone already matches Noise2Clean ({nn['mid_tones_psnr_db']:.2f} dB "
        f"against {nc['mid_tones_psnr_db']:.2f} dB); on the other pixels it trails ({nn['ends_psnr_db']:.2f} dB against "
        f"{nc['ends_psnr_db']:.2f} dB; its mean error on clean values below 40 is {nn['dark_mean_error']:+.1f} grey levels). "
        "`train` measures the noise level of the targets from the training pairs themselves (no clean image is needed; "
        "for clean targets it is 0, which turns the correction off), and `predict` inverts the clipped-noise mean "
        "(`Miniproject_1/others/clipping.py`): on those pixels Noise2Noise then scores "
        f"{nu['ends_psnr_db']:.2f} dB, with a mean error of {nu['dark_mean_error']:+.1f} below 40 "
        "(PSNR of the pooled squared error; the shipped run's final models).",
        "",
        "**Robustness**: the shipped models were trained on Gaussian sigma 25 only "
        "(`python -m tools.bench.eval_models`). The clipping correction assumes Gaussian noise of the "
        "training level; the network alone shows what it adds or costs on each noise.",
        "",
        "| noise | noisy | Miniproject_1 | network alone | Miniproject_2 | network alone |",
        "|---|---|---|---|---|---|",
    ]
    for noise, label in NOISE_LABELS.items():
        one, two = evals["Miniproject_1"][noise], evals["Miniproject_2"][noise]
        lines.append(f"| {label} | {one['noisy_psnr']:.2f} dB | {one['psnr']:.2f} dB | {one['psnr_network']:.2f} dB "
                     f"| {two['psnr']:.2f} dB | {two['psnr_network']:.2f} dB |")
    lines += [
        "",
        "**Miniproject_2's framework against torch** (`python -m tools.bench.mp2_speed`, "
        "forward + backward at the prescribed network's shapes, time ours / time torch autograd):",
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
        "The matmul floor is the time of three bare matrix products that do torch's multiply-adds for the layer, "
        "as a ratio to torch's time: on this CPU torch's convolutions (oneDNN) run faster than its matrix "
        "products, so a layer built on `unfold` and matrix products cannot beat that ratio without doing less "
        "arithmetic than torch. `Upsampling` does (it never builds the upsampled image); `Conv2d` cannot.",
        "",
        f"Its `torch.nn` twin, trained with the same settings and seed (`python -m tools.bench.mp2_twin`): "
        f"ours {twin['ours_psnr_db']:.2f} dB, twin {twin['twin_psnr_db']:.2f} dB, "
        f"{abs(twin['difference_db']):.3f} dB apart.",
        "",
        f"The extended U-Net built from the framework's `MaxPool2d`, `LeakyReLU` and `SkipConcat` "
        f"(`python tools/train_mp2.py --net unet`, which writes `runs/mp2_unet.pth`; {mp2_psnr['mp2_extended_unet_epochs_trained']} epochs), through the "
        f"same `predict`: {mp2_psnr['mp2_extended_unet_psnr_db']:.2f} dB, against {mp2_psnr['mp2_prescribed_psnr_db']:.2f} dB "
        f"for the prescribed network and {mp2_psnr['mp1_psnr_db']:.2f} dB for Miniproject_1 "
        "(`python -m tools.bench.mp2_psnr`).",
        "",
        f"**Widths and kernel of Miniproject_2's network** at a short budget ({sweep['budget']['epochs']} epoch on "
        f"{sweep['budget']['pairs']:,} pairs, same seed; `python -m tools.bench.mp2_sweep`). A single short run "
        "moves by up to about 0.2 dB when only the number of threads changes (sums are done in another order), "
        "so smaller differences here and in the ablations below are noise:",
        "",
        "| widths | kernel | PSNR | multiply-adds per 32x32 image |",
        "|---|---|---|---|",
    ]
    for run in sweep["runs"]:
        shipped = " (shipped)" if run["shipped"] else ""
        lines.append(f"| {run['widths'][0]}, {run['widths'][1]}{shipped} | {run['kernel']}x{run['kernel']} "
                     f"| {run['val_psnr']:.2f} dB | {run['mega_multiply_adds']:.0f} M |")
    lines += [
        "",
        f"**Ablations** of Miniproject_1 at a short budget ({ablations['budget']['epochs']} epoch on "
        f"{ablations['budget']['pairs']:,} pairs; `python -m tools.bench.mp1_ablations`), and the effect of "
        f"the number of training scenes ({scenes['budget']['epochs']} epoch on {scenes['budget']['pairs']:,} pairs; "
        "`python -m tools.bench.data_scenes`). Short budgets favour what learns fastest.",
        "",
        "| change from the shipped configuration | PSNR | | training scenes | PSNR |",
        "|---|---|---|---|---|",
    ]
    rows = max(len(ablations["runs"]), len(scenes["runs"]))
    for i in range(rows):
        a = ablations["runs"][i] if i < len(ablations["runs"]) else None
        s = scenes["runs"][i] if i < len(scenes["runs"]) else None
        left = f"| {a['name']} | {a['val_psnr']:.2f} dB |" if a else "| | |"
        right = f" | {s['n_scenes']} | {s['val_psnr']:.2f} dB |" if s else " | | |"
        lines.append(left + right)
    diverged = [a["name"] for a in ablations["runs"] if a["val_psnr"] < mp1["noisy_psnr"]]
    if diverged:
        lines += ["", f"{', '.join(diverged)}: diverged (below the noisy input's {mp1['noisy_psnr']:.2f} dB) in batches of "
                  f"{ablations['budget']['pairs'] // ablations['runs'][0]['steps']} pairs."]
    lines += ["", f"Replacing a quarter of the training photos by procedural dead-leaves images (same budget; "
              f"`python -m tools.bench.dead_leaves`): {leaves[0.25]:.2f} dB against {leaves[0.0]:.2f} dB with photos "
              "only. The default build " + ("uses photos only." if leaves[0.25] <= leaves[0.0] else
                                            "still uses photos only: the shipped model was trained before this run."),
              "", "Denoised validation images (`python -m tools.bench.examples`):", "",
              "![noisy, denoised and clean validation images](results/examples.png)"]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the README is not up to date")
    args = parser.parse_args()
    text = README.read_text()
    head, rest = text.split(START)
    _, tail = rest.split(END)
    updated = f"{head}{START}\n{render()}\n{END}{tail}"
    if args.check:
        sys.exit(0 if updated == text else "README.md's results are out of date: run python tools/readme_results.py")
    README.write_text(updated)


if __name__ == "__main__":
    main()
