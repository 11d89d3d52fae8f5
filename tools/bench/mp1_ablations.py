"""Ablations of Miniproject_1's choices at one short budget: `python -m tools.bench.mp1_ablations`.

Each run changes one thing from the shipped configuration (width 32, depth 3, a 32-wide
full-resolution decoder level and a 32-16 head, residual output, flips/rotations/swaps, L2 loss,
Adam at 1e-3). Writes results/mp1_ablations.json.
"""
from tools.results_writer import write_results
from tools.short_runs import BUDGET, default_data, short_run

# Half the budget of the other short runs: nine trainings must fit beside the shipped one.
PAIRS = BUDGET["pairs"] // 2
RUNS = [
    ("shipped", "width 32, depth 3, top 32, head 32-16, residual, augmented, L2, lr 1e-3", {}, {}),
    ("paper's top", "full-resolution level 64 wide, head 64-32", {"top_width": 64, "head_widths": (64, 32)}, {}),
    ("width 48 (the paper's)", "width 48", {"width": 48}, {}),
    ("width 24", "width 24", {"width": 24}, {}),
    ("depth 2", "two poolings", {"depth": 2}, {}),
    ("plain output", "no residual connection (the paper's output)", {"residual": False}, {}),
    ("no augmentation", "no flips, rotations or swaps", {}, {"augment": False}),
    ("L1 loss", "L1 instead of L2", {}, {"loss": "l1"}),
    ("lr 3e-3", "learning rate 3e-3", {}, {"learning_rate": 3e-3}),
]


def main():
    data = default_data(PAIRS)
    runs = []
    for name, setting, network, settings in RUNS:
        result = short_run(*data, network=network, settings=settings)
        runs.append({"name": name, "setting": setting, **result})
        print(f"{name:24s} {result['val_psnr']:.2f} dB  {result['seconds']:.0f} s", flush=True)
    write_results("mp1_ablations", {"budget": {**BUDGET, "pairs": PAIRS}, "runs": runs})


if __name__ == "__main__":
    main()
