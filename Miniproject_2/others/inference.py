"""Denoising images of any size: padding to the network's multiple, chunking, the self-ensemble."""
from torch import cat


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
