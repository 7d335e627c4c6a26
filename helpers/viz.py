"""Figures: save them atomically into the output folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from matplotlib.figure import Figure

from .paths import output_dir


def save_figure(fig: Figure, name: str, folder: Path | None = None) -> Path:
    """Save ``fig`` as PNG under ``folder`` (default: :func:`helpers.paths.output_dir`).

    The file is written to a temporary name in the same folder and then renamed, so a
    failure never leaves a half-written PNG behind.

    Args:
        fig: the matplotlib figure.
        name: file name; ``.png`` is appended when missing. No folders in it.

    Returns:
        The path written.
    """
    if not name or Path(name).name != name:
        raise ValueError(f"name must be a plain file name such as 'cam_chelsea.png', got {name!r}.")
    folder = output_dir() if folder is None else Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (name if name.endswith(".png") else f"{name}.png")
    handle, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.stem}-", suffix=".png")
    os.close(handle)
    try:
        fig.savefig(tmp, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
