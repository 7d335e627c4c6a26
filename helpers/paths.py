"""Where the repository keeps its photos, where generated files go, and how they are written."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
IMAGES_DIR = REPO_ROOT / "images"
OUTPUT_ENV_VAR = "CAM_OUTPUT_DIR"


def output_dir() -> Path:
    """The folder for generated figures and arrays, created if missing.

    ``$CAM_OUTPUT_DIR`` when set, else ``outputs/`` at the repository root.
    """
    folder = Path(os.environ.get(OUTPUT_ENV_VAR) or REPO_ROOT / "outputs")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OSError(f"Cannot create the output folder {folder}: {error.strerror}. "
                      f"Set {OUTPUT_ENV_VAR} to a writable folder.") from error
    return folder


@contextmanager
def atomic_write(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it to ``target`` only if the block succeeds.

    A failure (or Ctrl-C) inside the block removes the temporary file, so ``target`` is
    either the complete new file or untouched; never half-written. The temporary name
    starts with a dot and keeps the suffix, so writers that check it (PNG, NPZ) still work.
    """
    target = Path(target)
    handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-", suffix=target.suffix)
    os.close(handle)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private (0600); give it a normal file's mode
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process's file-creation mask (reading it means setting it, so it is set straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
