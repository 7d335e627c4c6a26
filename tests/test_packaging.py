"""The package as users install it: lean imports, and a wheel that works without the repository."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

from helpers.paths import REPO_ROOT

NOT_FOR_THE_COMMAND_LINE = ("ipywidgets", "IPython", "jupyterlab", "sklearn", "lime", "pytorch_grad_cam")


def test_the_command_line_imports_neither_jupyter_nor_the_comparison_methods() -> None:
    code = f"import sys, helpers, helpers.cli; print([m for m in {NOT_FOR_THE_COMMAND_LINE!r} if m in sys.modules])"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout.strip() == "[]"


PUBLIC_API = {
    "load_model", "CamModel", "ModelUnavailableError",
    "load_image", "sample_image_path", "SAMPLE_IMAGES", "ImageError",
    "compute_cam", "CamResult", "compute_secam", "SecamResult",
    "overlay", "plot_topk", "plot_comparison", "save_figure",
}


def test_the_top_level_api_is_small_and_every_submodule_exports_what_it_lists() -> None:
    import helpers

    assert set(helpers.__all__) == PUBLIC_API
    assert all(hasattr(helpers, name) for name in helpers.__all__)
    for name in ("cam", "secam", "images", "models", "viz", "as_in_source", "diagrams"):
        module = importlib.import_module(f"helpers.{name}")
        missing = [n for n in module.__all__ if not hasattr(module, n)]
        assert not missing, (name, missing)
        assert not any(n.startswith(("check", "_")) for n in module.__all__), (name, module.__all__)
    assert {"masked", "CMAP", "draw_box", "explorer", "slic_controls"} <= set(importlib.import_module("helpers.viz").__all__)


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
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", tmp_path / "dist", REPO_ROOT])
    wheel = next((tmp_path / "dist").glob("*.whl"))
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
