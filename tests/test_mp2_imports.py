"""Audit: Miniproject_2 uses only the operations the course allows."""
import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent / "Miniproject_2"
SOURCES = sorted(ROOT.rglob("*.py"))

ALLOWED_TORCH_ATTRIBUTES = {"set_grad_enabled", "load", "save"}
ALLOWED_FROM = {"torch": {"empty", "cat", "arange"} | ALLOWED_TORCH_ATTRIBUTES,
                "torch.nn.functional": {"fold", "unfold"}}
STANDARD_LIBRARY = {"os", "time", "math", "pathlib", "sys", "tempfile"}


def test_sources_found():
    assert {p.name for p in SOURCES} >= {"model.py", "conv.py", "upsampling.py"}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_only_allowed_imports(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level > 0:  # relative: the framework itself
                continue
            names = {a.name for a in node.names}
            assert node.module in ALLOWED_FROM, f"{path.name}: from {node.module} import {names}"
            assert names <= ALLOWED_FROM[node.module], f"{path.name}: from {node.module} import {names}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                assert alias.name == "torch" or alias.name in STANDARD_LIBRARY, f"{path.name}: import {alias.name}"
                assert alias.asname is None, f"{path.name}: import {alias.name} as {alias.asname}"


def forbidden_torch_attributes(source):
    """`[(line, name)]` of every `torch.<name>` outside set_grad_enabled/load/save."""
    return [(node.lineno, node.attr) for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and node.value.id == "torch" and node.attr not in ALLOWED_TORCH_ATTRIBUTES]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_torch_module_used_only_for_allowed_functions(path):
    """`torch.X` only for set_grad_enabled/load/save: no torch.zeros, no_grad, cuda, device, nn, ..."""
    assert forbidden_torch_attributes(path.read_text()) == [], path.name


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_device_hard_coded(path):
    text = path.read_text()
    for forbidden in ("cuda", "torch.device", "no_grad", "torch.zeros", "torch.nn.Module",
                      "requires_grad"):
        assert forbidden not in text, f"{path.name} mentions {forbidden!r}"


def test_audit_catches_forbidden_calls():
    source = "import torch\ntorch.set_grad_enabled(False)\nx = torch.zeros(3)\nwith torch.no_grad():\n    pass\n"
    assert forbidden_torch_attributes(source) == [(3, "zeros"), (4, "no_grad")]
