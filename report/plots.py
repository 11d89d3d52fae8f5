"""The reports' figures, drawn with matplotlib from the loaded result files (SVG, sized for an A4 page).

`draw_all(results, folder)` draws every figure whose result files are loaded and returns their names.
"""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from tools.facts import curve  # noqa: E402

# The text block of the reports is 178 mm wide; figures are drawn at their printed size.
FULL_WIDTH = 7.0
STYLE = {"font.size": 8, "axes.titlesize": 8, "axes.labelsize": 8, "legend.fontsize": 7,
         "xtick.labelsize": 7, "ytick.labelsize": 7, "axes.spines.top": False, "axes.spines.right": False,
         "svg.fonttype": "path", "figure.dpi": 100}
COLORS = {"mp1": "#1f5fa8", "mp2": "#c0392b", "extended": "#8e44ad", "bm3d": "#2e7d32",
          "nl_means": "#f39c12", "median_3x3": "#7f8c8d"}


def _save(figure, folder, name):
    figure.savefig(folder / name, bbox_inches="tight", pad_inches=0.02)
    plt.close(figure)
    return name


def _reference_line(ax, value, label, color):
    ax.axhline(value, color=color, linestyle="--", linewidth=0.9, label=f"{label}: {value:.2f} dB")


def training_mp1(results, folder):
    """Validation PSNR of the shipped training run after each epoch, with the classical baselines on pixelation."""
    figure, ax = plt.subplots(figsize=(FULL_WIDTH * 0.48, 2.0))
    _, psnr = curve(results["train_mp1"])
    ax.plot(range(1, len(psnr) + 1), psnr, marker="o", markersize=3, color=COLORS["mp1"], label="our U-Net (network alone)")
    methods = results["baselines"]["noise_sets"]["pixelation"]
    n_images = results["eval_models"]["n_images"]
    for key, label in (("bm3d", "BM3D"), ("nl_means", "NL-means"), ("median_3x3", "3x3 median")):
        if key in methods:
            subset = "" if methods[key]["n_images"] == n_images else f", {methods[key]['n_images']} images"
            _reference_line(ax, methods[key]["psnr"], label + subset, COLORS[key])
    ax.set_xlabel("epochs of training on the mix")
    ax.set_ylabel("PSNR on pixelation (dB)")
    ax.set_xlim(0, len(psnr) + 0.5)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=2, frameon=False)
    figure.tight_layout()
    return _save(figure, folder, "training_mp1.svg")


def training_mp2(results, folder):
    """Validation PSNR of Miniproject_2's networks after each epoch, with Miniproject_1's for scale.

    Against epochs, not minutes: the runs shared the machine with other jobs."""
    figure, ax = plt.subplots(figsize=(FULL_WIDTH * 0.48, 2.0))
    lines = [("train_mp2", "prescribed network", COLORS["mp2"]),
             ("train_mp2_unet", "extended U-Net", COLORS["extended"]),
             ("train_mp1", "Miniproject 1 (PyTorch)", COLORS["mp1"])]
    for stem, label, color in lines:
        if stem in results:
            _, psnr = curve(results[stem])
            ax.plot(range(1, len(psnr) + 1), psnr, marker="o", markersize=3, color=color, label=label)
    ax.set_xlabel("epochs of training on the mix")
    ax.set_ylabel("PSNR on pixelation (dB)")
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
    training_mp1: ("train_mp1", "baselines", "eval_models"),
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
