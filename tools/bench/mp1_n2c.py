"""Noise2Noise against Noise2Clean at the same budget: `python -m tools.bench.mp1_n2c`.

The same network, seed, inputs and steps; only the targets differ: a second noisy draw
(Noise2Noise) or the clean image (Noise2Clean, without the input/target swaps that only
Noise2Noise can use). Writes results/mp1_n2c.json.
"""
import argparse

from tools.bench.common import ROOT, write_results
from tools.bench.mp1_short import BUDGET, default_data, short_run
from tools.data import build_dataset, load_pair

EPOCHS = 2  # longer than the ablations: the paper's claim is about trained networks


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    args = parser.parse_args()
    clean_path = ROOT / "data" / "train_clean.pkl"
    if not clean_path.is_file():  # the same deterministic build, with the clean images kept
        build_dataset(ROOT / "data", save_clean=True)
    inputs, noisy_targets, val_noisy, val_clean = default_data()
    clean_targets = load_pair(clean_path)[0][:len(inputs)]
    n2n = short_run(inputs, noisy_targets, val_noisy, val_clean, epochs=args.epochs)
    # no input/target swaps with clean targets: they would feed clean inputs with noisy targets
    n2c = short_run(inputs, clean_targets, val_noisy, val_clean, epochs=args.epochs,
                    settings={"swap_pairs": False})
    print(f"Noise2Noise {n2n['val_psnr']:.2f} dB, Noise2Clean {n2c['val_psnr']:.2f} dB")
    write_results("mp1_n2c", {"epochs": args.epochs, "n_train": len(inputs), "noise2noise": n2n,
                              "noise2clean": n2c, "gap_db": n2c["val_psnr"] - n2n["val_psnr"]})


if __name__ == "__main__":
    main()
