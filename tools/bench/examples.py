"""A grid of validation images: noisy, each mini-project's denoised output, clean; PSNR per tile.

    python -m tools.bench.examples [--count 8]

The images are evenly spaced through data/val_data.pkl (not picked for looks). Each model is
loaded with its own `load_pretrained_model()` and used through `predict`, as the grader does;
Miniproject_2 is skipped when its bestmodel.pth is missing. Writes results/examples.png (used
by the reports and the README) and results/examples.json (the per-tile PSNR).
"""
import argparse
import importlib

import torch

from tools.results_writer import RESULTS, ROOT, write_results
from tools.data import ensure_dataset, load_pair
from tools.metrics import psnr

COUNT = 8
# Pixels of the figure per image pixel: 32x32 tiles drawn at this scale stay sharp in print.
DPI = 200


def pick(count, total):
    """`count` indices evenly spaced over `range(total)`, first and last included."""
    return torch.linspace(0, total - 1, count).round().long().tolist()


def denoise_with(project, noisy):
    """`noisy (N, 3, H, W)` uint8 -> the project's `predict` output in [0, 1], or None without weights."""
    if not (ROOT / project / "bestmodel.pth").is_file():
        print(f"{project}/bestmodel.pth not found: {project} left out of the grid")
        return None
    model = importlib.import_module(f"{project}.model").Model()
    model.load_pretrained_model()
    with torch.no_grad():
        return model.predict(noisy).float().cpu() / 255


def per_image_psnr(images, clean):
    return [round(psnr(image[None], target[None]), 2) for image, target in zip(images, clean)]


def draw(rows, path):
    """`rows`: `[(label, images (N, 3, H, W) in [0, 1], psnr list or None)]` -> a PNG at `path`."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = rows[0][1].shape[0]
    figure, axes = plt.subplots(len(rows), columns, figsize=(0.95 * columns + 0.9, 1.12 * len(rows)),
                                squeeze=False, gridspec_kw={"wspace": 0.06, "hspace": 0.32})
    for axes_row, (label, images, values) in zip(axes, rows):
        for column, ax in enumerate(axes_row):
            ax.imshow(images[column].permute(1, 2, 0).clamp(0, 1).numpy(), interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if values is not None:
                ax.set_xlabel(f"{values[column]:.1f} dB", fontsize=8, labelpad=2)
        axes_row[0].set_ylabel(label, fontsize=9)
    figure.savefig(path, dpi=DPI, bbox_inches="tight", pad_inches=0.02)
    plt.close(figure)
    print(f"wrote {path.relative_to(ROOT)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=COUNT, help="number of validation images")
    args = parser.parse_args()
    _, val_path = ensure_dataset(ROOT / "data")
    noisy_all, clean_all = load_pair(val_path)
    indices = pick(args.count, noisy_all.shape[0])
    noisy, clean = noisy_all[indices], clean_all[indices].float() / 255

    rows = [("noisy", noisy.float() / 255, per_image_psnr(noisy.float() / 255, clean))]
    results = {"validation_set": "data/val_data.pkl", "indices": indices, "psnr": {"noisy": rows[0][2]}}
    for number in (1, 2):
        project = f"Miniproject_{number}"
        denoised = denoise_with(project, noisy)
        if denoised is not None:
            rows.append((f"Miniproject {number}", denoised, per_image_psnr(denoised, clean)))
            results["psnr"][project] = rows[-1][2]
    rows.append(("clean", clean, None))
    RESULTS.mkdir(exist_ok=True)
    draw(rows, RESULTS / "examples.png")
    write_results("examples", results)


if __name__ == "__main__":
    main()
