"""The submission bundler (`tools/bundle.py`) on fake projects in the course's layout.

Most tests replace the grader by a stub that records what it was given; one runs the real
`test.py --no-train` on the unpacked copy, with tiny fake data (a few seconds).
"""
import json
import zipfile

import pytest
import torch

from test_harness import noisy, smooth_images, write_project
from tools import bundle as bundler

SCIPERS = ["123456", "234567", "345678"]
NAME = "Proj_123456_234567_345678"
# What a correct fake project ships: the required files and its others/ code.
EXPECTED = {f"{NAME}/Miniproject_{n}/{f}" for n in (1, 2)
            for f in ("__init__.py", "model.py", "bestmodel.pth", f"Report_{n}.pdf", "others/__init__.py")}
EXPECTED.add(f"{NAME}/Miniproject_2/others/framework.py")


class StubGrader:
    """Stands in for test.py: records the folder it grades and what it finds there, writes its
    report (unless `report` is False) and returns `status`."""

    def __init__(self, status=0, report=True):
        self.status, self.report, self.calls = status, report, []

    def __call__(self, project_path, data_path, report_path):
        files = {p.relative_to(project_path).as_posix() for p in project_path.rglob("*") if p.is_file()}
        self.calls.append({"path": project_path, "files": files})
        if self.report:
            report_path.write_text(json.dumps({"passed": self.status == 0, "projects": {}}))
        return self.status


def zip_names(path):
    with zipfile.ZipFile(path) as archive:
        return set(archive.namelist())


def test_zip_holds_one_project_folder_with_the_course_files(tmp_path):
    project = write_project(tmp_path / "repo")
    grader = StubGrader()
    path, left_out, _ = bundler.bundle(SCIPERS, project, tmp_path / "out", grader=grader)
    assert path == tmp_path / "out" / f"{NAME}.zip"
    assert zip_names(path) == EXPECTED
    assert left_out == []
    assert list((tmp_path / "out").iterdir()) == [path]  # no temporary file left behind


def test_data_caches_notebooks_tests_and_stray_files_are_left_out(tmp_path):
    project = write_project(tmp_path / "repo")
    folder = project / "Miniproject_1"
    junk = ["others/__pycache__/unet.cpython-311.pyc", "others/explore.ipynb", "others/test_unet.py",
            "others/.ipynb_checkpoints/x.py", "others/data/train_data.pkl", "others/weights.pth",
            "bestmodel.pth.tmp", "notes.md", "tests/test_model.py"]
    for name in junk:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("x")
    (folder / "others" / "blocks").mkdir()
    (folder / "others" / "blocks" / "unet.py").write_text("WIDTH = 3\n")
    path, left_out, _ = bundler.bundle(SCIPERS, project, tmp_path / "out", grader=StubGrader())
    assert zip_names(path) == EXPECTED | {f"{NAME}/Miniproject_1/others/blocks/unet.py"}
    assert sorted(left_out) == sorted(f"Miniproject_1/{name}" for name in junk if "__pycache__" not in name)


def test_self_check_grades_the_unpacked_copy_not_the_sources(tmp_path):
    project = write_project(tmp_path / "repo")
    grader = StubGrader()
    bundler.bundle(SCIPERS, project, tmp_path / "out", grader=grader)
    (call,) = grader.calls
    assert call["path"].name == NAME and not call["path"].is_relative_to(project)
    assert call["files"] == {name.split("/", 1)[1] for name in EXPECTED}
    assert not call["path"].exists()  # the temporary copy is removed afterwards


def test_zip_failing_the_self_check_is_not_kept_and_an_older_one_survives(tmp_path):
    project = write_project(tmp_path / "repo")
    out = tmp_path / "out"
    good, _, _ = bundler.bundle(SCIPERS, project, out, grader=StubGrader())
    before = good.read_bytes()
    (project / "Miniproject_1" / "others" / "extra.py").write_text("X = 1\n")
    with pytest.raises(bundler.BundleError, match="fails test.py"):
        bundler.bundle(SCIPERS, project, out, grader=StubGrader(status=1))
    assert good.read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == [f"{NAME}.zip"]


def test_zip_is_not_kept_when_the_grader_exits_0_without_its_report(tmp_path):
    # What a submission's sys.exit(0) inside the grader looks like from outside.
    project = write_project(tmp_path / "repo")
    with pytest.raises(bundler.BundleError, match="ended without its report"):
        bundler.bundle(SCIPERS, project, tmp_path / "out", grader=StubGrader(status=0, report=False))
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize("scipers, message", [
    (["12345", "234567"], "'12345' is not"),
    (["1234567"], "'1234567' is not"),
    (["12a456"], "'12a456' is not"),
    (["１２３４５６"], "'１２３４５６' is not"),
    (["123456", "٢٣٤٥٦٧"], "'٢٣٤٥٦٧' is not"),
    (["123456", "123456"], "given twice"),
    (["123456", "234567", "345678", "456789"], "1 to 3 SCIPERs"),
])
def test_bad_scipers_are_refused(tmp_path, scipers, message):
    project = write_project(tmp_path / "repo")
    with pytest.raises(bundler.BundleError, match=message):
        bundler.bundle(scipers, project, tmp_path / "out", grader=StubGrader())
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("number, source, named", [
    (1, "import numpy\n", "numpy"),
    (2, "from torch import zeros\n", "torch.zeros"),
    (2, "import torch\nX = torch.nn.Linear\n", "torch.nn.Linear"),
])
def test_forbidden_imports_are_refused_with_file_and_line(tmp_path, number, source, named):
    project = write_project(tmp_path / "repo")
    (project / f"Miniproject_{number}" / "others" / "helper.py").write_text(source)
    grader = StubGrader()
    with pytest.raises(bundler.BundleError, match=f"Miniproject_{number}/others/helper.py:\\d+: {named}"):
        bundler.bundle(SCIPERS, project, tmp_path / "out", grader=grader)
    assert grader.calls == [] and not (tmp_path / "out").exists()


def test_missing_report_is_refused_with_the_command_that_builds_it(tmp_path):
    project = write_project(tmp_path / "repo")
    (project / "Miniproject_2" / "Report_2.pdf").unlink()
    with pytest.raises(bundler.BundleError, match=r"Report_2.pdf \(build it: python report/build.py\)"):
        bundler.bundle(SCIPERS, project, tmp_path / "out", grader=StubGrader())


def test_report_that_is_not_a_pdf_is_refused(tmp_path):
    project = write_project(tmp_path / "repo")
    (project / "Miniproject_1" / "Report_1.pdf").write_text("# Report 1 (markdown, not exported)\n")
    with pytest.raises(bundler.BundleError, match="Report_1.pdf is not a PDF"):
        bundler.bundle(SCIPERS, project, tmp_path / "out", grader=StubGrader())


def test_command_line_prints_size_and_contents_or_the_refusal(tmp_path, monkeypatch, capsys):
    project = write_project(tmp_path / "repo")
    monkeypatch.setattr(bundler, "run_grader", StubGrader())
    assert bundler.main([*SCIPERS, "-p", str(project), "-o", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"{NAME}.zip (" in out and " MB, 11 files)" in out
    assert f"{NAME}/Miniproject_2/others/framework.py" in out
    assert bundler.main(["12345", "-p", str(project), "-o", str(tmp_path)]) == 1
    assert "bundle refused: a SCIPER is six ASCII digits" in capsys.readouterr().err


@pytest.mark.parametrize("scipers, warned", [(SCIPERS[:1], True), (SCIPERS[:2], True), (SCIPERS, False)])
def test_groups_of_fewer_than_three_are_bundled_with_a_warning(tmp_path, monkeypatch, capsys, scipers, warned):
    project = write_project(tmp_path / "repo")
    monkeypatch.setattr(bundler, "run_grader", StubGrader())
    assert bundler.main([*scipers, "-p", str(project), "-o", str(tmp_path)]) == 0
    assert (tmp_path / ("Proj_" + "_".join(scipers) + ".zip")).is_file()
    err = capsys.readouterr().err
    assert (f"warning: {len(scipers)} of 3 SCIPERs given" in err) == warned


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory):
    """Validation data in the course's format: 100 smooth 32x32 images and their noisy copies."""
    folder = tmp_path_factory.mktemp("data")
    generator = torch.Generator().manual_seed(0)
    clean = smooth_images(100, generator)
    torch.save((noisy(clean, generator), clean), folder / "val_data.pkl")
    torch.save((noisy(clean, generator), noisy(clean, generator)), folder / "train_data.pkl")
    return folder


def test_real_self_check_passes_a_good_project_and_reports_psnr(tmp_path, tiny_data):
    project = write_project(tmp_path / "repo")
    path, _, psnr = bundler.bundle(SCIPERS, project, tmp_path / "out", data_path=tiny_data)
    assert path.is_file()
    assert set(psnr) == {"Miniproject_1", "Miniproject_2"} and all(value > 20 for value in psnr.values())


def test_real_self_check_refuses_a_project_whose_predict_is_broken(tmp_path, tiny_data):
    from test_harness import GOOD_MP1
    broken = GOOD_MP1.replace("clamp(0, 1) * 255", "clamp(0, 1)[:, :2] * 255")
    project = write_project(tmp_path / "repo", mp1=broken)
    with pytest.raises(bundler.BundleError, match="fails test.py"):
        bundler.bundle(SCIPERS, project, tmp_path / "out", data_path=tiny_data)
    assert not (tmp_path / "out" / f"{NAME}.zip").exists()
