"""The Noise2Noise U-Net (Lehtinen et al. 2018, appendix table 2), sized for small images.

The paper's network: an encoder of 3x3 convolutions with `width` channels and 2x2
max-pooling, a decoder of nearest upsampling, concatenated skip connections and
`2 * width`-channel convolutions, LeakyReLU(0.1) everywhere but the linear output.
`depth` sets how many times the image is halved (the paper uses 5 on 256x256 crops; a
32x32 image supports fewer). One change from the paper: the network predicts the noise and
subtracts it (a residual output), so an untrained network starts at the noisy input instead
of at black; from scratch it reaches in one short epoch what the plain output needs several for.

Most of the multiply-adds are in the layers at full resolution: the last decoder level
(`2 * width` channels in the paper) and the head (64 and 32 channels). `top_width` and
`head_widths` make those thinner for CPU training.
"""
import torch
from torch import nn


def conv(in_channels, out_channels):
    """3x3 'same' convolution followed by the paper's LeakyReLU(0.1)."""
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, padding=1),
                         nn.LeakyReLU(0.1, inplace=True))


class UNet(nn.Module):
    """`(N, 3, H, W)` noisy images in [0, 1] -> denoised images, same shape; H and W divisible by 2**depth."""

    def __init__(self, width=48, depth=4, channels=3, residual=True, top_width=None, head_widths=(64, 32)):
        super().__init__()
        top_width = top_width or 2 * width
        self.depth, self.residual = depth, residual
        self.stem = nn.Sequential(conv(channels, width), conv(width, width))
        # encoder level i: pool, then one convolution (the paper's enc_conv2..enc_conv5)
        self.down = nn.ModuleList(conv(width, width) for _ in range(depth))
        self.pool = nn.MaxPool2d(2)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        # decoder level i: concat the skip, two convolutions (the paper's dec_conv5a/b ... dec_conv2a/b)
        decoder = []
        for level in range(depth):
            in_channels = (width if level == 0 else 2 * width) + width
            out_channels = 2 * width if level < depth - 1 else top_width
            decoder.append(nn.Sequential(conv(in_channels, out_channels), conv(out_channels, out_channels)))
        self.decode = nn.ModuleList(decoder)
        # last level: concat the input image, then two convolutions and a linear one like dec_conv1a/b/c
        wide, narrow = head_widths
        self.head = nn.Sequential(conv(top_width + channels, wide), conv(wide, narrow),
                                  nn.Conv2d(narrow, channels, 3, padding=1))

    def forward(self, x):
        skips = [x]
        h = self.stem(x)
        for level in range(self.depth):
            skips.append(h)
            h = self.down[level](self.pool(h))
        for level in range(self.depth):
            h = self.decode[level](torch.cat([self.up(h), skips.pop()], dim=1))
        out = self.head(torch.cat([h, skips.pop()], dim=1))
        return x + out if self.residual else out
