"""The course page's study-time table is computed from the notebooks (helpers.course)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from helpers import course


def _notebook(tmp_path: Path, name: str, cells: list[tuple[str, str]]) -> Path:
    path = tmp_path / name
    notebook = {"cells": [{"cell_type": kind, "source": [text], "metadata": {}} for kind, text in cells],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


def test_the_readme_shows_the_table_the_notebooks_give() -> None:
    assert course.readme_table() == course.study_time_table(course.study_times()), "run `python -m helpers.course --write`"


def test_every_notebook_has_a_measured_run_time_and_a_plausible_estimate() -> None:
    times = course.study_times()
    assert [t.notebook[:2] for t in times] == sorted(course.RUN_SECONDS)
    for t in times:
        assert t.exercises >= 3 and 30 <= t.total <= 180, t


def test_the_estimate_counts_prose_code_and_exercises_but_not_solutions(tmp_path: Path) -> None:
    prose = "word " * 250
    path = _notebook(tmp_path, "01_x.ipynb", [
        ("markdown", f"# Title\n{prose}"),
        ("code", "x = 1\n# a comment\n\ny = 2"),
        ("markdown", "## Exercises\n\n1. One.\n2. Two.\n\nSolutions below."),
        ("markdown", "## Solutions"),
        ("code", "answer = 42\n" * 30),
        ("markdown", "## References"),
    ])
    t = course.study_time(path)
    words = 2 + 250 + 8 + 2  # title and prose, the exercises cell, the references heading; not the solutions
    assert (t.words, t.code_lines, t.code_cells, t.exercises) == (words, 2, 1, 2)
    assert t.reading == math.ceil(words / course.WORDS_PER_MINUTE + 2 / course.CODE_LINES_PER_MINUTE)
    assert t.running == math.ceil((course.RUN_SECONDS["01"] + course.SECONDS_PER_CELL) / 60)
    assert t.total == t.reading + t.running + 2 * course.MINUTES_PER_EXERCISE


def test_a_notebook_without_exercises_is_named(tmp_path: Path) -> None:
    path = _notebook(tmp_path, "01_x.ipynb", [("markdown", "# Title"), ("markdown", "## Solutions")])
    with pytest.raises(ValueError, match=r"01_x\.ipynb: no '## Exercises' heading"):
        course.study_time(path)


def test_writing_the_table_replaces_only_what_lies_between_the_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("before\n" + course.TABLE_MARKERS[0] + "old\n" + course.TABLE_MARKERS[1] + "\nafter\n", encoding="utf-8")
    course.write_readme_table("| new |", readme)
    assert readme.read_text(encoding="utf-8") == "before\n" + course.TABLE_MARKERS[0] + "| new |" + course.TABLE_MARKERS[1] + "\nafter\n"
    assert course.readme_table(readme) == "| new |"
