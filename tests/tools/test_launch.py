"""The one setting of where the project lives, and everything made from it (tools.launch)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tools import REPO_ROOT, launch

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("[0-9]*.ipynb"))


def _pyproject(tmp_path: Path, urls: str) -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text(f'[project]\nname = "x"\n{urls}', encoding="utf-8")
    return path


def test_the_setting_is_a_github_address_read_from_pyproject() -> None:
    address = launch.repository()
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", address)
    assert launch.colab_url("02_cam.ipynb", address) == (
        f"https://colab.research.google.com/github/{launch.github_path(address)}/blob/main/notebooks/02_cam.ipynb")


@pytest.mark.parametrize("urls", ["", "[project.urls]\nRepository = \"https://gitlab.com/a/b\"\n",
                                  "[project.urls]\nRepository = \"https://github.com/only-owner\"\n"])
def test_a_missing_or_non_github_setting_is_refused_with_its_place_named(tmp_path: Path, urls: str) -> None:
    with pytest.raises(ValueError, match=r"\[project.urls\] Repository must be https://github.com/OWNER/NAME"):
        launch.repository(_pyproject(tmp_path, urls))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_every_notebook_starts_with_the_install_cell_written_from_the_setting(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    assert launch.install_cell_is_current(notebook, path.name), f"run `python -m tools.launch` ({path.name})"
    source = "".join(next(cell for cell in notebook["cells"] if cell["cell_type"] == "code")["source"])
    assert f"git+{launch.repository()}" in source and launch.SOURCE_ENV_VAR in source


@pytest.mark.parametrize("name", ["01_resnet50_architecture.ipynb", "02_cam.ipynb"])
def test_the_install_cell_is_valid_python_that_does_nothing_when_the_project_is_there(
        name: str, capsys: pytest.CaptureFixture[str]) -> None:
    exec(compile(launch.install_cell_source(name), "install cell", "exec"), {})  # all installed here (make venv): no pip
    assert capsys.readouterr().out == ""


_NEEDS_BASELINES = re.compile(r"pytorch_grad_cam|\blime\b|baselines\.(grad_cam_maps|score_cam_maps|lime_maps)\(")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_a_notebook_installs_the_baselines_extra_exactly_when_its_code_uses_it(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    code = "\n".join("".join(cell["source"]) for cell in notebook["cells"][1:] if cell["cell_type"] == "code")
    uses = bool(_NEEDS_BASELINES.search(code))
    assert (launch.NOTEBOOK_EXTRAS.get(path.name) == "baselines") == uses, (path.name, uses)
    assert launch.extra_distributions("baselines") == ["grad-cam", "lime"]


def test_sync_rewrites_a_stale_cell_and_adds_a_missing_one(tmp_path: Path) -> None:
    stale, missing = json.loads(NOTEBOOKS[0].read_text(encoding="utf-8")), json.loads(NOTEBOOKS[1].read_text(encoding="utf-8"))
    first = next(i for i, cell in enumerate(stale["cells"]) if cell["cell_type"] == "code")
    stale["cells"][first]["source"] = [launch.install_cell_source("01_stale.ipynb", "https://github.com/old/place")]
    del missing["cells"][next(i for i, cell in enumerate(missing["cells"]) if cell["cell_type"] == "code")]
    for name, notebook in (("01_stale.ipynb", stale), ("02_missing.ipynb", missing)):
        (tmp_path / name).write_text(json.dumps(notebook), encoding="utf-8")
    assert [path.name for path in launch.sync_install_cells(tmp_path, check=True)] == ["01_stale.ipynb", "02_missing.ipynb"]
    assert (tmp_path / "01_stale.ipynb").read_text(encoding="utf-8") == json.dumps(stale)  # --check writes nothing
    launch.sync_install_cells(tmp_path)
    assert launch.sync_install_cells(tmp_path, check=True) == []
    assert len(json.loads((tmp_path / "02_missing.ipynb").read_text(encoding="utf-8"))["cells"]) == len(missing["cells"]) + 1


def test_the_readme_opens_every_notebook_in_colab_from_the_setting() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\[Open in Colab\]\(([^)]+)\)", readme)
    assert links == [launch.colab_url(path.name) for path in NOTEBOOKS]


def test_the_book_takes_its_repository_and_launch_buttons_from_the_setting() -> None:
    conf = (REPO_ROOT / "book" / "conf.py").read_text(encoding="utf-8")
    assert '"repository_url": repository()' in conf and "colab_url" in conf and "github.com" not in conf


@pytest.mark.parametrize(("where", "override", "expected"), [
    ("notebooks", None, (REPO_ROOT).as_uri()),                      # a clone opened without `make`: that clone
    ("elsewhere", None, f"git+{launch.repository()}"),              # a cloud notebook: the project's git
    ("notebooks", "file:///srv/fork", "file:///srv/fork"),          # CAM_TUTORIAL_SOURCE wins
    ("elsewhere", "WHEEL", "WHEEL_URI"),                            # a wheel on this machine, by its plain path
])
@pytest.mark.parametrize("name", ["01_resnet50_architecture.ipynb", "02_cam.ipynb"])
def test_where_the_install_cell_installs_from_when_the_project_is_missing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, override: str | None, expected: str, name: str) -> None:
    import importlib.metadata
    import subprocess

    calls: list[list[str]] = []
    installed = iter([False, True])  # missing when the cell starts, there after pip

    def version(distribution: str) -> str:
        if not next(installed):
            raise importlib.metadata.PackageNotFoundError(distribution)
        return "0.1.0"

    wheel = tmp_path / "cam_secam_tutorial-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"")
    override = str(wheel.relative_to(tmp_path)) if override == "WHEEL" else override
    expected = wheel.as_uri() if expected == "WHEEL_URI" else expected
    monkeypatch.setattr(importlib.metadata, "version", version)
    monkeypatch.setattr(subprocess, "run", lambda command, check: calls.append(command))
    monkeypatch.chdir(REPO_ROOT / "notebooks" if where == "notebooks" else tmp_path)
    if override:
        monkeypatch.setenv(launch.SOURCE_ENV_VAR, override)
    else:
        monkeypatch.delenv(launch.SOURCE_ENV_VAR, raising=False)
    exec(compile(launch.install_cell_source(name), "install cell", "exec"), {})
    extra = "[baselines]" if name == "02_cam.ipynb" else ""
    assert calls and calls[0][-1] == f"{launch.DISTRIBUTION}{extra} @ {expected}"
    assert calls[0][1:4] == ["-m", "pip", "install"]


def test_the_readme_installs_from_the_setting() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    addresses = set(re.findall(r"git\+(https://github\.com/[\w.-]+/[\w.-]+)", readme))
    assert addresses == {launch.repository()}
