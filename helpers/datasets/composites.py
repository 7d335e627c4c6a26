"""A labelled photo set made offline: objects cut from bundled photos, pasted onto varied backgrounds.

Notebook 07 needs images whose object is known to the pixel. Following the foreground and
background recombination of ImageNet-9 (Xiao et al., "Noise or Signal: The Role of Image
Backgrounds in Object Recognition", ICLR 2021), each composite pastes one object, cut out
with its mask, at a random scale, position and mirroring onto one of several backgrounds.
Every composite comes with its exact mask (the pixels that were pasted), the mask's box and
the object's set of ImageNet classes. The set is regenerated from a seed in about a second
and never stored as image files.

The objects and their polygons are data: ``images/objects.json`` (how the polygons were made:
:mod:`tools.object_masks`; where the photos come from: ``images/SOURCES.md``).

Coordinates: polygons list ``(x, y)`` = (column, row) vertices, as OpenCV draws them; boxes
are ``(row0, row1, col0, col1)``, half-open, as in :mod:`helpers.evaluation.localisation`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np
from matplotlib import cbook
from skimage import data as skimage_data

from helpers import _validate
from helpers.evaluation.localisation import mask_box
from helpers.images import load_image, sample_image_path
from helpers.paths import images_dir

__all__ = [
    "BACKGROUNDS",
    "OBJECTS_FILE",
    "Composites",
    "LabelledObject",
    "load_objects",
    "make_composites",
    "object_photo",
    "polygon_mask",
]

OBJECTS_FILE = images_dir() / "objects.json"

BACKGROUNDS: tuple[str, ...] = ("brick", "grass", "gravel", "moon", "hubble", "flat colour", "white noise", "smooth noise")
"""Background kinds: four grayscale textures and one colour photo bundled with scikit-image
(random square crops), one random flat colour, per-pixel uniform noise, and smooth colour noise
(an 8x8 random grid upsampled bicubically)."""

SCALE = (0.4, 0.8)
"""The object's longer side, as a fraction of the composite's side, drawn uniformly."""


def object_photo(source: str) -> np.ndarray:
    """``(H, W, 3) uint8`` RGB photo named in the objects file: ``sample:<file>`` (``images/``),
    ``skimage:stereo_motorcycle`` (its left view) or ``matplotlib:<file>`` (matplotlib's sample data).

    Example:
        >>> from helpers.datasets.composites import object_photo
        >>> object_photo("sample:chelsea.png").shape  # the cat photo of images/
        (300, 451, 3)
        >>> object_photo("matplotlib:grace_hopper.jpg").dtype
        dtype('uint8')
    """
    library, _, name = source.partition(":")
    if library == "sample":
        return load_image(sample_image_path(name))
    if library == "skimage" and name == "stereo_motorcycle":
        return np.asarray(skimage_data.stereo_motorcycle()[0])
    if library == "matplotlib":
        return load_image(cbook.get_sample_data(name, asfileobj=False))
    raise ValueError(f"unknown photo source {source!r}; use sample:<file>, skimage:stereo_motorcycle or matplotlib:<file>.")


def polygon_mask(polygon: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """``(H, W) bool``: the pixels inside a polygon of ``(x, y)`` vertices, its edges included.

    Example:
        >>> import numpy as np
        >>> from helpers.datasets.composites import polygon_mask
        >>> rectangle = np.array([[1, 1], [4, 1], [4, 3], [1, 3]])  # (x, y): columns 1-4, rows 1-3
        >>> polygon_mask(rectangle, (5, 6)).astype(int)
        array([[0, 0, 0, 0, 0, 0],
               [0, 1, 1, 1, 1, 0],
               [0, 1, 1, 1, 1, 0],
               [0, 1, 1, 1, 1, 0],
               [0, 0, 0, 0, 0, 0]])
    """
    mask = np.zeros(shape, dtype=np.uint8)
    cv2.fillPoly(mask, [np.asarray(polygon, dtype=np.int32)], 1)
    return mask.astype(bool)


@dataclass(frozen=True, eq=False)
class LabelledObject:
    """One object of the set, cut out of its photo.

    Example:
        >>> from helpers.datasets.composites import load_objects
        >>> cat = load_objects()[0]
        >>> cat.name, cat.source, cat.class_ids
        ('cat', 'sample:chelsea.png', (281, 282, 283, 284, 285))
        >>> cat.rgb.shape[:2] == cat.mask.shape, cat.mask.dtype
        (True, dtype('bool'))

    Attributes:
        name: a short name (``"cat"``).
        source: where its photo comes from (see :func:`object_photo`).
        class_ids: the ImageNet classes that count as recognising it, e.g. the five domestic cats.
        rgb: ``(h, w, 3) uint8``, the photo cropped to the mask's box.
        mask: ``(h, w) bool``, the object within that crop.
    """

    name: str
    source: str
    class_ids: tuple[int, ...]
    rgb: np.ndarray
    mask: np.ndarray


@cache
def load_objects() -> tuple[LabelledObject, ...]:
    """The objects of ``images/objects.json``, cut out of their photos (read once per process).

    Example:
        >>> from helpers.datasets.composites import load_objects
        >>> [obj.name for obj in load_objects()]
        ['cat', 'espresso', 'motorcycle', 'uniform', 'rocket']
        >>> load_objects() is load_objects()  # cached: the photos are read once
        True
    """
    objects = []
    for entry in json.loads(OBJECTS_FILE.read_text())["objects"]:
        photo = object_photo(entry["photo"])
        mask = polygon_mask(np.array(entry["polygon"]), photo.shape[:2])
        box = mask_box(mask)
        if box is None:
            raise ValueError(f"{OBJECTS_FILE}: the polygon of {entry['name']!r} covers no pixel of its photo.")
        row0, row1, col0, col1 = box
        objects.append(LabelledObject(name=entry["name"], source=entry["photo"], class_ids=tuple(entry["class_ids"]),
                                      rgb=photo[row0:row1, col0:col1], mask=mask[row0:row1, col0:col1]))
    return tuple(objects)


@dataclass(frozen=True, eq=False)
class Composites:
    """``n`` composites of side ``S``, with everything known about each.

    Example:
        >>> import numpy as np
        >>> from helpers.datasets.composites import make_composites
        >>> comps = make_composites(n=4, seed=0, size=64)
        >>> len(comps), comps.images.shape, comps.masks.shape, comps.boxes.shape
        (4, (4, 64, 64, 3), (4, 64, 64), (4, 4))
        >>> comps.recognised(np.array([comps.classes_of(i)[0] for i in range(4)])).tolist()  # a class of each set
        [True, True, True, True]
        >>> comps.recognised(np.zeros(4, dtype=np.int64)).tolist()  # class 0 (tench) is in no set
        [False, False, False, False]

    Attributes:
        images: ``(n, S, S, 3) uint8`` RGB.
        masks: ``(n, S, S) bool``, exactly the pasted object's pixels.
        boxes: ``(n, 4) int64``, each mask's box ``(row0, row1, col0, col1)``, half-open.
        objects: ``(n,) int64``, index of the pasted object in ``names``.
        backgrounds: ``(n,) int64``, index of the background kind in :data:`BACKGROUNDS`.
        names: the objects' names.
        class_sets: for each object, the ImageNet class ids that count as recognising it.
        seed: what :func:`make_composites` was called with.
    """

    images: np.ndarray
    masks: np.ndarray
    boxes: np.ndarray
    objects: np.ndarray
    backgrounds: np.ndarray
    names: tuple[str, ...]
    class_sets: tuple[tuple[int, ...], ...]
    seed: int

    def __len__(self) -> int:
        return len(self.images)

    def classes_of(self, i: int) -> tuple[int, ...]:
        """The class ids that count as recognising composite ``i``'s object."""
        return self.class_sets[int(self.objects[i])]

    def recognised(self, top1: np.ndarray) -> np.ndarray:
        """``(n,) bool``: whether each composite's top-1 class ``top1`` ``(n,) int`` is in its object's class set."""
        if len(top1) != len(self):
            raise ValueError(f"top1 has {len(top1)} classes for {len(self)} composites; give one top-1 class per composite.")
        return np.array([int(top1[i]) in self.classes_of(i) for i in range(len(self))])


def make_composites(n: int = 240, seed: int = 0, size: int = 224, scale: tuple[float, float] = SCALE) -> Composites:
    """``n`` composites, each object and each background kind used equally often (up to one).

    The same ``(n, seed, size, scale)`` give the same composites, array for array: every random
    choice comes from one ``np.random.default_rng(seed)``, and masks are resized with nearest
    neighbour, so that they are exact on any machine (the pasted colours are resized with
    ``cv2.INTER_AREA``).

    Example:
        >>> import numpy as np
        >>> from helpers.datasets.composites import make_composites
        >>> comps = make_composites(n=8, seed=0, size=64)  # small and quick; notebook 07 makes 240 of side 224
        >>> comps.images.shape, np.bincount(comps.objects).tolist(), np.bincount(comps.backgrounds).tolist()
        ((8, 64, 64, 3), [2, 2, 2, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1])
        >>> bool((make_composites(n=8, seed=0, size=64).masks == comps.masks).all())  # the same seed, the same set
        True

    Args:
        n: how many composites.
        seed: the random seed.
        size: the side ``S`` of the square composites (224: the offline model's input, so the
            model sees them unresized).
        scale: the range of the object's longer side, as a fraction of ``size``.
    """
    _validate.positive_integer(n, "n", "number of composites")
    _validate.integer_between(size, "size", 32, 4096, "pixels")
    if not 0 < scale[0] <= scale[1] <= 1:
        raise ValueError(f"scale must be (low, high) with 0 < low <= high <= 1, got {scale!r}.")
    objects = load_objects()
    rng = np.random.default_rng(seed)
    which_object = rng.permutation(np.resize(np.arange(len(objects)), n))
    which_background = rng.permutation(np.resize(np.arange(len(BACKGROUNDS)), n))
    images = np.empty((n, size, size, 3), dtype=np.uint8)
    masks = np.zeros((n, size, size), dtype=bool)
    for i in range(n):
        images[i] = background(BACKGROUNDS[which_background[i]], rng, size)
        paste(objects[which_object[i]], images[i], masks[i], rng, scale)
    boxes = np.array([mask_box(m) for m in masks], dtype=np.int64)
    return Composites(images=images, masks=masks, boxes=boxes, objects=which_object.astype(np.int64),
                      backgrounds=which_background.astype(np.int64), names=tuple(o.name for o in objects),
                      class_sets=tuple(o.class_ids for o in objects), seed=seed)


def paste(obj: LabelledObject, canvas: np.ndarray, mask: np.ndarray, rng: np.random.Generator,
          scale: tuple[float, float]) -> None:
    """Paste ``obj`` at a random scale, position and mirroring into ``canvas`` ``(S, S, 3)``; mark its pixels in ``mask``."""
    size = canvas.shape[0]
    longer = rng.uniform(*scale) * size
    h, w = obj.mask.shape
    factor = longer / max(h, w)
    new_h, new_w = max(1, round(h * factor)), max(1, round(w * factor))
    rgb = cv2.resize(obj.rgb, (new_w, new_h), interpolation=cv2.INTER_AREA)
    shape = cv2.resize(obj.mask.astype(np.uint8), (new_w, new_h), interpolation=cv2.INTER_NEAREST).astype(bool)
    if rng.random() < 0.5:
        rgb, shape = rgb[:, ::-1], shape[:, ::-1]
    row = int(rng.integers(0, size - new_h + 1))
    col = int(rng.integers(0, size - new_w + 1))
    window = canvas[row:row + new_h, col:col + new_w]
    window[shape] = rgb[shape]
    mask[row:row + new_h, col:col + new_w] = shape


def background(kind: str, rng: np.random.Generator, size: int) -> np.ndarray:
    """``(S, S, 3) uint8``: one background of the given kind (see :data:`BACKGROUNDS`)."""
    _validate.one_of(kind, "kind", BACKGROUNDS)
    if kind == "flat colour":
        return np.broadcast_to(rng.integers(0, 256, 3, dtype=np.uint8), (size, size, 3)).copy()
    if kind == "white noise":
        return rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
    if kind == "smooth noise":
        grid = (rng.random((8, 8, 3)) * 255).astype(np.float32)
        return np.clip(cv2.resize(grid, (size, size), interpolation=cv2.INTER_CUBIC), 0, 255).astype(np.uint8)
    texture = _texture(kind)
    side = int(rng.integers(min(texture.shape[:2]) // 2, min(texture.shape[:2]) + 1))
    row = int(rng.integers(0, texture.shape[0] - side + 1))
    col = int(rng.integers(0, texture.shape[1] - side + 1))
    return cv2.resize(texture[row:row + side, col:col + side], (size, size), interpolation=cv2.INTER_AREA)


@cache
def _texture(kind: str) -> np.ndarray:
    """``(H, W, 3) uint8`` photo behind a texture background (grayscale ones repeated over three channels)."""
    photo = np.asarray(skimage_data.hubble_deep_field() if kind == "hubble" else getattr(skimage_data, kind)())
    return np.repeat(photo[:, :, None], 3, axis=2) if photo.ndim == 2 else photo
