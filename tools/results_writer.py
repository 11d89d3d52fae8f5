"""Writing a measurement's results: results/<script>.json with the machine and the date (used by tools/bench/)."""
import json
import platform
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "results"


def machine():
    """A short description of where a measurement ran, stored with every result."""
    return {"cpu": platform.processor() or platform.machine(), "threads": torch.get_num_threads(),
            "torch": torch.__version__, "python": platform.python_version()}


def write_results(name, results):
    """Write `results` (a dict) to results/<name>.json with the machine and the date, and return the path."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"script": f"tools/bench/{name}.py", "date": time.strftime("%Y-%m-%d"),
               "machine": machine(), **results}
    path.write_text(json.dumps(payload, indent=1) + "\n")
    print(f"wrote {path.relative_to(ROOT)}")
    return path
