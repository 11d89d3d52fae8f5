"""The report build (`report/build.py`): PDFs of at most 3 pages from the result files, clear refusals.

One test builds from fake result files of the documented formats (the pipeline, whatever the
results are); one builds from the committed results/ (the reports as shipped). Both build into a
temporary folder: the PDFs in Miniproject_N/ are never touched by the tests.
"""
import json

import pytest

from report import build as report_build
from tools import facts

RESULTS = report_build.RESULTS_DIR
NOISES = ("pixelation", "pixelation_fine", "pixelation_coarse", "gaussian25", "gaussian15", "gaussian50",
          "poisson", "blind")
MODELS = ("Miniproject_1", "Miniproject_2", "Miniproject_2 extended U-Net")
STATISTICS = ("noisy_psnr", "residual_std", "kurtosis", "channel_correlation", "neighbour_correlation",
              "std_flattest_30pct", "std_strongest_edges_10pct", "std_near_black_or_white")
LOG_HEADER = "epoch,train_loss,val_psnr,epoch_seconds,learning_rate\n"


def write_fake_results(folder):
    """Result files of every format the reports read, with made-up numbers; returns `folder`."""
    (folder / facts.GAUSSIAN_ERA).mkdir(parents=True, exist_ok=True)

    def put(name, content, date="2026-12-03"):
        machine = {"cpu": "x86_64", "threads": 2, "torch": "2.13.0+cpu", "python": "3.11.7"}
        (folder / name).write_text(json.dumps({"script": f"tools/bench/{name}", "date": date, "machine": machine,
                                               **content}))

    put("pixelation_stats.json", {"blocks": [5, 14], "n_images": 1000, **{
        source: {key: base + i for i, key in enumerate(STATISTICS)}
        for source, base in (("course", 10.0), ("ours", 10.5), ("gaussian25", 3.0))}})
    noisy = {noise: 20.0 + i for i, noise in enumerate(NOISES)}
    # mix minus pixelation: pixelation +0.05 (seed spread 0.1: no difference), pixelation_fine -0.3 (worse)
    put("robust_training.json", {"budget": {"pairs": 25000, "epochs": 1, "seeds": 2}, "noisy_psnr": noisy, "runs": [
        {"training": training, "seed": seed, "seconds": 100.0,
         "psnr": {noise: value + 3.0 + (0.1 * seed if training == "pixelation" else 0.0)
                  + {"pixelation": 0.1, "pixelation_fine": -0.25}.get(noise, 2.0 if training == "mix" else 0.0)
                  * (training == "mix") for noise, value in noisy.items()}}
        for seed in range(2) for training in ("pixelation", "mix")]})
    put("eval_models.json", {"n_images": 1000, "target_noise_std": {name: 0.0 for name in MODELS}, "projects": {
        name: {noise: {"psnr": value + 4.0 - m, "noisy_psnr": value, "psnr_single_pass": value + 3.8 - m,
                       "psnr_network": value + 3.8 - m} for noise, value in noisy.items()}
        for m, name in enumerate(MODELS)}})
    put("baselines.json", {"noise_sets": {noise: {
        method: {"psnr": value + gain, "noisy_psnr": value, "n_images": 100 if method == "bm3d" else 1000,
                 "seconds": 10.0} for method, gain in (("blur_3x3", 1.0), ("median_3x3", 1.2), ("nl_means", 1.5),
                                                       ("bm3d", 2.0))} for noise, value in noisy.items()}})
    put("one_epoch.json", {"n_train": 50000, "n_val": 1000, "projects": {
        name: {"shipped_psnr": 24.0, "loaded_then_one_epoch_psnr": 24.02, "loaded_epoch_seconds": 150.0,
               "fresh_one_epoch_psnr": 23.1, "fresh_epoch_seconds": 140.0} for name in MODELS[:2]}})
    put("speed.json", {"load_average_1min": 1.0, "projects": {p: {
        "epoch_seconds_50k": 200.0, "predict_images_per_second": {"32x32": 100.0, "512x512": 0.4},
        "predict_images_per_second_single_pass": {"32x32": 700.0, "512x512": 3.0}} for p in MODELS[:2]}})
    put("examples.json", {"indices": [0, 9], "psnr": {"noisy": [20.1, 20.2], "Miniproject_1": [24.0, 25.0],
                                                          "Miniproject_2": [23.0, 24.0]}})
    put("mp2_speed.json", {"cpus": 2, "load_average_1min": 1.0, "layers": [
        {"layer": name, "module": "Conv2d", "in": 3, "out": 96, "input_size": 32, "batch": 32, "ours_ms": 1.0,
         "ours_ms_sd": 0.1, "torch_ms": 2.0, "torch_ms_sd": 0.2, "rounds": 5, "ratio": ratio, "matmul_floor_ms": 1.0, "matmul_floor_ratio": 0.5}
        for name, ratio in (("conv1", 0.5), ("conv2", 2.0), ("up1", 1.1), ("up2", 0.2))],
        "im2col": [{"channels": 3, "size": 32, "kernel": 3, "stride": 2, "padding": 1, "unfold_ours_ms": 0.1,
                    "unfold_torch_ms": 0.4, "fold_ours_ms": 0.3, "fold_torch_ms": 0.3}],
        "network_ratio": 0.9, "epoch_seconds_50000_pairs": 100.0, "epoch_pairs_timed": 4096,
        "unet_epoch_seconds_50000_pairs": 400.0, "unet_epoch_pairs_timed": 1024})
    put("mp2_twin.json", {"ours_psnr": 24.0, "twin_psnr": 24.01, "difference": -0.01,
                          "settings": {"n_train": 1000, "epochs": 1, "widths": [96, 192]}, "ours_seconds": 10.0,
                          "twin_seconds": 12.0}, date="2026-11-23")
    put("mp1_ablations.json", {"budget": {"pairs": 12800, "epochs": 1, "seeds": 3}, "runs": [
        {"name": name, "setting": name, "seeds": [0, 1, 2], "val_psnr": values, "seconds": [10.0, 11.0, 12.0],
         "steps": 256} for name, values in (("shipped", [24.0, 24.1, 24.2]), ("paper's top", [24.5, 24.6, 24.7]),
                                           ("L1 loss", [24.0, 24.2, 24.3]), ("plain output", [22.0, 22.1, 22.2]))]})
    shipped_rate = {"optimizer": "Adam", "learning_rate": 2e-3, "batch_size": 32}
    put("mp2_optimizers.json", {"budget": {"pairs": 12800, "epochs": 1, "seeds": 3, "shipped": shipped_rate}, "runs": [
        {"optimizer": optimizer, "learning_rate": rate, "batch_size": batch, "seeds": list(range(len(values))),
         "val_psnr": values, "seconds": [30.0] * len(values), "mean_psnr": sum(values) / len(values), **extra}
        for optimizer, rate, batch, values, extra in (
            ("SGD", 1.0, 32, [21.0], {}), ("SGD", 3.0, 32, [21.5, 21.6, 21.4], {"best_rate": True}),
            ("SGD, momentum 0.9", 0.3, 32, [22.5, 22.4, 22.6], {"best_rate": True}),
            ("Adam", 2e-3, 32, [23.0, 23.1, 22.9], {"best_rate": True}), ("Adam", 8e-3, 32, [22.8], {}),
            ("Adam", 2e-3, 8, [23.2, 23.1, 23.3], {}), ("Adam", 2e-3, 128, [22.0, 22.1, 21.9], {}))]})
    put("mp2_module_errors.json", {"batch": 32, "seconds": 5.0, "modules": [
        {"module": name, "kind": kind, "shape": [32, 3, 32, 32],
         **{f"{prefix}{q}_error": None if q == "param_grad" and not params else 1e-6
            for prefix in ("", "float64_", "torch_float64_") for q in ("output", "input_grad", "param_grad")},
         "max_abs_reference": {"output": 1.0, "input_grad": 2.0, "param_grad": 30.0 if params else None}}
        for name, kind, params in (("Conv2d 3->96, stride 2", "Conv2d", True), ("ReLU", "ReLU", False))]})
    budget = {"pairs": 12800, "epochs": 1, "seed": 0}
    put("gaussian_era/mp1_ablations.json", {"budget": budget, "runs": [
        {"name": "shipped", "setting": "width 32, L2", "val_psnr": 27.5, "seconds": 100.0, "steps": 256},
        {"name": "L1 loss", "setting": "L1 instead of L2", "val_psnr": 27.3, "seconds": 101.0, "steps": 256}]},
        date="2026-11-23")
    put("gaussian_era/mp1_n2c.json", {
        "shipped_budget": {"epochs": 14, "n_train": 50000, "noise2noise_db": 29.2, "noise2clean_db": 29.8,
                           "gap_db": 0.6, "noise2noise_unclipped_db": 30.1, "gap_unclipped_db": -0.3},
        "short_budget": {"epochs": 2, "n_train": 12800, "noise2noise_db": 27.3, "noise2clean_db": 27.35,
                         "gap_db": 0.05, "noise2noise_unclipped_db": 27.6, "gap_unclipped_db": -0.25}},
        date="2026-11-23")
    put("gaussian_era/data_scenes.json", {"budget": budget, "runs": [
        {"n_scenes": 2, "val_psnr": 26.0, "seconds": 90.0}, {"n_scenes": 34, "val_psnr": 26.1, "seconds": 95.0}]},
        date="2026-11-23")
    put("gaussian_era/dead_leaves.json", {"budget": budget, "runs": [
        {"dead_leaves_fraction": 0.0, "val_psnr": 26.3, "seconds": 36.0},
        {"dead_leaves_fraction": 0.25, "val_psnr": 26.1, "seconds": 31.0}]}, date="2026-11-23")
    put("gaussian_era/mp2_sweep.json", {"budget": budget, "runs": [
        {"widths": [96, 192], "kernel": 3, "shipped": True, "val_psnr": 24.3, "mega_multiply_adds": 56.4},
        {"widths": [128, 256], "kernel": 3, "shipped": False, "val_psnr": 24.5, "mega_multiply_adds": 98.8}]},
        date="2026-11-23")
    (folder / facts.MP1_FIRST_RECIPE).mkdir(exist_ok=True)
    for name, psnr in (("train_mp1", (22.5, 23.9)), ("train_mp1_restart1", (23.8, 24.0)),
                       ("train_mp2", (22.0, 23.0)), ("train_mp2_unet", (22.2, 23.4)),
                       (f"{facts.MP1_FIRST_RECIPE}/train_mp1", (22.0, 23.5)),
                       (f"{facts.MP1_FIRST_RECIPE}/train_mp1_restart1", (23.4, 23.6)),
                       (f"{facts.MP1_FIRST_RECIPE}/train_mp1_restart2", (23.6, 23.7))):
        (folder / f"{name}.csv").write_text(LOG_HEADER + f"1,0.011,{psnr[0]},200.0,1e-3\n2,0.010,{psnr[1]},100.0,0.0\n")
    import matplotlib.pyplot as plt
    plt.imsave(folder / "examples.png", [[[0.2, 0.4, 0.6]] * 8] * 4)
    return folder


def test_every_result_file_names_the_command_that_writes_it():
    for name in report_build.result_files((1, 2)):
        command = facts.producer(name)
        if name.split("/")[0] in facts.RECORDS:
            assert command == f"git checkout -- results/{name}"
            assert (facts.RESULTS / name.split("/")[0] / "README.md").is_file(), name
            continue
        module = command.split()[2]  # python -m <module> [options]
        assert command.startswith("python -m ") and (report_build.ROOT / f"{module.replace('.', '/')}.py").is_file(), name


def test_missing_result_files_are_named_with_their_commands(tmp_path):
    results = write_fake_results(tmp_path / "results")
    for name in ("one_epoch.json", "train_mp2.csv", "gaussian_era/mp1_n2c.json"):
        (results / name).unlink()
    with pytest.raises(report_build.BuildError) as error:
        report_build.build((1, 2), results, figures_dir=tmp_path / "stage" / "figures", log=lambda line: None)
    message = str(error.value)
    assert "one_epoch.json: run `python -m tools.bench.one_epoch`" in message
    assert "train_mp2.csv: run `python -m tools.train_mp2`" in message
    assert "mp1_n2c.json: run `git checkout -- results/gaussian_era/mp1_n2c.json`" in message


def test_a_report_needs_only_its_own_result_files(tmp_path):
    results = write_fake_results(tmp_path / "results")
    (results / "gaussian_era" / "mp1_n2c.json").unlink()
    loaded = report_build.load_results(results, (2,))
    assert "mp2_twin" in loaded and "mp1_n2c" not in loaded.get("gaussian_era", {})


def test_mix_and_pixelation_differ_only_beyond_the_spread_of_their_seeds(tmp_path):
    robust = facts.load("robust_training.json", write_fake_results(tmp_path))
    noises = facts.robust_comparison(robust)["noises"]
    assert noises["pixelation"]["spread"] == pytest.approx(0.1)
    assert noises["pixelation"]["difference"] == pytest.approx(0.05)
    assert noises["pixelation"]["verdict"] == "no difference"
    assert noises["pixelation_fine"]["verdict"] == "worse"
    assert noises["gaussian25"]["verdict"] == "better"
    assert noises["pixelation"]["trainings"]["pixelation"]["half_range"] == pytest.approx(0.05)


def test_only_results_dated_before_the_pixelation_default_are_gaussian():
    assert facts.measured_on_gaussian_data({"date": "2026-11-23"})
    assert not facts.measured_on_gaussian_data({"date": facts.PIXELATION_SINCE})


def build_into(tmp_path, results, numbers=(1, 2), **options):
    pytest.importorskip("typst", reason="the report toolchain: pip install -r requirements.txt")
    outputs = {n: tmp_path / f"Report_{n}.pdf" for n in numbers}
    built = report_build.build(numbers, results, outputs, figures_dir=tmp_path / "stage" / "figures",
                               log=lambda line: None, **options)
    for number, (path, pages) in built.items():
        assert path == outputs[number]
        pdf = path.read_bytes()
        assert pdf.startswith(b"%PDF") and report_build.count_pages(pdf) == pages
        assert 1 <= pages <= report_build.MAX_PAGES
    return built


def test_build_from_fake_results_gives_two_short_pdfs_and_its_figures(tmp_path):
    build_into(tmp_path, write_fake_results(tmp_path / "results"))
    figures = tmp_path / "stage" / "figures"
    assert {"training_mp1.svg", "training_mp2.svg", "speed_mp2.svg", "examples.png"} <= {p.name for p in figures.iterdir()}
    numbers = json.loads((figures / "numbers.json").read_text())
    assert numbers["derived"]["train_mp1"]["final_psnr"] == 23.9
    training = numbers["derived"]["mp1_training"]
    assert (training["epochs"], training["final_psnr"]) == (4, 24.0) and training["curve"][2:4] == [23.8, 24.0]
    first = numbers["derived"]["mp1_first_recipe"]  # its three cycles, in order
    assert (first["epochs"], first["final_psnr"]) == (6, 23.7) and first["curve"] == [22.0, 23.5, 23.4, 23.6, 23.6, 23.7]
    assert numbers["derived"]["train_mp2"]["minutes"] == pytest.approx(300 / 60)
    assert numbers["derived"]["best_baseline"]["pixelation"]["method"] == "bm3d"
    assert numbers["derived"]["mp2_twin_on_gaussian_data"] is True
    ablations = numbers["derived"]["ablations"]
    assert [run["delta"] for run in ablations] == pytest.approx([0.0, 0.5, 0.2 / 3, -2.0])
    assert [run["verdict"] for run in ablations[1:]] == ["better", "no difference", "worse"]
    assert ablations[0]["sd"] == pytest.approx(0.1) and ablations[1]["time_ratio"] == pytest.approx(1.0)
    optimizers = numbers["derived"]["optimizers"]
    assert optimizers["shipped"]["learning_rate"] == 2e-3 and set(optimizers["best"]) == {"SGD", "SGD, momentum 0.9", "Adam"}
    assert [run.get("verdict") for run in optimizers["runs"] if run["batch_size"] != 32] == ["no difference", "worse"]
    assert numbers["code"]["mix"]["pixelation"] == 0.5


def test_build_reads_the_results_only_through_tools_facts():
    source = (report_build.HERE / "build.py").read_text() + (report_build.HERE / "plots.py").read_text()
    assert "json.loads" not in source and "csv." not in source and not (report_build.HERE / "facts.py").exists()


def test_author_line_is_a_setting_of_the_build(tmp_path, monkeypatch):
    pytest.importorskip("typst", reason="the report toolchain: pip install -r requirements.txt")
    source = tmp_path / "authors.typ"
    source.write_text('#assert.eq(sys.inputs.authors, "Ada (1), Bob (2)")\nok\n')
    report_build.compile_report(source, tmp_path / "out.pdf", root=tmp_path, log=lambda line: None,
                                authors="Ada (1), Bob (2)")
    calls = []
    monkeypatch.setattr(report_build, "build", lambda *args, **options: calls.append(options["authors"]))
    assert report_build.main(["--authors", "Ada (1), Bob (2)"]) == 0
    assert report_build.main([]) == 0
    assert calls == ["Ada (1), Bob (2)", report_build.AUTHORS]


@pytest.mark.parametrize("number", [1, 2])
def test_build_from_the_committed_results_gives_a_report_of_at_most_three_pages(tmp_path, number):
    build_into(tmp_path, RESULTS, (number,))


def test_report_longer_than_three_pages_is_refused_and_the_old_pdf_kept(tmp_path):
    pytest.importorskip("typst", reason="the report toolchain: pip install -r requirements.txt")
    source = tmp_path / "long.typ"
    source.write_text("#for i in range(4) [Page #i #pagebreak(weak: true)]\n#lorem(10)\n")
    pdf = tmp_path / "Report_1.pdf"
    pdf.write_bytes(b"%PDF old")
    with pytest.raises(report_build.BuildError, match="5 pages; the course allows 3"):
        report_build.compile_report(source, pdf, root=tmp_path, log=lambda line: None)
    assert pdf.read_bytes() == b"%PDF old"
    assert report_build.compile_report(source, pdf, root=tmp_path, max_pages=5, log=lambda line: None) == 5


def test_typst_error_is_reported_with_file_and_line(tmp_path):
    pytest.importorskip("typst", reason="the report toolchain: pip install -r requirements.txt")
    source = tmp_path / "broken.typ"
    source.write_text("= Title\n#let x = \n")
    with pytest.raises(report_build.BuildError, match=r"broken.typ:2"):
        report_build.compile_report(source, tmp_path / "out.pdf", root=tmp_path, log=lambda line: None)
    assert not (tmp_path / "out.pdf").exists()
