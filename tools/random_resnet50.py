"""Run every notebook under ResNet50 with random weights: the code paths of ``CAM_MODEL=resnet50``.

ResNet50's ImageNet weights need a download, and no machine of this project has a network.
This lane writes a seeded random ResNet50 state dict where torchvision would cache the real
one (``$TORCH_HOME/hub/checkpoints/resnet50-<hash>.pth``, in a folder of its own), sets
``CAM_MODEL=resnet50`` and executes each notebook top to bottom. A notebook passes when no
cell raises: its general checks hold for any network, and every reading of a particular
prediction, checked on EfficientNet-Lite0, prints "not checked" instead. The random network's
predictions mean nothing; they are never shown or stored as results.

    .venv/bin/python -m tools.random_resnet50 notebooks/0*.ipynb --out outputs/resnet50_random

``make test-resnet50`` runs it on every notebook; CI runs that target.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import torch
from torchvision.models import resnet50

from tools import REPO_ROOT


def write_random_checkpoint(torch_home: Path, seed: int = 0) -> Path:
    """Save a seeded random ResNet50 state dict where ``helpers.load_model("resnet50")`` looks for the weights."""
    os.environ["TORCH_HOME"] = str(torch_home)
    from helpers.models import resnet50_checkpoint_path  # reads TORCH_HOME

    path = resnet50_checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    torch.save(resnet50(weights=None).state_dict(), path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "outputs" / "resnet50_random")
    args = parser.parse_args(argv)
    args.out = args.out.resolve()  # the notebooks run in their own folder: relative paths would point elsewhere
    args.out.mkdir(parents=True, exist_ok=True)
    checkpoint = write_random_checkpoint(args.out / "torch_home")
    env = {**os.environ, "CAM_MODEL": "resnet50", "TORCH_HOME": str(args.out / "torch_home"),
           "CAM_OUTPUT_DIR": str(args.out / "outputs")}
    print(f"random ResNet50 weights (code paths only): {checkpoint}")
    failed = []
    for notebook in args.notebooks:
        start = time.perf_counter()
        result = subprocess.run([str(REPO_ROOT / ".venv/bin/jupyter"), "nbconvert", "--to", "notebook", "--execute",
                                 "--ExecutePreprocessor.timeout=1800", "--log-level=WARN", "--output-dir", str(args.out),
                                 str(notebook.resolve())], env=env, cwd=notebook.resolve().parent, check=False)
        seconds = time.perf_counter() - start
        print(f"{notebook.name}: {'ran top to bottom' if result.returncode == 0 else 'FAILED'} in {seconds:.0f} s", flush=True)
        if result.returncode != 0:
            failed.append(notebook.name)
    if failed:
        print(f"a cell raised under random ResNet50 in: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
