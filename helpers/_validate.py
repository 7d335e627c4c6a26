"""Argument checks shared by the helpers and the command line (private: not part of the API).

Every check raises ``ValueError`` with a message that names the argument, says what it must
be and shows what it got, so that a notebook, the library and ``cam-explain`` all report a
bad value in the same words. Integers exclude ``bool`` (``True`` is an ``int`` in Python);
numbers exclude NaN and infinity (``nan > 0`` is False but ``not nan <= 0`` is True, which
is how one check accepted NaN and another did not).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypeGuard

import numpy as np


def _aside(meaning: str) -> str:
    return f" ({meaning})" if meaning else ""


def is_integer(value: object) -> TypeGuard[int | np.integer]:
    """True for Python and NumPy integers, False for ``bool`` and everything else."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def is_finite_number(value: object) -> TypeGuard[float | np.integer | np.floating]:
    """True for finite Python and NumPy reals (integers included), False for ``bool``, NaN and inf."""
    return (isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
            and math.isfinite(value))


def positive_integer(value: object, name: str, meaning: str = "") -> None:
    """``value`` must be an integer >= 1."""
    if not is_integer(value) or value < 1:
        raise ValueError(f"{name} must be a positive integer{_aside(meaning)}, got {value!r}.")


def integer_between(value: object, name: str, low: int, high: int, meaning: str = "") -> None:
    """``value`` must be an integer with ``low <= value <= high``."""
    if not is_integer(value) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}{_aside(meaning)}, got {value!r}.")


def positive_number(value: object, name: str, hint: str = "") -> None:
    """``value`` must be a finite number > 0."""
    if not is_finite_number(value) or not value > 0:
        raise ValueError(f"{name} must be a positive number{_aside(hint)}, got {value!r}.")


def number_between(value: object, name: str, low: float, high: float, meaning: str = "") -> None:
    """``value`` must be a finite number with ``low <= value <= high``."""
    if not is_finite_number(value) or not low <= value <= high:
        raise ValueError(f"{name} must be a number from {low:g} to {high:g}{_aside(meaning)}, got {value!r}.")


def one_of(value: object, name: str, choices: Sequence[str]) -> None:
    """``value`` must be one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, got {value!r}.")


def rgb_image(image: object, name: str = "image") -> None:
    """``image`` must be an ``(H, W, 3) uint8`` RGB array (a path is not: read it with ``helpers.load_image``)."""
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3:
        got = f"the path {image!r}" if isinstance(image, (str, Path)) else getattr(image, "shape", type(image).__name__)
        raise ValueError(f"{name} must be an (H, W, 3) RGB array, got {got}; use helpers.load_image to read a file.")
    if image.dtype != np.uint8:
        raise ValueError(f"{name} must have dtype uint8 (values 0-255), got {image.dtype}.")


def instance(value: object, name: str, kind: type, source: str) -> None:
    """``value`` must be a ``kind``; ``source`` says where one comes from (``"helpers.compute_cam"``)."""
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be a {kind.__name__} from {source}, got {type(value).__name__}.")


def class_request(topk: int, class_ids: Sequence[int] | None, num_classes: int) -> None:
    """``class_ids``, when given, a non-empty sequence of ids in ``0 .. num_classes - 1``; else ``topk`` in ``1 .. num_classes``.

    :func:`helpers.compute_cam` and the command line both call it, before any forward pass.
    """
    if class_ids is None:
        integer_between(topk, "topk", 1, num_classes, "the number of classes")
        return
    if isinstance(class_ids, (str, bytes)) or not isinstance(class_ids, Iterable):
        raise ValueError(f"class_ids must be a list of class ids such as [285], got {class_ids!r}.")
    ids = list(class_ids)
    if not ids:
        raise ValueError("class_ids is empty; give at least one class id, or leave it None for top-k.")
    for class_id in ids:
        if not is_integer(class_id) or not 0 <= class_id < num_classes:
            raise ValueError(f"Unknown class id {class_id!r}: class ids are integers from 0 to {num_classes - 1}; "
                             "model.categories lists their names.")


def same_size(size: tuple[int, ...], expected: tuple[int, ...], what: str, against: str, fix: str) -> None:
    """``size`` (the height and width of ``what``) must equal ``expected`` (those of ``against``).

    One message for every map-and-photo pair: ``"heatmap size (7, 7) differs from the image's
    (300, 451); <fix>"``.
    """
    if tuple(size) != tuple(expected):
        raise ValueError(f"{what} size {tuple(size)} differs from {against} {tuple(expected)}; {fix}.")


def map_stack(maps: np.ndarray, name: str = "maps") -> None:
    """``maps`` must be one map ``(h, w)`` or a stack of maps ``(k, h, w)``."""
    if maps.ndim not in (2, 3):
        raise ValueError(f"{name} must have shape (h, w) or (k, h, w), got {maps.shape}.")


def n_segments(value: object) -> None:
    """SLIC's number of superpixels requested: a positive integer."""
    positive_integer(value, "n_segments", "superpixels requested")


def compactness(value: object) -> None:
    """SLIC's colour/space trade-off: a finite number > 0."""
    positive_number(value, "compactness", "10 is a good start")


def threshold(value: object) -> None:
    """A mask threshold, as a fraction of each map's maximum: a number in [0, 1]."""
    number_between(value, "threshold", 0.0, 1.0, "a fraction of each map's maximum")


def secam_options(n_segments_: object, compactness_: object, threshold_: object) -> None:
    """All three SeCAM options; :func:`helpers.compute_secam` and the command line call it."""
    n_segments(n_segments_)
    compactness(compactness_)
    threshold(threshold_)
