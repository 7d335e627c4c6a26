"""How far does every checked number move between code paths? A knife-edge detector for the claims.

Runs the notebooks in record mode (``CAM_CLAIMS_RECORD``, see :mod:`helpers.teaching.claims`) on up to
four code paths, PyTorch's native and portable kernels at 1 and 2 threads, and reports for
every claim whether it held on each path and how far each of its numbers moved (the spread,
max - min). A claim whose margin to its threshold is not several times its numbers' spread is
a knife edge: another CPU can flip it.

    .venv/bin/python -m tools.claim_spread notebooks/0[2-7]*.ipynb --out outputs/claim_spread
    .venv/bin/python -m tools.claim_spread notebooks/06*.ipynb --paths native-2 portable-1

The report (``report.txt`` in ``--out``) lists the claims that failed anywhere first, then the
claims whose numbers moved, largest relative spread first. Cells that raised are listed too
(``--allow-errors`` keeps each run going to the end).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from helpers.models import DEFAULT_MODEL
from tools import REPO_ROOT

PATHS = {
    "native-2": {"OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "2"},
    "native-1": {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"},
    "portable-2": {"OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "2", "ATEN_CPU_CAPABILITY": "default"},
    "portable-1": {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "ATEN_CPU_CAPABILITY": "default"},
}


def run(notebook: Path, path: str, out: Path, model: str) -> Path:
    """Execute ``notebook`` on code path ``path`` into ``out/path``; returns its claims record."""
    folder = out / path
    folder.mkdir(parents=True, exist_ok=True)
    record = folder / f"{notebook.stem}.jsonl"
    record.unlink(missing_ok=True)
    env = {**os.environ, **PATHS[path], "CAM_MODEL": model, "CAM_CLAIMS_RECORD": str(record),
           "CAM_OUTPUT_DIR": str(folder / "outputs")}
    subprocess.run([str(REPO_ROOT / ".venv/bin/jupyter"), "nbconvert", "--to", "notebook", "--execute", "--allow-errors",
                    "--ExecutePreprocessor.timeout=1200", "--log-level=WARN", "--output-dir", str(folder), str(notebook)],
                   env=env, check=True, cwd=notebook.parent)
    return record


def errors_in(executed: Path) -> list[str]:
    """``[index] ename: evalue`` of every cell of an executed notebook that raised."""
    cells = json.loads(executed.read_text())["cells"]
    return [f"[{i}] {output['ename']}: {output['evalue'][:300]}" for i, cell in enumerate(cells)
            for output in cell.get("outputs", []) if output.get("output_type") == "error"]


def load(record: Path) -> list[dict]:
    return [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []


def report(notebooks: list[Path], paths: list[str], out: Path) -> str:
    lines: list[str] = []
    for notebook in notebooks:
        runs = {path: load(out / path / f"{notebook.stem}.jsonl") for path in paths}
        lines.append(f"===== {notebook.name}: {', '.join(f'{p} {len(r)} claims' for p, r in runs.items())}")
        for path in paths:
            for error in errors_in(out / path / notebook.name):
                lines.append(f"  ERROR on {path}: {error}")
        # the n-th occurrence of a claim's text is the same claim on every path
        by_claim: dict[tuple[str, int], dict[str, dict]] = defaultdict(dict)
        for path, records in runs.items():
            seen: dict[str, int] = defaultdict(int)
            for entry in records:
                key = (entry["claim"], seen[entry["claim"]])
                seen[entry["claim"]] += 1
                by_claim[key][path] = entry
        failed, moved = [], []
        for (claim, _), entries in by_claim.items():
            held = {path: entries[path]["held"] for path in entries}
            if not all(held.values()) or len(entries) < len(paths):
                failed.append(f"  FAILED {sorted(p for p, h in held.items() if not h)} "
                              f"missing {sorted(set(paths) - set(entries))}: {claim}")
                failed += _numbers(entries)
                continue
            spread = _relative_spread(entries)
            if spread > 1e-6:
                moved.append((spread, [f"  moved {spread:.1e}: {claim}", *_numbers(entries)]))
        lines += failed
        for _, block in sorted(moved, key=lambda item: -item[0]):
            lines += block
    return "\n".join(lines)


def _relative_spread(entries: dict[str, dict]) -> float:
    worst = 0.0
    for name in next(iter(entries.values()))["numbers"]:
        values = [np.asarray(entry["numbers"].get(name, []), dtype=float) for entry in entries.values()]
        if len({v.shape for v in values}) != 1:
            return float("inf")  # a different number of values on another path
        if values[0].size == 0:
            continue
        stack = np.stack(values)
        scale = np.maximum(np.abs(stack).max(axis=0), 1e-12)
        worst = max(worst, float((np.ptp(stack, axis=0) / scale).max()))
    return worst


def _numbers(entries: dict[str, dict]) -> list[str]:
    names = sorted({name for entry in entries.values() for name in entry["numbers"]})
    rows = []
    for name in names:
        values = {path: entry["numbers"].get(name) for path, entry in entries.items()}
        shown = "; ".join(f"{path} {np.round(np.asarray(v, dtype=float), 4).tolist() if v is not None else '-'}"
                          for path, v in values.items())
        rows.append(f"      {name}: {shown}")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--paths", nargs="+", choices=list(PATHS), default=list(PATHS))
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "outputs" / "claim_spread")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--jobs", type=int, default=2, help="notebooks run at once (default 2; a 2-thread path counts double)")
    parser.add_argument("--report-only", action="store_true", help="report on the records already in --out")
    args = parser.parse_args(argv)
    notebooks = [path.resolve() for path in args.notebooks]
    args.out = args.out.resolve()  # the notebooks run in their own folder: relative paths would point elsewhere
    if not args.report_only:
        for path in args.paths:
            jobs = 1 if PATHS[path]["OMP_NUM_THREADS"] == "2" else args.jobs
            with ThreadPoolExecutor(jobs) as pool:
                list(pool.map(lambda notebook, path=path: run(notebook, path, args.out, args.model), notebooks))
            print(f"{path}: done", file=sys.stderr)
    text = report(notebooks, args.paths, args.out)
    (args.out / "report.txt").write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
