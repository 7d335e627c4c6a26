"""Images in, model input out: the tutorial's sample photos and preprocessing."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from pathlib import Path

import cv2
import numpy as np
import torch
from PIL import Image, ImageOps, UnidentifiedImageError
from torchvision.transforms.v2 import functional as TF

from helpers import _validate
from helpers.models import CamModel
from helpers.paths import images_dir

__all__ = [
    "SAMPLE_IMAGES",
    "ImageError",
    "fit_within",
    "load_image",
    "model_sized",
    "nearest",
    "preprocess",
    "preprocess_batch",
    "sample_image_path",
    "shrink",
]

SAMPLE_IMAGES: tuple[str, ...] = (
    "chelsea.png", "coffee.png", "astronaut.png", "rocket.jpg", "camera.png", "clock_motion.png",
)
"""The photos in ``images/`` (sources and licences in ``images/SOURCES.md``)."""


def sample_image_path(name: str) -> Path:
    """Path of one of the tutorial's photos, e.g. ``sample_image_path("chelsea.png")``.

    Example:
        >>> import helpers
        >>> path = helpers.sample_image_path("chelsea.png")
        >>> path.name, path.is_file()
        ('chelsea.png', True)
    """
    if not isinstance(name, str) or name not in SAMPLE_IMAGES:
        raise ValueError(f"Unknown sample image {name!r}; choose one of: {', '.join(SAMPLE_IMAGES)}.")
    return images_dir() / name


class ImageError(ValueError):
    """An input that is not a usable image; the message names it and says what to do.

    Example:
        >>> import numpy as np
        >>> import helpers
        >>> helpers.load_image(np.zeros((4, 4, 3)))  # floats, not uint8
        Traceback (most recent call last):
            ...
        helpers.images.ImageError: image array must have dtype uint8 (0-255), got float64; ...
    """


def load_image(source: str | Path | np.ndarray) -> np.ndarray:
    """Read a photo as ``(H, W, 3) uint8`` RGB, upright as its EXIF orientation says.

    Files: any format Pillow reads. Grayscale becomes three equal channels; transparent
    images (RGBA, LA, palette with transparency) are composited over white; 16-bit images
    are scaled to 8 bits (not clipped); CMYK is converted to RGB.

    Arrays: ``(H, W)``, ``(H, W, 1)``, ``(H, W, 3)`` or ``(H, W, 4)`` uint8 are accepted and
    treated like the files above; the result is always a new array.

    Example:
        >>> import numpy as np
        >>> import helpers
        >>> image = helpers.load_image(helpers.sample_image_path("chelsea.png"))
        >>> image.shape, image.dtype
        ((300, 451, 3), dtype('uint8'))
        >>> helpers.load_image(np.zeros((2, 5), dtype=np.uint8)).shape  # grayscale: three equal channels
        (2, 5, 3)

    Raises:
        FileNotFoundError: no file at the path.
        IsADirectoryError: the path is a folder.
        ImageError: an empty, truncated or non-image file, or a wrong array shape or dtype.
    """
    if isinstance(source, np.ndarray):
        return _array_to_rgb(source)
    if not isinstance(source, (str, Path)):
        raise TypeError(f"image must be a file path or a numpy array, got {type(source).__name__}.")
    path = Path(source)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder, not an image file; pass the path of one image in it.")
    if not path.exists():
        raise FileNotFoundError(f"No image file at {path}; check the path and its spelling.")
    if path.stat().st_size == 0:
        raise ImageError(f"{path} is empty (0 bytes); re-copy or re-download the image.")
    try:
        with warnings.catch_warnings():
            # Pillow warns between its pixel limit and twice it, and raises above: refuse both alike.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as opened:
                opened.load()  # decode now, so truncated data fails here and not later
                upright = ImageOps.exif_transpose(opened)
                return _pil_to_rgb(upright)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageError(_too_large(path, error)) from None
    except UnidentifiedImageError:
        raise ImageError(f"{path} is not an image Pillow can read ({path.suffix or 'no extension'}); "
                         "pass a PNG, JPEG or another common image format.") from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise ImageError(f"{path} is truncated or corrupt ({error}); re-save or re-download the image.") from None


def _too_large(path: Path, error: Exception) -> str:
    """The one-line refusal of a photo above Pillow's pixel limit: its size, the limit, the fix."""
    found = re.search(r"\((\d+) pixels\)", str(error))  # Pillow: "Image size (N pixels) exceeds limit ..."
    size = f"has {int(found.group(1)):,} pixels" if found else "is too large"
    return (f"{path} {size}, above Pillow's limit of {Image.MAX_IMAGE_PIXELS:,} pixels against decompression "
            "bombs; shrink the photo first, or raise PIL.Image.MAX_IMAGE_PIXELS if you trust the file.")


def _pil_to_rgb(image: Image.Image) -> np.ndarray:
    """``(H, W, 3) uint8`` from a decoded Pillow image of any common mode."""
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        values = np.asarray(image, dtype=np.float64)
        gray = np.clip(np.round(values / 257.0), 0, 255).astype(np.uint8)  # 65535 -> 255
        return np.repeat(gray[:, :, None], 3, axis=2)
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image.convert("RGBA"))
    return np.array(image.convert("RGB"))


def _array_to_rgb(array: np.ndarray) -> np.ndarray:
    if array.dtype != np.uint8:
        raise ImageError(f"image array must have dtype uint8 (0-255), got {array.dtype}; "
                         "for floats in [0, 1] pass (array * 255).round().astype(np.uint8).")
    if array.ndim in (2, 3) and 0 in array.shape[:2]:
        raise ImageError(f"image array has no pixels (shape {array.shape}); it must be at least 1x1.")
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim == 2:
        return np.repeat(array[:, :, None], 3, axis=2)
    if array.ndim == 3 and array.shape[2] == 3:
        return array.copy()
    if array.ndim == 3 and array.shape[2] == 4:
        return _pil_to_rgb(Image.fromarray(array))
    raise ImageError(f"image array must have shape (H, W), (H, W, 3) or (H, W, 4), got {array.shape}.")


def preprocess(image: np.ndarray, model: CamModel) -> torch.Tensor:
    """Turn an RGB photo into the model's input batch.

    Resize the whole image (no crop, so the CAM covers every pixel) to
    ``model.input_size`` x ``model.input_size`` with antialiased bilinear interpolation,
    scale to [0, 1] and normalise with the model's per-channel mean and std.

    Example:
        >>> import helpers
        >>> from helpers.images import preprocess
        >>> image = helpers.load_image(helpers.sample_image_path("chelsea.png"))  # (300, 451, 3)
        >>> batch = preprocess(image, helpers.load_model())
        >>> batch.shape, batch.dtype
        (torch.Size([1, 3, 224, 224]), torch.float32)

    Args:
        image: ``(H, W, 3) uint8`` RGB.
        model: the model whose input size and normalisation to use.

    Returns:
        ``(1, 3, S, S) float32`` with ``S = model.input_size``.
    """
    _validate.rgb_image(image)
    resized = _resized_tensor(image, model.input_size)
    scaled = TF.to_dtype(resized, torch.float32, scale=True)
    return TF.normalize(scaled, list(model.mean), list(model.std)).unsqueeze(0)


def preprocess_batch(images: Iterable[np.ndarray], model: CamModel) -> torch.Tensor:
    """``(n, 3, S, S) float32``: :func:`preprocess` of each of ``n`` ``(H, W, 3) uint8`` RGB photos, stacked.

    The photos may differ in size: each is resized to the model's input on its own.

    Example:
        >>> import helpers
        >>> from helpers.images import preprocess_batch
        >>> photos = [helpers.load_image(helpers.sample_image_path(name)) for name in ("chelsea.png", "coffee.png")]
        >>> preprocess_batch(photos, helpers.load_model()).shape  # a 300x451 and a 400x600 photo
        torch.Size([2, 3, 224, 224])
    """
    return torch.cat([preprocess(np.asarray(image), model) for image in images])


def model_sized(image: np.ndarray, model: CamModel) -> np.ndarray:
    """``(S, S, 3) uint8``: the photo resized to the model's input exactly as :func:`preprocess` does.

    Perturb this copy (deletion, insertion, LIME) and the unperturbed copy gives the model
    the very input that :func:`helpers.compute_cam` explains: one probability, not two.

    Example:
        >>> import torch
        >>> import helpers
        >>> from helpers.images import model_sized, preprocess
        >>> model, image = helpers.load_model(), helpers.load_image(helpers.sample_image_path("chelsea.png"))
        >>> small = model_sized(image, model)
        >>> small.shape, torch.equal(preprocess(small, model), preprocess(image, model))  # the same model input
        ((224, 224, 3), True)
    """
    return _resized_tensor(image, model.input_size).permute(1, 2, 0).numpy()


def _resized_tensor(image: np.ndarray, side: int) -> torch.Tensor:
    """``(3, side, side) uint8``: antialiased bilinear resize of the whole photo (no crop).

    The resize runs in float64 and rounds at the end. PyTorch's uint8 resize has its own
    vectorised kernels, and its native and portable code paths disagree by one grey level on
    about one pixel in six. In float64 the two paths differ by about 1e-13; snapping to a
    millionth before rounding to whole grey levels removes even that, so every CPU feeds the
    model the same input, bit for bit.
    """
    tensor = torch.from_numpy(np.array(image)).permute(2, 0, 1)  # a copy: the input may be read-only
    if tuple(tensor.shape[1:]) == (side, side):  # LIME and the metrics pass images already at this size
        return tensor
    resized = TF.resize(tensor.double(), [side, side], interpolation=TF.InterpolationMode.BILINEAR, antialias=True)
    snapped = resized.mul_(1e6).round_().div_(1e6)
    return snapped.round_().clamp_(0, 255).to(torch.uint8)


def fit_within(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    """``(h, w)``: ``size`` scaled down so that its longer side is at most ``max_side`` (never up).

    Example:
        >>> from helpers.images import fit_within
        >>> fit_within((3000, 4000), 640)  # a 12-megapixel photo, drawn smaller
        (480, 640)
        >>> fit_within((300, 451), 640)  # already small enough: unchanged
        (300, 451)
    """
    _validate.positive_integer(max_side, "max_side", "pixels")
    height, width = size
    scale = min(1.0, max_side / max(height, width))
    return max(1, round(height * scale)), max(1, round(width * scale))


def nearest(maps: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``(..., h, w)``: nearest-neighbour samples (half-pixel centres) of ``(..., H, W)`` arrays.

    Values are copied, never mixed, so labels stay labels, masks stay masks, and equal values
    of a saliency map stay exactly equal (ties stay ties).

    Example:
        >>> import numpy as np
        >>> from helpers.images import nearest
        >>> nearest(np.array([[0, 1], [2, 3]]), (4, 4))  # labels stay labels
        array([[0, 0, 1, 1],
               [0, 0, 1, 1],
               [2, 2, 3, 3],
               [2, 2, 3, 3]])
    """
    height, width = maps.shape[-2:]
    if (height, width) == tuple(size):
        return maps
    rows = (np.arange(size[0]) + 0.5) * height // size[0]
    cols = (np.arange(size[1]) + 0.5) * width // size[1]
    return maps[..., rows.astype(np.intp)[:, None], cols.astype(np.intp)]


def shrink(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``image`` area-averaged down to ``size = (h, w)``; the image itself when it already has that size.

    Example:
        >>> import helpers
        >>> from helpers.images import fit_within, shrink
        >>> image = helpers.load_image(helpers.sample_image_path("chelsea.png"))  # (300, 451, 3)
        >>> shrink(image, fit_within(image.shape[:2], 200)).shape
        (133, 200, 3)
    """
    if image.shape[:2] == tuple(size):
        return image
    return cv2.resize(image, (size[1], size[0]), interpolation=cv2.INTER_AREA)
