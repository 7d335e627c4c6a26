"""Notebooks under pytest-xdist: the slow notebooks are handed out first.

``make test`` runs the unit tests and the notebooks on two workers (``pytest -n 2 --dist
loadfile --no-loadscope-reorder``). ``loadfile`` keeps each file on one worker, so a
notebook's cells run in order in one kernel; files are handed out in collection order, and
this hook puts the notebooks first, the slowest first: while one worker runs the slowest
notebook, the other runs the next, then the rest and the unit tests fill the gaps.
(``--dist loadgroup`` would not do: with pytest 9 it no longer groups anything.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

SLOWEST_FIRST = ("05_evaluation", "06_cam_on_spectrograms", "07_ground_truth")
"""Notebooks that take minutes, in the order the workers should start them; every other
notebook follows in its own order, then the unit tests."""


def _rank(item: pytest.Item) -> tuple[int, int]:
    path = Path(str(item.path))
    if path.suffix != ".ipynb":
        return (2, 0)
    return (0, SLOWEST_FIRST.index(path.stem)) if path.stem in SLOWEST_FIRST else (1, 0)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=_rank)  # stable: the cells of a notebook keep their order
