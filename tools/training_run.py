"""What both training commands share: settings checked against a checkpoint, the output folder
checked before training, and the per-epoch log, checkpoint and validation PSNR.

The training itself is each project's own `Model.train`, the code the grader runs; the commands
only give it an `on_epoch` callback.
"""
import os
import tempfile
import time
from pathlib import Path

import torch

from tools.metrics import network_psnr
from tools.run_files import append_row, save_atomically

# One log schema for both projects: the learning rate is the one the next step would use.
LOG_HEADER = ["epoch", "train_loss", "val_psnr", "epoch_seconds", "learning_rate"]


def check_writable_folder(path):
    """Raise SystemExit unless the folder that will hold `path` exists and takes a new file."""
    folder = Path(path).resolve().parent
    if not folder.is_dir():
        raise SystemExit(f"error: {folder} does not exist: create it, or give another --out")
    try:
        tempfile.TemporaryFile(dir=folder).close()
    except OSError as error:
        raise SystemExit(f"error: cannot write into {folder} ({error.strerror}): give another --out") from None


def load_checkpoint(checkpoint, settings):
    """What `checkpoint` holds if it exists, else None; call it before any long work.

    Raises SystemExit when the checkpoint was written with other settings: resuming it would
    silently train something else than the command line says.
    """
    if not Path(checkpoint).is_file():
        return None
    saved = torch.load(checkpoint, weights_only=True)
    if saved.get("settings") != settings:
        raise SystemExit(f"error: {checkpoint} was written by a run with settings {saved.get('settings')}, "
                         f"not {settings}: delete it to start over, or give another --checkpoint")
    print(f"resuming from {checkpoint} after epoch {saved['state']['epoch']}", flush=True)
    return saved


def resume(saved):
    """The `resume` argument of `Model.train` for a checkpoint (None: a fresh run). Call it just
    before training: it restores torch's random state, so the run draws what it would have drawn."""
    if saved is None:
        return None
    torch.set_rng_state(saved["rng"])
    return saved["state"]


def start_log(log, resumed):
    """A fresh run starts a fresh log; a resumed one appends to it."""
    if not resumed and Path(log).exists():
        os.remove(log)


def epoch_callback(model, val_noisy, val_clean, log, checkpoint, settings):
    """An `on_epoch` for `Model.train`: validation PSNR of the network alone, a log row, a checkpoint."""
    clock = {"start": time.time()}

    def on_epoch(epoch, loss, state):
        seconds = time.time() - clock["start"]
        val = network_psnr(model, val_noisy, val_clean)  # tools.bench.eval_models measures predict()
        print(f"epoch {epoch}: loss {loss:.5f}, validation {val:.3f} dB, {seconds:.0f} s", flush=True)
        append_row(log, LOG_HEADER, [epoch, f"{loss:.6f}", f"{val:.4f}", f"{seconds:.1f}",
                                     f"{state['learning_rate']:.3e}"])
        save_atomically({"settings": settings, "state": state, "rng": torch.get_rng_state()}, checkpoint)
        clock["start"] = time.time()
    return on_epoch
