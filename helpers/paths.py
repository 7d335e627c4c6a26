"""Where the sample photos are, where generated files go, and how they are written."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

__all__ = ["OUTPUT_ENV_VAR", "SAMPLE_PACKAGE", "atomic_write", "images_dir", "output_dir", "prepared_folder"]

SAMPLE_PACKAGE = "helpers.sample_images"
"""The sample photos: ``images/`` in the repository, shipped in the wheel under this name."""
OUTPUT_ENV_VAR = "CAM_OUTPUT_DIR"


def images_dir() -> Path:
    """The folder of the sample photos and their ``SOURCES.md``, read as package data.

    Example:
        >>> from helpers.paths import images_dir
        >>> folder = images_dir()
        >>> (folder / "chelsea.png").is_file(), (folder / "SOURCES.md").is_file()
        (True, True)
    """
    folder = resources.files(SAMPLE_PACKAGE).joinpath("SOURCES.md")
    if not isinstance(folder, Path):  # a zipped install would need importlib.resources.as_file
        raise RuntimeError(f"{SAMPLE_PACKAGE} is not installed as files on disk; reinstall with pip.")
    return folder.parent


def output_dir() -> Path:
    """The folder for generated figures and arrays, created if missing.

    ``$CAM_OUTPUT_DIR`` when set, else ``outputs/`` in the current folder: beside the notebook
    for a notebook, where the command runs for ``cam-explain``. (``make`` sets
    ``$CAM_OUTPUT_DIR`` to the repository's ``outputs/``.)

    Example:
        >>> import os
        >>> import tempfile
        >>> from unittest import mock
        >>> from helpers.paths import output_dir
        >>> with tempfile.TemporaryDirectory() as tmp, mock.patch.dict(os.environ, {"CAM_OUTPUT_DIR": f"{tmp}/figures"}):
        ...     folder = output_dir()  # created on the first call
        ...     print(folder.name, folder.is_dir())
        figures True
    """
    return prepared_folder(Path(os.environ.get(OUTPUT_ENV_VAR) or Path.cwd() / "outputs"),
                           f"set {OUTPUT_ENV_VAR} to a folder you can write to")


def prepared_folder(folder: Path, fix: str = "choose a folder you can write to") -> Path:
    """Create ``folder`` if missing and make sure files can be written in it; return it.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from helpers.paths import prepared_folder
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     folder = prepared_folder(Path(tmp) / "runs" / "today")  # parents too
        ...     print(folder.is_dir(), folder.relative_to(tmp).as_posix())
        True runs/today

    Raises:
        OSError: the folder cannot be created or written to; the message names it and ``fix``.
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OSError(f"cannot create the output folder {folder} ({error.strerror}); {fix}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OSError(f"cannot write into the output folder {folder}; {fix}")
    return folder


@contextmanager
def atomic_write(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it to ``target`` only if the block succeeds.

    A failure (or Ctrl-C) inside the block removes the temporary file, so ``target`` is
    either the complete new file or untouched; never half-written. The temporary name
    starts with a dot and keeps the suffix, so writers that check it (PNG, NPZ) still work.
    It is created with mode 0o666 less the process's umask, as any new file would be.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from helpers.paths import atomic_write
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     target = Path(tmp) / "notes.txt"
        ...     with atomic_write(target) as part:  # write to ``part``, never to ``target``
        ...         _ = part.write_text("done")
        ...     print(target.read_text(), [p.name for p in Path(tmp).iterdir()])
        done ['notes.txt']
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
