"""Mini-project 1: a Noise2Noise denoiser, a U-Net in standard PyTorch.

    model = Model()
    model.load_pretrained_model()          # bestmodel.pth beside this file
    denoised = model.predict(noisy)        # (N, 3, H, W), uint8 or float 0-255 -> float 0-255
    model.train(noisy_a, noisy_b, num_epochs=1)
"""
import os
from pathlib import Path

import torch

from .others.clipping import target_noise_std, unclip
from .others.images import check_images, to_unit_range
from .others.inference import denoise
from .others.training import Trainer, TrainSettings, steps_per_epoch
from .others.unet import UNet

BESTMODEL = Path(__file__).resolve().parent / "bestmodel.pth"
# Width 32 and three poolings, with 32 channels instead of the paper's 64 in the full-resolution
# decoder level and a (32, 16) head instead of (64, 32): half the multiply-adds of the same
# U-Net with the paper's top, so that an epoch of 50,000 pairs fits the course's 5 CPU minutes
# (results/speed.json). The paper's width 48 learns slower at short budgets (results/mp1_ablations.json).
NETWORK = {"width": 32, "depth": 3, "top_width": 32, "head_widths": (32, 16)}


class Model:
    def __init__(self):
        self.device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        self.network_settings = dict(NETWORK)
        self.net = self._build(self.network_settings)
        self.settings = TrainSettings()
        # predict() averages the outputs for the 8 flips/rotations of each image: a little more
        # PSNR for 8x the time (results/eval_models.json); False for one pass
        self.self_ensemble = True
        # the noise level of the training targets (0-255), measured by train() and saved with the
        # weights: predict() undoes the bias that clipping gave those targets (others/clipping.py);
        # 0 turns that off
        self.target_noise_std = 0.0

    def _build(self, network_settings):
        net = UNet(**network_settings).to(self.device)
        return net.to(memory_format=torch.channels_last)

    def load_pretrained_model(self, path=BESTMODEL):
        """Load the weights (and the network size they belong to) from `bestmodel.pth`."""
        if not Path(path).is_file():
            raise FileNotFoundError(f"{path} not found: train a model with `python tools/train_mp1.py`")
        saved = torch.load(path, map_location=self.device, weights_only=True)
        self.network_settings = dict(saved["network"])
        self.net = self._build(self.network_settings)
        self.net.load_state_dict(saved["state_dict"])
        self.target_noise_std = float(saved.get("target_noise_std", 0.0))  # 0: saved without one

    def save(self, path=BESTMODEL):
        """Write the weights atomically: a crash mid-write never leaves half a bestmodel.pth."""
        temporary = Path(str(path) + ".tmp")
        torch.save({"network": self.network_settings, "state_dict": self.net.state_dict(),
                    "target_noise_std": self.target_noise_std}, temporary)
        os.replace(temporary, path)

    def train(self, train_input, train_target, num_epochs):
        """Noise2Noise training on pairs `(N, 3, H, W)`, uint8 or float 0-255, H and W multiples of 8."""
        check_images(train_input, "train_input")
        check_images(train_target, "train_target")
        if train_input.shape != train_target.shape:
            raise ValueError(f"train_input {tuple(train_input.shape)} and train_target "
                             f"{tuple(train_target.shape)} must have the same shape")
        multiple = 2 ** self.network_settings["depth"]
        if train_input.shape[2] % multiple or train_input.shape[3] % multiple:
            raise ValueError(f"training images must have sides divisible by {multiple}, "
                             f"got {tuple(train_input.shape[2:])}: crop them first")
        if not isinstance(num_epochs, int) or num_epochs < 1:
            raise ValueError(f"num_epochs must be a positive integer, got {num_epochs!r}")
        self.target_noise_std = target_noise_std(train_input, train_target)
        steps = num_epochs * steps_per_epoch(self.settings, train_input.shape[0])
        trainer = Trainer(self.net, self.device, self.settings, total_steps=steps)
        for epoch in range(num_epochs):
            trainer.train_epoch(train_input.cpu(), train_target.cpu(), f"{epoch + 1}/{num_epochs}")

    def predict(self, test_input):
        """`(N, 3, H, W)` uint8 or float 0-255, any H and W -> denoised floats in [0, 255], same shape and device."""
        check_images(test_input, "test_input")
        self.net.eval()
        multiple = 2 ** self.network_settings["depth"]
        denoised = denoise(self.net, to_unit_range(test_input), multiple, self.device, self.self_ensemble)
        return unclip(denoised * 255, self.target_noise_std)
