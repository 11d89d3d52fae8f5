"""Noise2Noise against Noise2Clean at the same budget: `python -m tools.bench.mp1_n2c`.

The same network, seed, inputs and steps; only the targets differ: a second noisy draw
(Noise2Noise) or the clean image (Noise2Clean, without the input/target swaps that only
Noise2Noise can use). Two budgets:
- the shipped one: the Noise2Noise run is the shipped training (results/train_mp1.csv), the
  Noise2Clean run its twin with clean targets, trained beforehand with
      python tools/train_mp1.py --clean-targets --out runs/n2c/bestmodel.pth \\
          --log results/train_mp1_n2c.csv --checkpoint runs/n2c/checkpoint.pth
  and compared here through the last rows of the two logs and the two final models;
- a short one (`--epochs` on 12,800 pairs), both runs made here.
Noisy images stored as uint8 are clipped at 0 and 255, so near black and white the mean of the
noisy targets, which Noise2Noise learns, is not the clean value (Noise2Clean has no such bias);
on mid tones the noise is zero-mean, as Noise2Noise assumes. So each comparison is made twice:
the networks alone (`network`), and through `predict` with one pass per image (`unclipped`),
which undoes that bias from the noise level of the training targets (others/clipping.py; for
clean targets that level is 0, so Noise2Clean is measured alone). The final models' errors are
also split by tone. Writes results/mp1_n2c.json.
"""
import argparse
import csv
import math

import torch

from Miniproject_1.model import Model
from tools.bench.common import ROOT, write_results
from tools.bench.mp1_short import default_data, short_run
from tools.metrics import psnr
from tools.data import DEFAULT_NOISE, add_noise, ensure_clean_targets, load_pair
from tools.train_mp1 import N_TRAIN

EPOCHS = 2  # longer than the ablations: the paper's claim is about trained networks
MODELS = {"noise2noise": ROOT / "Miniproject_1" / "bestmodel.pth", "noise2clean": ROOT / "runs" / "n2c" / "bestmodel.pth"}
# Clean values at least 3 sigma (Gaussian 25) from both ends: their noise is almost never clipped.
MID_TONES = (75, 180)
LOGS = {"noise2noise": ROOT / "results" / "train_mp1.csv", "noise2clean": ROOT / "results" / "train_mp1_n2c.csv"}


def last_rows():
    """The final epoch of the shipped run and of its Noise2Clean twin; both logs must cover the same epochs."""
    rows = {}
    for name, path in LOGS.items():
        if not path.is_file():
            raise SystemExit(f"{path} is missing: see the command in this script's docstring")
        with open(path, newline="") as file:
            rows[name] = list(csv.DictReader(file))[-1]
    if rows["noise2noise"]["epoch"] != rows["noise2clean"]["epoch"]:
        raise SystemExit(f"the logs end at different epochs: {rows['noise2noise']['epoch']} and "
                         f"{rows['noise2clean']['epoch']}: finish the Noise2Clean run first")
    return rows


def expected_noisy(clean, noise=DEFAULT_NOISE, draws=20_000):
    """The mean of the noisy copies of `clean` (uint8) on [0, 1]: what a perfect Noise2Noise network
    converges to. The noise models act on each pixel alone, so the mean depends only on the clean
    value: it is estimated for each of the 256 values from `draws` noisy copies, then looked up."""
    generator = torch.Generator().manual_seed(0)
    values = torch.arange(256, dtype=torch.uint8).view(256, 1, 1, 1).expand(256, 1, 1, draws).contiguous()
    mean_noisy = add_noise(noise, values, generator).double().mean((1, 2, 3)) / 255
    return mean_noisy[clean.long()].float()


def final_outputs(val_noisy):
    """{variant: the final model's output on `val_noisy`, 0-255}, one pass per image: each
    network alone, and Noise2Noise through predict's clipping correction."""
    outputs = {}
    for name, path in MODELS.items():
        if not path.is_file():
            raise SystemExit(f"{path} is missing: see the commands in this script's docstring")
        model = Model()
        model.load_pretrained_model(path)
        model.self_ensemble = False
        if name == "noise2noise":
            outputs["noise2noise_unclipped"] = model.predict(val_noisy)
        model.target_noise_std = 0.0
        outputs[name] = model.predict(val_noisy)
    return outputs


def by_tone(outputs, val_clean):
    """Each output on mid-tone pixels, whose noise is rarely clipped, and on the dark and bright
    ends, where clipping biases the noisy targets; with the PSNR a perfect Noise2Noise network
    without the correction would reach (the mean noisy image against the clean one)."""
    clean = val_clean.float() / 255
    mid = (val_clean >= MID_TONES[0]) & (val_clean <= MID_TONES[1])
    result = {"mid_tones": list(MID_TONES), "mid_tone_fraction": mid.float().mean().item(),
              "perfect_noise2noise_psnr_db": psnr(expected_noisy(val_clean), clean)}
    for name, output in outputs.items():
        error = output / 255 - clean
        result[name] = {"psnr_db": psnr(output / 255, clean),
                        "mid_tones_psnr_db": pooled_psnr(error[mid]), "ends_psnr_db": pooled_psnr(error[~mid]),
                        # mean error in grey levels on the darkest and brightest pixels: the bias direction
                        "dark_mean_error": 255 * error[val_clean < 40].mean().item(),
                        "bright_mean_error": 255 * error[val_clean > 215].mean().item()}
    return result


def comparison(noise2noise, noise2noise_unclipped, noise2clean):
    """The PSNRs (dB) and Noise2Clean's lead over Noise2Noise, alone and with the correction."""
    return {"noise2noise_db": noise2noise, "noise2noise_unclipped_db": noise2noise_unclipped,
            "noise2clean_db": noise2clean, "gap_db": noise2clean - noise2noise,
            "gap_unclipped_db": noise2clean - noise2noise_unclipped}


def pooled_psnr(error):
    """PSNR (dB, on [0, 1]) of the mean squared error over a set of pixels."""
    return -10 * math.log10(error.double().pow(2).mean().item())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS, help="epochs of the short-budget runs")
    args = parser.parse_args()
    rows = last_rows()
    inputs, noisy_targets, val_noisy, val_clean = default_data()
    tones = by_tone(final_outputs(val_noisy), val_clean)
    n2n, n2c = (float(rows[name]["val_psnr"]) for name in ("noise2noise", "noise2clean"))
    shipped = comparison(n2n, tones["noise2noise_unclipped"]["psnr_db"], n2c)
    shipped.update(epochs=int(rows["noise2noise"]["epoch"]), n_train=N_TRAIN)
    print(f"mid tones: Noise2Noise {tones['noise2noise']['mid_tones_psnr_db']:.2f} dB, "
          f"Noise2Clean {tones['noise2clean']['mid_tones_psnr_db']:.2f} dB")

    clean_targets = load_pair(ensure_clean_targets(ROOT / "data"))[0][:len(inputs)]
    n2n = short_run(inputs, noisy_targets, val_noisy, val_clean, epochs=args.epochs)
    n2c = short_run(inputs, clean_targets, val_noisy, val_clean, epochs=args.epochs,
                    settings={"swap_pairs": False})["val_psnr"]
    short = comparison(n2n["val_psnr"], n2n["val_psnr_unclipped"], n2c)
    short.update(epochs=args.epochs, n_train=len(inputs))
    print(f"shipped budget: {shipped}\nshort budget: {short}")
    write_results("mp1_n2c", {"shipped_budget": shipped, "short_budget": short, "by_tone": tones})


if __name__ == "__main__":
    main()
