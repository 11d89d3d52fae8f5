"""Command line of the dataset builder: `python -m tools.data --help`."""
import argparse
from pathlib import Path

from .build import DEFAULT_DATA_DIR, build_dataset, ensure_noise_set
from .noise import DEFAULT_NOISE, NOISE_NAMES


def main(argv=None):
    parser = argparse.ArgumentParser(description="Build the default dataset (train_data.pkl, val_data.pkl) in the course's format.")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--noise", default=DEFAULT_NOISE, choices=NOISE_NAMES,
                        help="noise model of both the training pairs and the validation set")
    parser.add_argument("--sources", default="pip,debian",
                        help="scene sources, comma-separated: pip (always there), debian (used if installed)")
    parser.add_argument("--max-train-scenes", type=int, default=None,
                        help="use only the first K training scenes (to measure the effect of variety)")
    parser.add_argument("--n-train", type=int, default=50_000)
    parser.add_argument("--n-val", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dead-leaves", type=float, default=0.0, metavar="FRACTION",
                        help="replace this fraction of the training images by procedural dead-leaves images")
    parser.add_argument("--save-clean", action="store_true",
                        help="also write train_clean.pkl, the clean training images (for Noise2Clean)")
    parser.add_argument("--noise-sets", default="",
                        help="also build val_data_<noise>.pkl for these noise models, comma-separated")
    args = parser.parse_args(argv)
    build_dataset(args.data_dir, args.n_train, args.n_val, args.noise, tuple(args.sources.split(",")),
                  args.max_train_scenes, args.seed, args.save_clean, args.dead_leaves)
    for noise in filter(None, args.noise_sets.split(",")):
        ensure_noise_set(noise, args.data_dir)



if __name__ == "__main__":
    main()
