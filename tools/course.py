"""Study time and lesson plans for the course page, computed from the notebooks rather than guessed.

An estimate, stated with its assumptions (no student was timed):

- **reading**: the prose at :data:`WORDS_PER_MINUTE` (technical text with equations is read
  slower than a novel) and the code at :data:`CODE_LINES_PER_MINUTE`; solutions left out;
- **running**: :data:`SECONDS_PER_CELL` per code cell to run it and look at what it shows,
  plus the notebook's compute time (:data:`RUN_SECONDS`: measured once by ``make execute``
  on 2 CPU cores with the offline model, solutions included; installing and downloading not
  included);
- **exercises**: :data:`MINUTES_PER_EXERCISE` each to read and plan, plus writing the
  solution's code at :data:`SOLUTION_LINES_PER_MINUTE` (the notebook's solution lines, shared
  evenly among its exercises).

A lesson plan is a list of :class:`Slot`: minutes, what to do, and the notebook sections it
covers. Each slot's estimate is the same arithmetic over its sections; ``tests/tools/test_course.py``
checks that no slot is shorter than its estimate and that the README shows what this module
renders:

    python -m tools.course           # print the study-time table and the plans
    python -m tools.course --write   # write them into README.md, between their markers
"""

from __future__ import annotations

import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from tools import NOTEBOOKS, REPO_ROOT
from tools.student import marked_sources

README = REPO_ROOT / "README.md"
WORDS_PER_MINUTE = 100
CODE_LINES_PER_MINUTE = 30
SECONDS_PER_CELL = 20
MINUTES_PER_EXERCISE = 5
SOLUTION_LINES_PER_MINUTE = 3
RUN_SECONDS = {"01": 19, "02": 20, "03": 11, "04": 18, "05": 95, "06": 94, "07": 69}
"""Compute time per notebook as each prints it, `make execute`, 2026-12-07, 2 cores (x86_64), no GPU."""
_HEADING = re.compile(r"^## (.+)$", re.MULTILINE)
_EXERCISE = re.compile(r"^\d+\.\s", re.MULTILINE)


@dataclass(frozen=True)
class Part:
    """A piece of a notebook: the section it belongs to, its kind, its text, whether it is a solution."""

    section: str
    kind: str
    text: str
    solution: bool


def _section_key(heading: str) -> str:
    """``"1"`` for ``## 1. Feature maps``; the first word (``"Setup"``, ``"Exercises"``) otherwise."""
    number = re.match(r"(\d+)\.", heading)
    return number.group(1) if number else heading.split()[0]


def parts(path: Path) -> list[Part]:
    """The notebook's cells, markdown split at its ``## `` headings; text before the first is ``"intro"``."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    section, found = "intro", []
    for cell, text, solution in marked_sources(notebook):
        if cell["cell_type"] != "markdown":
            found.append(Part(section, cell["cell_type"], text, solution))
            continue
        starts = [match.start() for match in _HEADING.finditer(text)]
        for start, end in zip([0, *starts], [*starts, len(text)], strict=True):
            heading = _HEADING.match(text, start)
            section = _section_key(heading.group(1)) if heading else section
            if text[start:end].strip():
                found.append(Part(section, "markdown", text[start:end], solution))
    return found


def _code_lines(text: str) -> int:
    """Lines of code a student reads: not blank, not a comment."""
    return sum(1 for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))


def _counts(pieces: list[Part]) -> tuple[int, int, int]:
    """Words of prose, lines of code and code cells in ``pieces``."""
    code = [p for p in pieces if p.kind == "code"]
    return sum(len(p.text.split()) for p in pieces if p.kind == "markdown"), sum(_code_lines(p.text) for p in code), len(code)


def _minutes(pieces: list[Part]) -> float:
    """Reading and running ``pieces`` (compute time aside), in minutes."""
    words, lines, cells = _counts(pieces)
    return words / WORDS_PER_MINUTE + lines / CODE_LINES_PER_MINUTE + SECONDS_PER_CELL * cells / 60


def exercise_count(pieces: list[Part], name: str) -> int:
    """The numbered items under the ``## Exercises`` heading of notebook ``name`` (its ``pieces``).

    Raises:
        ValueError: the notebook has no ``## Exercises`` section.
    """
    listing = "".join(p.text for p in pieces if p.section == "Exercises" and p.kind == "markdown" and not p.solution)
    if not listing:
        raise ValueError(f"{name}: no '## Exercises' heading to count exercises under.")
    return len(_EXERCISE.findall(listing))


def minutes_per_exercise(pieces: list[Part], name: str) -> float:
    """Reading and planning one exercise, plus writing an even share of the solutions' code."""
    solution_lines = sum(_code_lines(p.text) for p in pieces if p.solution and p.kind == "code")
    return MINUTES_PER_EXERCISE + solution_lines / SOLUTION_LINES_PER_MINUTE / exercise_count(pieces, name)


@dataclass(frozen=True)
class StudyTime:
    """One notebook's estimate, in whole minutes (each part rounded up)."""

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


def study_time(path: Path) -> StudyTime:
    """The estimate for one notebook (see the module's assumptions).

    Raises:
        KeyError: the notebook has no measured compute time in :data:`RUN_SECONDS`.
        ValueError: the notebook has no ``## Exercises`` section.
    """
    pieces = parts(path)
    words, lines, cells = _counts([p for p in pieces if not p.solution])
    exercises = exercise_count(pieces, path.name)
    reading = math.ceil(words / WORDS_PER_MINUTE + lines / CODE_LINES_PER_MINUTE)
    running = math.ceil((RUN_SECONDS[path.name[:2]] + SECONDS_PER_CELL * cells) / 60)
    return StudyTime(path.stem, words, lines, cells, exercises, reading, running,
                     math.ceil(exercises * minutes_per_exercise(pieces, path.name)))


def study_times(folder: Path = NOTEBOOKS) -> list[StudyTime]:
    """The estimate for every numbered notebook in ``folder``, in order."""
    return [study_time(path) for path in sorted(folder.glob("[0-9]*.ipynb"))]


def _hours(minutes: int) -> str:
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def study_time_table(times: list[StudyTime]) -> str:
    """The course page's study-time table, in Markdown."""
    rows = ["| notebook | words | code lines | reading | running | exercises | total |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for t in times:
        rows.append(f"| {t.notebook[:2]} | {t.words:,} | {t.code_lines:,} | {t.reading} min | {t.running} min | "
                    f"{t.exercise_minutes} min ({t.exercises}) | {_hours(t.total)} |")
    rows.append(f"| **all** | {sum(t.words for t in times):,} | {sum(t.code_lines for t in times):,} | "
                f"{sum(t.reading for t in times)} min | {sum(t.running for t in times)} min | "
                f"{sum(t.exercise_minutes for t in times)} min ({sum(t.exercises for t in times)}) | "
                f"**{_hours(sum(t.total for t in times))}** |")
    return "\n".join(rows)


@dataclass(frozen=True)
class Slot:
    """A stretch of a class: its minutes, what happens, and the notebook sections it covers.

    ``sections`` are keys of :func:`parts` (``"intro"``, ``"Setup"``, ``"1"``, ...); a slot that
    opens a notebook names ``"intro"`` and ``"Setup"`` and carries the notebook's compute time.
    ``exercises`` are solved in class. A slot without a notebook is a break or a discussion.
    """

    minutes: int
    what: str
    notebook: str = ""
    sections: tuple[str, ...] = ()
    exercises: tuple[int, ...] = ()


def _path(notebook: str, folder: Path = NOTEBOOKS) -> Path:
    return next(folder.glob(f"{notebook}_*.ipynb"))


def slot_estimate(slot: Slot, folder: Path = NOTEBOOKS) -> float:
    """Minutes the slot's sections and exercises take by the module's arithmetic (0 without a notebook).

    Raises:
        ValueError: a section or an exercise the notebook does not have.
    """
    if not slot.notebook:
        return 0.0
    path = _path(slot.notebook, folder)
    pieces = parts(path)
    kept = [p for p in pieces if not p.solution]
    unknown = set(slot.sections) - {p.section for p in kept}
    if unknown or not set(slot.exercises) <= set(range(1, exercise_count(pieces, path.name) + 1)):
        raise ValueError(f"{path.name} has no section(s) {sorted(unknown)} or exercise(s) {slot.exercises}.")
    compute = RUN_SECONDS[slot.notebook] / 60 if "Setup" in slot.sections else 0.0
    exercises = len(slot.exercises) * minutes_per_exercise(pieces, path.name)
    return _minutes([p for p in kept if p.section in slot.sections]) + compute + exercises


def _covered(slot: Slot) -> str:
    if not slot.notebook:
        return ""
    numbered = [s for s in slot.sections if s.isdigit()]
    named = [s.lower() for s in slot.sections if not s.isdigit() and s != "intro"]
    ranges: list[str] = []
    for number in numbered:
        if ranges and int(number) == int(ranges[-1].split("-")[-1]) + 1:
            ranges[-1] = f"{ranges[-1].split('-')[0]}-{number}"
        else:
            ranges.append(number)
    text = ", ".join(named + ([("§" if len(numbered) == 1 else "§§") + ", ".join(ranges)] if numbered else []))
    extra = f"; exercise {', '.join(map(str, slot.exercises))}" if slot.exercises else ""
    return f"{slot.notebook}: {text}{extra}"


def plan_table(plan: list[Slot], folder: Path = NOTEBOOKS) -> str:
    """A lesson plan in Markdown: clock, what, the notebook sections, and the computed estimate."""
    rows = ["| minutes | what | notebook: sections | estimate |", "|---|---|---|---:|"]
    clock = 0
    for slot in plan:
        estimate = f"{math.ceil(slot_estimate(slot, folder))} min" if slot.notebook else ""
        rows.append(f"| {clock}-{clock + slot.minutes} | {slot.what} | {_covered(slot)} | {estimate} |")
        clock += slot.minutes
    return "\n".join(rows)


def _first(*sections: str) -> tuple[str, ...]:
    """A notebook opened in this slot: its introduction and setup, then ``sections``."""
    return ("intro", "Setup", *sections)


def _numbers(first: int, last: int) -> tuple[str, ...]:
    return tuple(str(n) for n in range(first, last + 1))


LAB = [
    Slot(8, "open notebook 02 and run its setup cells (in Colab, start 03's and 04's too: each installs the project)", "02",
         _first()),
    Slot(34, "the four equations, the CAM identity and the pipeline, cell by cell; exercise 2 in pairs", "02",
         _numbers(1, 6), (2,)),
    Slot(21, "SLIC on the 5x5 grid: predict each step, then run it", "03", _first(*_numbers(1, 4))),
    Slot(27, "SeCAM: the equation, its three properties, CAM against SeCAM on six photos", "04", _first(*_numbers(1, 4))),
]
"""One 90-minute lab: from CAM's equations to SeCAM."""

SESSION_1 = [
    Slot(40, "the network CAM explains: stages, the bottleneck block, stride 32, the head", "01", _first(*_numbers(1, 7))),
    Slot(80, "CAM: the equations, the identity, the pipeline, reading maps; exercise 2 in pairs", "02",
         _first(*_numbers(1, 11)), (2,)),
    Slot(10, "break"),
    Slot(45, "SLIC worked by hand on the 5x5 grid, then against scikit-image; exercise 1", "03", _first(*_numbers(1, 7)), (1,)),
]
"""Session 1 of a two-session course: CAM and superpixels."""

SESSION_2 = [
    Slot(55, "SeCAM: equation, properties, side by side, parameters, the source's version; exercise 2", "04",
         _first(*_numbers(1, 5), "7"), (2,)),
    Slot(45, "evaluation on six photos: deletion and insertion, the table, what six photos carry", "05",
         _first(*_numbers(1, 4))),
    Slot(10, "break"),
    Slot(45, "CAM on a model you train: bird calls with known boxes, two models, CAM and SeCAM, pointing", "06",
         _first(*_numbers(1, 6))),
    Slot(15, "discussion: what the maps showed, and what they could not"),
]
"""Session 2: SeCAM and whether to trust a map."""

PLANS = {"lab": [LAB], "sessions": [SESSION_1, SESSION_2]}
"""The README's plan blocks (``<!-- course:lab:start -->`` ...), each one table per list."""


def render(block: str, folder: Path = NOTEBOOKS) -> str:
    """The Markdown of one README block: ``"study-time"`` or a key of :data:`PLANS`."""
    if block == "study-time":
        return study_time_table(study_times(folder))
    tables = [plan_table(plan, folder) for plan in PLANS[block]]
    if len(tables) == 1:
        return tables[0]
    return "\n\n".join(f"Session {number}:\n\n{table}" for number, table in enumerate(tables, start=1))


def _markers(block: str) -> tuple[str, str]:
    return f"<!-- course:{block}:start -->\n", f"\n<!-- course:{block}:end -->"


def readme_block(block: str, readme: Path = README) -> str:
    """The text between the README's markers of ``block``."""
    text = readme.read_text(encoding="utf-8")
    start, end = _markers(block)
    return text[text.index(start) + len(start):text.index(end)]


def write_readme_block(block: str, content: str, readme: Path = README) -> None:
    """Replace the text between the README's markers of ``block`` with ``content``."""
    start, end = _markers(block)
    text = readme.read_text(encoding="utf-8")
    readme.write_text(text.replace(start + readme_block(block, readme) + end, start + content + end), encoding="utf-8")


BLOCKS = ("study-time", *PLANS)

if __name__ == "__main__":
    for name in BLOCKS:
        rendered = render(name)
        if "--write" in sys.argv[1:]:
            write_readme_block(name, rendered)
        print(f"{name}:\n{rendered}\n")
