"""SeCAM: CAM averaged over SLIC superpixels, at image resolution.

P. X. Nguyen, H. Q. Cao, K. V. T. Nguyen, H. Nguyen, T. Yairi, "SeCAM: Tightly Accelerate the
Image Explanation via Region-Based Segmentation", IEICE Trans. Inf. & Syst. E105.D(8),
pp. 1401-1417, 2022. For class ``c`` and superpixel ``s``::

    SeCAM_c(x, y) = 1/|s| * sum_{(x', y') in s} M~_c(x', y')   for every (x, y) in s,

where ``M~_c = upsample(relu_max(M_c), (H, W))`` is the class's CAM, normalised at feature
resolution and upsampled bilinearly to the photo.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from skimage.segmentation import slic

from helpers import _validate
from helpers.images import fit_within, load_image, nearest, shrink
from helpers.methods.cam import CamResult, compute_cam, normalise, upsample
from helpers.models import CamModel

__all__ = [
    "COMPACTNESS",
    "N_SEGMENTS",
    "SLIC_MAX_SIDE",
    "THRESHOLD",
    "SecamResult",
    "average_over_superpixels",
    "compute_secam",
    "dense_labels",
    "secam_maps",
    "superpixel_means",
    "superpixels",
    "threshold_masks",
]

N_SEGMENTS = 50
"""Superpixels requested from SLIC by default: the source's choice (SLIC may return fewer)."""
COMPACTNESS = 10.0
"""SLIC's default colour/space trade-off (scikit-image's default too; notebook 03)."""
THRESHOLD = 0.8
"""Masks keep what is at least this fraction of each map's maximum by default."""

SLIC_MAX_SIDE = 640
"""Photos whose longer side exceeds this are segmented on a copy shrunk to this side; the
labels are then scaled back up (nearest neighbour), so ``segments`` is always ``(H, W)``."""


@dataclass(frozen=True, eq=False)
class SecamResult:
    """SeCAM of the k classes of a :class:`CamResult`.

    Example:
        >>> import helpers
        >>> image = helpers.load_image(helpers.sample_image_path("chelsea.png"))
        >>> secam = helpers.compute_secam(helpers.compute_cam(helpers.load_model(), image, topk=2), image)
        >>> secam.maps.shape, secam.masks.dtype, secam.segments.shape, secam.threshold
        ((2, 300, 451), dtype('bool'), (300, 451), 0.8)
        >>> bool(secam.n_superpixels == secam.segments.max() + 1)
        True

    Attributes:
        cam: the CAMs it was computed from.
        segments: ``(H, W) int64`` superpixel labels ``0 .. n - 1``.
        maps: ``(k, H, W) float32`` in [0, 1]: each superpixel holds the mean of the class's
            upsampled ReLU-max-normalised CAM over that superpixel.
        masks: ``(k, H, W) bool``: ``maps[i] >= threshold * maps[i].max()`` (:func:`threshold_masks`).
        threshold: the mask threshold, a fraction of each map's maximum.
    """

    cam: CamResult
    segments: np.ndarray
    maps: np.ndarray
    masks: np.ndarray
    threshold: float

    @property
    def n_superpixels(self) -> int:
        """How many superpixels SLIC returned (often fewer than the ``n_segments`` requested)."""
        return int(self.segments.max()) + 1


def compute_secam(
    cam: CamResult,
    image: str | Path | np.ndarray,
    n_segments: int = N_SEGMENTS,
    compactness: float = COMPACTNESS,
    threshold: float = THRESHOLD,
    segments: np.ndarray | None = None,
) -> SecamResult:
    """SeCAM for every class of ``cam``: superpixel means by ``np.bincount``, no per-segment loop.

    Example:
        >>> import numpy as np
        >>> import helpers
        >>> image = helpers.load_image(helpers.sample_image_path("chelsea.png"))
        >>> cam = helpers.compute_cam(helpers.load_model(), image, topk=2)
        >>> secam = helpers.compute_secam(cam, image, n_segments=30)
        >>> secam.maps.shape, bool(len(np.unique(secam.maps[0])) <= secam.n_superpixels)  # one value per superpixel
        ((2, 300, 451), True)

    Args:
        cam: from :func:`helpers.compute_cam` on the same image.
        image: the photo (path or ``(H, W, 3) uint8`` RGB); it must have ``cam.image_size``.
        n_segments: superpixels requested from SLIC (scikit-image, on the RGB photo).
        compactness: SLIC's colour/space trade-off (see notebook 03).
        threshold: masks keep superpixels of at least this fraction of the map's maximum, in [0, 1].
        segments: ``(H, W)`` integer labels to use instead of running SLIC.

    Returns:
        A :class:`SecamResult` with ``maps`` and ``masks`` of shape ``(k, H, W)``.
    """
    _validate.instance(cam, "cam", CamResult, "helpers.compute_cam")
    rgb = load_image(image)
    _validate.secam_options(n_segments, compactness, threshold)
    _validate.same_size(rgb.shape[:2], cam.image_size, "image", "the CAM's", "pass the same image to compute_cam and compute_secam")
    segments = superpixels(rgb, n_segments, compactness) if segments is None else _checked_segments(segments, cam.image_size)
    # One class at a time, so that only one (H, W) upsampled CAM exists at once (a 12-megapixel
    # photo's five would take 240 MB); the values are those of cam.heatmaps("relu_max").
    upsampled = (upsample(m, cam.image_size) for m in normalise(cam.raw_maps, "relu_max"))
    means = superpixel_means(upsampled, segments).astype(np.float32)  # (k, n)
    maps = np.empty((len(means), *cam.image_size), dtype=np.float32)
    masks = np.empty(maps.shape, dtype=bool)
    for mean, map_, mask in zip(means, maps, masks, strict=True):
        np.take(mean, segments, out=map_, mode="clip")  # labels are 0 .. n - 1: nothing is clipped
        mask[...] = threshold_masks(map_, threshold)  # one class at a time
    return SecamResult(cam=cam, segments=segments, maps=maps, masks=masks, threshold=threshold)


def secam_maps(
    model: CamModel,
    image: str | Path | np.ndarray,
    class_ids: Sequence[int],
    n_segments: int = N_SEGMENTS,
    compactness: float = COMPACTNESS,
    segments: np.ndarray | None = None,
) -> np.ndarray:
    """``(k, H, W) float32`` in [0, 1]: the SeCAM of each class, in the saliency methods' one call shape.

    The same maps as ``compute_secam(compute_cam(model, image, class_ids=class_ids), image, ...).maps``
    (:data:`helpers.methods.METHODS`).

    Example:
        >>> import helpers
        >>> from helpers.methods.secam import secam_maps
        >>> maps = secam_maps(helpers.load_model(), helpers.sample_image_path("chelsea.png"), [285])  # 285: Egyptian cat
        >>> maps.shape, maps.dtype, bool(maps.min() >= 0 and maps.max() <= 1)
        ((1, 300, 451), dtype('float32'), True)
    """
    rgb = load_image(image)
    return compute_secam(compute_cam(model, rgb, class_ids=class_ids), rgb, n_segments, compactness, segments=segments).maps


def superpixels(image: np.ndarray, n_segments: int = N_SEGMENTS, compactness: float = COMPACTNESS) -> np.ndarray:
    """``(H, W) int64`` SLIC labels ``0 .. n - 1`` of an ``(H, W, 3) uint8`` RGB photo.

    scikit-image converts RGB to CIELAB itself (feeding it BGR, as ``cv2.imread`` returns,
    would give other superpixels). A photo longer than ``SLIC_MAX_SIDE`` is segmented on a
    shrunk copy (``cv2.INTER_AREA``) and the labels are scaled back with nearest neighbour
    (:func:`helpers.images.nearest`).

    Example:
        >>> import numpy as np
        >>> import helpers
        >>> from helpers.methods.secam import superpixels
        >>> segments = superpixels(helpers.load_image(helpers.sample_image_path("chelsea.png")), n_segments=50)
        >>> segments.shape, segments.dtype, np.array_equal(np.unique(segments), np.arange(segments.max() + 1))
        ((300, 451), dtype('int64'), True)
    """
    _validate.rgb_image(image)
    _validate.n_segments(n_segments)
    _validate.compactness(compactness)
    height, width = image.shape[:2]
    small = shrink(image, fit_within((height, width), SLIC_MAX_SIDE))
    labels = dense_labels(slic(small, n_segments=n_segments, compactness=compactness, start_label=0, channel_axis=-1))
    return nearest(labels.astype(np.int64, copy=False), (height, width))


def dense_labels(segments: np.ndarray) -> np.ndarray:
    """Renumber non-negative integer labels to ``0 .. n - 1`` keeping their order, in O(N).

    A lookup table built with ``np.bincount`` replaces ``np.unique(..., return_inverse=True)``,
    which sorts all pixels (seconds on a 12-megapixel label map).

    Example:
        >>> import numpy as np
        >>> from helpers.methods.secam import dense_labels
        >>> dense_labels(np.array([[3, 3, 7], [0, 7, 9]]))  # 0, 3, 7, 9 become 0, 1, 2, 3
        array([[1, 1, 2],
               [0, 2, 3]])
    """
    if segments.size and segments.min() < 0:
        raise ValueError(f"segments must be non-negative integer labels, got a minimum of {segments.min()}.")
    present = np.bincount(segments.ravel()) > 0
    if present.all():
        return segments.astype(np.int64, copy=False)
    lookup = np.cumsum(present) - 1
    return lookup[segments]


def superpixel_means(maps: Iterable[np.ndarray], segments: np.ndarray) -> np.ndarray:
    """``(k, n) float64``: one mean per superpixel ``0 .. n - 1`` and map (a table, not an image).

    One ``np.bincount`` per class sums its values per superpixel: no loop over superpixels,
    no boolean masks.

    Example:
        >>> import numpy as np
        >>> from helpers.methods.secam import superpixel_means
        >>> segments = np.array([[0, 0, 1], [0, 1, 1]])
        >>> maps = np.array([[[0.0, 0.25, 1.0], [0.5, 0.5, 0.0]]])  # k = 1 map
        >>> superpixel_means(maps, segments)  # (0 + 0.25 + 0.5) / 3 and (1 + 0.5 + 0) / 3
        array([[0.25, 0.5 ]])

    Args:
        maps: ``(k, H, W)`` float, or any iterable of k ``(H, W)`` maps (such as a generator
            that makes one at a time).
        segments: ``(H, W)`` labels ``0 .. n - 1``.
    """
    n = int(segments.max()) + 1
    flat = segments.ravel()
    areas = np.maximum(np.bincount(flat, minlength=n), 1)  # |s| for every superpixel
    weights = np.empty(flat.size)  # float64, as bincount wants it: one buffer for all maps, not a copy per map
    sums = []
    for m in maps:
        np.copyto(weights, np.ravel(m))
        sums.append(np.bincount(flat, weights=weights, minlength=n))
    return np.stack(sums) / areas


def average_over_superpixels(maps: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """Replace every pixel of each map by the mean of its superpixel (:func:`superpixel_means`, painted back).

    Example:
        >>> import numpy as np
        >>> from helpers.methods.secam import average_over_superpixels
        >>> segments = np.array([[0, 0, 1], [0, 1, 1]])
        >>> average_over_superpixels(np.array([[[0.0, 0.25, 1.0], [0.5, 0.5, 0.0]]]), segments)
        array([[[0.25, 0.25, 0.5 ],
                [0.25, 0.5 , 0.5 ]]], dtype=float32)

    Args:
        maps: ``(k, H, W)`` float.
        segments: ``(H, W)`` labels ``0 .. n - 1``.

    Returns:
        ``(k, H, W) float32``.
    """
    return superpixel_means(maps, segments).astype(np.float32)[:, segments]


def threshold_masks(maps: np.ndarray, threshold: float) -> np.ndarray:
    """Where each map is at least ``threshold`` times its own maximum; nothing where that maximum is <= 0.

    The series' one threshold rule: SeCAM's masks, the CAM paper's box
    (:func:`helpers.evaluation.localisation.largest_component_box`) and the masks scored by mask
    IoU all keep ``map >= threshold * max(map)``. A map
    without a positive value keeps nothing (rather than, at threshold 0, everything).

    Example:
        >>> import numpy as np
        >>> from helpers.methods.secam import threshold_masks
        >>> threshold_masks(np.array([[0.1, 0.85], [0.9, 1.0]]), 0.8)  # keeps values >= 0.8 * 1.0
        array([[False,  True],
               [ True,  True]])
        >>> bool(threshold_masks(np.zeros((2, 2)), 0.0).any())  # no positive value: nothing kept
        False

    Args:
        maps: ``(H, W)`` or ``(k, H, W)`` float.
        threshold: a fraction of each map's maximum, in [0, 1] (0.8 for SeCAM's masks, 0.2 for
            the CAM paper's box).

    Returns:
        ``bool``, the shape of ``maps``.
    """
    _validate.threshold(threshold)
    maps = np.asarray(maps)
    _validate.map_stack(maps)
    top = maps.max(axis=(-2, -1), keepdims=True)
    return (maps >= threshold * top) & (top > 0)


def _checked_segments(segments: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    segments = np.asarray(segments)
    if segments.shape != size or not np.issubdtype(segments.dtype, np.integer):
        raise ValueError(f"segments must be an integer label map of shape {size}, got {segments.shape} {segments.dtype}.")
    return dense_labels(segments)
