"""Do procedural dead-leaves images help? `python -m tools.bench.dead_leaves`.

Trains Miniproject_1's network at the short budget on photo crops alone and on photo crops
with a quarter of them replaced by dead-leaves images; the validation set (held-out photos)
is the same. Writes results/dead_leaves.json.
"""
from tools.results_writer import write_results
from tools.short_runs import BUDGET, short_run_on_build

FRACTIONS = (0.0, 0.25)


def main():
    runs = []
    for fraction in FRACTIONS:
        result = short_run_on_build(dead_leaves_fraction=fraction)
        runs.append({"dead_leaves_fraction": fraction, **result})
        print(f"dead leaves {fraction:.0%}: {result['val_psnr']:.2f} dB", flush=True)
    write_results("dead_leaves", {"budget": BUDGET, "runs": runs})


if __name__ == "__main__":
    main()
