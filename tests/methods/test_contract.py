"""One call shape for every saliency method: ``(model, image, class_ids) -> (k, H, W) float32`` in [0, 1]."""

from __future__ import annotations

import numpy as np
import pytest

import helpers
from helpers.datasets import birdcalls
from helpers.methods import METHODS
from helpers.teaching import training


@pytest.fixture(scope="module")
def small_net() -> helpers.CamModel:
    """Notebook 06's small network (64 feature maps), untrained: Score-CAM and LIME stay cheap on it."""
    return training.scratch_model(birdcalls.SPECIES, 0.5, 0.25, seed=0)


@pytest.fixture(scope="module")
def wide_clip() -> np.ndarray:
    """``(48, 80, 3) uint8``: not square, so that a swapped height and width shows."""
    clip = helpers.load_image(birdcalls.make_dataset(3, seed=1).images[0])
    return np.ascontiguousarray(np.concatenate([clip, clip[:, :16]], axis=1)[8:56])


def test_the_registry_holds_the_series_methods() -> None:
    assert list(METHODS) == ["CAM", "SeCAM", "Grad-CAM", "Grad-CAM++", "Score-CAM", "LIME"]


@pytest.mark.parametrize("name", list(METHODS))
def test_every_method_returns_one_map_per_class_at_the_photos_size_in_0_1(name: str, small_net, wide_clip) -> None:
    cheap = {"num_samples": 50} if name == "LIME" else {}  # LIME's default 1000 perturbed images take seconds
    maps = METHODS[name](small_net, wide_clip, [2, 0], **cheap)
    assert maps.shape == (2, 48, 80) and maps.dtype == np.float32, (name, maps.shape, maps.dtype)
    assert maps.min() >= 0 and maps.max() <= 1, name
    assert maps.max() > 0, name
    alone = METHODS[name](small_net, wide_clip, [0], **cheap)
    np.testing.assert_allclose(alone[0], maps[1], atol=1e-5, err_msg=name)  # the order of class_ids is kept


def test_cam_and_secam_in_the_call_shape_are_their_result_objects_maps(small_net, wide_clip) -> None:
    cam = helpers.compute_cam(small_net, wide_clip, class_ids=[2, 0])
    np.testing.assert_array_equal(METHODS["CAM"](small_net, wide_clip, [2, 0]), cam.heatmaps())
    np.testing.assert_array_equal(METHODS["SeCAM"](small_net, wide_clip, [2, 0]), helpers.compute_secam(cam, wide_clip).maps)
