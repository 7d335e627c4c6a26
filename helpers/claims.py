"""Claims the notebooks make about their outputs, checked in the cell that makes them.

The claim contract (README, "For maintainers"): every sentence that states a number, a
comparison or a reading of a figure is backed by a :func:`check` before it. The check prints
one stable line, so strict nbval compares it on any machine, and raises with the numbers
when the claim stops holding, so ``make test`` fails instead of the prose going stale::

    check("CAM points into the box at least 5x as often as the random map",
          cam_rate >= 5 * random_rate, cam=cam_rate, random=random_rate)
    # ✓ CAM points into the box at least 5x as often as the random map

The intervals below carry the uncertainty of claims made across images or clips: a
difference is claimed only where its interval excludes 0.

For maintainers: with ``CAM_CLAIMS_RECORD`` set to a file path, every check appends one JSON
line (the claim, whether it held, the model, its numbers) to that file and a failing claim
prints ``✗ <claim> (numbers)`` instead of raising, so one run surveys every claim of a
notebook. ``tools/claim_spread.py`` runs the notebooks so on several code paths and reports
how far each checked number moves.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

BOOTSTRAP_RESAMPLES = 10_000


class ClaimError(AssertionError):
    """A claim the notebook's text makes no longer holds for the numbers computed."""


RECORD_ENV_VAR = "CAM_CLAIMS_RECORD"

STORED_MODEL = "efficientnet_lite0"
"""The model whose outputs are stored in the notebooks (``make execute`` and ``make test`` pin it)."""


def check(claim: str, condition: bool | np.bool_, *, model: str | None = None, **numbers: float) -> None:
    """Print ``✓ <claim>`` if ``condition`` holds, else raise :class:`ClaimError` naming both.

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


@dataclass(frozen=True)
class Interval:
    """An estimate with its 95 % (or other) confidence interval."""

    estimate: float
    low: float
    high: float

    @property
    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0

    def __contains__(self, value: float) -> bool:
        """``value in interval``: ``low <= value <= high``."""
        return self.low <= value <= self.high

    def __str__(self) -> str:
        return f"{self.estimate:+.3f} [{self.low:+.3f}, {self.high:+.3f}]"


def bootstrap_interval(
    values: np.ndarray,
    statistic: Callable[..., np.ndarray] = np.mean,
    *,
    level: float = 0.95,
    seed: int = 0,
) -> Interval:
    """``statistic(values)`` over items (clips, photos), with a percentile bootstrap interval.

    Args:
        values: ``(n,)`` one number per item, ``n >= 2``.
        statistic: called as ``statistic(x, axis=-1)`` (``np.mean``, the default, or ``np.median``).
        level: coverage of the interval, in (0, 1).
        seed: the resampling's random generator.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or len(values) < 2:
        raise ValueError(f"values must be one number per item for n >= 2 items, got shape {values.shape}.")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}.")
    picks = np.random.default_rng(seed).integers(0, len(values), size=(BOOTSTRAP_RESAMPLES, len(values)))
    resampled = statistic(values[picks], axis=-1)
    tail = 100 * (1 - level) / 2
    low, high = np.percentile(resampled, [tail, 100 - tail])
    return Interval(float(statistic(values, axis=-1)), float(low), float(high))


def paired_bootstrap(
    a: np.ndarray,
    b: np.ndarray,
    statistic: Callable[..., np.ndarray] = np.mean,
    *,
    level: float = 0.95,
    seed: int = 0,
) -> Interval:
    """The difference ``statistic(a - b)`` over paired items, with a percentile bootstrap interval.

    Items (photos, clips) are resampled with replacement, keeping each pair together.

    Args:
        a, b: ``(n,)`` the two methods' scores on the same ``n`` items.
        statistic, level, seed: as in :func:`bootstrap_interval`.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1 or len(a) < 2:
        raise ValueError(f"a and b must be paired scores of the same n >= 2 items, got shapes {a.shape} and {b.shape}.")
    return bootstrap_interval(a - b, statistic, level=level, seed=seed)


def proportion_interval(hits: np.ndarray, *, level: float = 0.95) -> Interval:
    """A share of successes with its Wilson score interval (good also near 0 and 1).

    Args:
        hits: ``(n,) bool``, one entry per trial.
    """
    from scipy.stats import norm

    hits = np.asarray(hits, dtype=bool)
    if hits.ndim != 1 or len(hits) == 0:
        raise ValueError(f"hits must be a non-empty 1-D array of booleans, got shape {hits.shape}.")
    n, share = len(hits), float(hits.mean())
    z = float(norm.ppf(1 - (1 - level) / 2))
    centre = (share + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(share * (1 - share) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return Interval(share, float(centre - half), float(centre + half))


def mcnemar_exact(hits: np.ndarray, other: np.ndarray) -> float:
    """Two-sided exact McNemar p-value for two methods' paired hits on the same items.

    Only the items where exactly one method hits carry information; under "no difference"
    each of them is equally likely to favour either method, a binomial test with p = 1/2.
    Returns 1.0 when no item is discordant.

    Args:
        hits, other: ``(n,) bool`` (or 0/1), one entry per item, in the same order.
    """
    from scipy.stats import binomtest

    hits, other = np.asarray(hits, dtype=bool), np.asarray(other, dtype=bool)
    if hits.shape != other.shape or hits.ndim != 1:
        raise ValueError(f"hits and other must be 1-D arrays of the same length, got shapes {hits.shape} and {other.shape}.")
    only_hits, only_other = int((hits & ~other).sum()), int((~hits & other).sum())
    if only_hits + only_other == 0:
        return 1.0
    return float(binomtest(only_hits, only_hits + only_other, 0.5).pvalue)
