"""The training loop used by `Model.train`: shuffled mini-batches, dihedral augmentation, the
learning-rate schedule and the held-out loss."""
import math
import time


def dihedral(x, k):
    """One of the 8 rotations/reflections of `(N, C, H, W)` images (k in 0..7); square images only
    are rotated by odd multiples of 90 degrees, others get the 4 flips."""
    if x.shape[2] != x.shape[3]:
        k = k & 0b101 if k & 1 == 0 else (k & 0b100) | 2
    if k & 0b100:
        x = x.flip(3)
    return x.rot90(k & 0b11, (2, 3)) if k & 0b11 else x


def batches(inputs, targets, batch_size, augment=True):
    """Yield `(input_batch, target_batch)` over a random permutation of the pairs (torch's global
    generator), each batch in one random dihedral orientation when `augment`."""
    n = inputs.shape[0]
    order = inputs.new_empty(n).uniform_().argsort()
    for start in range(0, n, batch_size):
        idx = order[start:start + batch_size]
        x, y = inputs[idx], targets[idx]
        if augment:
            k = int(inputs.new_empty(1).uniform_(0, 8).item()) % 8
            x, y = dihedral(x, k), dihedral(y, k)
        yield x, y


def cosine_lr(base_lr, progress, floor=0.02):
    """Cosine decay from `base_lr` at progress 0 to `floor * base_lr` at progress 1."""
    return base_lr * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0))))


def run_epoch(net, loss_fn, optimizer, inputs, targets, batch_size, lr_at=None, augment=True, log=None,
              reports=10):
    """One pass over `(inputs, targets)` (`(N, 3, H, W)` in [0, 1], same device as `net`).

    `lr_at(fraction)` sets the learning rate at each step (fraction of the epoch in [0, 1)).
    Returns the mean training loss. `log(text)` gets `reports` progress lines.
    """
    n = inputs.shape[0]
    steps = math.ceil(n / batch_size)
    total, seen, start = 0.0, 0, time.time()
    for step, (x, y) in enumerate(batches(inputs, targets, batch_size, augment)):
        if lr_at is not None:
            optimizer.lr = lr_at(step / steps)
        optimizer.zero_grad()
        loss = loss_fn.forward(net.forward(x), y)
        net.backward(loss_fn.backward())
        optimizer.step()
        total += loss.item() * x.shape[0]
        seen += x.shape[0]
        if log is not None and reports and (step + 1) % max(1, steps // reports) == 0:
            log(f"  {seen}/{n} pairs, loss {total / seen:.5f}, {time.time() - start:.0f} s")
    return total / seen


def held_out_loss(net, loss_fn, inputs, targets, batch_size=256):
    """The mean loss of `net` on `(inputs, targets)` (in [0, 1]), without augmentation; inf when empty."""
    if inputs.shape[0] == 0:
        return math.inf
    total = 0.0
    for start in range(0, inputs.shape[0], batch_size):
        x, y = inputs[start:start + batch_size], targets[start:start + batch_size]
        total += loss_fn.forward(net.forward(x), y).item() * x.shape[0]
    return total / inputs.shape[0]
