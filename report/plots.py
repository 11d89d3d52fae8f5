"""The reports' figures, drawn with matplotlib from the loaded result files (SVG, sized for an A4 page).

`draw_all(results, folder)` draws every figure whose result files are loaded and returns their names.
"""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from facts import curve  # noqa: E402

# The text block of the reports is 178 mm wide; figures are drawn at their printed size.
FULL_WIDTH = 7.0
STYLE = {"font.size": 8, "axes.titlesize": 8, "axes.labelsize": 8, "legend.fontsize": 7,
         "xtick.labelsize": 7, "ytick.labelsize": 7, "axes.spines.top": False, "axes.spines.right": False,
         "svg.fonttype": "path", "figure.dpi": 100}
COLORS = {"mp1": "#1f5fa8", "mp2": "#c0392b", "extended": "#8e44ad", "bm3d": "#2e7d32",
          "nl_means": "#f39c12", "noisy": "#7f8c8d", "n2c": "#16a085"}


def _save(figure, folder, name):
    figure.savefig(folder / name, bbox_inches="tight", pad_inches=0.02)
    plt.close(figure)
    return name


def _panel(ax, label):
    ax.text(-0.02, 1.02, label, transform=ax.transAxes, ha="right", va="bottom", fontweight="bold")


def _reference_line(ax, value, label, color):
    ax.axhline(value, color=color, linestyle="--", linewidth=0.9, label=f"{label}: {value:.2f} dB")


def training_mp1(results, folder):
    """Left: validation PSNR against training time, with the classical baselines. Right: against training scenes."""
    figure, (left, right) = plt.subplots(1, 2, figsize=(FULL_WIDTH, 2.3), gridspec_kw={"width_ratios": [1.6, 1]},
                                         layout="constrained")
    # The shipped run shared the machine with other jobs, so its wall-clock times are noisy: the
    # time axis converts epochs with the epoch time measured alone (speed.json).
    _, psnr = curve(results["train_mp1"], "train_mp1")
    epochs = list(range(1, len(psnr) + 1))
    epoch_minutes = results["speed"]["projects"]["Miniproject_1"]["epoch_seconds_50k"] / 60
    left.plot(epochs, psnr, marker="o", markersize=3, color=COLORS["mp1"], label="Noise2Noise U-Net (ours)")
    if "train_mp1_n2c" in results:  # the same run with clean targets
        _, clean_psnr = curve(results["train_mp1_n2c"], "train_mp1_n2c")
        left.plot(range(1, len(clean_psnr) + 1), clean_psnr, marker="^", markersize=3, linewidth=0.9,
                  color=COLORS["n2c"], label="same, clean targets (Noise2Clean)")
    top = left.secondary_xaxis("top", functions=(lambda e: e * epoch_minutes, lambda m: m / epoch_minutes))
    top.set_xlabel(f"minutes on the 2-core CPU ({epoch_minutes:.1f} min per epoch)")
    top.tick_params(labelsize=6.5)
    methods = results["mp1_baselines"]["methods"]
    _reference_line(left, methods["bm3d"]["psnr"], "BM3D (known $\\sigma$)", COLORS["bm3d"])
    _reference_line(left, methods["nl_means"]["psnr"], "NL-means (known $\\sigma$)", COLORS["nl_means"])
    left.set_xlabel("epochs (50,000 pairs each)")
    left.set_ylabel("validation PSNR (dB)")
    left.set_xlim(0, len(psnr) + 0.5)
    left.xaxis.get_major_locator().set_params(integer=True)
    left.grid(alpha=0.3)
    left.legend(loc="best", frameon=False)
    _panel(left, "(a)")

    runs = sorted(results["data_scenes"]["runs"], key=lambda run: run["n_scenes"])
    right.plot([r["n_scenes"] for r in runs], [r["val_psnr"] for r in runs], marker="s", markersize=3,
               color=COLORS["mp1"])
    right.set_xscale("log", base=2)
    right.set_xticks([r["n_scenes"] for r in runs], [str(r["n_scenes"]) for r in runs])
    right.minorticks_off()
    low, high = min(r["val_psnr"] for r in runs), max(r["val_psnr"] for r in runs)
    if high - low < 1.0:  # at least a 1 dB span, so that differences of hundredths do not look large
        middle = (low + high) / 2
        right.set_ylim(middle - 0.5, middle + 0.5)
    right.set_xlabel("training scenes (photos)")
    right.set_ylabel("validation PSNR (dB)")
    right.grid(alpha=0.3)
    _panel(right, "(b)")
    return _save(figure, folder, "training_mp1.svg")


def training_mp2(results, folder):
    """Validation PSNR of Miniproject_2's networks after each epoch, with Miniproject_1's for scale.

    Against epochs, not minutes: the runs shared the machine with different thread counts."""
    figure, ax = plt.subplots(figsize=(FULL_WIDTH * 0.48, 2.0))
    lines = [("train_mp2", "prescribed network", COLORS["mp2"]),
             ("train_mp2_unet", "extended U-Net", COLORS["extended"]),
             ("train_mp1", "Miniproject 1 (PyTorch)", COLORS["mp1"])]
    for stem, label, color in lines:
        if stem in results:
            _, psnr = curve(results[stem], stem)
            ax.plot(range(1, len(psnr) + 1), psnr, marker="o", markersize=3, color=color, label=label)
    ax.set_xlabel("epochs (50,000 pairs each)")
    ax.set_ylabel("validation PSNR (dB)")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", frameon=False)
    figure.tight_layout()
    return _save(figure, folder, "training_mp2.svg")


def speed_mp2(results, folder):
    """Time of our layers (forward + backward) as a multiple of torch's, per layer of the prescribed network."""
    layers = results["mp2_speed"]["layers"]
    figure, ax = plt.subplots(figsize=(FULL_WIDTH * 0.48, 2.0))
    names = [layer["layer"] for layer in layers] + ["network"]
    ratios = [layer["ratio"] for layer in layers] + [results["mp2_speed"]["network_ratio"]]
    colors = [COLORS["mp2"]] * len(layers) + ["#34495e"]
    bars = ax.bar(range(len(ratios)), ratios, color=colors, width=0.6)
    ax.bar_label(bars, [f"{r:.2f}" for r in ratios], fontsize=6.5, padding=1)
    ax.axhline(1, color="black", linewidth=0.8)
    ax.set_xticks(range(len(ratios)), names)
    ax.set_ylabel("our time / torch's time")
    ax.set_ylim(0, max(ratios) * 1.18)
    ax.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    return _save(figure, folder, "speed_mp2.svg")


FIGURES = {
    training_mp1: ("train_mp1", "mp1_baselines", "data_scenes", "speed"),
    training_mp2: ("train_mp2",),
    speed_mp2: ("mp2_speed",),
}


def draw_all(results, folder):
    drawn = []
    with plt.rc_context(STYLE):
        for draw, needs in FIGURES.items():
            if all(stem in results for stem in needs):
                drawn.append(draw(results, folder))
    return drawn
