"""Claims the notebooks make about their outputs, checked in the cell that makes them.

The claim contract (README, "For maintainers"): every sentence that states a number, a
comparison or a reading of a figure is backed by a :func:`check` before it. The check prints
one stable line, so strict nbval compares it on any machine, and raises with the numbers
when the claim stops holding, so ``make test`` fails instead of the prose going stale::

    check("CAM points into the box at least 5x as often as the random map",
          cam_rate >= 5 * random_rate, cam=cam_rate, random=random_rate)
    # ✓ CAM points into the box at least 5x as often as the random map

For maintainers: with ``CAM_CLAIMS_RECORD`` set to a file path, every check appends one JSON
line (the claim, whether it held, the model, its numbers) to that file and a failing claim
prints ``✗ <claim> (numbers)`` instead of raising, so one run surveys every claim of a
notebook. ``tools/claim_spread.py`` runs the notebooks so on several code paths and reports
how far each checked number moves.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping

import numpy as np

from helpers.models import DEFAULT_MODEL

__all__ = ["RECORD_ENV_VAR", "STORED_MODEL", "ClaimError", "check", "check_timing"]


class ClaimError(AssertionError):
    """A claim the notebook's text makes no longer holds for the numbers computed.

    Example:
        >>> from helpers.teaching.claims import ClaimError, check
        >>> try:
        ...     check("the map peaks inside the box", False, peak_row=3.0)
        ... except ClaimError as error:
        ...     print(error)
        claim no longer holds: the map peaks inside the box (peak_row=3)
    """


RECORD_ENV_VAR = "CAM_CLAIMS_RECORD"

STORED_MODEL = DEFAULT_MODEL
"""The model whose outputs are stored in the notebooks (``make execute`` and ``make test`` pin it)."""


def check(claim: str, condition: bool | np.bool_, *, model: str | None = None, **numbers: float) -> None:
    """Print ``✓ <claim>`` if ``condition`` holds, else raise :class:`ClaimError` naming both.

    Example:
        >>> from helpers.teaching.claims import check
        >>> cam_rate, random_rate = 0.62, 0.11
        >>> check("CAM points into the box at least 5x as often as the random map", cam_rate >= 5 * random_rate, cam=cam_rate)
        ✓ CAM points into the box at least 5x as often as the random map
        >>> check("the map of 'plate' peaks on the cup's rim", True, model="resnet50")
        - not checked: this describes efficientnet_lite0's outputs; you run resnet50, so read your own figure

    Args:
        claim: the sentence being checked, as the reader should read it.
        condition: the computed truth of the claim.
        model: for a claim about particular predictions ("the map of 'plate' peaks on the
            cup's rim"), the name of the model that made them. Such a sentence describes the
            stored model's figures (``STORED_MODEL``); with another model (ResNet50, where its
            weights are available) one line says so instead of failing or silently passing.
        **numbers: the values the claim rests on; they appear in the error, never in the
            printed line (their digits may differ from machine to machine).
    """
    record = _validated_and_recorded(claim, condition, model, numbers)
    if model is not None and model != STORED_MODEL:
        print(f"- not checked: this describes {STORED_MODEL}'s outputs; you run {model}, so read your own figure")
        return
    if not condition:
        if record:
            print(f"✗ {claim}{_values(numbers)}")
            return
        raise ClaimError(f"claim no longer holds: {claim}{_values(numbers)}")
    print(f"✓ {claim}")


def check_timing(claim: str, condition: bool | np.bool_, **numbers: float) -> None:
    """Like :func:`check`, for a claim about speed: when it fails, say so and go on.

    A timing moves with the machine and its load, so a slow laptop must not stop "Run all".
    Prints ``✓ <claim>`` when it holds, else ``! not on this run (a busy machine?): <claim>
    (numbers)``. Keep such cells ``# NBVAL_IGNORE_OUTPUT``.

    Example:
        >>> from helpers.teaching.claims import check_timing
        >>> check_timing("the cached model loads faster than a new one", 0.01 < 2.5, cached=0.01, new=2.5)
        ✓ the cached model loads faster than a new one
        >>> check_timing("the cached model loads faster than a new one", 3.0 < 2.5, cached=3.0, new=2.5)
        ! not on this run (a busy machine?): the cached model loads faster than a new one (cached=3, new=2.5)
    """
    _validated_and_recorded(claim, condition, None, numbers)
    print(f"✓ {claim}" if condition else f"! not on this run (a busy machine?): {claim}{_values(numbers)}")


def _validated_and_recorded(claim: str, condition: object, model: str | None, numbers: Mapping[str, object]) -> str | None:
    """Refuse a condition that is not a bool; append the claim to the record when one is kept; return its path."""
    if not isinstance(condition, (bool, np.bool_)):
        raise TypeError(f"condition must be a bool (the computed truth of the claim), got {type(condition).__name__}.")
    record = os.environ.get(RECORD_ENV_VAR)
    if record:
        _record(record, claim, bool(condition), model, numbers)
    return record


def _values(numbers: Mapping[str, object]) -> str:
    """`` (name=value, ...)`` for a message, or nothing when there are no numbers."""
    values = ", ".join(f"{name}={_format(value)}" for name, value in numbers.items())
    return f" ({values})" if values else ""


def _record(path: str, claim: str, held: bool, model: str | None, numbers: Mapping[str, object]) -> None:
    """Append one claim to the maintainers' record (``CAM_CLAIMS_RECORD``): numbers as flat lists of floats."""
    flat = {name: np.asarray(value, dtype=np.float64).ravel().tolist() for name, value in numbers.items()
            if _is_numeric(value)}
    with open(path, "a", encoding="utf-8") as file:
        file.write(json.dumps({"claim": claim, "held": held, "model": model, "numbers": flat}) + "\n")


def _is_numeric(value: object) -> bool:
    try:
        return np.asarray(value).dtype.kind in "biuf"
    except (TypeError, ValueError):
        return False


def _format(value: object) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.4g}"
    if isinstance(value, np.ndarray):
        return np.array2string(value, precision=4, separator=", ")
    return repr(value)
