"""Does a saliency map find a known object? Boxes, masks, and the scores built on them.

- Localisation as in the CAM paper (Zhou et al., CVPR 2016, section 3): keep the map's
  values of at least 20 % of its maximum, take the bounding box of the largest connected
  region, and count the image localised when that box overlaps the true box with an
  intersection over union (IoU) of at least 0.5 (:func:`largest_component_box`,
  :func:`box_iou`).
- Mask IoU: a mask (the map thresholded by :func:`helpers.methods.secam.threshold_masks`)
  against the object's mask.
- Pointing game (Zhang et al., ECCV 2016): does the map's maximum fall on the object?
- Mass inside: the share of a non-negative map's total that lies on the object.

A *region* is either a box ``(row0, row1, col0, col1)`` (a tuple or a ``(4,)`` integer array),
half-open like a NumPy slice (rows ``row0 .. row1 - 1``), or an ``(H, W) bool`` mask.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from helpers.methods.secam import threshold_masks

__all__ = [
    "Box",
    "box_iou",
    "box_mask",
    "largest_component_box",
    "mask_box",
    "mask_iou",
    "mass_inside",
    "pointing_hit",
]

Box = tuple[int, int, int, int]
"""``(row0, row1, col0, col1)``, half-open."""

EIGHT_NEIGHBOURS = np.ones((3, 3), dtype=bool)
"""Pixels touching by a side or a corner belong to one region (``scipy.ndimage.label``'s structure)."""


def box_mask(shape: tuple[int, int], box: Box | np.ndarray) -> np.ndarray:
    """``(H, W) bool``, True inside ``box``.

    Example:
        >>> from helpers.evaluation.localisation import box_mask
        >>> box_mask((3, 5), (1, 3, 2, 4)).astype(int)  # rows 1-2, columns 2-3
        array([[0, 0, 0, 0, 0],
               [0, 0, 1, 1, 0],
               [0, 0, 1, 1, 0]])
    """
    row0, row1, col0, col1 = (int(v) for v in box)
    if not (0 <= row0 < row1 <= shape[0] and 0 <= col0 < col1 <= shape[1]):
        raise ValueError(f"box {tuple(box)} must satisfy 0 <= row0 < row1 <= {shape[0]} and 0 <= col0 < col1 <= {shape[1]}.")
    mask = np.zeros(shape, dtype=bool)
    mask[row0:row1, col0:col1] = True
    return mask


def mask_box(mask: np.ndarray) -> Box | None:
    """The smallest box holding every True pixel of an ``(H, W)`` mask; None when there is none.

    Example:
        >>> import numpy as np
        >>> from helpers.evaluation.localisation import mask_box
        >>> mask = np.zeros((6, 8), dtype=bool)
        >>> mask[1, 2] = mask[3, 5] = True
        >>> mask_box(mask), mask_box(np.zeros((6, 8), dtype=bool))
        ((1, 4, 2, 6), None)
    """
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return None
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def largest_component_box(saliency: np.ndarray, fraction: float = 0.2) -> Box | None:
    """The CAM paper's box: around the largest 8-connected region of the map's values of at least
    ``fraction`` of its maximum (:func:`helpers.methods.secam.threshold_masks`).

    Example:
        >>> import numpy as np
        >>> from helpers.evaluation.localisation import largest_component_box
        >>> saliency = np.zeros((6, 6))
        >>> saliency[0:2, 0:2] = 1.0  # the brightest region, 4 pixels
        >>> saliency[3:5, 2:6] = 0.5  # above 20 % of the maximum, and larger: 8 pixels
        >>> largest_component_box(saliency), largest_component_box(saliency, fraction=0.6)
        ((3, 5, 2, 6), (0, 2, 0, 2))

    Args:
        saliency: ``(H, W)`` float, at the image's resolution.
        fraction: keep values of at least this fraction of the maximum (0.2 in the paper).

    Returns:
        The region's bounding box, or None for a map without a positive value. Two regions of
        equal size: the first in row-major order of their labels wins.
    """
    labels, count = ndimage.label(threshold_masks(saliency, fraction), structure=EIGHT_NEIGHBOURS)
    if count == 0:
        return None
    sizes = np.bincount(labels.ravel())[1:]  # pixels per region 1 .. count
    return mask_box(labels == 1 + int(np.argmax(sizes)))


def box_iou(a: Box | None, b: Box | None) -> float:
    """Intersection over union of two half-open boxes; 0 when either is None or they do not overlap.

    Example:
        >>> from helpers.evaluation.localisation import box_iou
        >>> box_iou((0, 4, 0, 4), (0, 4, 0, 2))  # 8 shared pixels of 16
        0.5
        >>> box_iou((0, 4, 0, 4), (0, 4, 2, 6)) >= 0.5  # 8 of 24: not localised by the CAM paper's test
        False
        >>> box_iou(None, (0, 4, 0, 4))  # the map had no box
        0.0
    """
    if a is None or b is None:
        return 0.0
    rows = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    cols = max(0, min(a[3], b[3]) - max(a[2], b[2]))
    inter = rows * cols
    union = (a[1] - a[0]) * (a[3] - a[2]) + (b[1] - b[0]) * (b[3] - b[2]) - inter
    return inter / union if union > 0 else 0.0


def mask_iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two ``(H, W) bool`` masks; 0 when both are empty.

    Example:
        >>> import numpy as np
        >>> from helpers.evaluation.localisation import mask_iou
        >>> from helpers.methods.secam import threshold_masks
        >>> saliency = np.array([[0.9, 0.8, 0.1], [0.7, 0.2, 0.0]])
        >>> obj = np.array([[True, True, False], [False, False, False]])
        >>> round(mask_iou(threshold_masks(saliency, 0.5), obj), 3)  # 2 shared pixels of 3
        0.667

    Raises:
        ValueError: the masks differ in shape or are not boolean (threshold a map first).
    """
    if a.shape != b.shape:
        raise ValueError(f"masks must have the same shape, got {a.shape} and {b.shape}.")
    if a.dtype != bool or b.dtype != bool:
        raise ValueError(f"masks must be boolean (threshold a map with threshold_masks first), got {a.dtype} and {b.dtype}.")
    union = int(np.logical_or(a, b).sum())
    return int(np.logical_and(a, b).sum()) / union if union else 0.0


def _region(shape: tuple[int, int], region: Box | np.ndarray) -> np.ndarray:
    if isinstance(region, np.ndarray) and region.ndim == 2:  # a mask; a box may come as a (4,) array
        if region.shape != shape or region.dtype != bool:
            raise ValueError(f"a mask region must be ({shape[0]}, {shape[1]}) bool, got {region.shape} {region.dtype}.")
        return region
    return box_mask(shape, region)


def pointing_hit(saliency: np.ndarray, region: Box | np.ndarray) -> bool:
    """Pointing game: does the map's maximum fall inside the region (a box or a mask)?

    A map with several pixels at its maximum (SeCAM's best superpixel, say) hits when more
    than half of them are inside.

    Example:
        >>> import numpy as np
        >>> from helpers.evaluation.localisation import pointing_hit
        >>> saliency = np.zeros((4, 4))
        >>> saliency[1, 2] = 1.0
        >>> pointing_hit(saliency, (0, 2, 2, 4)), pointing_hit(saliency, (2, 4, 0, 4))
        (True, False)
    """
    top = saliency == saliency.max()
    return bool(top[_region(saliency.shape, region)].sum() * 2 > top.sum())


def mass_inside(saliency: np.ndarray, region: Box | np.ndarray) -> float:
    """The share of a non-negative map's total inside the region (1 = all of it; the region's area share = chance).

    Example:
        >>> import numpy as np
        >>> from helpers.evaluation.localisation import box_mask, mass_inside
        >>> saliency = np.zeros((4, 4))
        >>> saliency[0, 0], saliency[3, 3] = 3.0, 1.0
        >>> mass_inside(saliency, (0, 2, 0, 2)), mass_inside(saliency, box_mask((4, 4), (2, 4, 2, 4)))  # a box or a mask
        (0.75, 0.25)
    """
    if saliency.min() < 0:
        raise ValueError("saliency must be non-negative; normalise it first (helpers.methods.cam.normalise).")
    total = float(saliency.sum())
    return float(saliency[_region(saliency.shape, region)].sum()) / total if total > 0 else 0.0
