"""The training loop used by `Model.train`: shuffled mini-batches, dihedral augmentation, progress."""
import math
import time

from torch import cat


def check_images(x, name):
    """A clear ValueError unless `x` is an `(N, 3, H, W)` tensor of real values without NaN."""
    if not hasattr(x, "dim") or x.dim() != 4:
        raise ValueError(f"{name} must be a 4-D tensor (N, 3, H, W), got "
                         f"{tuple(x.shape) if hasattr(x, 'shape') else type(x).__name__}")
    if x.shape[1] != 3:
        raise ValueError(f"{name} must have 3 channels (N, 3, H, W), got shape {tuple(x.shape)}")
    if x.shape[0] == 0 or x.shape[2] == 0 or x.shape[3] == 0:
        raise ValueError(f"{name} is empty: shape {tuple(x.shape)}")
    if x.is_complex() or str(x.dtype) == "torch.bool":
        raise ValueError(f"{name} must hold real pixel values 0-255, got dtype {x.dtype}")
    if x.is_floating_point() and x.isnan().any():
        raise ValueError(f"{name} contains NaN values")


def to_unit_range(x, device):
    """uint8 or float 0-255 -> float32 in [0, 1] on `device`, a new tensor (never the caller's)."""
    return x.to(device).float() / 255.0


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


def predict_batched(net, x, multiple, chunk):
    """`net` on `(N, 3, H, W)` in [0, 1], padded by edge replication to multiples of `multiple`,
    `chunk` images at a time; the output is cropped back to `(N, 3, H, W)`."""
    n, _, h, w = x.shape
    pad_h, pad_w = -h % multiple, -w % multiple
    if pad_h:
        x = cat([x, x[:, :, -1:].expand(-1, -1, pad_h, -1)], 2)
    if pad_w:
        x = cat([x, x[:, :, :, -1:].expand(-1, -1, -1, pad_w)], 3)
    outs = [net.forward(x[i:i + chunk])[:, :, :h, :w] for i in range(0, n, chunk)]
    return cat(outs, 0) if len(outs) > 1 else outs[0]


def predict_ensembled(net, x, multiple, chunk):
    """The mean of `predict_batched` over the 8 rotations and reflections of `x`, each output turned
    back ("geometric self-ensemble", Lim et al. 2017): the network was trained on all 8, and its
    errors on them are partly independent, so their mean is closer to the clean image, for 8x the work."""
    total = 0
    for turns in range(4):
        for flip in (False, True):
            y = x.rot90(turns, (2, 3))
            y = predict_batched(net, y.flip(3) if flip else y, multiple, chunk)
            total = total + (y.flip(3) if flip else y).rot90(-turns, (2, 3))
    return total / 8
