"""Speed of Miniproject_2's modules against torch's own (autograd), measured in the same run.

For each layer of the prescribed network at its training shapes, times forward + backward
(input gradient included) of our module and of the torch.nn equivalent with autograd, in
alternating rounds (milliseconds: the mean and standard deviation of the rounds' medians), and
reports the ratio, beside the matmul floor: the time of three bare matrix products doing
torch's multiply-adds (on CPUs where torch's own convolutions run faster than its matrix
products, no unfold-and-matmul layer gets below that ratio without doing less arithmetic);
times our unfold/fold against torch.nn.functional's at the network's shapes; then times
Model's training loop (best of several runs over `--epoch-pairs` pairs, scaled to 50,000). Writes results/mp2_speed.json.

    python -m tools.bench.mp2_speed [--threads 2] [--repeats 20] [--epoch-pairs 640]
"""
import argparse
import json
import os
import time

import torch
import torch.nn.functional as F

from tools.results_writer import write_results
from Miniproject_2.model import BATCH_SIZE, LEARNING_RATE, Model
from Miniproject_2.others.conv import Conv2d
from Miniproject_2.others.im2col import fold, unfold
from Miniproject_2.others.network import PRESCRIBED_KERNEL, PRESCRIBED_WIDTHS, unet, upsampling_conv
from Miniproject_2.others.optim import Adam
from Miniproject_2.others.training import run_epoch


def layer_specs(widths=PRESCRIBED_WIDTHS, kernel=PRESCRIBED_KERNEL):
    """(name, kind, in, out, input size) of the prescribed network's four layers."""
    w1, w2 = widths
    return [("conv1", "conv", 3, w1, 32), ("conv2", "conv", w1, w2, 16),
            ("up1", "up", w2, w1, 8), ("up2", "up", w1, 3, 16)]


def best_time(fn, repeats):
    """Median of `repeats` timings after two warm-up calls (seconds)."""
    fn(), fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def time_layer(kind, c_in, c_out, size, batch, kernel, repeats):
    pad = kernel // 2
    x = torch.rand(batch, c_in, size, size)
    ours = (Conv2d(c_in, c_out, kernel, stride=2, padding=pad) if kind == "conv"
            else upsampling_conv(c_in, c_out, kernel))  # the module the network runs
    g = torch.rand_like(ours.forward(x))

    def run_ours():
        ours.forward(x)
        ours.backward(g)

    ref = torch.nn.Conv2d(c_in, c_out, kernel, stride=2 if kind == "conv" else 1, padding=pad)
    xr = x.clone().requires_grad_(True)

    def run_torch():
        with torch.enable_grad():
            y = xr if kind == "conv" else F.interpolate(xr, scale_factor=2, mode="nearest")
            ref(y).backward(g)

    return (*interleaved(run_ours, run_torch, repeats), matmul_floor(ref, y_size(kind, size), batch, repeats))


def milliseconds(seconds):
    """`(mean, standard deviation)` of a list of timings, in milliseconds."""
    mean = sum(seconds) / len(seconds)
    sd = (sum((t - mean) ** 2 for t in seconds) / max(1, len(seconds) - 1)) ** 0.5
    return round(mean * 1e3, 3), round(sd * 1e3, 3)


def y_size(kind, size):
    """The side of the image torch's convolution runs on (Upsampling convolves the upsampled one)."""
    return size if kind == "conv" else 2 * size


def matmul_floor(conv, size, batch, repeats):
    """Seconds for the three matrix products that do torch's multiply-adds for `conv` on
    `(batch, C_in, size, size)` (forward, weight gradient, input gradient), each one large
    product on ready-made operands: the time no unfold-and-matmul layer doing the same
    arithmetic can beat on this machine, unfold and fold left out."""
    c_out, c_in, kh, kw = conv.weight.shape
    positions = batch * ((size + 2 * conv.padding[0] - kh) // conv.stride[0] + 1) ** 2
    w = torch.rand(c_out, c_in * kh * kw)
    cols, grad = torch.rand(c_in * kh * kw, positions), torch.rand(c_out, positions)
    return best_time(lambda: (w @ cols, grad @ cols.t(), w.t() @ grad), repeats)


def interleaved(ours, theirs, repeats, rounds=5):
    """The median times of two functions in each of `rounds` alternating rounds (two lists), so
    that load from other processes hits both alike."""
    t_ours, t_theirs = [], []
    for _ in range(rounds):
        t_ours.append(best_time(ours, repeats))
        t_theirs.append(best_time(theirs, repeats))
    return t_ours, t_theirs


def time_im2col(batch, repeats):
    """Our unfold/fold against torch.nn.functional's at the shapes the network unfolds."""
    rows = []
    for channels, size, kernel, stride, padding in [(3, 32, 3, 2, 1), (64, 16, 3, 2, 1), (128, 8, 2, 1, 1),
                                                    (64, 16, 2, 1, 1), (24, 32, 3, 1, 1)]:
        x = torch.rand(batch, channels, size, size)
        cols = F.unfold(x, kernel, 1, padding, stride)
        args = (kernel, 1, padding, stride)
        row = {"channels": channels, "size": size, "kernel": kernel, "stride": stride, "padding": padding}
        for name, ours, theirs in [("unfold", lambda: unfold(x, *args), lambda: F.unfold(x, *args)),
                                   ("fold", lambda: fold(cols, (size, size), *args),
                                    lambda: F.fold(cols, (size, size), *args))]:
            t_ours, t_torch = interleaved(ours, theirs, repeats)
            row[f"{name}_ours_ms"], row[f"{name}_torch_ms"] = milliseconds(t_ours)[0], milliseconds(t_torch)[0]
        rows.append(row)
        print(row)
    return rows


def time_epoch(pairs, repeats, net=None):
    """Seconds for an epoch of 50,000 pairs: the best of `repeats` timed runs of Model's training
    loop over `pairs` pairs, scaled up (the best run is the one least slowed by other processes)."""
    inputs = torch.rand(pairs, 3, 32, 32)
    targets = torch.rand(pairs, 3, 32, 32)
    model = Model()
    model.net = net or model.net
    optimizer = Adam(model.net.param(), lr=LEARNING_RATE)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run_epoch(model.net, model.loss, optimizer, inputs, targets, BATCH_SIZE)
        times.append(time.perf_counter() - start)
    return min(times) * 50000 / pairs


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--batch", type=int, default=BATCH_SIZE)
    parser.add_argument("--epoch-pairs", type=int, default=640)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    layers = []
    for name, kind, c_in, c_out, size in layer_specs():
        t_ours, t_torch, t_floor = time_layer(kind, c_in, c_out, size, args.batch, PRESCRIBED_KERNEL, args.repeats)
        module = "Conv2d" if kind == "conv" else type(upsampling_conv(1, 1, PRESCRIBED_KERNEL)).__name__
        (ours_ms, ours_sd), (torch_ms, torch_sd) = milliseconds(t_ours), milliseconds(t_torch)
        layers.append({"layer": name, "module": module,
                       "in": c_in, "out": c_out, "input_size": size, "batch": args.batch,
                       "ours_ms": ours_ms, "ours_ms_sd": ours_sd, "torch_ms": torch_ms, "torch_ms_sd": torch_sd,
                       "rounds": len(t_ours), "ratio": round(ours_ms / torch_ms, 3),
                       "matmul_floor_ms": round(t_floor * 1e3, 3), "matmul_floor_ratio": round(t_floor * 1e3 / torch_ms, 3)})
        print(layers[-1])
    total_ours = sum(r["ours_ms"] for r in layers)
    total_torch = sum(r["torch_ms"] for r in layers)
    im2col = time_im2col(args.batch, args.repeats)
    epoch_s = time_epoch(args.epoch_pairs, args.repeats)
    unet_epoch_s = time_epoch(args.epoch_pairs // 4, 3, unet())
    result = {"cpus": os.cpu_count(), "load_average_1min": os.getloadavg()[0], "layers": layers, "im2col": im2col,
              "network_ratio": round(total_ours / total_torch, 3),
              "epoch_seconds_50000_pairs": round(epoch_s, 1), "epoch_pairs_timed": args.epoch_pairs,
              "unet_epoch_seconds_50000_pairs": round(unet_epoch_s, 1), "unet_epoch_pairs_timed": args.epoch_pairs // 4}
    print(json.dumps(result, indent=1))
    write_results("mp2_speed", result)


if __name__ == "__main__":
    main()
