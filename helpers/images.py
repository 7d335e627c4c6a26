"""Images in, model input out: the tutorial's sample photos and preprocessing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps
from torchvision.transforms.v2 import functional as TF

from .models import CamModel
from .paths import IMAGES_DIR

SAMPLE_IMAGES: tuple[str, ...] = ("chelsea.png", "coffee.png", "astronaut.png", "rocket.jpg")
"""The photos in ``images/`` (sources and licences in ``images/SOURCES.md``)."""


def sample_image_path(name: str) -> Path:
    """Path of one of the tutorial's photos, e.g. ``sample_image_path("chelsea.png")``."""
    if name not in SAMPLE_IMAGES:
        raise ValueError(f"Unknown sample image {name!r}; choose one of: {', '.join(SAMPLE_IMAGES)}.")
    return IMAGES_DIR / name


def load_image(source: str | Path | np.ndarray) -> np.ndarray:
    """Read a photo as ``(H, W, 3) uint8`` RGB, upright as its EXIF orientation says.

    Args:
        source: a path to an image file, or an ``(H, W, 3) uint8`` array (returned as is).
    """
    if isinstance(source, np.ndarray):
        if source.ndim != 3 or source.shape[2] != 3 or source.dtype != np.uint8:
            raise ValueError(f"image array must be (H, W, 3) uint8 RGB, got {source.shape} {source.dtype}.")
        return source
    path = Path(source)
    if not path.is_file():
        raise FileNotFoundError(f"No image file at {path}; check the path.")
    with Image.open(path) as opened:
        return np.asarray(ImageOps.exif_transpose(opened).convert("RGB"))


def preprocess(image: np.ndarray, model: CamModel) -> torch.Tensor:
    """Turn an RGB photo into the model's input batch.

    Resize the whole image (no crop, so the CAM covers every pixel) to
    ``model.input_size`` x ``model.input_size`` with antialiased bilinear interpolation,
    scale to [0, 1] and normalise with the model's per-channel mean and std.

    Args:
        image: ``(H, W, 3) uint8`` RGB.
        model: the model whose input size and normalisation to use.

    Returns:
        ``(1, 3, S, S) float32`` with ``S = model.input_size``.
    """
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3:
        shape = getattr(image, "shape", type(image).__name__)
        raise ValueError(f"image must be an (H, W, 3) RGB array, got {shape}; use helpers.load_image to read a file.")
    if image.dtype != np.uint8:
        raise ValueError(f"image must have dtype uint8 (values 0-255), got {image.dtype}.")
    tensor = torch.from_numpy(np.array(image)).permute(2, 0, 1)  # a copy: the input may be read-only
    size = [model.input_size, model.input_size]
    resized = TF.resize(tensor, size, interpolation=TF.InterpolationMode.BILINEAR, antialias=True)
    scaled = TF.to_dtype(resized, torch.float32, scale=True)
    return TF.normalize(scaled, list(model.mean), list(model.std)).unsqueeze(0)
