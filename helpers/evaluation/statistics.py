"""The statistics behind the notebooks' comparisons: bootstrap and Wilson intervals, exact McNemar.

A difference between two methods is read from a paired interval over the items (photos,
clips, composites); :class:`Interval` carries the estimate and its bounds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["BOOTSTRAP_RESAMPLES", "Interval", "bootstrap_interval", "mcnemar_exact", "paired_bootstrap", "proportion_interval"]

BOOTSTRAP_RESAMPLES = 10_000
"""Resamples of every bootstrap interval."""


@dataclass(frozen=True)
class Interval:
    """An estimate with its 95 % (or other) confidence interval.

    Example:
        >>> from helpers.evaluation.statistics import Interval
        >>> interval = Interval(estimate=0.12, low=0.02, high=0.25)
        >>> print(interval)
        +0.120 [+0.020, +0.250]
        >>> interval.excludes_zero, 0.3 in interval
        (True, False)
    """

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

    Example:
        >>> import numpy as np
        >>> from helpers.evaluation.statistics import bootstrap_interval
        >>> scores = np.array([0.61, 0.55, 0.72, 0.48, 0.66, 0.59, 0.70, 0.52, 0.64, 0.57])  # one per photo
        >>> print(bootstrap_interval(scores))
        +0.604 [+0.559, +0.650]
        >>> print(bootstrap_interval(scores, np.median))
        +0.600 [+0.545, +0.670]

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

    Example:
        >>> import numpy as np
        >>> from helpers.evaluation.statistics import paired_bootstrap
        >>> a = np.array([0.31, 0.28, 0.40, 0.35, 0.22, 0.30, 0.38, 0.27, 0.33, 0.29])  # method A's AUC per photo
        >>> b = np.array([0.35, 0.30, 0.41, 0.42, 0.25, 0.36, 0.39, 0.33, 0.32, 0.34])  # method B's, same photos
        >>> difference = paired_bootstrap(a, b)
        >>> print(difference)
        -0.034 [-0.049, -0.018]
        >>> difference.excludes_zero
        True

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

    Example:
        >>> import numpy as np
        >>> from helpers.evaluation.statistics import proportion_interval
        >>> hits = np.array([True] * 8 + [False] * 2)  # e.g. pointing-game hits on 10 photos
        >>> print(proportion_interval(hits))
        +0.800 [+0.490, +0.943]

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

    Example:
        >>> from helpers.evaluation.statistics import mcnemar_exact
        >>> hits = [1, 1, 1, 1, 1, 1, 0, 1]  # method A finds the object on 7 of 8 photos
        >>> other = [0, 0, 0, 0, 0, 0, 0, 1]  # method B on 1, the last, where A does too
        >>> round(mcnemar_exact(hits, other), 3), mcnemar_exact(hits, hits)
        (0.031, 1.0)

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
