"""Do procedural dead-leaves images help? `python -m tools.bench.dead_leaves`.

Trains Miniproject_1's network at the short budget on photo crops alone and on photo crops
with a quarter of them replaced by dead-leaves images; the validation set (held-out photos)
is the same. Writes results/dead_leaves.json.
"""
from tools.short_runs import write_build_sweep

FRACTIONS = (0.0, 0.25)


def main():
    write_build_sweep("dead_leaves", "dead_leaves_fraction", FRACTIONS)


if __name__ == "__main__":
    main()
