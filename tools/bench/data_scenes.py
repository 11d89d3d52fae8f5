"""Validation PSNR against the number of training scenes: `python -m tools.bench.data_scenes`.

Builds training sets of the same size from the first K training scenes (pip scenes first,
then the Debian photos when installed) and trains Miniproject_1's network on each at the
short budget. The validation set is the same for all. Writes results/data_scenes.json.
"""
from tools.data.scenes import available_scenes, split_scenes
from tools.short_runs import write_build_sweep

SCENE_COUNTS = (2, 5)  # 5 = every pip training scene; more need the Debian photos


def main():
    n_training = len(split_scenes(available_scenes())[0])
    counts = sorted({min(k, n_training) for k in SCENE_COUNTS} | {n_training})
    write_build_sweep("data_scenes", "n_scenes", counts, option="max_train_scenes")


if __name__ == "__main__":
    main()
