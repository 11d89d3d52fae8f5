"""Loading the mini-projects' trained models for measurement scripts."""
import importlib

from tools.bench.common import ROOT

PROJECTS = ("Miniproject_1", "Miniproject_2")


def trained_models():
    """{project name: Model with its bestmodel.pth loaded}, for each project that has weights."""
    models = {}
    for project in PROJECTS:
        if (ROOT / project / "bestmodel.pth").is_file():
            model = importlib.import_module(f"{project}.model").Model()
            model.load_pretrained_model()
            models[project] = model
    return models


def predict_in_slices(model, noisy, size=100):
    """predict() fed as the course's harness does: uint8 slices of 100 images."""
    import torch
    return torch.cat([model.predict(noisy[i:i + size]) for i in range(0, len(noisy), size)])
