"""The command that denoises image files with a mini-project's model."""
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
