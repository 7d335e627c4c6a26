"""A notebook started in a fresh virtual environment without the project installs it and runs section 1.

As in Colab, the environment has Python's scientific stack and Jupyter but not this project: a
new venv sees the packages of .venv through a folder of links to them, minus the project's own
editable install. The notebook's install cell then runs as written, with its source pointed at
this repository's git (``CAM_TUTORIAL_SOURCE=git+file://localhost/...``, the mechanism Colab uses with
``git+https://``), so pip clones the committed HEAD and installs it. Nothing is downloaded: pip
runs with ``--no-index`` and without build isolation, every dependency already present.

Run by ``make test-launch`` and by CI (about a minute); not part of ``make test``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from importlib.metadata import version
from pathlib import Path

from helpers.launch import DISTRIBUTION, SOURCE_ENV_VAR, install_cell_is_current
from helpers.paths import REPO_ROOT

NOTEBOOK = REPO_ROOT / "notebooks" / "02_cam.ipynb"
OWN_FILES = ("__editable__", "cam_secam_tutorial")  # the project's editable install in .venv


def _first_section(notebook: dict) -> dict:
    """The notebook up to (not including) its section 2 heading."""
    cells = notebook["cells"]
    end = next(i for i, cell in enumerate(cells) if cell["cell_type"] == "markdown" and "".join(cell["source"]).startswith("## 2."))
    return {**notebook, "cells": cells[:end]}


def _fresh_venv(folder: Path) -> Path:
    """A new venv that sees .venv's packages but not this project; returns its python."""
    # Without pip of its own: the venv's bundled pip and setuptools would shadow .venv's newer ones.
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(folder / "venv")], check=True)  # type: ignore[attr-defined]
    borrowed = folder / "borrowed"
    borrowed.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not entry.name.startswith(OWN_FILES) and entry.suffix != ".pth":
            (borrowed / entry.name).symlink_to(entry)
    python = folder / "venv" / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    (Path(site) / "borrowed.pth").write_text(f"{borrowed}\n")
    return python


def test_the_notebook_checked_here_has_the_current_install_cell() -> None:
    assert install_cell_is_current(json.loads(NOTEBOOK.read_text(encoding="utf-8")))


def test_a_fresh_venv_installs_the_project_from_git_and_runs_section_1(tmp_path: Path) -> None:
    python = _fresh_venv(tmp_path)
    work = tmp_path / "work"  # a folder with nothing of the project in it, as a cloud notebook's
    work.mkdir()
    missing = subprocess.run([str(python), "-c", "import helpers"], capture_output=True, text=True, cwd=work)
    assert missing.returncode != 0 and "No module named 'helpers'" in missing.stderr, "the fresh venv already has the project"
    torch_there = subprocess.run([str(python), "-c", "import torch, matplotlib, ipykernel"], capture_output=True, text=True, cwd=work)
    assert torch_there.returncode == 0, torch_there.stderr

    section = tmp_path / "02_section_1.ipynb"
    section.write_text(json.dumps(_first_section(json.loads(NOTEBOOK.read_text(encoding="utf-8")))), encoding="utf-8")
    env = {**os.environ, SOURCE_ENV_VAR: f"git+file://localhost{REPO_ROOT}", "PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0",
           "CAM_MODEL": "efficientnet_lite0", "CAM_OUTPUT_DIR": str(tmp_path / "outputs"), "PYTHONPATH": ""}
    run = subprocess.run([str(python), "-m", "nbconvert", "--to", "notebook", "--execute", "--output", "executed.ipynb",
                          "--ExecutePreprocessor.timeout=600", str(section)], cwd=work, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]

    executed = json.loads((tmp_path / "executed.ipynb").read_text(encoding="utf-8"))
    printed = ["".join(output.get("text", "")) for cell in executed["cells"] if cell["cell_type"] == "code" for output in cell["outputs"]]
    assert printed[0].startswith(f"Installed {DISTRIBUTION} {version(DISTRIBUTION)} from git+file://"), printed[0]
    assert any("✓" in text for text in printed), "section 1 ran none of its checks"
    where = subprocess.run([str(python), "-c", "import helpers; print(helpers.__file__)"],
                           capture_output=True, text=True, env=env, cwd=work)
    assert str(tmp_path / "venv") in where.stdout, f"helpers was not installed into the fresh venv: {where.stdout}{where.stderr}"

