"""Study time per notebook, for the course page: computed from the notebooks, not guessed per notebook.

An estimate, stated with its assumptions (a student's time is not measured here):

- **reading**: the prose at :data:`WORDS_PER_MINUTE` (technical text with equations is read
  slower than a novel) and the code at :data:`CODE_LINES_PER_MINUTE`; solutions left out;
- **running**: the notebook's compute time on 2 CPU cores without a GPU (:data:`RUN_SECONDS`,
  measured by ``make tutorial``) plus :data:`SECONDS_PER_CELL` per code cell to run it and look
  at what it prints;
- **exercises**: :data:`MINUTES_PER_EXERCISE` each, counted from the ``## Exercises`` list.

    python -m helpers.course           # print the table the README and the book show
    python -m helpers.course --write   # write it into README.md, between its study-time markers

``tests/test_course.py`` fails when the README's table is not the one this module computes.
"""

from __future__ import annotations

import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from .paths import REPO_ROOT
from .student import solution_cells

NOTEBOOKS = REPO_ROOT / "notebooks"
README = REPO_ROOT / "README.md"
TABLE_MARKERS = ("<!-- course:study-time:start -->\n", "\n<!-- course:study-time:end -->")
WORDS_PER_MINUTE = 100
CODE_LINES_PER_MINUTE = 30
SECONDS_PER_CELL = 20
MINUTES_PER_EXERCISE = 10
RUN_SECONDS = {"01": 11, "02": 25, "03": 17, "04": 23, "05": 104, "06": 101, "07": 76}
"""Compute time per notebook, `make tutorial` in a fresh clone, 2026-12-05, 2 cores (x86_64), no GPU."""
_EXERCISE = re.compile(r"^\d+\.\s", re.MULTILINE)
_LISTING = re.compile(r"^## Exercises\s*\n(.*?)(?=^## |\Z)", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class StudyTime:
    """One notebook's estimate, in minutes (each part rounded up)."""

    notebook: str
    words: int
    code_lines: int
    code_cells: int
    exercises: int
    reading: int
    running: int
    exercise_minutes: int

    @property
    def total(self) -> int:
        return self.reading + self.running + self.exercise_minutes


def _words(text: str) -> int:
    return len(text.split())


def _code_lines(text: str) -> int:
    """Lines of code a student reads: not blank, not a comment."""
    return sum(1 for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))


def study_time(path: Path) -> StudyTime:
    """The estimate for one notebook (see the module's assumptions).

    Raises:
        KeyError: the notebook has no measured compute time in :data:`RUN_SECONDS`.
        ValueError: the notebook has no ``## Exercises`` list.
    """
    notebook = json.loads(path.read_text(encoding="utf-8"))
    kept = [cell for cell, solution in zip(notebook["cells"], solution_cells(notebook), strict=True) if not solution]
    sources = [("".join(cell["source"]), cell["cell_type"]) for cell in kept]
    words = sum(_words(text) for text, kind in sources if kind == "markdown")
    code = [text for text, kind in sources if kind == "code"]
    lines = sum(_code_lines(text) for text in code)
    listing = next((_LISTING.search(text) for text, kind in sources if kind == "markdown" and _LISTING.search(text)), None)
    if listing is None:
        raise ValueError(f"{path.name}: no '## Exercises' heading to count exercises under.")
    exercises = len(_EXERCISE.findall(listing.group(1)))
    number = path.name[:2]
    reading = math.ceil(words / WORDS_PER_MINUTE + lines / CODE_LINES_PER_MINUTE)
    running = math.ceil((RUN_SECONDS[number] + SECONDS_PER_CELL * len(code)) / 60)
    return StudyTime(path.stem, words, lines, len(code), exercises, reading, running, exercises * MINUTES_PER_EXERCISE)


def study_times(folder: Path = NOTEBOOKS) -> list[StudyTime]:
    """The estimate for every numbered notebook in ``folder``, in order."""
    return [study_time(path) for path in sorted(folder.glob("[0-9]*.ipynb"))]


def _hours(minutes: int) -> str:
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def study_time_table(times: list[StudyTime]) -> str:
    """The course page's table, in Markdown."""
    rows = ["| notebook | prose words | code lines (cells) | reading | running | exercises | total |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for t in times:
        rows.append(f"| {t.notebook} | {t.words:,} | {t.code_lines} ({t.code_cells}) | {t.reading} min | {t.running} min | "
                    f"{t.exercises} x {MINUTES_PER_EXERCISE} min | {_hours(t.total)} |")
    total = sum(t.total for t in times)
    rows.append(f"| **all** | {sum(t.words for t in times):,} | {sum(t.code_lines for t in times)} | "
                f"{sum(t.reading for t in times)} min | {sum(t.running for t in times)} min | "
                f"{sum(t.exercises for t in times)} exercises | **{_hours(total)}** |")
    return "\n".join(rows)


def readme_table(readme: Path = README) -> str:
    """The table between the README's study-time markers."""
    text = readme.read_text(encoding="utf-8")
    start, end = (text.index(marker) for marker in TABLE_MARKERS)
    return text[start + len(TABLE_MARKERS[0]):end]


def write_readme_table(table: str, readme: Path = README) -> None:
    """Replace the table between the README's study-time markers with ``table``."""
    text = readme.read_text(encoding="utf-8")
    old = readme_table(readme)
    readme.write_text(text.replace(TABLE_MARKERS[0] + old + TABLE_MARKERS[1], TABLE_MARKERS[0] + table + TABLE_MARKERS[1]),
                      encoding="utf-8")


if __name__ == "__main__":
    table = study_time_table(study_times())
    if "--write" in sys.argv[1:]:
        write_readme_table(table)
    print(table)
