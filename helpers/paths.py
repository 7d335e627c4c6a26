"""Where the repository keeps its photos and where generated files go."""

from __future__ import annotations

import os
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
