"""Miniproject 2: the course's `Model` on a framework written from scratch (see `others/`).

    model = Model()
    model.load_pretrained_model()          # bestmodel.pth beside this file
    denoised = model.predict(noisy)        # (N, 3, H, W), uint8 or float 0-255 -> float 0-255
    model.train(noisy_a, noisy_b, num_epochs=1)

Importing this module turns autograd off for the whole process, as the course requires (every
gradient here is computed by hand). Code that needs autograd afterwards turns it back on with
`torch.set_grad_enabled(True)`.
"""
import math
import os
import time

from torch import empty, load, save, set_grad_enabled

# The framework, importable from here as the course expects (`from model import Conv2d, ...`).
from .others.activations import LeakyReLU, ReLU, Sigmoid  # noqa: F401
from .others.clipping import target_noise_std, unclip
from .others.containers import Residual, Sequential, SkipConcat  # noqa: F401
from .others.conv import Conv2d, TransposeConv2d  # noqa: F401
from .others.held_out import split_held_out, train_keeping_best
from .others.images import check_images, check_num_epochs, check_pairs, to_unit_range
from .others.inference import predict_batched, predict_ensembled
from .others.losses import MSE
from .others.module import Module  # noqa: F401
from .others.network import prescribed_net, unet  # noqa: F401
from .others.optim import SGD, Adam  # noqa: F401
from .others.pooling import MaxPool2d  # noqa: F401
from .others.polyphase_upsampling import PolyphaseUpsampling  # noqa: F401
from .others.upsampling import NearestUpsampling, Upsampling  # noqa: F401
from .others.training import cosine_lr, held_out_loss, run_epoch

set_grad_enabled(False)  # the course's rule for this project: no autograd anywhere

# Training settings, with their reasons.
BATCH_SIZE = 32        # small batches: more updates per epoch, columns stay in cache
MIN_STEPS = 500        # small training sets get smaller batches (down to 4): 2,000 pairs in one
                       # epoch then take 500 steps, enough to beat the noisy input
LEARNING_RATE = 2e-3   # Adam; decayed by a cosine over each call to train()
FINE_TUNE_FACTOR = 0.1  # a model loaded or trained before trains on at this fraction of the rate:
                        # the full rate would throw away much of what it learnt
PREDICT_PIXELS = 2 ** 22  # pixels per forward pass in predict: bounds memory for big inputs
WEIGHTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bestmodel.pth")


class Model:
    def __init__(self):
        self.net = prescribed_net()
        self.loss = MSE()
        self.device = self.net[0].weight.device  # CPU until an input says otherwise
        # predict() averages the outputs for the 8 flips/rotations of each image: more PSNR for
        # 8x the time (results/eval_models.json); False for one pass
        self.self_ensemble = True
        # the noise level of the training targets (0-255), measured by train() and saved with the
        # weights: predict() undoes the bias that clipping gave those targets (others/clipping.py);
        # 0 turns that off
        self.target_noise_std = 0.0
        # True once weights were loaded or trained: train() then fine-tunes instead of starting over
        self.trained = False

    def load_pretrained_model(self, path=WEIGHTS):
        """Load `bestmodel.pth` (a dict of named tensors) beside this file.

        All or nothing: a file that does not load whole raises ValueError and leaves the model as it was.
        """
        if not os.path.exists(path):
            raise FileNotFoundError(f"{path} not found: run `python -m tools.train_mp2` to train it")
        state = load(path, map_location="cpu", weights_only=True)
        try:
            self.load_state_dict(state)
        except ValueError as error:
            raise ValueError(f"{path} is not a Miniproject_2 model file for this network: {error}") from None

    def save(self, path=WEIGHTS):
        """Write `state_dict()` atomically: a crash mid-write never leaves half a bestmodel.pth."""
        temporary = path + ".tmp"
        save(self.state_dict(), temporary)
        os.replace(temporary, path)

    def state_dict(self):
        """What bestmodel.pth holds: the network's named tensors and the target noise level."""
        return {**self.net.state_dict(), "target_noise_std": empty(()).fill_(self.target_noise_std)}

    def load_state_dict(self, state):
        """The inverse of `state_dict`; weights saved without a noise level load with the correction off.

        Checks everything before changing anything: on ValueError the model is as it was.
        """
        if not isinstance(state, dict):
            raise ValueError(f"expected a dict of named tensors, got {type(state).__name__}")
        state = dict(state)
        noise_std = state.pop("target_noise_std", 0.0)
        try:
            noise_std = float(noise_std)
        except (TypeError, ValueError, RuntimeError):
            raise ValueError(f"target_noise_std must be a number, got {type(noise_std).__name__}") from None
        if not math.isfinite(noise_std) or noise_std < 0:
            raise ValueError(f"target_noise_std is {noise_std}: expected a finite level >= 0")
        self.net.load_state_dict({k: v.to(self.device) if hasattr(v, "to") else v for k, v in state.items()})
        self.target_noise_std, self.trained = noise_std, True

    def _follow(self, x):
        """Move the network to `x`'s device."""
        if x.device != self.device:
            self.net.to(x.device)
            self.device = x.device

    def train(self, train_input, train_target, num_epochs, on_epoch=None, resume=None, log=print):
        """Train on noisy pairs `(N, 3, H, W)` (uint8 or float 0-255, H and W multiples of
        `self.net.size_multiple`, 4 for the prescribed network).

        A model loaded or trained before is fine-tuned at a lower learning rate. Training ends with
        the weights that did best on a held-out slice of the pairs, so never worse there than it
        started, and a failure leaves the model as it was. `on_epoch(epoch, train_loss, state)`
        gets a checkpoint after each epoch; `resume=state` continues from it (the loop:
        others/held_out.py, `train_keeping_best`).
        `log(text)` gets progress lines (None: silent).
        """
        check_pairs(train_input, train_target, self.net.size_multiple)
        check_num_epochs(num_epochs)
        self._follow(train_input)
        rate = LEARNING_RATE * (FINE_TUNE_FACTOR if self.trained else 1.0)
        inputs, targets, held_inputs, held_targets = split_held_out(
            to_unit_range(train_input.to(self.device)), to_unit_range(train_target.to(self.device)))
        optimizer = Adam(self.net.param(), lr=rate)
        batch_size = min(BATCH_SIZE, max(4, len(inputs) // MIN_STEPS))

        def train_epoch(epoch):
            start = time.time()
            loss = run_epoch(self.net, self.loss, optimizer, inputs, targets, batch_size,
                             lambda f: cosine_lr(rate, (epoch + f) / num_epochs), log=log)
            if log is not None:
                log(f"epoch {epoch + 1}/{num_epochs}: loss {loss:.5f}, {time.time() - start:.0f} s")
            return loss
        train_keeping_best(self.net, optimizer, num_epochs, train_epoch,
                           held_out_loss=lambda: held_out_loss(self.net, self.loss, held_inputs, held_targets),
                           learning_rate=lambda: optimizer.lr, on_epoch=on_epoch, resume=resume)
        self.target_noise_std = target_noise_std(train_input, train_target)
        self.trained = True

    def predict(self, test_input):
        """`(N, 3, H, W)` uint8 or float 0-255 -> denoised floats in [0, 255], same shape and device."""
        check_images(test_input, "test_input")
        self._follow(test_input)
        x = to_unit_range(test_input.to(self.device))
        chunk = max(1, PREDICT_PIXELS // (x.shape[2] * x.shape[3]))
        denoise = predict_ensembled if self.self_ensemble else predict_batched
        denoised = denoise(self.net, x, self.net.size_multiple, chunk).mul_(255.0).clamp_(0.0, 255.0)
        return unclip(denoised, self.target_noise_std)
