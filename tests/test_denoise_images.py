"""The command that denoises image files with a mini-project's model."""
import os

import numpy as np
import pytest
from PIL import Image

from tools import denoise_images


def test_denoises_png_and_jpeg_files_of_odd_sizes(tmp_path):
    rng = np.random.default_rng(0)
    clean = np.tile(np.linspace(40, 220, 61), (45, 1))[..., None].repeat(3, axis=2)
    noisy = np.clip(clean + rng.normal(0, 25, clean.shape), 0, 255).astype(np.uint8)
    Image.fromarray(noisy).save(tmp_path / "noisy.png")
    Image.fromarray(noisy[..., 0]).save(tmp_path / "grey.jpg")
    denoise_images.main([str(tmp_path / "noisy.png"), str(tmp_path / "grey.jpg"), "--out-dir", str(tmp_path / "out")])
    denoised = np.asarray(Image.open(tmp_path / "out" / "noisy_denoised.png")).astype(float)
    assert denoised.shape == (45, 61, 3)
    assert ((denoised - clean) ** 2).mean() < 0.25 * ((noisy - clean) ** 2).mean()
    assert Image.open(tmp_path / "out" / "grey_denoised.png").size == (61, 45)


def test_missing_file_is_an_error_naming_it(tmp_path, capsys):
    with pytest.raises(SystemExit):
        denoise_images.main([str(tmp_path / "nope.png")])
    assert "nope.png" in capsys.readouterr().err


class Identity:
    """A stand-in model whose predict returns its input: the file handling is what is tested."""

    def predict(self, images):
        return images.float()


@pytest.fixture
def identity(monkeypatch):
    monkeypatch.setattr(denoise_images, "load_model", lambda project: Identity())


def test_16_bit_greyscale_png_is_scaled_to_8_bits(tmp_path, identity):
    grey = np.linspace(0, 65535, 33 * 47).round().astype(np.uint16).reshape(33, 47)
    Image.fromarray(grey).save(tmp_path / "scan.png")
    assert Image.open(tmp_path / "scan.png").mode == "I;16"
    assert denoise_images.main([str(tmp_path / "scan.png")]) == 0
    out = np.asarray(Image.open(tmp_path / "scan_denoised.png"))
    assert out.shape == (33, 47, 3) and out.dtype == np.uint8
    expected = np.round(grey / 257).astype(np.uint8)
    assert all((out[..., channel] == expected).all() for channel in range(3))


def test_exif_orientation_is_applied(tmp_path, identity):
    # 40 wide, 20 high, dark left half; orientation 6 means "rotate 90 degrees clockwise to show".
    pixels = np.full((20, 40, 3), 230, np.uint8)
    pixels[:, :20] = 20
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(pixels).save(tmp_path / "photo.jpg", exif=exif, quality=95)
    assert denoise_images.main([str(tmp_path / "photo.jpg")]) == 0
    out = np.asarray(Image.open(tmp_path / "photo_denoised.png")).astype(float)
    assert out.shape == (40, 20, 3)  # upright: 20 wide, 40 high, the dark half on top
    assert out[:18].mean() < 40 and out[22:].mean() > 210


@pytest.mark.parametrize("names, message", [
    (["a.png", "a.jpg"], "a.png and {}a.jpg would both be written to {}a_denoised.png"),
    (["a.png", "a_denoised.png"], "a.png would be written over the input {}a_denoised.png"),
])
def test_outputs_that_would_clash_are_refused_before_anything_is_written(tmp_path, identity, capsys, names,
                                                                         message):
    for name in names:
        Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / name)
    before = sorted(tmp_path.iterdir())
    with pytest.raises(SystemExit) as exit_info:
        denoise_images.main([str(tmp_path / name) for name in names])
    assert exit_info.value.code == 2
    assert message.format(f"{tmp_path}/", f"{tmp_path}/") in capsys.readouterr().err
    assert sorted(tmp_path.iterdir()) == before


def test_a_rerun_replaces_the_earlier_output_and_says_so(tmp_path, identity, capsys):
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "a.png")
    (tmp_path / "a_denoised.png").write_text("an earlier output\n")
    assert denoise_images.main([str(tmp_path / "a.png")]) == 0
    assert capsys.readouterr().out.strip().endswith("a_denoised.png (replaced the earlier file)")
    assert np.asarray(Image.open(tmp_path / "a_denoised.png")).shape == (8, 8, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "a_denoised.png"]  # no temporary file left


def test_unreadable_files_get_one_line_errors_and_the_others_are_denoised(tmp_path, identity, capsys):
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "good.png")
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "notes.jpg").write_text("not an image\n")
    names = ["empty.png", "good.png", "notes.jpg"]
    assert denoise_images.main([str(tmp_path / name) for name in names]) == 1
    assert (tmp_path / "good_denoised.png").is_file()
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 3
    for line, name in zip(errors, ["empty.png", "notes.jpg"]):
        assert line.startswith(f"error: {tmp_path / name}: cannot read it as an image (")
        assert line.endswith("): give a PNG or JPEG file")
    assert errors[2] == "2 of 3 files not denoised: see the errors above"


def test_out_dir_that_is_a_file_is_an_error_for_each_file(tmp_path, identity, capsys):
    for name in ("a.png", "b.png"):
        Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / name)
    (tmp_path / "out").write_text("a file, not a folder\n")
    args = [str(tmp_path / "a.png"), str(tmp_path / "b.png"), "--out-dir", str(tmp_path / "out")]
    assert denoise_images.main(args) == 1
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 3 and all("a file is in the way; give --out-dir a folder" in line for line in errors[:2])


@pytest.mark.skipif(getattr(os, "geteuid", lambda: -1)() == 0, reason="root can write into a read-only folder")
def test_read_only_out_dir_is_an_error_for_each_file(tmp_path, identity, capsys):
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "a.png")
    (tmp_path / "out").mkdir()
    (tmp_path / "out").chmod(0o500)
    try:
        assert denoise_images.main([str(tmp_path / "a.png"), "--out-dir", str(tmp_path / "out")]) == 1
    finally:
        (tmp_path / "out").chmod(0o700)
    assert "give a writable --out-dir" in capsys.readouterr().err
    assert list((tmp_path / "out").iterdir()) == []
