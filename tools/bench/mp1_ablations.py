"""Ablations of Miniproject_1's choices, several seeds each: `python -m tools.bench.mp1_ablations`.

Each configuration changes one thing from the shipped one (width 32, depth 3, a 32-wide
full-resolution decoder level and a 32-16 head, residual output, flips/rotations/swaps, L2 loss,
and `Model.train`'s own Adam rate and batch size (TrainSettings), not the training command's)
and trains a fresh network through `Model.train` on the default pixelation pairs,
once per seed; the validation PSNR is the network's alone. Two seeds of one configuration differ
by some tenths of a dB at this budget, so a configuration differs from the shipped one only
where the difference of their means exceeds the range of their seeds (tools/facts.py). A short
budget favours what learns fastest; the shipped model trains over a hundred times longer.
Writes results/mp1_ablations.json.

    python -m tools.bench.mp1_ablations [--pairs 6400] [--seeds 3] [--only "L1 loss" ...]
"""
import argparse

from tools.results_writer import write_results
from tools.short_runs import BUDGET, default_data, short_run

# Half the pairs of the other short runs: 18 trainings (6 configurations, 3 seeds) in about 25
# minutes on 2 cores.
PAIRS = BUDGET["pairs"] // 2
CONFIGS = [
    ("shipped", "width 32, depth 3, top 32, head 32-16, residual, augmented, L2, lr 1e-3", {}, {}),
    ("paper's top", "full-resolution level 64 wide, head 64-32", {"top_width": 64, "head_widths": (64, 32)}, {}),
    ("width 48 (the paper's)", "width 48", {"width": 48}, {}),
    ("plain output", "no residual connection (the paper's output)", {"residual": False}, {}),
    ("no augmentation", "no flips, rotations or swaps", {}, {"augment": False}),
    ("L1 loss", "L1 instead of L2", {}, {"loss": "l1"}),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=PAIRS)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--only", nargs="+", help="the configurations to run (by name; 'shipped' always runs)")
    args = parser.parse_args()
    data = default_data(args.pairs)
    runs = []
    for name, setting, network, settings in CONFIGS:
        if args.only and name != "shipped" and name not in args.only:
            continue
        results = [short_run(*data, network=network, settings=settings, seed=seed) for seed in range(args.seeds)]
        runs.append({"name": name, "setting": setting, "seeds": list(range(args.seeds)),
                     "val_psnr": [r["val_psnr"] for r in results], "seconds": [r["seconds"] for r in results],
                     "steps": results[0]["steps"]})
        print(f"{name:24s} " + " ".join(f"{r['val_psnr']:.2f}" for r in results) + " dB", flush=True)
    write_results("mp1_ablations", {"budget": {"pairs": args.pairs, "epochs": BUDGET["epochs"], "seeds": args.seeds},
                                    "runs": runs})


if __name__ == "__main__":
    main()
