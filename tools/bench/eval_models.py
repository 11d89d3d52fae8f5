"""PSNR of both trained models on every noise set: `python -m tools.bench.eval_models`.

The shipped models were trained on Gaussian noise of sigma 25 only; the other sets measure
how they hold up on noise they never saw. `psnr` is what predict() gives: the mean output over
8 flips and rotations, then the clipping correction (others/clipping.py); `psnr_single_pass`
drops the ensemble, `psnr_network` both (the network alone, as in the training logs).
Writes results/eval_models.json.
"""
from tools.bench.common import ROOT, write_results
from tools.bench.models import predict_in_slices, trained_models
from tools.data import NOISE_NAMES, ensure_dataset, ensure_noise_set, load_pair
from tools.metrics import network_psnr, psnr


def main():
    data_dir = ROOT / "data"
    _, val_path = ensure_dataset(data_dir)
    paths = {"gaussian25": val_path, **{n: ensure_noise_set(n, data_dir) for n in NOISE_NAMES[1:]}}
    projects, noise_levels = {}, {}
    for project, model in trained_models().items():
        projects[project], noise_levels[project] = {}, model.target_noise_std
        for noise, path in paths.items():
            noisy, clean_uint8 = load_pair(path)
            clean = clean_uint8.float() / 255
            projects[project][noise] = {"psnr": psnr(predict_in_slices(model, noisy) / 255, clean),
                                        "noisy_psnr": psnr(noisy.float() / 255, clean)}
            row = projects[project][noise]
            model.self_ensemble = False
            row["psnr_single_pass"] = psnr(predict_in_slices(model, noisy) / 255, clean)
            model.self_ensemble = True
            row["psnr_network"] = network_psnr(model, noisy, clean_uint8)
            print(f"{project} {noise:10s} {row['psnr']:.2f} dB (noisy {row['noisy_psnr']:.2f} dB)", flush=True)
    write_results("eval_models", {"n_images": len(noisy), "target_noise_std": noise_levels, "projects": projects})


if __name__ == "__main__":
    main()
