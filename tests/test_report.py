"""The report build (`report/build.py`): PDFs of at most 3 pages from the result files, clear refusals.

One test builds from fake result files of the documented formats (the pipeline, whatever the
results are); one builds from the committed results/ (the reports as shipped). Both build into a
temporary folder: the PDFs in Miniproject_N/ are never touched by the tests.
"""
import json

import pytest

from report import build as report_build

RESULTS = report_build.RESULTS_DIR
NOISES = ("gaussian25", "gaussian15", "gaussian50", "poisson", "blind")


def write_fake_results(folder):
    """Result files of every format the reports read, with made-up numbers; returns `folder`."""
    folder.mkdir(parents=True, exist_ok=True)

    def put(name, content):
        (folder / name).write_text(json.dumps(content))

    def eval_of(offset):
        return {noise: {"psnr": 27.0 + offset + i, "psnr_single_pass": 26.9 + offset + i,
                        "psnr_network": 26.5 + offset + i, "noisy_psnr": 20.0 + i}
                for i, noise in enumerate(NOISES)}

    put("mp1_baselines.json", {"n_images": 1000, "noise": "gaussian25", "noisy_psnr": 20.5,
                               "methods": {"nl_means": {"psnr": 26.1, "seconds": 30.0},
                                           "bm3d": {"psnr": 28.3, "seconds": 600.0}}})
    put("mp1_n2c.json", {
        "shipped_budget": {"epochs": 2, "n_train": 50000, "noise2noise_db": 28.0, "noise2clean_db": 28.1, "gap_db": 0.1,
                           "noise2noise_unclipped_db": 28.4, "gap_unclipped_db": -0.3},
        "short_budget": {"epochs": 1, "n_train": 12800, "noise2noise_db": 26.0, "noise2clean_db": 26.3, "gap_db": 0.3,
                         "noise2noise_unclipped_db": 26.2, "gap_unclipped_db": 0.1},
        "by_tone": {"mid_tones": [75, 180], "mid_tone_fraction": 0.37, "perfect_noise2noise_psnr_db": 41.5,
                    "noise2noise": {"mid_tones_psnr_db": 27.8, "ends_psnr_db": 29.0, "dark_mean_error": 6.6,
                                    "bright_mean_error": -4.8},
                    "noise2clean": {"mid_tones_psnr_db": 27.7, "ends_psnr_db": 29.6, "dark_mean_error": 2.9,
                                    "bright_mean_error": -2.1},
                    "noise2noise_unclipped": {"mid_tones_psnr_db": 27.8, "ends_psnr_db": 29.8, "dark_mean_error": 2.2,
                                              "bright_mean_error": -2.0}}})
    budget = {"pairs": 12800, "epochs": 1, "seed": 0}
    put("mp1_ablations.json", {"budget": budget, "runs": [
        {"name": "shipped", "setting": "width 32, L2", "val_psnr": 27.5, "seconds": 100.0, "steps": 256},
        {"name": "L1 loss", "setting": "L1 instead of L2", "val_psnr": 27.3, "seconds": 101.0, "steps": 256}]})
    put("data_scenes.json", {"budget": budget, "runs": [{"n_scenes": 2, "val_psnr": 26.0, "seconds": 90.0},
                                                        {"n_scenes": 8, "val_psnr": 27.0, "seconds": 95.0}]})
    put("eval_models.json", {"target_noise_std": {"Miniproject_1": 25.0, "Miniproject_2": 25.0},
                             "projects": {"Miniproject_1": eval_of(1.0), "Miniproject_2": eval_of(0.0)}})
    put("speed.json", {"projects": {p: {"epoch_seconds_50k": 200.0, "predict_images_per_second": {
        "32x32": 1000.0, "512x512": 2.0}} for p in ("Miniproject_1", "Miniproject_2")}})
    put("examples.json", {"indices": [0, 9], "psnr_db": {"noisy": [20.1, 20.2], "Miniproject_1": [28.0, 29.0]}})
    put("mp2_speed.json", {"layers": [{"layer": "conv1", "module": "Conv2d", "batch": 32, "ours_ms": 1.0,
                                       "torch_ms": 2.0, "ratio": 0.5}],
                           "network_ratio": 0.9, "epoch_seconds_50000_pairs": 100.0, "machine": {"threads": 2}})
    put("mp2_twin.json", {"ours_psnr_db": 24.0, "twin_psnr_db": 24.01, "difference_db": 0.01,
                          "settings": {"n_train": 1000, "epochs": 1, "widths": [96, 192]}, "ours_seconds": 10.0,
                          "twin_seconds": 12.0})
    (folder / "train_mp1.csv").write_text("epoch,train_loss,val_psnr,train_seconds,learning_rate\n"
                                          "1,0.011,27.0,200.0,1e-3\n2,0.010,28.0,400.0,0.0\n")
    (folder / "train_mp2.csv").write_text("epoch,train_loss,val_psnr_db,epoch_seconds\n1,0.012,25.0,100.0\n")
    import matplotlib.pyplot as plt
    plt.imsave(folder / "examples.png", [[[0.2, 0.4, 0.6]] * 8] * 4)
    return folder


def test_every_result_file_has_the_command_that_writes_it():
    needed = {name for spec in report_build.REPORTS.values() for name in spec["required"] + spec["optional"]}
    assert needed <= set(report_build.PRODUCERS)


def test_missing_result_files_are_named_with_their_commands(tmp_path):
    results = write_fake_results(tmp_path / "results")
    (results / "mp1_n2c.json").unlink()
    (results / "train_mp2.csv").unlink()
    with pytest.raises(report_build.BuildError) as error:
        report_build.build((1, 2), results, figures_dir=tmp_path / "stage" / "figures", log=lambda line: None)
    message = str(error.value)
    assert "mp1_n2c.json: run `python -m tools.bench.mp1_n2c`" in message
    assert "train_mp2.csv: run `python tools/train_mp2.py`" in message


def test_a_report_needs_only_its_own_result_files(tmp_path):
    results = write_fake_results(tmp_path / "results")
    (results / "mp1_n2c.json").unlink()
    loaded = report_build.load_results(results, (2,))
    assert "mp2_twin" in loaded and "mp1_n2c" not in loaded


def build_into(tmp_path, results, numbers=(1, 2)):
    pytest.importorskip("typst", reason="the report toolchain: pip install -r requirements.txt")
    outputs = {n: tmp_path / f"Report_{n}.pdf" for n in numbers}
    built = report_build.build(numbers, results, outputs, figures_dir=tmp_path / "stage" / "figures",
                               log=lambda line: None)
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
    assert numbers["derived"]["train_mp1"]["final_psnr"] == 28.0
    assert numbers["derived"]["train_mp2"]["minutes"] == pytest.approx(100 / 60)
    assert [run["delta"] for run in numbers["derived"]["ablations"]] == pytest.approx([0.0, -0.2])


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
