"""Loading the trained models for measurement scripts."""
import importlib

import torch

from tools.results_writer import ROOT

PROJECTS = ("Miniproject_1", "Miniproject_2")
# The extended U-Net built from Miniproject_2's framework (`python -m tools.train_mp2 --net unet`):
# not part of the submission, so its weights live outside Miniproject_2/.
EXTENDED_UNET = "Miniproject_2 extended U-Net"
UNET_WEIGHTS = ROOT / "weights" / "mp2_unet.pth"


def trained_models():
    """{name: Model with its weights loaded}, for both projects and the extended U-Net, where weights exist."""
    models = {}
    for project in PROJECTS:
        if (ROOT / project / "bestmodel.pth").is_file():
            model = importlib.import_module(f"{project}.model").Model()
            model.load_pretrained_model()
            models[project] = model
    if UNET_WEIGHTS.is_file():
        module = importlib.import_module("Miniproject_2.model")
        model = module.Model()
        model.net = module.unet()
        model.load_pretrained_model(str(UNET_WEIGHTS))
        models[EXTENDED_UNET] = model
    return models


def predict_in_slices(model, noisy, size=100):
    """predict() fed as the course's harness does: uint8 slices of 100 images."""
    return torch.cat([model.predict(noisy[i:i + size]) for i in range(0, len(noisy), size)])
