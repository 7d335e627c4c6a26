"""Where the sample photos are, where generated files go, and how they are written."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

__all__ = ["OUTPUT_ENV_VAR", "SAMPLE_PACKAGE", "atomic_write", "images_dir", "output_dir"]

SAMPLE_PACKAGE = "helpers.sample_images"
"""The sample photos: ``images/`` in the repository, shipped in the wheel under this name."""
OUTPUT_ENV_VAR = "CAM_OUTPUT_DIR"


def images_dir() -> Path:
    """The folder of the sample photos and their ``SOURCES.md``, read as package data."""
    folder = resources.files(SAMPLE_PACKAGE).joinpath("SOURCES.md")
    if not isinstance(folder, Path):  # a zipped install would need importlib.resources.as_file
        raise RuntimeError(f"{SAMPLE_PACKAGE} is not installed as files on disk; reinstall with pip.")
    return folder.parent


def output_dir() -> Path:
    """The folder for generated figures and arrays, created if missing.

    ``$CAM_OUTPUT_DIR`` when set, else ``outputs/`` in the current folder: beside the notebook
    for a notebook, where the command runs for ``cam-explain``. (``make`` sets
    ``$CAM_OUTPUT_DIR`` to the repository's ``outputs/``.)
    """
    folder = Path(os.environ.get(OUTPUT_ENV_VAR) or Path.cwd() / "outputs")
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
    It is created with mode 0o666 less the process's umask, as any new file would be.
    """
    target = Path(target)
    tmp = target.with_name(f".{target.stem}-{secrets.token_hex(4)}{target.suffix}")
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
