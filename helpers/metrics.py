"""How good is a saliency map? Faithfulness to the model, and localisation of a known object.

- Deletion and insertion (Petsiuk et al., RISE, BMVC 2018): remove (or restore) pixels in
  order of decreasing saliency and follow the class probability. A faithful map makes the
  probability fall fast under deletion (low AUC is good) and rise fast under insertion
  (high AUC is good). Removed pixels take a *substrate*: black for deletion and a blurred
  copy of the photo for insertion, as in RISE.
- Average Drop and Increase in Confidence (Chattopadhyay et al., Grad-CAM++, WACV 2018):
  show the model only the explanation, ``image * map``; a faithful map keeps the class
  probability (low drop), and sometimes raises it.

- Pointing game (Zhang et al., 2016) and the map's mass inside a box: where the object's
  true box is known (the synthetic bird calls of notebook 06), does the map point there?

The faithfulness metrics work at the model's input resolution (the photo and the map are
resized to it) and run forward passes in batches.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import torch

from .images import preprocess
from .models import CamModel

BATCH_SIZE = 32
BLUR_SIGMA = 10.0  # pixels at 224x224; RISE's insertion substrate is a strongly blurred copy


@dataclass(frozen=True)
class Curve:
    """A deletion or insertion curve.

    Attributes:
        fractions: ``(n + 1,)`` share of pixels removed (deletion) or restored (insertion), 0 to 1.
        probs: ``(n + 1,)`` the class probability at each step.
        auc: area under ``probs`` over ``fractions`` (trapezoid rule), in [0, 1].
    """

    fractions: np.ndarray
    probs: np.ndarray
    auc: float


def class_probabilities(model: CamModel, images: np.ndarray, class_id: int) -> np.ndarray:
    """``(n,) float64``: the probability of ``class_id`` for each of ``n`` RGB images, in batches.

    Args:
        images: ``(n, H, W, 3) uint8``.
    """
    probs = []
    for start in range(0, len(images), BATCH_SIZE):
        batch = torch.cat([preprocess(image, model) for image in images[start : start + BATCH_SIZE]])
        with torch.inference_mode():
            probs.append(model.net(batch).softmax(dim=1)[:, class_id].double().numpy())
    return np.concatenate(probs)


def saliency_order(saliency: np.ndarray, seed: int = 0) -> np.ndarray:
    """Pixel indices (row-major) from most to least salient; ties in random, seeded order.

    Ties matter: SeCAM and LIME give whole regions one value, and breaking ties in raster
    order would delete the top of a region first.
    """
    flat = saliency.ravel()
    tie_break = np.random.default_rng(seed).permutation(flat.size)
    return np.lexsort((tie_break, -flat))


def deletion_curve(model: CamModel, image: np.ndarray, saliency: np.ndarray, class_id: int, steps: int = 50) -> Curve:
    """Remove pixels from most to least salient (black substrate) and follow the probability."""
    return _perturbation_curve(model, image, saliency, class_id, steps, insertion=False)


def insertion_curve(model: CamModel, image: np.ndarray, saliency: np.ndarray, class_id: int, steps: int = 50) -> Curve:
    """Restore pixels from most to least salient onto a blurred copy and follow the probability."""
    return _perturbation_curve(model, image, saliency, class_id, steps, insertion=True)


def explanation_image(image: np.ndarray, saliency: np.ndarray) -> np.ndarray:
    """``(H, W, 3) uint8``: the photo weighted by the map in [0, 1], what Average Drop shows the model."""
    _check_pair(image, saliency)
    return np.round(image * np.clip(saliency, 0.0, 1.0)[:, :, None]).astype(np.uint8)


def confidence_change(model: CamModel, image: np.ndarray, saliency: np.ndarray, class_id: int) -> tuple[float, float]:
    """``(Y, O)``: the class probability on the photo and on its explanation image."""
    both = np.stack([image, explanation_image(image, saliency)])
    original, explained = class_probabilities(model, both, class_id)
    return float(original), float(explained)


def average_drop(pairs: list[tuple[float, float]]) -> float:
    """Average Drop in %: mean of ``max(0, Y - O) / Y`` over images, times 100 (lower is better)."""
    return 100.0 * float(np.mean([max(0.0, y - o) / y for y, o in pairs]))


def increase_in_confidence(pairs: list[tuple[float, float]]) -> float:
    """Increase in Confidence in %: share of images with ``O > Y``, times 100 (higher is better)."""
    return 100.0 * float(np.mean([o > y for y, o in pairs]))


def _perturbation_curve(
    model: CamModel, image: np.ndarray, saliency: np.ndarray, class_id: int, steps: int, insertion: bool
) -> Curve:
    _check_pair(image, saliency)
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}.")
    size = (model.input_size, model.input_size)
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    small_saliency = cv2.resize(saliency.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    substrate = cv2.GaussianBlur(small, (0, 0), BLUR_SIGMA) if insertion else np.zeros_like(small)
    start, end = (substrate, small) if insertion else (small, substrate)
    order = saliency_order(small_saliency)
    counts = np.round(np.linspace(0, order.size, steps + 1)).astype(int)
    frames = np.empty((steps + 1, *small.shape), dtype=np.uint8)
    current = start.reshape(-1, 3).copy()
    done = 0
    for i, count in enumerate(counts):
        changed = order[done:count]
        current[changed] = end.reshape(-1, 3)[changed]
        done = count
        frames[i] = current.reshape(small.shape)
    probs = class_probabilities(model, frames, class_id)
    fractions = counts / order.size
    return Curve(fractions=fractions, probs=probs, auc=float(np.trapezoid(probs, fractions)))


def _check_pair(image: np.ndarray, saliency: np.ndarray) -> None:
    if saliency.shape != image.shape[:2]:
        raise ValueError(f"saliency map shape {saliency.shape} differs from the image's {image.shape[:2]}; "
                         "upsample the map to the image size first.")


# --- localisation against a known box (notebook 06) -------------------------------------------


def box_mask(shape: tuple[int, int], box: tuple[int, int, int, int]) -> np.ndarray:
    """``(H, W) bool``, True inside ``box = (row0, row1, col0, col1)`` (half-open)."""
    row0, row1, col0, col1 = (int(v) for v in box)
    if not (0 <= row0 < row1 <= shape[0] and 0 <= col0 < col1 <= shape[1]):
        raise ValueError(f"box {tuple(box)} must satisfy 0 <= row0 < row1 <= {shape[0]} and 0 <= col0 < col1 <= {shape[1]}.")
    mask = np.zeros(shape, dtype=bool)
    mask[row0:row1, col0:col1] = True
    return mask


def pointing_hit(saliency: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    """Pointing game (Zhang et al., 2016): does the map's maximum fall inside the box?

    A map with several pixels at its maximum (SeCAM's best superpixel, say) hits when most
    of them are inside.

    Args:
        saliency: ``(H, W)`` float.
        box: ``(row0, row1, col0, col1)``, half-open.
    """
    top = saliency == saliency.max()
    return bool(top[box_mask(saliency.shape, box)].sum() * 2 > top.sum())


def mass_in_box(saliency: np.ndarray, box: tuple[int, int, int, int]) -> float:
    """The share of a non-negative map's total inside the box (1 = all of it; box area share = chance)."""
    if saliency.min() < 0:
        raise ValueError("saliency must be non-negative; normalise it first (helpers.normalise).")
    total = float(saliency.sum())
    return float(saliency[box_mask(saliency.shape, box)].sum()) / total if total > 0 else 0.0
