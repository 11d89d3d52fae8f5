"""Miniproject 2: the course's `Model` on a framework written from scratch (see `others/`)."""
import os
import time

from torch import empty, load, set_grad_enabled

# The framework, importable from here as the course expects (`from model import Conv2d, ...`).
from .others.activations import LeakyReLU, ReLU, Sigmoid  # noqa: F401
from .others.clipping import target_noise_std, unclip
from .others.containers import Sequential, SkipConcat  # noqa: F401
from .others.conv import Conv2d, TransposeConv2d  # noqa: F401
from .others.losses import MSE
from .others.module import Module  # noqa: F401
from .others.network import prescribed_net, unet  # noqa: F401
from .others.optim import SGD, Adam  # noqa: F401
from .others.pooling import MaxPool2d  # noqa: F401
from .others.upsampling import NearestUpsampling, Upsampling  # noqa: F401
from .others.training import (check_images, cosine_lr, predict_batched, predict_ensembled, run_epoch,
                               to_unit_range)

set_grad_enabled(False)

# Training settings, with their reasons.
BATCH_SIZE = 32        # small batches: more updates per epoch, columns stay in cache
MIN_STEPS = 500        # small training sets get smaller batches (down to 4): 2,000 pairs in one
                       # epoch then take 500 steps, enough to beat the noisy input
LEARNING_RATE = 2e-3   # Adam; decayed by a cosine over each call to train()
PREDICT_PIXELS = 2 ** 22  # pixels per forward pass in predict: bounds memory for big inputs
MULTIPLE = 4           # two stride-2 convolutions: sizes must be multiples of 4
WEIGHTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bestmodel.pth")


class Model:
    def __init__(self):
        self.net = prescribed_net()
        self.loss = MSE()
        self.optimizer = None
        self.device = self.net[0].weight.device  # CPU until an input says otherwise
        # predict() averages the outputs for the 8 flips/rotations of each image: more PSNR for
        # 8x the time (results/eval_models.json); False for one pass
        self.self_ensemble = True
        # the noise level of the training targets (0-255), measured by train() and saved with the
        # weights: predict() undoes the bias that clipping gave those targets (others/clipping.py);
        # 0 turns that off
        self.target_noise_std = 0.0

    def load_pretrained_model(self):
        """Load `bestmodel.pth` (a dict of named tensors) beside this file."""
        if not os.path.exists(WEIGHTS):
            raise FileNotFoundError(f"{WEIGHTS} not found: run `python -m tools.train_mp2` to train it")
        self.load_state_dict(load(WEIGHTS, map_location="cpu", weights_only=True))

    def state_dict(self):
        """What bestmodel.pth holds: the network's named tensors and the target noise level."""
        return {**self.net.state_dict(), "target_noise_std": empty(()).fill_(self.target_noise_std)}

    def load_state_dict(self, state):
        """The inverse of `state_dict`; weights saved without a noise level load with the correction off."""
        state = dict(state)
        self.target_noise_std = float(state.pop("target_noise_std", 0.0))
        self.net.load_state_dict({k: v.to(self.device) for k, v in state.items()})

    def _follow(self, x):
        """Move the network (and reset the optimiser) to `x`'s device."""
        if x.device != self.device:
            self.net.to(x.device)
            self.device = x.device
            self.optimizer = None

    def train(self, train_input, train_target, num_epochs, log=print):
        """Train on noisy pairs `(N, 3, H, W)` (uint8 or float 0-255), `num_epochs` passes."""
        check_images(train_input, "train_input")
        check_images(train_target, "train_target")
        if train_input.shape != train_target.shape:
            raise ValueError(f"train_input {tuple(train_input.shape)} and train_target "
                             f"{tuple(train_target.shape)} must have the same shape")
        if any(s % MULTIPLE for s in train_input.shape[2:]):
            raise ValueError(f"training images must have H and W multiples of {MULTIPLE}, "
                             f"got {tuple(train_input.shape)}")
        if not isinstance(num_epochs, int) or num_epochs < 1:
            raise ValueError(f"num_epochs must be a positive int, got {num_epochs!r}")
        self._follow(train_input)
        self.target_noise_std = target_noise_std(train_input, train_target)
        inputs = to_unit_range(train_input, self.device)
        targets = to_unit_range(train_target, self.device)
        if self.optimizer is None:
            self.optimizer = Adam(self.net.param(), lr=LEARNING_RATE)
        batch_size = min(BATCH_SIZE, max(4, len(inputs) // MIN_STEPS))
        for epoch in range(num_epochs):
            start = time.time()
            loss = run_epoch(self.net, self.loss, self.optimizer, inputs, targets, batch_size,
                             lambda f: cosine_lr(LEARNING_RATE, (epoch + f) / num_epochs), log=log)
            if log is not None:
                log(f"epoch {epoch + 1}/{num_epochs}: loss {loss:.5f}, {time.time() - start:.0f} s")

    def predict(self, test_input):
        """`(N, 3, H, W)` uint8 or float 0-255 -> denoised floats in [0, 255], same shape and device."""
        check_images(test_input, "test_input")
        self._follow(test_input)
        x = to_unit_range(test_input, self.device)
        chunk = max(1, PREDICT_PIXELS // (x.shape[2] * x.shape[3]))
        denoise = predict_ensembled if self.self_ensemble else predict_batched
        denoised = denoise(self.net, x, MULTIPLE, chunk).mul_(255.0).clamp_(0.0, 255.0)
        return unclip(denoised, self.target_noise_std)
