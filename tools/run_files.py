"""Writing a run's files safely: atomic saves, and a CSV log that grows one row per epoch."""
import csv
from pathlib import Path

import torch

from tools.atomic import atomic_path


def save_atomically(obj, path):
    """torch.save to a temporary file, then rename: a killed run never leaves half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as temporary:
        torch.save(obj, temporary)


def append_row(path, header, row):
    """Append `row` to the CSV file `path`, writing `header` first if the file is new."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists()
    with open(path, "a", newline="") as file:
        writer = csv.writer(file)
        if new:
            writer.writerow(header)
        writer.writerow(row)
