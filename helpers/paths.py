"""Where the sample photos are, where generated files go, and how they are written."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
"""The repository root when the package runs from a source checkout (editable install)."""
SAMPLE_PACKAGE = "helpers.sample_images"
"""The sample photos: ``images/`` in the repository, shipped in the wheel under this name."""
OUTPUT_ENV_VAR = "CAM_OUTPUT_DIR"


def images_dir() -> Path:
    """The folder of the sample photos and their ``SOURCES.md``, read as package data."""
    folder = resources.files(SAMPLE_PACKAGE).joinpath("SOURCES.md")
    if not isinstance(folder, Path):  # a zipped install would need importlib.resources.as_file
        raise RuntimeError(f"{SAMPLE_PACKAGE} is not installed as files on disk; reinstall with pip.")
    return folder.parent


def in_source_checkout() -> bool:
    """True when this package is the ``helpers/`` folder of the repository (not an installed copy)."""
    return (REPO_ROOT / "pyproject.toml").is_file() and (REPO_ROOT / "notebooks").is_dir()


def output_dir() -> Path:
    """The folder for generated figures and arrays, created if missing.

    ``$CAM_OUTPUT_DIR`` when set; else ``outputs/`` at the repository root when running from a
    checkout (where the notebooks write), and ``outputs/`` in the current folder for an
    installed package.
    """
    default = REPO_ROOT / "outputs" if in_source_checkout() else Path.cwd() / "outputs"
    folder = Path(os.environ.get(OUTPUT_ENV_VAR) or default)
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
