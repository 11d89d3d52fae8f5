"""`unfold` (im2col) and `fold` (col2im) with the signatures and results of
`torch.nn.functional.unfold` / `fold`, for `(N, C, H, W)` batches, written with tensor views.

torch's own CPU im2col/col2im copy a few elements at a time; on the small images of this
project they cost as much as the matrix products around them. Here `unfold` is one strided
view (`Tensor.unfold`) and one copy, and `fold` is one strided add per kernel tap
(tools/bench/mp2_speed.py times both against torch's). Strided `fold` stays torch's: there
its scattered adds are faster than strided tensor adds.
"""
from torch.nn.functional import fold as torch_fold

from .module import pair


def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """`(N, C, H, W)` -> `(N, C * kh * kw, L)`: column `l` holds the patch of output position `l`,
    rows ordered `(c, i, j)`, exactly like `torch.nn.functional.unfold`."""
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = map(pair, (kernel_size, dilation, padding, stride))
    n, c, h, w = x.shape
    if ph or pw:
        padded = x.new_zeros((n, c, h + 2 * ph, w + 2 * pw))
        padded[:, :, ph:ph + h, pw:pw + w] = x
        x = padded
    patches = x.unfold(2, dh * (kh - 1) + 1, sh).unfold(3, dw * (kw - 1) + 1, sw)  # (N, C, Ho, Wo, eh, ew)
    if dh > 1 or dw > 1:
        patches = patches[..., ::dh, ::dw]
    h_out, w_out = patches.shape[2], patches.shape[3]
    return patches.permute(0, 1, 4, 5, 2, 3).reshape(n, c * kh * kw, h_out * w_out)


def fold(cols, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """`(N, C * kh * kw, L)` -> `(N, C, H, W)`: the adjoint of `unfold` (overlapping patches add up),
    exactly like `torch.nn.functional.fold`."""
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = map(pair, (kernel_size, dilation, padding, stride))
    if (sh, sw) != (1, 1):
        return torch_fold(cols, output_size, (kh, kw), dilation=(dh, dw), padding=(ph, pw), stride=(sh, sw))
    h, w = output_size
    n, rows, length = cols.shape
    c = rows // (kh * kw)
    h_out = h + 2 * ph - dh * (kh - 1)
    w_out = w + 2 * pw - dw * (kw - 1)
    if c * kh * kw != rows or h_out * w_out != length:
        raise ValueError(f"fold: {tuple(cols.shape)} columns do not fit output {output_size} with "
                         f"kernel {(kh, kw)}, dilation {(dh, dw)}, padding {(ph, pw)}")
    out = cols.new_zeros((n, c, h + 2 * ph, w + 2 * pw))
    taps = cols.view(n, c, kh, kw, h_out, w_out)
    for i in range(kh):
        for j in range(kw):
            out[:, :, i * dh:i * dh + h_out, j * dw:j * dw + w_out] += taps[:, :, i, j]
    if ph or pw:
        out = out[:, :, ph:ph + h, pw:pw + w].contiguous()
    return out
