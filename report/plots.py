"""The reports' figures, drawn with matplotlib from the loaded result files (SVG, sized for an A4 page).

`draw_all(results, folder)` draws every figure whose result files are loaded and returns their names.
"""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from tools.facts import curve, mp1_training  # noqa: E402

# The text block of the reports is 178 mm wide; figures are drawn at their printed size.
FULL_WIDTH = 7.0
# Figures are set in DejaVu Sans against the serif body (Libertinus Serif, style.typ): a deliberate
# pairing, sans-serif for labels read at 7-8 pt, in the font matplotlib ships everywhere, so the
# figures come out the same on any machine.
STYLE = {"font.family": "DejaVu Sans", "font.size": 8, "axes.titlesize": 8, "axes.labelsize": 8, "legend.fontsize": 7,
         "xtick.labelsize": 7, "ytick.labelsize": 7, "axes.spines.top": False, "axes.spines.right": False,
         "svg.fonttype": "path", "figure.dpi": 100}
COLORS = {"mp1": "#1f5fa8", "mp2": "#c0392b", "extended": "#8e44ad", "blur_3x3": "#2e7d32"}


def _save(figure, folder, name):
    figure.savefig(folder / name, bbox_inches="tight", pad_inches=0.02)
    plt.close(figure)
    return name


def _save_epochs(figure, ax, folder, name):
    """Label a PSNR-per-epoch plot the way both training figures are labelled, and save it."""
    ax.set_xlabel("epochs of training on the mix")
    ax.set_ylabel("PSNR on pixelation (dB)")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", frameon=False)
    figure.tight_layout()
    return _save(figure, folder, name)


def _reference_line(ax, value, label, color):
    ax.axhline(value, color=color, linestyle="--", linewidth=0.9, label=f"{label}: {value:.2f} dB")


def mp1_curve(results):
    """Validation PSNR after each epoch of Miniproject_1's shipped run, every cosine cycle in turn,
    and the epochs after which a new cycle started."""
    training = mp1_training(results)
    cycles = training["cycles"]
    starts = [sum(c["epochs"] for c in cycles[:i]) for i in range(1, len(cycles))]
    return training["curve"], starts


def training_mp1(results, folder):
    """Validation PSNR of the shipped training run after each epoch, with the classical baselines on pixelation."""
    figure, ax = plt.subplots(figsize=(FULL_WIDTH * 0.48, 2.0))
    psnr, starts = mp1_curve(results)
    ax.plot(range(1, len(psnr) + 1), psnr, marker="o", markersize=2.5, color=COLORS["mp1"], label="our U-Net (network alone)")
    for start in starts:  # a warm restart: a new cosine cycle begins
        ax.axvline(start + 0.5, color="black", linestyle=":", linewidth=0.8)
    methods = results["baselines"]["noise_sets"]["pixelation"]
    n_images = results["eval_models"]["n_images"]
    # the best baselines on pixelation (the others are below 22 dB and would flatten the curve)
    for key, label in (("blur_3x3", "3×3 blur"),):
        if key in methods:
            subset = "" if methods[key]["n_images"] == n_images else f", {methods[key]['n_images']} images"
            _reference_line(ax, methods[key]["psnr"], label + subset, COLORS[key])
    ax.set_xlim(0, len(psnr) + 0.5)
    return _save_epochs(figure, ax, folder, "training_mp1.svg")


def training_mp2(results, folder):
    """Validation PSNR of Miniproject_2's networks after each epoch, with Miniproject_1's for scale.

    Against epochs, not minutes: the runs shared the machine with other jobs."""
    figure, ax = plt.subplots(figsize=(FULL_WIDTH * 0.48, 2.0))
    lines = [("train_mp2", "prescribed network", COLORS["mp2"]),
             ("train_mp2_unet", "extended U-Net", COLORS["extended"]),
             ("train_mp1", "Miniproject 1 (PyTorch)", COLORS["mp1"])]
    for stem, label, color in lines:
        if stem in results:
            psnr = mp1_curve(results)[0] if stem == "train_mp1" else curve(results[stem])[1]
            ax.plot(range(1, len(psnr) + 1), psnr, marker="o", markersize=3, color=color, label=label)
    return _save_epochs(figure, ax, folder, "training_mp2.svg")


def speed_mp2(results, folder):
    """Forward + backward time of each layer of the prescribed network, ours against torch's, in
    milliseconds (mean and sd over the rounds), with the matmul floor of torch's arithmetic."""
    layers = results["mp2_speed"]["layers"]
    figure, ax = plt.subplots(figsize=(FULL_WIDTH * 0.48, 2.1))
    x = range(len(layers))
    for offset, key, label, color in ((-0.2, "ours", "ours", COLORS["mp2"]), (0.2, "torch", "torch (autograd)", "#7f8c8d")):
        ax.bar([i + offset for i in x], [layer[f"{key}_ms"] for layer in layers], width=0.38, color=color,
               yerr=[layer[f"{key}_ms_sd"] for layer in layers], capsize=1.5, error_kw={"linewidth": 0.6},
               label=label)
    ax.scatter(x, [layer["matmul_floor_ms"] for layer in layers], marker="_", s=260, linewidths=1.4,
               color="black", zorder=3, label="matmul floor")
    # "Polyphase" for PolyphaseUpsampling: the full name runs into its neighbours at this width
    short = {"PolyphaseUpsampling": "Polyphase"}
    ax.set_xticks(list(x), [f"{layer['layer']}\n{short.get(layer['module'], layer['module'])}" for layer in layers],
                  fontsize=6.5)
    ax.set_yscale("log")
    ax.set_ylabel("ms per batch of 32 (fwd + bwd)")
    ax.grid(axis="y", alpha=0.3, which="both")
    ax.legend(loc="upper left", frameon=False, fontsize=6.5)
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
