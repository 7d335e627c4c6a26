"""Helpers for the CAM and SeCAM tutorial notebooks.

The notebooks import from here; each submodule has one job:

- ``models``: build a CAM-ready classifier once, capture its last feature maps.
- ``images``: sample photos and preprocessing to the model's input.
- ``architecture``: stage-by-stage shapes and parameter counts (notebook 01).
- ``viz``: save figures atomically into ``outputs/``.
- ``paths``: where photos live and where outputs go.
"""

from .architecture import StageInfo, format_stage_table, parameter_count, resnet_stages, stage_table
from .images import SAMPLE_IMAGES, load_image, preprocess, sample_image_path
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
from .viz import save_figure

__all__ = [
    "MODEL_NAMES",
    "SAMPLE_IMAGES",
    "CamModel",
    "ModelUnavailableError",
    "StageInfo",
    "capture_outputs",
    "clear_model_cache",
    "format_stage_table",
    "load_image",
    "load_model",
    "output_dir",
    "parameter_count",
    "preprocess",
    "resnet50_checkpoint_path",
    "resnet_stages",
    "sample_image_path",
    "save_figure",
    "stage_table",
]
