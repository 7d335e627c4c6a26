"""Helpers for the CAM and SeCAM tutorial notebooks.

The notebooks import from here; each submodule has one job:

- ``models``: build a CAM-ready classifier once, capture its last feature maps.
- ``images``: read any photo as RGB, sample photos, preprocessing to the model's input.
- ``cam``: class activation maps for k classes from one forward pass; normalise, upsample.
- ``slic``: a step-by-step teaching SLIC in NumPy (notebook 03); use scikit-image's for photos.
- ``secam``: SeCAM, CAM averaged over SLIC superpixels at image resolution (notebook 04).
- ``metrics``: faithfulness (deletion, insertion, Average Drop) and localisation (pointing game).
- ``architecture``: stage-by-stage shapes and parameter counts (notebook 01).
- ``viz``: overlays, top-k grids; save figures atomically into ``outputs/``.
- ``paths``: where photos live, where outputs go, writing files atomically.
- ``birdcalls``: synthetic bird-call spectrograms with known call boxes (notebook 06).
- ``training``: train small CAM-ready classifiers on the CPU, from scratch or by transfer.
- ``explain`` and ``cli``: ``python -m helpers explain IMAGE ...``, the command line.
"""

from .architecture import StageInfo, format_stage_table, parameter_count, resnet_stages, stage_table
from .cam import NORMALISATIONS, CamResult, check_class_request, compute_cam, normalise, upsample
from .images import SAMPLE_IMAGES, ImageError, load_image, preprocess, sample_image_path
from .models import (
    MODEL_NAMES,
    CamModel,
    ModelUnavailableError,
    capture_outputs,
    clear_model_cache,
    load_model,
    resnet50_checkpoint_path,
)
from .paths import output_dir
from .secam import (
    SecamResult,
    check_secam_options,
    compute_secam,
    secam_as_in_source,
    segment_means,
    superpixels,
    threshold_masks,
)
from .viz import class_title, explorer, overlay, plot_comparison, plot_topk, save_figure

__all__ = [
    "MODEL_NAMES",
    "NORMALISATIONS",
    "SAMPLE_IMAGES",
    "CamModel",
    "CamResult",
    "ImageError",
    "ModelUnavailableError",
    "SecamResult",
    "StageInfo",
    "capture_outputs",
    "check_class_request",
    "check_secam_options",
    "class_title",
    "clear_model_cache",
    "compute_cam",
    "compute_secam",
    "explorer",
    "format_stage_table",
    "load_image",
    "load_model",
    "normalise",
    "output_dir",
    "overlay",
    "parameter_count",
    "plot_comparison",
    "plot_topk",
    "preprocess",
    "resnet50_checkpoint_path",
    "resnet_stages",
    "sample_image_path",
    "save_figure",
    "secam_as_in_source",
    "segment_means",
    "stage_table",
    "superpixels",
    "threshold_masks",
    "upsample",
]
