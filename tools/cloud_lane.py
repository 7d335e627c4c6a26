"""The cloud lane: every notebook, alone, from the installed wheel, with only what its install cell installs.

What a student gets on Colab, rebuilt on this machine (CI runs it; ``make test-cloud``):

1. Build the project's wheel.
2. Make a new virtual environment holding only what a cloud notebook brings with it (Python,
   torch and torchvision, a Jupyter kernel, ipywidgets, scikit-learn) and nbconvert to run
   the notebooks. The project is not installed, and nothing of the checkout is on its path.
3. Copy each notebook, alone, into a new empty folder and run it top to bottom there, the full
   notebook and then its student copy, with ``$CAM_TUTORIAL_SOURCE`` set to the wheel's plain
   path. The install cell of the first notebook installs the wheel (and its dependencies from
   the package index); the first notebook that needs the ``baselines`` extra installs it. The
   notebooks that need no extra run first, before LIME or grad-cam is there, so one that
   reaches for them fails. A notebook that reads the repository fails too: there is none.
4. Run ``cam-explain`` in an empty folder on a photo and on a file that is not one.

Run: ``python -m tools.cloud_lane [--work DIR] [NOTEBOOK ...]`` (default: every notebook).
Exit status 1 when any step fails; every notebook is run and reported either way.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from helpers.models import DEFAULT_MODEL
from tools import NOTEBOOKS, REPO_ROOT
from tools.launch import DISTRIBUTION, NOTEBOOK_EXTRAS, SOURCE_ENV_VAR
from tools.student import student_notebook

__all__ = ["CLOUD_PACKAGES", "Run", "build_wheel", "fresh_venv", "main", "run_explain", "run_notebook"]

CLOUD_PACKAGES = ("ipykernel", "nbconvert", "ipywidgets", "scikit-learn")
"""What a cloud notebook (Colab, Kaggle) brings besides Python, torch and torchvision; nbconvert runs the notebooks."""
CELL_TIMEOUT = 600


@dataclass
class Run:
    """One step of the lane: a notebook (full or student copy) or the command line."""

    name: str
    seconds: float
    ok: bool
    detail: str = ""


def build_wheel(out: Path) -> Path:
    """Build the project's wheel into ``out`` from a clean copy of the checkout; return its path.

    The copy holds the files git tracks or would track (nothing it ignores), so no ``build/``
    folder of an earlier build can slip stale modules into the wheel.
    """
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=REPO_ROOT,
                           check=True, capture_output=True, text=True).stdout.split("\0")
    with tempfile.TemporaryDirectory(prefix="cam-wheel-") as folder:
        source = Path(folder) / "source"
        for name in filter(None, files):
            if (REPO_ROOT / name).is_file():
                (source / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(REPO_ROOT / name, source / name)
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(out),
                        str(source)], check=True)
    return next(out.glob("cam_secam_tutorial-*.whl"))


def fresh_venv(folder: Path) -> Path:
    """A new venv with what a cloud notebook brings and nothing of this project; returns its python."""
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(folder)], check=True)
    python = folder / "bin" / "python"
    torch_pins = [line.strip() for line in (REPO_ROOT / "constraints.txt").read_text().splitlines()
                  if line.strip().startswith(("torch==", "torchvision=="))]
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *torch_pins, *CLOUD_PACKAGES],
                   check=True)
    return python


def _importable(python: Path, module: str) -> bool:
    return subprocess.run([str(python), "-c", f"import {module}"], capture_output=True, cwd=tempfile.gettempdir()).returncode == 0


def _env() -> dict[str, str]:
    """This process's environment without anything that points into the checkout or its venv."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "CAM_OUTPUT_DIR", "VIRTUAL_ENV", "CAM_CLAIMS_RECORD", SOURCE_ENV_VAR)}
    return {**env, "CAM_MODEL": DEFAULT_MODEL}


def run_notebook(python: Path, notebook: dict, name: str, folder: Path, wheel: Path) -> Run:
    """Run ``notebook`` (saved as ``name``) alone in the empty ``folder``; check what its install cell did."""
    folder.mkdir(parents=True)
    (folder / name).write_text(json.dumps(notebook), encoding="utf-8")
    # A relative path, as a student would type it, from the folder the notebook runs in.
    env = {**_env(), SOURCE_ENV_VAR: os.path.relpath(wheel, folder)}
    start = time.perf_counter()
    result = subprocess.run([str(python), "-m", "nbconvert", "--to", "notebook", "--execute", "--output", "executed.ipynb",
                             f"--ExecutePreprocessor.timeout={CELL_TIMEOUT}", name], cwd=folder, env=env,
                            capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        return Run(name, seconds, False, result.stderr[-3000:])
    executed = json.loads((folder / "executed.ipynb").read_text(encoding="utf-8"))
    install = next(cell for cell in executed["cells"] if cell["cell_type"] == "code")
    printed = re.sub(r"\x1b\[[0-9;]*m", "", "".join("".join(output.get("text", "")) for output in install["outputs"]))
    unexpected = sorted({path.name for path in folder.iterdir()} - {name, "executed.ipynb", "outputs"})
    if unexpected:
        return Run(name, seconds, False, f"wrote outside outputs/: {unexpected}")
    return Run(name, seconds, True, printed.strip() or "(the project was already installed)")


def run_explain(python: Path, folder: Path) -> Run:
    """``cam-explain`` in an empty folder on a photo and on a file that is not one."""
    folder.mkdir(parents=True)
    shutil.copy(REPO_ROOT / "images" / "chelsea.png", folder / "my_cat.png")
    (folder / "not_a_photo.jpg").write_text("this is text", encoding="utf-8")
    start = time.perf_counter()
    result = subprocess.run([str(python.parent / "cam-explain"), "my_cat.png", "not_a_photo.jpg", "--topk", "3"],
                            cwd=folder, env=_env(), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    written = sorted(path.name for path in (folder / "outputs" / "explain").glob("*"))
    ok = (result.returncode == 1 and "not_a_photo.jpg" in result.stderr + result.stdout
          and any(name.startswith("my_cat") and name.endswith(".png") for name in written)
          and not any(name.startswith("not_a_photo") for name in written))
    return Run("cam-explain", seconds, ok, f"exit {result.returncode}; wrote {written}; {result.stderr.strip()[-300:]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: all in notebooks/)")
    parser.add_argument("--work", type=Path, help="working folder (default: a new temporary one, removed afterwards)")
    args = parser.parse_args(argv)
    paths = [path.resolve() for path in args.notebooks] or sorted(NOTEBOOKS.glob("[0-9]*.ipynb"))
    # The notebooks that need no extra first: LIME and grad-cam are not there yet when they run.
    paths.sort(key=lambda path: (path.name in NOTEBOOK_EXTRAS, path.name))
    work = Path(tempfile.mkdtemp(prefix="cloud-lane-")) if args.work is None else args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    try:
        return _lane(paths, work)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


def _lane(paths: list[Path], work: Path) -> int:
    start = time.perf_counter()
    wheel = build_wheel(work / "dist")
    python = fresh_venv(work / "venv")
    print(f"wheel {wheel.name}; fresh venv with {', '.join(CLOUD_PACKAGES)} and torch in {time.perf_counter() - start:.0f} s",
          flush=True)
    if _importable(python, "helpers") or _importable(python, "lime"):
        print("✗ the fresh venv already has the project or LIME")
        return 1
    runs: list[Run] = []
    for path in paths:
        if path.name not in NOTEBOOK_EXTRAS and (_importable(python, "lime") or _importable(python, "pytorch_grad_cam")):
            runs.append(Run(path.name, 0.0, False, "LIME or grad-cam is installed before a notebook that needs no extra"))
            continue
        full = json.loads(path.read_text(encoding="utf-8"))
        for label, notebook in (("full", full), ("student", student_notebook(full))):
            run = run_notebook(python, notebook, path.name, work / f"{path.stem}-{label}", wheel)
            run.name = f"{path.name} ({label})"
            runs.append(run)
            print(f"{'✓' if run.ok else '✗'} {run.name}: {run.seconds:.0f} s; {run.detail.splitlines()[-1] if run.ok else run.detail}",
                  flush=True)
    runs.append(run_explain(python, work / "explain"))
    print(f"{'✓' if runs[-1].ok else '✗'} cam-explain: {runs[-1].detail}")
    installed = subprocess.run([str(python), "-m", "pip", "show", DISTRIBUTION], capture_output=True, text=True).stdout
    print(f"{sum(run.ok for run in runs)} of {len(runs)} steps passed in {time.perf_counter() - start:.0f} s; "
          f"{installed.splitlines()[1] if installed else 'the project was never installed'}")
    return 0 if all(run.ok for run in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
