"""``make bench``: how fast are CAM and SeCAM, as ratios measured side by side in one run.

Machines here are noisy, so every figure is a ratio of medians of interleaved repetitions
(A, B, A, B, ...) after warm-ups, on the offline model. Run: ``python -m tools.bench``.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from datetime import date

import cv2
import numpy as np
import torch

from helpers.images import load_image, preprocess, sample_image_path
from helpers.methods import baselines
from helpers.methods.cam import compute_cam
from helpers.methods.secam import compute_secam, superpixels
from helpers.models import DEFAULT_MODEL, load_model
from helpers.teaching import as_in_source
from helpers.teaching.timing import interleaved_medians

LARGE_SIZE = (3000, 4000)  # (H, W): a 12-megapixel photo
LARGE_RUNS = 3  # fresh processes; their median time is reported


def peak_memory_mb() -> float:
    """Peak resident memory of this process image, in MB.

    ``VmHWM`` from ``/proc/self/status`` restarts at ``exec``; ``ru_maxrss`` (the fallback off
    Linux) is inherited from the parent across ``fork`` and ``exec``, so a child started by a
    big parent would report the parent's peak.
    """
    try:
        with open("/proc/self/status") as status:
            return int(status.read().split("VmHWM:")[1].split()[0]) / 1024
    except (OSError, IndexError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def large_photo_run() -> dict[str, float]:
    """SeCAM of the top 5 classes of a 12-megapixel photo: seconds and peak memory of this process."""
    model = load_model(DEFAULT_MODEL)
    photo = cv2.resize(load_image(sample_image_path("chelsea.png")), LARGE_SIZE[::-1], interpolation=cv2.INTER_CUBIC)
    compute_secam(compute_cam(model, photo[:300, :400], topk=5), photo[:300, :400])  # warm-up on a small crop
    before = peak_memory_mb()
    start = time.perf_counter()
    compute_secam(compute_cam(model, photo, topk=5), photo)
    seconds = time.perf_counter() - start
    peak = peak_memory_mb()
    return {"seconds": seconds, "peak_mb": peak, "baseline_mb": before}


def large_photo_runs(runs: int) -> dict[str, float]:
    """:func:`large_photo_run` in ``runs`` fresh processes, each a cold start as on the command
    line: the median seconds, and the largest peak memory and baseline."""
    results = [json.loads(subprocess.run([sys.executable, "-m", "tools.bench", "--large-only"], check=True,
                                         capture_output=True, text=True).stdout.strip().splitlines()[-1])
               for _ in range(runs)]
    return {"seconds": float(np.median([r["seconds"] for r in results])),
            "peak_mb": max(r["peak_mb"] for r in results), "baseline_mb": max(r["baseline_mb"] for r in results)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=15, help="repetitions per measurement (default 15)")
    parser.add_argument("--large-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.large_only:
        print(json.dumps(large_photo_run()))
        return

    torch.manual_seed(0)
    model = load_model(DEFAULT_MODEL)
    image = load_image(sample_image_path("chelsea.png"))
    batch = preprocess(image, model)

    def forward() -> None:
        with torch.inference_mode():
            model.net(batch)

    def cam_top5():
        return compute_cam(model, image, topk=5)

    def secam_top5():
        return compute_secam(compute_cam(model, image, topk=5), image)

    def forward_then_slic() -> None:
        forward()
        superpixels(image, 50, 10.0)

    top5 = cam_top5().class_ids.tolist()
    print(f"make bench, {date.today()}, {platform.machine()} {torch.get_num_threads()} threads, "
          f"torch {torch.__version__}, model {DEFAULT_MODEL}, photo chelsea.png {image.shape[1]}x{image.shape[0]}")
    rows = []

    t_forward, t_cam = interleaved_medians([forward, cam_top5], args.repeats)
    rows.append(("CAM top-5 / one bare forward pass", t_cam / t_forward, "<= 1.15", t_cam / t_forward <= 1.15))

    t_base, t_secam = interleaved_medians([forward_then_slic, secam_top5], args.repeats)
    rows.append(("SeCAM top-5 / (forward pass + SLIC)", t_secam / t_base, "<= 1.10", t_secam / t_base <= 1.10))

    grad_cam = lambda: baselines.grad_cam_maps(model, image, top5, whole_network=True)  # noqa: E731  # as the package is usually run
    t_cam2, t_grad = interleaved_medians([cam_top5, grad_cam], max(3, args.repeats // 3))
    rows.append(("Grad-CAM top-5 / our CAM top-5", t_grad / t_cam2, ">= 10", t_grad / t_cam2 >= 10))

    t_secam2 = interleaved_medians([secam_top5], args.repeats)[0]
    start = time.perf_counter()
    baselines.lime_maps(model, image, [top5[0]], num_samples=1000)
    t_lime = time.perf_counter() - start
    rows.append(("LIME 1000 samples / our SeCAM top-5", t_lime / t_secam2, ">= 100", t_lime / t_secam2 >= 100))

    source_style = lambda: as_in_source.pipeline(image, model_name=DEFAULT_MODEL)  # noqa: E731
    t_source, t_ours = interleaved_medians([source_style, secam_top5], max(3, args.repeats // 3))
    rows.append(("source pipeline style / ours (SeCAM top-5)", t_source / t_ours, "> 1", t_source / t_ours > 1))

    large = large_photo_runs(LARGE_RUNS)

    print(f"\n{'measure':<44} {'value':>9}  {'goal':<8} result")
    for name, value, goal, met in rows:
        print(f"{name:<44} {value:>9.2f}  {goal:<8} {'met' if met else 'MISSED'}")
    print(f"{'SeCAM top-5 on a 4000x3000 photo, seconds':<44} {large['seconds']:>9.2f}  {'<= 2':<8} "
          f"{'met' if large['seconds'] <= 2 else 'MISSED'}")
    print(f"{'  peak memory of that process, MB':<44} {large['peak_mb']:>9.0f}  {'<= 1536':<8} "
          f"{'met' if large['peak_mb'] <= 1536 else 'MISSED'} (model and photo loaded: {large['baseline_mb']:.0f} MB)")
    print(f"\nmedians: forward {t_forward * 1e3:.1f} ms, CAM top-5 {t_cam * 1e3:.1f} ms, forward+SLIC {t_base * 1e3:.1f} ms, "
          f"SeCAM top-5 {t_secam * 1e3:.1f} ms, Grad-CAM top-5 {t_grad * 1e3:.0f} ms, LIME-1000 {t_lime:.1f} s, "
          f"source style {t_source * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
