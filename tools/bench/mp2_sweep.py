"""Channel widths and kernel size of Miniproject_2's prescribed network, at one short budget:
`python -m tools.bench.mp2_sweep`.

Every run trains a fresh prescribed network (Conv2d stride 2, ReLU, Conv2d stride 2, ReLU,
Upsampling, ReLU, Upsampling, Sigmoid) through `Model.train` from the same seed on the same
pairs, then measures the validation PSNR of the network alone. The cost of each network is its
number of multiply-adds per 32x32 image (forward, tools/model_size.py), which sets its training
time and does not depend on what else the machine runs. A short budget favours what learns fastest; the shipped model trains
16 epochs on 50,000 pairs. Writes results/mp2_sweep.json.
"""
import argparse

import torch

from Miniproject_2.model import Model
from Miniproject_2.others.network import PRESCRIBED_KERNEL, PRESCRIBED_WIDTHS, prescribed_net
from tools.results_writer import write_results
from tools.short_runs import default_data
from tools.metrics import network_psnr
from tools.model_size import framework_size

PAIRS, EPOCHS, SEED = 12_800, 1, 0
CONFIGS = [(PRESCRIBED_WIDTHS, PRESCRIBED_KERNEL), ((32, 64), 3), ((64, 128), 3), ((128, 256), 3), ((64, 128), 5),
           ((96, 192), 5)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=PAIRS)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    args = parser.parse_args()
    inputs, targets, val_noisy, val_clean = default_data(args.pairs)
    runs = []
    for widths, kernel in CONFIGS:
        torch.manual_seed(SEED)
        model = Model()
        model.net = prescribed_net(widths, kernel)
        model.train(inputs, targets, args.epochs, log=None)
        runs.append({"widths": list(widths), "kernel": kernel, "shipped": (widths, kernel) == CONFIGS[0],
                     "val_psnr": network_psnr(model, val_noisy, val_clean),
                     "mega_multiply_adds": framework_size(model.net)["multiply_adds"] / 1e6})
        print(f"widths {widths}, kernel {kernel}: {runs[-1]['val_psnr']:.2f} dB, "
              f"{runs[-1]['mega_multiply_adds']:.0f} M multiply-adds", flush=True)
    write_results("mp2_sweep", {"budget": {"pairs": args.pairs, "epochs": args.epochs, "seed": SEED}, "runs": runs})


if __name__ == "__main__":
    main()
