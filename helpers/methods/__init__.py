"""Saliency methods: CAM, SeCAM and the methods they are compared with, in one call shape.

- ``cam``: class activation maps for k classes from one forward pass; normalise, upsample.
- ``secam``: SeCAM, CAM averaged over SLIC superpixels at image resolution (notebook 04).
- ``baselines``: Grad-CAM, Grad-CAM++, Score-CAM and LIME (the ``baselines`` extra, imported
  only when called) and model-free maps (centre, edges, smooth random).

Every method is called as ``method(model, image, class_ids)`` and returns ``(k, H, W) float32``
in [0, 1], one map per class at the photo's resolution: :data:`METHODS` lists them by name::

    import helpers
    from helpers.methods import METHODS

    model, image = helpers.load_model(), helpers.load_image(helpers.sample_image_path("chelsea.png"))
    maps = {name: method(model, image, [285]) for name, method in METHODS.items()}  # (1, 300, 451) each

Score-CAM and LIME take the longest (one forward pass per feature map or per perturbed
image), and Grad-CAM, Grad-CAM++, Score-CAM and LIME need the ``baselines`` extra. CAM and
SeCAM also keep their result objects for teaching (``helpers.compute_cam``,
``helpers.compute_secam``); ``CamResult.raw_maps`` are the CAMs before normalising and upsampling.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import numpy as np

from helpers.methods import baselines, cam, secam
from helpers.models import CamModel

__all__ = ["METHODS", "SaliencyMethod", "baselines", "cam", "secam"]

SaliencyMethod = Callable[[CamModel, np.ndarray, Sequence[int]], np.ndarray]
"""``(model, image, class_ids) -> (k, H, W) float32`` in [0, 1]."""

METHODS: dict[str, SaliencyMethod] = {
    "CAM": cam.cam_maps,
    "SeCAM": secam.secam_maps,
    "Grad-CAM": partial(baselines.grad_cam_maps, method="Grad-CAM"),
    "Grad-CAM++": partial(baselines.grad_cam_maps, method="Grad-CAM++"),
    "Score-CAM": baselines.score_cam_maps,
    "LIME": baselines.lime_maps,
}
"""The saliency methods of the series by name, each in the one call shape (Grad-CAM, Score-CAM
and LIME need the ``baselines`` extra when called)."""
