"""The course page's study times and lesson plans are computed from the notebooks (tools.course)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tools import course


def _notebook(folder: Path, name: str, cells: list[tuple[str, str]]) -> Path:
    path = folder / name
    notebook = {"cells": [{"cell_type": kind, "source": [text], "metadata": {}} for kind, text in cells],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


PROSE = "word " * 250
TOY = [
    ("markdown", f"# Title\n{PROSE}"),
    ("markdown", "## Setup"),
    ("code", "x = 1\n# a comment\n\ny = 2"),
    ("markdown", "## 1. First\n\nOne two three.\n\n## 2. Second\n\nFour."),
    ("code", "z = 3"),
    ("markdown", "## Exercises\n\n1. One.\n2. Two.\n\nSolutions below."),
    ("markdown", "## Solutions"),
    ("code", "answer = 42\n" * 30),
    ("markdown", "The end of the last solution.\n\n## References"),
]


@pytest.mark.parametrize("block", course.BLOCKS)
def test_the_readme_shows_what_the_module_computes(block: str) -> None:
    assert course.readme_block(block) == course.render(block), "run `python -m tools.course --write`"


def test_every_notebook_has_a_measured_run_time_and_a_plausible_estimate() -> None:
    times = course.study_times()
    assert [t.notebook[:2] for t in times] == sorted(course.RUN_SECONDS)
    for t in times:
        assert t.exercises >= 3 and 30 <= t.total <= 180, t


def test_the_estimate_counts_prose_code_and_exercises_but_not_solutions(tmp_path: Path) -> None:
    t = course.study_time(_notebook(tmp_path, "01_x.ipynb", TOY))
    words = 2 + 250 + 2 + 6 + 4 + 8 + 2  # title and prose, setup, section 1, section 2, exercises cell, references heading
    assert (t.words, t.code_lines, t.code_cells, t.exercises) == (words, 3, 2, 2)
    assert t.reading == math.ceil(words / course.WORDS_PER_MINUTE + 3 / course.CODE_LINES_PER_MINUTE)
    assert t.running == math.ceil((course.RUN_SECONDS["01"] + 2 * course.SECONDS_PER_CELL) / 60)
    per_exercise = course.MINUTES_PER_EXERCISE + 30 / course.SOLUTION_LINES_PER_MINUTE / 2
    assert t.exercise_minutes == math.ceil(2 * per_exercise)


def test_a_slot_is_estimated_from_its_sections_and_the_setup_carries_the_compute(tmp_path: Path) -> None:
    _notebook(tmp_path, "01_x.ipynb", TOY)
    second_section = course.slot_estimate(course.Slot(5, "", "01", ("2",)), tmp_path)
    assert second_section == pytest.approx(4 / course.WORDS_PER_MINUTE + 1 / course.CODE_LINES_PER_MINUTE + course.SECONDS_PER_CELL / 60)
    with_setup = course.slot_estimate(course.Slot(5, "", "01", ("Setup", "2"), (1,)), tmp_path)
    setup = 2 / course.WORDS_PER_MINUTE + 2 / course.CODE_LINES_PER_MINUTE + course.SECONDS_PER_CELL / 60
    assert with_setup == pytest.approx(second_section + setup + course.RUN_SECONDS["01"] / 60
                                       + course.MINUTES_PER_EXERCISE + 30 / course.SOLUTION_LINES_PER_MINUTE / 2)
    with pytest.raises(ValueError, match=r"no section\(s\) \['9'\]"):
        course.slot_estimate(course.Slot(5, "", "01", ("9",)), tmp_path)
    with pytest.raises(ValueError, match=r"exercise\(s\) \(3,\)"):
        course.slot_estimate(course.Slot(5, "", "01", ("1",), (3,)), tmp_path)


@pytest.mark.parametrize("name", course.PLANS)
def test_no_slot_of_a_plan_is_shorter_than_its_estimate_and_the_plans_fit_their_time(name: str) -> None:
    for plan in course.PLANS[name]:
        for slot in plan:
            assert slot.minutes >= math.ceil(course.slot_estimate(slot)), slot
        assert sum(slot.minutes for slot in plan) == 90 if name == "lab" else sum(slot.minutes for slot in plan) <= 180


def test_a_notebook_without_exercises_is_named(tmp_path: Path) -> None:
    path = _notebook(tmp_path, "01_x.ipynb", [("markdown", "# Title"), ("markdown", "## Solutions")])
    with pytest.raises(ValueError, match=r"01_x\.ipynb: no '## Exercises' heading"):
        course.study_time(path)


def test_writing_a_block_replaces_only_what_lies_between_its_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("before\n<!-- course:lab:start -->\nold\n<!-- course:lab:end -->\nafter\n", encoding="utf-8")
    course.write_readme_block("lab", "| new |", readme)
    assert readme.read_text(encoding="utf-8") == "before\n<!-- course:lab:start -->\n| new |\n<!-- course:lab:end -->\nafter\n"
    assert course.readme_block("lab", readme) == "| new |"
