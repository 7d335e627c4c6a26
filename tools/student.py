"""Student notebooks: the exercises without their solutions, outputs cleared.

The committed notebooks are the answer key. Their solutions are marked once, by a section
convention: they start at the first markdown cell with a heading ``## Solutions`` or
``### Solution ...`` and run to the next ``## `` heading (the references), even where that
heading sits inside a cell, below the last solution's closing words. A student notebook
keeps every other cell, drops those, replaces the paragraphs that point to them ("Solutions
below.") with a note on where the answer key is, and clears every output.

    python -m tools.student [OUTPUT_DIR]   # default: outputs/student/

``make student`` runs it; ``make test-student`` then runs each student notebook top to bottom.
"""

from __future__ import annotations

import copy
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tools import NOTEBOOKS, REPO_ROOT

__all__ = ["ANSWER_KEY_NOTE", "marked_sources", "solution_cells", "student_notebook", "write_student_notebooks"]

OUTPUT_DIR = REPO_ROOT / "outputs" / "student"
ANSWER_KEY_NOTE = "*The solutions are in the answer key: the notebook of the same name in the repository's `notebooks/`.*"
_STARTS = re.compile(r"^(## Solutions\b|### Solution\b)", re.MULTILINE)
_ENDS = re.compile(r"^## (?!Solutions\b)", re.MULTILINE)
_POINTER = re.compile(r"solutions? below", re.IGNORECASE)

Notebook = dict[str, Any]


def solution_cells(notebook: Notebook) -> list[bool]:
    """One flag per cell: whether it belongs to the solutions (see the module's convention).

    Raises:
        ValueError: the notebook has no solutions section, so the convention would silently
            keep its answers (mark them with a ``## Solutions`` heading).
    """
    flags, inside, seen = [], False, False
    for cell in notebook["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            if _STARTS.search(text):
                inside = seen = True
            elif _ENDS.search(text):
                inside = False
        flags.append(inside)
    if not seen:
        raise ValueError("no '## Solutions' or '### Solution' heading found; mark the notebook's solutions with one.")
    return flags


def marked_sources(notebook: Notebook) -> Iterator[tuple[dict[str, Any], str, bool]]:
    """Each cell with its source and whether that source is solution.

    The cell that ends the solutions may open with the last solution's closing words before its
    ``## `` heading; it comes in two pieces, those words marked as solution and the rest not.
    """
    flags = solution_cells(notebook)
    for cell, solution, after_solution in zip(notebook["cells"], flags, [False, *flags[:-1]], strict=True):
        text = "".join(cell["source"])
        if after_solution and not solution and cell["cell_type"] == "markdown":
            end = _ENDS.search(text).start()  # type: ignore[union-attr]  # solution_cells ended the section here
            if end:
                yield cell, text[:end], True
            yield cell, text[end:], False
        else:
            yield cell, text, solution


def student_notebook(notebook: Notebook) -> Notebook:
    """A copy of ``notebook`` without its solutions, pointers to them replaced, outputs cleared."""
    kept = []
    for cell, text, solution in marked_sources(notebook):
        if solution:
            continue
        cell = copy.deepcopy(cell)
        if cell["cell_type"] == "markdown":
            text = "\n\n".join(ANSWER_KEY_NOTE if _POINTER.search(p) else p for p in text.split("\n\n"))
        elif cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        cell["source"] = text.splitlines(keepends=True)
        kept.append(cell)
    student = copy.deepcopy({**notebook, "cells": []})
    student["cells"] = kept
    return student


def write_student_notebooks(output_dir: Path = OUTPUT_DIR, notebooks: Path = NOTEBOOKS) -> list[Path]:
    """Write the student version of every numbered notebook into ``output_dir``; returns their paths."""
    output_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(notebooks.glob("[0-9]*.ipynb")):
        target = output_dir / path.name
        student = student_notebook(json.loads(path.read_text(encoding="utf-8")))
        target.write_text(json.dumps(student, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(target)
    return written


if __name__ == "__main__":
    for written_path in write_student_notebooks(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT_DIR):
        print(written_path)
