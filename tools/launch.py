"""Where the project lives, and what follows from it: the notebooks' install cell and "Open in Colab" links.

The one setting is ``Repository`` under ``[project.urls]`` in ``pyproject.toml``: a GitHub
address. From it follow

- the first code cell of every notebook, which installs the project when it is missing (a cloud
  notebook such as Colab) and does nothing in a checkout where ``make`` installed it;
- the "Open in Colab" link of every notebook (README, the book's launch buttons).

The install cell has to carry the address itself (it runs before the project is there), so it
is written from the setting, never by hand:

    python -m tools.launch           # rewrite the install cells from the setting
    python -m tools.launch --check   # exit 1 if a notebook's install cell is out of date

``tests/tools/test_launch.py`` fails when a cell or a README link no longer matches the setting.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

from tools import NOTEBOOKS, REPO_ROOT

__all__ = ["BRANCH", "DISTRIBUTION", "NOTEBOOK_EXTRAS", "SOURCE_ENV_VAR", "colab_url", "extra_distributions", "github_path",
           "install_cell_is_current", "install_cell_source", "repository", "requirement", "sync_install_cells"]

DISTRIBUTION = "cam-secam-tutorial"
"""The project's name on pip (``[project] name``)."""
NOTEBOOK_EXTRAS = {"02_cam.ipynb": "baselines", "05_evaluation.ipynb": "baselines", "07_ground_truth.ipynb": "baselines"}
"""The extra each notebook installs beyond the core; the others need none. The cloud notebook
brings its own Jupyter, ipywidgets and scikit-learn (Colab and Kaggle ship them), and
reinstalling JupyterLab inside a running cloud notebook could upset its server, so the
``notebooks`` extra is never installed by the cell. CI's cloud lane (``tools/cloud_lane.py``)
runs each notebook with exactly what its cell installs."""
BRANCH = "main"
"""The branch the Colab links open."""
SOURCE_ENV_VAR = "CAM_TUTORIAL_SOURCE"
"""Set it to install from elsewhere (a fork, a local folder): anything ``pip install`` accepts."""
_MARKER = "# Setup for a cloud notebook"
"""How an install cell starts; the cell that starts so is the one :func:`sync_install_cells` rewrites."""

Notebook = dict[str, Any]


def repository(pyproject: Path = REPO_ROOT / "pyproject.toml") -> str:
    """The project's GitHub address, ``https://github.com/OWNER/NAME``, read from ``pyproject``.

    Raises:
        ValueError: ``[project.urls] Repository`` is missing or not a GitHub address.
    """
    urls = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"].get("urls", {})
    address = str(urls.get("Repository", "")).rstrip("/")
    if not address.startswith("https://github.com/") or address.count("/") != 4:
        raise ValueError(f"{pyproject}: [project.urls] Repository must be https://github.com/OWNER/NAME; got {address!r}.")
    return address


def github_path(address: str) -> str:
    """``OWNER/NAME`` of a GitHub address."""
    return address.removeprefix("https://github.com/")


def colab_url(notebook: str, address: str | None = None) -> str:
    """The "Open in Colab" address of ``notebook`` (a file name in ``notebooks/``) on :data:`BRANCH`."""
    return f"https://colab.research.google.com/github/{github_path(address or repository())}/blob/{BRANCH}/notebooks/{notebook}"


def extra_distributions(extra: str, pyproject: Path = REPO_ROOT / "pyproject.toml") -> list[str]:
    """The distributions ``extra`` installs, by name (``[project.optional-dependencies]``, versions dropped)."""
    requirements = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["optional-dependencies"][extra]
    return [re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0] for requirement in requirements]


def requirement(notebook: str) -> str:
    """What the install cell of ``notebook`` (a file name) asks pip for, before ``@ source``."""
    extra = NOTEBOOK_EXTRAS.get(notebook)
    return f"{DISTRIBUTION}[{extra}]" if extra else DISTRIBUTION


def install_cell_source(notebook: str, address: str | None = None) -> str:
    """The source of the install cell of ``notebook`` (a file name), with the project's address written in.

    Where the project, or a package of the notebook's extra, is not installed, the cell installs
    them: from ``$CAM_TUTORIAL_SOURCE`` when set (a git URL, a folder or a wheel), else from the
    checkout the notebook sits in (a clone opened without ``make``), else from the project's
    git. It asks pip for the distributions by name rather than looking for a module called
    ``helpers``, a name other folders use too. A local path becomes a ``file://`` URL, the form
    pip takes after ``name @``.
    """
    extra = NOTEBOOK_EXTRAS.get(notebook)
    needs = [DISTRIBUTION, *(extra_distributions(extra) if extra else [])]
    why = f"  # the project and its {extra!r} extra" if extra else "  # the project; this notebook needs no extra"
    return f'''{_MARKER} (Colab and the like): install this project when it is missing.
# In a checkout set up with `make`, it is installed already and this cell does nothing.
# Written by `python -m tools.launch` from pyproject.toml's Repository; change it there.
import importlib.metadata
import os
import pathlib
import subprocess
import sys

NEEDS = {json.dumps(needs)}{why}


def installed(name):
    try:
        return bool(importlib.metadata.version(name))
    except importlib.metadata.PackageNotFoundError:
        return False


if not all(installed(name) for name in NEEDS):
    checkout = pathlib.Path.cwd().parent  # this notebook inside a clone's notebooks/ folder
    here = (checkout / "pyproject.toml").is_file() and (checkout / "helpers" / "__init__.py").is_file()
    source = os.environ.get("{SOURCE_ENV_VAR}") or (checkout.as_uri() if here else "git+{address or repository()}")
    if pathlib.Path(source).exists():  # a folder or a wheel on this machine
        source = pathlib.Path(source).resolve().as_uri()
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", f"{requirement(notebook)} @ {{source}}"], check=True)
    importlib.invalidate_caches()
    print(f"Installed {DISTRIBUTION} {{importlib.metadata.version('{DISTRIBUTION}')}} from {{source}}")'''


def _install_cell_index(notebook: Notebook) -> int | None:
    """The index of the notebook's install cell, or None."""
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "code" and "".join(cell["source"]).startswith(_MARKER):
            return index
    return None


def _first_code_index(notebook: Notebook) -> int:
    return next(index for index, cell in enumerate(notebook["cells"]) if cell["cell_type"] == "code")


def install_cell_is_current(notebook: Notebook, name: str, address: str | None = None) -> bool:
    """True when the first code cell of ``notebook`` (file name ``name``) is its install cell written from the setting."""
    index = _install_cell_index(notebook)
    return index == _first_code_index(notebook) and "".join(notebook["cells"][index]["source"]) == install_cell_source(name, address)


def sync_install_cells(folder: Path = NOTEBOOKS, check: bool = False) -> list[Path]:
    """Make every notebook's first code cell the current install cell; return the notebooks that were not.

    With ``check`` nothing is written. A notebook without one gets it as its first code cell.
    """
    address = repository()
    stale = []
    for path in sorted(folder.glob("[0-9]*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        source = install_cell_source(path.name, address)
        if install_cell_is_current(notebook, path.name, address):
            continue
        stale.append(path)
        if check:
            continue
        index = _install_cell_index(notebook)
        if index is None:
            index = _first_code_index(notebook)
            notebook["cells"].insert(index, {"cell_type": "code", "execution_count": None, "id": "install0",
                                             "metadata": {}, "outputs": [], "source": []})
        notebook["cells"][index]["source"] = source.splitlines(keepends=True)
        path.write_text(json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return stale


def main(argv: list[str] | None = None) -> int:
    check = "--check" in (sys.argv[1:] if argv is None else argv)
    stale = sync_install_cells(check=check)
    for path in stale:
        print(f"{path.name}: install cell {'out of date' if check else 'rewritten'}")
    return 1 if check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
