"""Where the project lives, and what follows from it: the notebooks' install cell and "Open in Colab" links.

The one setting is ``Repository`` under ``[project.urls]`` in ``pyproject.toml``: a GitHub
address. From it follow

- the first code cell of every notebook, which installs the project when it is missing (a cloud
  notebook such as Colab) and does nothing in a checkout where ``make`` installed it;
- the "Open in Colab" link of every notebook (README, the book's launch buttons).

The install cell has to carry the address itself (it runs before the project is there), so it
is written from the setting, never by hand:

    python -m helpers.launch           # rewrite the install cells from the setting
    python -m helpers.launch --check   # exit 1 if a notebook's install cell is out of date

``tests/test_launch.py`` fails when a cell or a README link no longer matches the setting.
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path
from typing import Any

from .paths import REPO_ROOT

__all__ = ["BRANCH", "DISTRIBUTION", "SOURCE_ENV_VAR", "colab_url", "github_path", "install_cell_source", "repository",
           "sync_install_cells"]

DISTRIBUTION = "cam-secam-tutorial"
"""The project's name on pip (``[project] name``)."""
EXTRAS = "baselines"
"""What a notebook needs beyond the core and the cloud notebook's own Jupyter, ipywidgets and
scikit-learn (Colab and Kaggle ship them): LIME and Grad-CAM. Reinstalling JupyterLab inside a
running cloud notebook could upset its server, so the ``notebooks`` extra is left out."""
BRANCH = "main"
"""The branch the Colab links open."""
SOURCE_ENV_VAR = "CAM_TUTORIAL_SOURCE"
"""Set it to install from elsewhere (a fork, a local folder): anything ``pip install`` accepts."""
NOTEBOOKS = REPO_ROOT / "notebooks"
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


def install_cell_source(address: str | None = None) -> str:
    """The source of the install cell, with the project's address written in.

    Where the project is not installed, the cell installs it: from ``$CAM_TUTORIAL_SOURCE`` when
    set, else from the checkout the notebook sits in (a clone opened without ``make``), else
    from the project's git. It asks pip for the distribution by name rather than looking for a
    module called ``helpers``, a name other folders use too.
    """
    return f'''{_MARKER} (Colab and the like): install this project when it is missing.
# In a checkout set up with `make`, it is installed already and this cell does nothing.
# Written by `python -m helpers.launch` from pyproject.toml's Repository; change it there.
import importlib.metadata
import os
import pathlib
import subprocess
import sys

try:
    importlib.metadata.version("{DISTRIBUTION}")
except importlib.metadata.PackageNotFoundError:
    checkout = pathlib.Path.cwd().parent  # this notebook inside a clone's notebooks/ folder
    here = (checkout / "helpers" / "launch.py").is_file()
    source = os.environ.get("{SOURCE_ENV_VAR}") or (checkout.as_uri() if here else "git+{address or repository()}")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", f"{DISTRIBUTION}[{EXTRAS}] @ {{source}}"], check=True)
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


def install_cell_is_current(notebook: Notebook, address: str | None = None) -> bool:
    """True when the notebook's first code cell is the install cell written from the setting."""
    index = _install_cell_index(notebook)
    return index == _first_code_index(notebook) and "".join(notebook["cells"][index]["source"]) == install_cell_source(address)


def sync_install_cells(folder: Path = NOTEBOOKS, check: bool = False) -> list[Path]:
    """Make every notebook's first code cell the current install cell; return the notebooks that were not.

    With ``check`` nothing is written. A notebook without one gets it as its first code cell.
    """
    address = repository()
    source = install_cell_source(address)
    stale = []
    for path in sorted(folder.glob("[0-9]*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        if install_cell_is_current(notebook, address):
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
