"""The course's rules on the real mini-projects, through the one audit the grader and bundler use
(`tools/audit.py`; its own behaviour is tested on fake submissions in test_harness.py)."""
from pathlib import Path

import pytest

from tools.audit import audit_miniproject

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("number", [1, 2])
def test_each_miniproject_passes_the_import_audit(number):
    assert audit_miniproject(ROOT / f"Miniproject_{number}") == []


@pytest.mark.parametrize("path", sorted((ROOT / "Miniproject_2").rglob("*.py")),
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_miniproject_2_names_no_device_and_no_autograd(path):
    """CPU or GPU without code changes, and every gradient by hand: no device or autograd names."""
    for forbidden in ("cuda", "torch.device", "no_grad", "enable_grad", "requires_grad"):
        assert forbidden not in path.read_text(), f"{path.name} mentions {forbidden!r}"
