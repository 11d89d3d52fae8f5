"""What both training commands (`python -m tools.train_mp1`, `tools.train_mp2`) share.

The training itself is each project's own `Model.train`, the code the grader runs; a command
gives it an `on_epoch` callback that measures the validation PSNR (the network alone), appends a
row to the log and writes a checkpoint. Rerunning the same command resumes a killed run; a
checkpoint written with other settings is refused. With --out, the log and the checkpoint go
beside it unless --log and --checkpoint say otherwise, and the --out folder is checked before
any data is loaded.
"""
import os
import tempfile
import time
from pathlib import Path

import torch

from tools.data import DEFAULT_DATA_DIR, ensure_dataset
from tools.metrics import network_psnr
from tools.run_files import append_row, save_atomically

# One log schema for both projects: the learning rate is the one the next step would use.
LOG_HEADER = ["epoch", "train_loss", "val_psnr", "epoch_seconds", "learning_rate"]
# The shipped models train on the mix of corruptions, built here when missing.
DEFAULT_TRAIN_DATA = DEFAULT_DATA_DIR / "mix"


def data_paths(data_dir, train_data):
    """`(train_data.pkl, val_data.pkl)`: `train_data`'s training pairs, `data_dir`'s validation set.

    The default folders are built when missing (data/mix with the training mix, data/ with the
    default dataset); a folder given on the command line must already hold its file.
    """
    val_path = ensure_dataset(data_dir)[1] if Path(data_dir) == DEFAULT_DATA_DIR else Path(data_dir) / "val_data.pkl"
    if Path(train_data) == DEFAULT_TRAIN_DATA:
        return ensure_dataset(train_data, noise="mix")[0], val_path
    return Path(train_data) / "train_data.pkl", val_path


def add_run_arguments(parser, epochs, n_train, seed):
    """The command-line options both commands take."""
    parser.add_argument("--epochs", type=int, default=epochs, help=f"epochs of the cosine schedule (default {epochs})")
    parser.add_argument("--n-train", type=int, default=n_train, help=f"training pairs used (default {n_train})")
    parser.add_argument("--seed", type=int, default=seed)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="the folder of val_data.pkl (default: data/)")
    parser.add_argument("--train-data", type=Path, default=DEFAULT_TRAIN_DATA,
                        help="the folder of train_data.pkl (default: data/mix, built with `--noise mix` if missing)")
    parser.add_argument("--out", type=Path, help="where the weights go (default: the shipped model's file)")
    parser.add_argument("--log", type=Path, help="the log CSV (default: results/<command>.csv, or <out>.csv with --out)")
    parser.add_argument("--checkpoint", type=Path,
                        help="the checkpoint (default: under runs/, or <out>.checkpoint.pth with --out)")


def resolve_outputs(args, out, log, checkpoint):
    """Fill in --out, --log and --checkpoint: the defaults given, or beside --out when it is given."""
    if args.out is None:
        args.out, args.log, args.checkpoint = out, args.log or log, args.checkpoint or checkpoint
    args.log = args.log or args.out.with_suffix(".csv")
    args.checkpoint = args.checkpoint or args.out.with_suffix(".checkpoint.pth")
    return args


def start_run(args, settings, default_out):
    """Check --out, make the log and checkpoint folders, and return the checkpoint to resume (or None).

    Everything that can fail on the command line fails here, before any data is loaded.
    """
    if args.out == default_out:  # the default folder is ours to make; a folder given with --out must exist
        args.out.parent.mkdir(parents=True, exist_ok=True)
    check_writable_folder(args.out)
    for path in (args.log, args.checkpoint):
        path.parent.mkdir(parents=True, exist_ok=True)
    saved = load_checkpoint(args.checkpoint, settings)
    start_log(args.log, resumed=saved is not None)
    return saved


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
