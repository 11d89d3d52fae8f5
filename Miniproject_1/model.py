"""Mini-project 1: a Noise2Noise denoiser, a U-Net in standard PyTorch.

    model = Model()
    model.load_pretrained_model()          # bestmodel.pth beside this file
    denoised = model.predict(noisy)        # (N, 3, H, W), uint8 or float 0-255 -> float 0-255
    model.train(noisy_a, noisy_b, num_epochs=1)
"""
import math
import os
from dataclasses import replace
from pathlib import Path

import torch

from .others.clipping import target_noise_std, unclip
from .others.images import check_images, check_num_epochs, check_pairs, to_unit_range
from .others.inference import denoise
from .others.held_out import split_held_out, train_keeping_best
from .others.training import Trainer, TrainSettings, steps_per_epoch
from .others.unet import UNet

BESTMODEL = Path(__file__).resolve().parent / "bestmodel.pth"
# Width 32 and three poolings, with 32 channels instead of the paper's 64 in the full-resolution
# decoder level and a (32, 16) head instead of (64, 32): half the multiply-adds of the same
# U-Net with the paper's top, so that an epoch of 50,000 pairs fits the course's 5 CPU minutes
# (results/speed.json). The paper's width 48 learned slower at short budgets on Gaussian noise
# (results/gaussian_era/mp1_ablations.json).
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
        # True once weights were loaded or trained: train() then fine-tunes instead of starting over
        self.trained = False

    def _build(self, network_settings):
        net = UNet(**network_settings).to(self.device)
        return net.to(memory_format=torch.channels_last)

    def load_pretrained_model(self, path=BESTMODEL):
        """Load the weights (and the network size they belong to) from `bestmodel.pth`.

        All or nothing: a file that does not load whole raises ValueError and leaves the model as it was.
        """
        if not Path(path).is_file():
            raise FileNotFoundError(f"{path} not found: train a model with `python -m tools.train_mp1`")
        saved = torch.load(path, map_location=self.device, weights_only=True)
        if not (isinstance(saved, dict) and isinstance(saved.get("network"), dict) and "state_dict" in saved):
            raise ValueError(f"{path} is not a Miniproject_1 model file: expected a dict with 'network' "
                             f"and 'state_dict' (written by Model.save), got {_describe(saved)}")
        settings = dict(saved["network"])
        if set(settings) != set(NETWORK):
            raise ValueError(f"{path} describes a network with settings {sorted(settings)}, "
                             f"expected {sorted(NETWORK)}")
        noise_std = float(saved.get("target_noise_std", 0.0))  # 0: saved without one
        if not math.isfinite(noise_std) or noise_std < 0:
            raise ValueError(f"{path} holds target_noise_std {noise_std}: expected a finite level >= 0")
        try:
            net = self._build(settings)
            net.load_state_dict(saved["state_dict"])
        except (TypeError, ValueError, RuntimeError) as error:
            raise ValueError(f"{path} does not fit the network it describes: {error}") from None
        self.network_settings, self.net, self.target_noise_std, self.trained = settings, net, noise_std, True

    def save(self, path=BESTMODEL):
        """Write the weights atomically: a crash mid-write never leaves half a bestmodel.pth."""
        temporary = Path(str(path) + ".tmp")
        torch.save({"network": self.network_settings, "state_dict": self.net.state_dict(),
                    "target_noise_std": self.target_noise_std}, temporary)
        os.replace(temporary, path)

    def train(self, train_input, train_target, num_epochs, on_epoch=None, resume=None):
        """Noise2Noise training on pairs `(N, 3, H, W)`, uint8 or float 0-255, H and W multiples of 8.

        A model loaded or trained before is fine-tuned at a lower learning rate. Training ends with
        the weights that did best on a held-out slice of the pairs, so never worse there than it
        started, and a failure leaves the model as it was. `on_epoch(epoch, train_loss, state)`
        gets a checkpoint after each epoch; `resume=state` continues from it (the loop:
        others/held_out.py, `train_keeping_best`).
        """
        check_pairs(train_input, train_target, 2 ** self.network_settings["depth"])
        check_num_epochs(num_epochs)
        settings = self.settings
        if self.trained:
            settings = replace(settings, learning_rate=settings.learning_rate * settings.fine_tune_factor)
        inputs, targets, held_inputs, held_targets = split_held_out(train_input.cpu(), train_target.cpu())
        trainer = Trainer(self.net, self.device, settings,
                          total_steps=num_epochs * steps_per_epoch(settings, inputs.shape[0]))
        train_keeping_best(self.net, trainer, num_epochs,
                           train_epoch=lambda epoch: trainer.train_epoch(inputs, targets, f"{epoch + 1}/{num_epochs}"),
                           held_out_loss=lambda: trainer.held_out_loss(held_inputs, held_targets),
                           learning_rate=trainer.learning_rate, on_epoch=on_epoch, resume=resume)
        self.target_noise_std = target_noise_std(train_input, train_target)
        self.trained = True

    def predict(self, test_input):
        """`(N, 3, H, W)` uint8 or float 0-255, any H and W -> denoised floats in [0, 255], same shape and device."""
        check_images(test_input, "test_input")
        self.net.eval()
        multiple = 2 ** self.network_settings["depth"]
        denoised = denoise(self.net, to_unit_range(test_input), multiple, self.device, self.self_ensemble)
        return unclip(denoised * 255, self.target_noise_std)


def _describe(value):
    """A short description of a loaded object, for error messages."""
    return f"a dict with keys {sorted(map(str, value))[:6]}" if isinstance(value, dict) else type(value).__name__
