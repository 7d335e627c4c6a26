"""Student notebooks: the committed notebooks without their solutions, outputs cleared."""

from __future__ import annotations

import json

import pytest

from tools import REPO_ROOT, student

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("[0-9]*.ipynb"))


def source(cell: dict) -> str:
    return "".join(cell["source"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_solution_leaks_and_everything_else_is_kept(path) -> None:
    key = json.loads(path.read_text(encoding="utf-8"))
    flags = student.solution_cells(key)
    solutions = [c for c, f in zip(key["cells"], flags, strict=True) if f]
    assert any(c["cell_type"] == "code" for c in solutions), "every notebook's solutions run code"
    version = student.student_notebook(key)
    texts = [source(c) for c in version["cells"]]
    for cell in solutions:
        assert source(cell) not in texts  # no solution cell survives, code or markdown
    closing = source(key["cells"][flags.index(True) + sum(flags)])  # the cell that ends the solutions
    last_words = closing[:student._ENDS.search(closing).start()].strip()
    assert not last_words or not any(last_words in t for t in texts), "the last solution's closing words leak"
    assert not any(line.startswith(("## Solutions", "### Solution")) for t in texts for line in t.splitlines())
    assert not any("solutions below" in t.lower() or "solution below" in t.lower() for t in texts)
    assert any("## Exercises" in t for t in texts)  # the exercises stay
    kept_code = [source(c) for c, f in zip(key["cells"], flags, strict=True) if not f and c["cell_type"] == "code"]
    assert [source(c) for c in version["cells"] if c["cell_type"] == "code"] == kept_code  # same code, same order
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in version["cells"] if c["cell_type"] == "code")


def test_a_pointer_to_the_solutions_is_replaced_and_a_notebook_without_solutions_is_refused() -> None:
    def cell(kind: str, text: str) -> dict:
        return {"cell_type": kind, "source": [text], "metadata": {}, **({"outputs": [1], "execution_count": 3} if kind == "code" else {})}

    notebook = {"cells": [cell("markdown", "## Exercises\n\n1. Do it.\n\nSolutions below."), cell("code", "x = 1"),
                          cell("markdown", "## Solutions\n\n**1.**"), cell("code", "answer = 42"),
                          cell("markdown", "So the answer is 42.\n\n## References"), cell("code", "print('end')")]}
    assert student.solution_cells(notebook) == [False, False, True, True, False, False]
    version = student.student_notebook(notebook)
    assert [source(c) for c in version["cells"]] == ["## Exercises\n\n1. Do it.\n\n" + student.ANSWER_KEY_NOTE, "x = 1", "## References",
                                                    "print('end')"]
    assert notebook["cells"][1]["outputs"] == [1]  # the answer key is left as it was
    with pytest.raises(ValueError, match="no '## Solutions'"):
        student.solution_cells({"cells": [cell("markdown", "## Exercises")]})


def test_the_student_notebooks_are_written_as_json(tmp_path) -> None:
    written = student.write_student_notebooks(tmp_path)
    assert [p.name for p in written] == [p.name for p in NOTEBOOKS]
    assert all(json.loads(p.read_text(encoding="utf-8"))["nbformat"] == 4 for p in written)
