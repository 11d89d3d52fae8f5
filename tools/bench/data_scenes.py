"""Validation PSNR against the number of training scenes: `python -m tools.bench.data_scenes`.

Builds training sets of the same size from the first K training scenes (pip scenes first,
then the Debian photos when installed) and trains Miniproject_1's network on each at the
short budget. The validation set is the same for all. Writes results/data_scenes.json.
"""
import tempfile
from pathlib import Path

from tools.bench.common import write_results
from tools.bench.mp1_short import BUDGET, short_run
from tools.data import build_dataset, load_pair
from tools.data.scenes import available_scenes, split_scenes

SCENE_COUNTS = (2, 5)  # 5 = every pip training scene; more need the Debian photos


def main():
    n_training = len(split_scenes(available_scenes())[0])
    counts = sorted({min(k, n_training) for k in SCENE_COUNTS} | {n_training})
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for k in counts:
            data_dir = Path(folder) / f"scenes{k}"
            build_dataset(data_dir, n_train=BUDGET["pairs"], max_train_scenes=k, log=lambda m: None)
            inputs, targets = load_pair(data_dir / "train_data.pkl")
            result = short_run(inputs, targets, *load_pair(data_dir / "val_data.pkl"))
            runs.append({"n_scenes": k, **result})
            print(f"{k:3d} scenes: {result['val_psnr']:.2f} dB", flush=True)
    write_results("data_scenes", {"budget": BUDGET, "runs": runs})


if __name__ == "__main__":
    main()
