"""Validation PSNR against the number of training scenes: `python -m tools.bench.data_scenes`.

Builds training sets of the same size from the first K training scenes (pip scenes first,
then the Debian photos when installed) and trains Miniproject_1's network on each at the
short budget. The validation set is the same for all. Writes results/data_scenes.json.
"""
from tools.results_writer import write_results
from tools.short_runs import BUDGET, short_run_on_build
from tools.data.scenes import available_scenes, split_scenes

SCENE_COUNTS = (2, 5)  # 5 = every pip training scene; more need the Debian photos


def main():
    n_training = len(split_scenes(available_scenes())[0])
    counts = sorted({min(k, n_training) for k in SCENE_COUNTS} | {n_training})
    runs = []
    for k in counts:
        result = short_run_on_build(max_train_scenes=k)
        runs.append({"n_scenes": k, **result})
        print(f"{k:3d} scenes: {result['val_psnr']:.2f} dB", flush=True)
    write_results("data_scenes", {"budget": BUDGET, "runs": runs})


if __name__ == "__main__":
    main()
