"""Denoising images of any size with a network that needs sides divisible by `multiple`."""
import torch
import torch.nn.functional as F

# Inputs are processed in pieces of at most this many pixels, so that 100,000 small images
# or one 2000x2000 photo fit in memory (activations of a 32-wide U-Net: ~1 kB per pixel).
MAX_PIXELS_PER_CHUNK = 512 * 512
# Large images are cut into tiles with this much context around each; the U-Net's receptive
# field is about that size, and multiples of 2**depth keep the max-pooling grid aligned with the whole image.
TILE, MARGIN = 512, 32


def pad_to_multiple(images, multiple):
    """Pad `(N, C, H, W)` on the bottom and right to sides divisible by `multiple` (mirror padding)."""
    height, width = images.shape[-2:]
    pad_h, pad_w = -height % multiple, -width % multiple
    if pad_h == 0 and pad_w == 0:
        return images
    # reflect needs the pad to be smaller than the side; tiny images fall back to replicate
    mode = "reflect" if pad_h < height and pad_w < width else "replicate"
    return F.pad(images, (0, pad_w, 0, pad_h), mode=mode)


def _denoise_padded(net, images, multiple):
    height, width = images.shape[-2:]
    return net(pad_to_multiple(images, multiple))[..., :height, :width]


def _denoise_ensembled(net, images, multiple):
    """The mean of the outputs for the 8 flips and rotations of the input, each turned back
    ("geometric self-ensemble", Lim et al. 2017): the network is trained on all 8, and its
    errors on them are partly independent, so the mean is closer to the clean image
    (results/eval_models.json: `psnr` against `psnr_single_pass`) for 8 times the work."""
    total = 0
    for quarter_turns in range(4):
        for flip in (False, True):
            x = images.rot90(quarter_turns, (2, 3))
            x = x.flip(3) if flip else x
            y = _denoise_padded(net, x, multiple)
            y = y.flip(3) if flip else y
            total = total + y.rot90(-quarter_turns, (2, 3))
    return total / 8


def _denoise_tiled(net, image, multiple, denoise_tile):
    """One `(1, C, H, W)` image larger than a tile: denoise tile by tile, each with MARGIN of context."""
    height, width = image.shape[-2:]
    output = torch.empty_like(image)
    for top in range(0, height, TILE):
        for left in range(0, width, TILE):
            y0, x0 = max(top - MARGIN, 0), max(left - MARGIN, 0)
            y1, x1 = min(top + TILE + MARGIN, height), min(left + TILE + MARGIN, width)
            tile = denoise_tile(net, image[..., y0:y1, x0:x1], multiple)
            bottom, right = min(top + TILE, height), min(left + TILE, width)
            output[..., top:bottom, left:right] = tile[..., top - y0:bottom - y0, left - x0:right - x0]
    return output


@torch.no_grad()
def denoise(net, images, multiple, device, self_ensemble=False):
    """`images`: `(N, C, H, W)` floats in [0, 1] -> the network's output, clipped to [0, 1], on
    `images`' device; with `self_ensemble`, the mean output over the 8 flips and rotations."""
    denoise_batch = _denoise_ensembled if self_ensemble else _denoise_padded
    height, width = images.shape[-2:]
    chunk = max(1, MAX_PIXELS_PER_CHUNK // (height * width))
    pieces = []
    for start in range(0, images.shape[0], chunk):
        batch = images[start:start + chunk].to(device)
        if height * width > MAX_PIXELS_PER_CHUNK:
            out = torch.cat([_denoise_tiled(net, image[None], multiple, denoise_batch) for image in batch])
        else:
            out = denoise_batch(net, batch, multiple)
        pieces.append(out.clamp_(0, 1).to(images.device))
    return torch.cat(pieces)
