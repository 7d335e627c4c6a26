"""Timing that survives a noisy machine: medians of interleaved repetitions (A, B, A, B, ...)."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

__all__ = ["interleaved_medians"]


def interleaved_medians(functions: list[Callable[[], object]], repeats: int, warmup: int = 2) -> list[float]:
    """Median seconds of each function, run in turns so that machine noise hits all alike.

    Example:
        >>> from helpers.teaching.timing import interleaved_medians
        >>> seconds = interleaved_medians([lambda: sorted(range(1000)), lambda: sum(range(1000))], repeats=5)
        >>> len(seconds), all(isinstance(t, float) and t >= 0 for t in seconds)
        (2, True)
    """
    for function in functions:
        for _ in range(warmup):
            function()
    times: list[list[float]] = [[] for _ in functions]
    for _ in range(repeats):
        for i, function in enumerate(functions):
            start = time.perf_counter()
            function()
            times[i].append(time.perf_counter() - start)
    return [float(np.median(t)) for t in times]
