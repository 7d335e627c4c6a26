"""Explain image files: CAM and SeCAM of one photo written as a figure and an array file.

The engine of ``python -m helpers explain`` (:mod:`helpers.cli` parses the options and
reports progress). For each photo it writes, into one output folder:

- ``<name>.png``: the side-by-side figure (notebook 04's comparison; CAM-only runs draw
  notebook 02's top-k overlays);
- ``<name>.npz``: ``class_ids (k,) int64``, ``labels (k,) str``, ``probs (k,) float32``,
  ``logits (k,) float32``, ``bias (k,) float32``, ``cam (k, h, w) float32`` raw CAMs at
  feature resolution (``cam[i].mean() + bias[i] == logits[i]``), and for SeCAM
  ``segments (H, W) int32`` superpixel labels and ``secam (k, H, W) float32``.

Both files are written under temporary names and renamed together at the end, so a
failure leaves neither behind.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import matplotlib.pyplot as plt
import numpy as np

from helpers import _validate
from helpers.images import load_image
from helpers.methods.cam import CamResult, compute_cam
from helpers.methods.secam import COMPACTNESS, N_SEGMENTS, THRESHOLD, compute_secam
from helpers.models import CamModel
from helpers.paths import atomic_write
from helpers.viz import plot_comparison, plot_topk, write_png

__all__ = ["METHOD_CHOICES", "ExplainOptions", "Explained", "cam_arrays", "explain_image", "failure_entry", "output_names", "write_summary"]

METHOD_CHOICES: tuple[str, ...] = ("cam", "secam", "both")
"""``cam``: CAM only; ``secam``: SeCAM (its CAM is still saved, SeCAM is built on it); ``both``."""


@dataclass(frozen=True)
class ExplainOptions:
    """What to explain in each photo, and how.

    Example:
        >>> from helpers.cli.explain import ExplainOptions
        >>> options = ExplainOptions(method="secam", class_ids=(285, 282))  # Egyptian cat and tiger cat; topk is then ignored
        >>> options.uses_secam, options.n_segments
        (True, 50)
        >>> ExplainOptions(topk=0).check(num_classes=1000)
        Traceback (most recent call last):
            ...
        ValueError: topk must be an integer from 1 to 1000 (the number of classes), got 0.

    Attributes:
        method: one of ``METHOD_CHOICES``.
        topk: explain the ``topk`` most probable classes ...
        class_ids: ... or exactly these classes (then ``topk`` is ignored).
        n_segments, compactness: SLIC's options (notebook 03).
        threshold: the masks keep what is at least this fraction of each map's maximum.
    """

    method: str = "both"
    topk: int = 5
    class_ids: tuple[int, ...] | None = None
    n_segments: int = N_SEGMENTS
    compactness: float = COMPACTNESS
    threshold: float = THRESHOLD

    def check(self, num_classes: int) -> None:
        """Raise ``ValueError`` naming the first option a model with ``num_classes`` classes cannot use."""
        _validate.one_of(self.method, "method", METHOD_CHOICES)
        _validate.class_request(self.topk, self.class_ids, num_classes)
        _validate.secam_options(self.n_segments, self.compactness, self.threshold)

    @property
    def uses_secam(self) -> bool:
        return self.method != "cam"


@dataclass(frozen=True)
class Explained:
    """What was explained in one photo and which files hold it (one entry of ``summary.json``).

    Example:
        >>> from helpers.cli.explain import Explained
        >>> result = Explained(image="chelsea.png", size=(300, 451), class_ids=(285,), labels=("Egyptian cat",), probs=(0.79,),
        ...                    files=("out/chelsea.png", "out/chelsea.npz"))  # as explain_image returns it
        >>> result.as_json()
        {'image': 'chelsea.png', 'status': 'explained', 'size': [300, 451], 'classes': [285],
         'labels': ['Egyptian cat'], 'probs': [0.79], 'files': ['out/chelsea.png', 'out/chelsea.npz']}
    """

    image: str
    size: tuple[int, int]
    class_ids: tuple[int, ...]
    labels: tuple[str, ...]
    probs: tuple[float, ...]
    files: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        return {"image": self.image, "status": "explained", "size": list(self.size),
                "classes": list(self.class_ids), "labels": list(self.labels),
                "probs": list(self.probs), "files": list(self.files)}


def explain_image(model: CamModel, image: str | Path, options: ExplainOptions, out_dir: Path, name: str) -> Explained:
    """Explain one photo and write ``out_dir/<name>.png`` and ``out_dir/<name>.npz``.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> import helpers
        >>> from helpers.cli.explain import ExplainOptions, explain_image
        >>> photo, options = helpers.sample_image_path("chelsea.png"), ExplainOptions(method="cam", topk=2)
        >>> result = explain_image(helpers.load_model(), photo, options, Path(tempfile.mkdtemp()), name="cat")
        >>> result.labels, result.size, [Path(file).name for file in result.files]
        (('Egyptian cat', 'tiger cat'), (300, 451), ['cat.png', 'cat.npz'])

    Raises:
        FileNotFoundError, IsADirectoryError, ImageError: the photo cannot be read
            (see :func:`helpers.load_image`); nothing is written.
        ValueError: an option the helpers reject; nothing is written.
        OSError: the files cannot be written; none is left behind.
    """
    options.check(model.num_classes)
    rgb = load_image(image)
    cam = compute_cam(model, rgb, topk=options.topk, class_ids=options.class_ids)
    arrays = cam_arrays(cam)
    if options.uses_secam:
        secam = compute_secam(cam, rgb, n_segments=options.n_segments, compactness=options.compactness,
                              threshold=options.threshold)
        arrays |= {"segments": secam.segments.astype(np.int32), "secam": secam.maps}
        methods = ("cam", "secam") if options.method == "both" else ("secam",)
        figure = plot_comparison(rgb, secam, methods=methods)
    else:
        figure = plot_topk(rgb, cam)
    figure_path, arrays_path = out_dir / f"{name}.png", out_dir / f"{name}.npz"
    try:
        with atomic_write(arrays_path) as arrays_tmp, atomic_write(figure_path) as figure_tmp:
            write_png(figure, figure_tmp)
            np.savez_compressed(arrays_tmp, **cast(dict[str, Any], arrays))  # numpy's stubs would match a key to allow_pickle
    finally:
        plt.close(figure)
    return Explained(
        image=str(image),
        size=cam.image_size,
        class_ids=tuple(int(i) for i in cam.class_ids),
        labels=cam.labels,
        probs=tuple(float(p) for p in cam.probs),
        files=(str(figure_path), str(arrays_path)),
    )


def cam_arrays(cam: CamResult) -> dict[str, np.ndarray]:
    """The arrays of a :class:`CamResult` as saved in the ``.npz`` (see the module docstring).

    Example:
        >>> import numpy as np
        >>> import helpers
        >>> from helpers.cli.explain import cam_arrays
        >>> arrays = cam_arrays(helpers.compute_cam(helpers.load_model(), helpers.sample_image_path("chelsea.png"), topk=2))
        >>> {name: array.shape for name, array in arrays.items()}
        {'class_ids': (2,), 'labels': (2,), 'probs': (2,), 'logits': (2,), 'bias': (2,), 'cam': (2, 7, 7)}
        >>> bool(np.allclose(arrays["cam"].mean(axis=(1, 2)) + arrays["bias"], arrays["logits"], atol=1e-4))  # mean(M_c) + b_c = S_c
        True
    """
    return {"class_ids": cam.class_ids, "labels": np.array(cam.labels), "probs": cam.probs,
            "logits": cam.logits, "bias": cam.bias, "cam": cam.raw_maps}


def output_names(images: Sequence[str | Path]) -> list[str]:
    """One distinct file-name stem per image: its own stem, then ``-2``, ``-3`` ... on repeats.

    ``a/cat.jpg`` and ``b/cat.png`` become ``cat`` and ``cat-2``, so no output overwrites
    another in the same run.

    Example:
        >>> from helpers.cli.explain import output_names
        >>> output_names(["a/cat.jpg", "b/cat.png", "b/Cat.jpg", "dog.png"])
        ['cat', 'cat-2', 'Cat-3', 'dog']
    """
    names: list[str] = []
    taken: set[str] = set()
    for image in images:
        stem = Path(image).stem or "image"
        name, copy = stem, 1
        while name.casefold() in taken:  # case-insensitive file systems would collide too
            copy += 1
            name = f"{stem}-{copy}"
        taken.add(name.casefold())
        names.append(name)
    return names


def failure_entry(image: str | Path, message: str) -> dict[str, object]:
    """The ``summary.json`` entry of a photo that could not be explained.

    Example:
        >>> from helpers.cli.explain import failure_entry
        >>> failure_entry("missing.jpg", "No image file at missing.jpg; check the path and its spelling.")
        {'image': 'missing.jpg', 'status': 'failed', 'error': 'No image file at missing.jpg; check the path and its spelling.'}
    """
    return {"image": str(image), "status": "failed", "error": message}


def write_summary(path: Path, model: CamModel, options: ExplainOptions, entries: Sequence[dict[str, object]]) -> Path:
    """Write the run's ``summary.json`` atomically: the model, the options, one entry per photo.

    Nothing in it depends on the clock or the machine, so the same command on the same
    photos writes the same file.

    Example:
        >>> import json, tempfile
        >>> from pathlib import Path
        >>> import helpers
        >>> from helpers.cli.explain import ExplainOptions, failure_entry, write_summary
        >>> entries = [failure_entry("missing.jpg", "No image file at missing.jpg; check the path and its spelling.")]
        >>> path = write_summary(Path(tempfile.mkdtemp()) / "summary.json", helpers.load_model(), ExplainOptions(topk=3), entries)
        >>> summary = json.loads(path.read_text(encoding="utf-8"))
        >>> summary["model"], summary["options"]["topk"], summary["explained"], summary["failed"]
        ('efficientnet_lite0', 3, 0, 1)
    """
    summary = {
        "model": model.name,
        "weights": Path(model.weights).name if model.pretrained else model.weights,  # no machine paths
        "method": options.method,
        "options": {"topk": None if options.class_ids else options.topk,
                    "class_ids": list(options.class_ids) if options.class_ids else None,
                    "segments": options.n_segments, "compactness": options.compactness,
                    "threshold": options.threshold},
        "explained": sum(entry["status"] == "explained" for entry in entries),
        "failed": sum(entry["status"] == "failed" for entry in entries),
        "images": list(entries),
    }
    with atomic_write(path) as tmp:
        tmp.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
