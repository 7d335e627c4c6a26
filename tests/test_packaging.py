"""The package as users install it: lean imports, and a wheel that works without the repository."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import pkgutil
import re
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import pytest

from tools.cloud_lane import build_wheel

NOT_FOR_THE_COMMAND_LINE = ("ipywidgets", "IPython", "jupyterlab", "sklearn", "lime", "pytorch_grad_cam")


def test_the_command_line_imports_neither_jupyter_nor_the_comparison_methods() -> None:
    # Also the subpackages the notebooks of a core-only install import (01, 03, 04, 06).
    code = ("import sys, helpers, helpers.cli, helpers.methods.baselines, helpers.teaching.timing, helpers.evaluation.faithfulness; "
            f"print([m for m in {NOT_FOR_THE_COMMAND_LINE!r} if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout.strip() == "[]"


PUBLIC_API = {
    "load_model", "CamModel", "ModelUnavailableError",
    "load_image", "sample_image_path", "SAMPLE_IMAGES", "ImageError",
    "compute_cam", "CamResult", "compute_secam", "SecamResult",
    "overlay", "plot_topk", "plot_comparison", "save_figure",
}


def _public_modules() -> list[str]:
    """Every module of the package whose name has no leading underscore (subpackages included)."""
    import helpers

    names = ["helpers"]
    for info in pkgutil.walk_packages(helpers.__path__, "helpers."):
        if not any(part.startswith("_") for part in info.name.split(".")) and "sample_images" not in info.name:
            names.append(info.name)
    return names


def test_the_top_level_api_is_small() -> None:
    import helpers

    assert set(helpers.__all__) == PUBLIC_API
    assert all(hasattr(helpers, name) for name in helpers.__all__)


@pytest.mark.parametrize("name", _public_modules())
def test_every_public_module_says_what_it_exports(name: str) -> None:
    module = importlib.import_module(name)
    assert isinstance(getattr(module, "__all__", None), list), f"{name} has no __all__"
    for exported in module.__all__:
        assert hasattr(module, exported) or importlib.util.find_spec(f"{name}.{exported}") is not None, (name, exported)
    assert not any(n.startswith("_") for n in module.__all__), (name, module.__all__)


def test_the_package_walk_finds_every_subpackage_and_no_maintainer_tool() -> None:
    modules = set(_public_modules())
    assert {"helpers.methods.cam", "helpers.evaluation.statistics", "helpers.datasets.composites", "helpers.teaching.claims",
            "helpers.cli.command", "helpers.viz"} <= modules
    assert not any(name.split(".")[-1] in {"course", "student", "launch", "bench", "object_masks"} for name in modules)


def test_no_module_of_the_package_knows_where_the_repository_is() -> None:
    package = Path(importlib.import_module("helpers").__file__).parent
    for source in package.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        assert "REPO_ROOT" not in text and "pyproject.toml" not in text, f"{source} refers to the repository"


def test_the_package_is_typed() -> None:
    assert (Path(importlib.import_module("helpers").__file__).parent / "py.typed").is_file()


def _run(command: list[str | Path], **kwargs) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(part) for part in command], capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, f"{command[:3]} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    return result


@pytest.mark.slow
def test_a_wheel_installed_outside_the_repository_explains_a_bundled_photo(tmp_path: Path) -> None:
    """Build the wheel, install it alone in a new venv, run ``cam-explain`` from an empty folder.

    The new venv reaches the heavy dependencies (torch, ...) of this test environment through a
    ``.pth`` line instead of installing them again; the package itself, its photos and its
    console script come only from the wheel.
    """
    start = time.perf_counter()
    wheel = build_wheel(tmp_path / "dist")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        sources = {name: archive.read(name).decode("utf-8") for name in names if name.endswith(".py")}
    assert all(name.startswith(("helpers/", "cam_secam_tutorial-")) for name in names), "the wheel holds more than the package"
    assert {"helpers/py.typed", "helpers/methods/cam.py", "helpers/evaluation/statistics.py", "helpers/datasets/composites.py",
            "helpers/teaching/claims.py", "helpers/cli/command.py", "helpers/sample_images/chelsea.png"} <= set(names)
    imports_tools = re.compile(r"^\s*(from|import) tools\b", re.MULTILINE)
    reaching = [name for name, text in sources.items() if "REPO_ROOT" in text or imports_tools.search(text)]
    assert not reaching, f"the wheel reaches into the checkout: {reaching}"
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", wheel])

    work = tmp_path / "anywhere"
    work.mkdir()
    env = {key: value for key, value in os.environ.items() if key not in ("CAM_OUTPUT_DIR", "PYTHONPATH")}
    env["CAM_MODEL"] = "efficientnet_lite0"
    photo = Path(_run([python, "-c", "import helpers; print(helpers.sample_image_path('chelsea.png'))"], cwd=work, env=env).stdout.strip())
    assert photo.is_file() and photo.is_relative_to(site), photo  # the photo came with the wheel
    _run([venv / "bin" / "cam-explain", photo, "--topk", "2"], cwd=work, env=env)

    out = work / "outputs" / "explain"
    assert {p.name for p in out.iterdir()} == {"chelsea.png", "chelsea.npz", "summary.json"}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["model"] == "efficientnet_lite0" and summary["images"][0]["labels"][0] == "Egyptian cat"
    print(f"wheel built, installed in a new venv and run in {time.perf_counter() - start:.1f} s")


@pytest.mark.parametrize("name", _public_modules())
def test_every_public_function_and_class_shows_a_runnable_example(name: str) -> None:
    # `make test-docs` runs them; this checks that none is missing.
    import inspect

    module = importlib.import_module(name)
    missing = [exported for exported in module.__all__
               if (inspect.isfunction(obj := getattr(module, exported, None)) or inspect.isclass(obj))
               and obj.__module__ == name and ">>> " not in (obj.__doc__ or "")]
    assert not missing, f"{name}: no doctest example in {missing}"
