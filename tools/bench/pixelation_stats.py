"""Does the default dataset's corruption look like the course's? `python -m tools.bench.pixelation_stats`.

Residual statistics (tools/data/statistics.py) of the default validation pairs (noisy, clean),
beside the figures measured on samples of the course's validation pairs and beside Gaussian
noise of sigma 25, the kit's former default. Writes results/pixelation_stats.json.
"""
import torch

from tools.results_writer import ROOT, write_results
from tools.data import ensure_dataset, ensure_noise_set, load_pair
from tools.data.noise import PIXELATION
from tools.data.statistics import COURSE_STATISTICS, residual_statistics


def main():
    _, val_path = ensure_dataset(ROOT / "data")
    ours = residual_statistics(*load_pair(val_path))
    gaussian = residual_statistics(*load_pair(ensure_noise_set("gaussian25", ROOT / "data")))
    for name, values in [("course", COURSE_STATISTICS), ("ours", ours), ("gaussian25", gaussian)]:
        print(f"{name:10s} " + ", ".join(f"{k} {v:.2f}" for k, v in values.items()))
    write_results("pixelation_stats", {"blocks": PIXELATION["pixelation"], "n_images": len(load_pair(val_path)[0]),
                                       "course": COURSE_STATISTICS, "ours": ours, "gaussian25": gaussian})


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
