"""Writing a file atomically: a reader never sees half a file, and a failed write keeps the old one."""
import contextlib
import os
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside `path` to write to; when the block ends normally it replaces
    `path` in one step, and when the block fails it is removed and `path` is left as it was.

    The temporary name is hidden and holds the process id, so two runs writing the same file do
    not write into each other's temporary file; it is made by the writer (not `mkstemp`, which
    would give the final file owner-only permissions).
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
