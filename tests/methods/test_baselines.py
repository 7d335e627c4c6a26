"""The comparison maps: Grad-CAM and Grad-CAM++ from their package, and the model-free baselines."""

from __future__ import annotations

import subprocess
import sys

import cv2
import numpy as np
import pytest
import pytorch_grad_cam
import torch
from pytorch_grad_cam import GradCAM
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

import helpers
from helpers.datasets import birdcalls
from helpers.methods import baselines
from helpers.teaching import training
from tools import launch


def test_grad_cam_equals_relu_cam_on_a_network_with_global_average_pooling(lite0, chelsea) -> None:
    # With GAP then one linear layer, dS_c/dA_k(x, y) = w_k^c / (h w) at every cell, so Grad-CAM's
    # channel weights are CAM's divided by h w. The package then applies ReLU, upsamples, and
    # scales each map by its own min and max: so must we, and then the maps agree.
    photo = helpers.images.model_sized(chelsea, lite0)  # (224, 224, 3): no resizing after the package
    cam = helpers.compute_cam(lite0, photo, class_ids=[285, 281])
    grad = baselines.grad_cam_maps(lite0, photo, [285, 281])
    relu_cam = helpers.methods.cam.upsample(np.maximum(cam.raw_maps, 0), (224, 224))
    assert np.abs(grad - helpers.methods.cam.normalise(relu_cam, "minmax")).max() < 1e-3
    assert np.abs(grad - cam.heatmaps()).max() > 0.01  # CAM's relu_max keeps 0 where the map is 0


def test_grad_cam_plus_plus_is_another_map_with_the_same_shape(lite0, chelsea) -> None:
    grad = baselines.grad_cam_maps(lite0, chelsea, [285])
    plus = baselines.grad_cam_maps(lite0, chelsea, [285], method="Grad-CAM++")
    assert plus.shape == grad.shape == (1, 300, 451) and 0.99 < plus.max() <= 1.0 and plus.min() >= 0
    assert np.abs(plus - grad).max() > 0.05  # it weighs the channels differently
    with pytest.raises(ValueError, match="method must be one of Grad-CAM, Grad-CAM\\+\\+"):
        baselines.grad_cam_maps(lite0, chelsea, [285], method="Score-CAM")


@pytest.mark.parametrize("method", sorted(baselines.GRADIENT_METHODS))
def test_the_head_alone_gives_the_package_maps_of_the_whole_network(lite0, chelsea, method) -> None:
    # grad_cam_maps back-propagates through GAP and the linear layer only; the package run on
    # the whole network (its own resizing to the input, then ours to the photo) must agree.
    targets = [ClassifierOutputTarget(c) for c in (285, 281)]
    batch = helpers.images.preprocess(chelsea, lite0)
    package_class = getattr(pytorch_grad_cam, baselines.GRADIENT_METHODS[method])  # "GradCAM", "GradCAMPlusPlus"
    with package_class(model=lite0.net, target_layers=[lite0.feature_layer]) as explainer:
        whole = [cv2.resize(explainer(input_tensor=batch, targets=[t])[0], (451, 300)) for t in targets]
    lite0.net.zero_grad(set_to_none=True)  # the package leaves the whole network's gradients behind
    np.testing.assert_allclose(baselines.grad_cam_maps(lite0, chelsea, [285, 281], method=method), np.stack(whole), atol=1e-4)
    assert all(p.grad is None for p in lite0.net.parameters())  # no gradients left behind
    np.testing.assert_allclose(baselines.grad_cam_maps(lite0, chelsea, [285, 281], method=method, whole_network=True),
                               np.stack(whole), atol=1e-6)
    assert all(p.grad is None for p in lite0.net.parameters())


def test_a_head_that_is_not_gap_then_linear_goes_through_the_whole_network() -> None:
    # notebook 06's small network with global max pooling: the GAP head would not give its logits
    clips = birdcalls.make_dataset(4, seed=0)
    gmp = training.scratch_model(birdcalls.SPECIES, 0.5, 0.25, seed=0, pool="max")
    clip = helpers.load_image(clips.images[0])  # (64, 64, 3)
    batch = helpers.images.preprocess(clip, gmp)
    with GradCAM(model=gmp.net, target_layers=[gmp.feature_layer]) as explainer:
        whole = cv2.resize(explainer(input_tensor=batch, targets=[ClassifierOutputTarget(1)])[0], (64, 64))
    np.testing.assert_allclose(baselines.grad_cam_maps(gmp, clip, [1])[0], whole, atol=1e-5)


def test_score_cam_weighs_each_feature_map_by_the_score_of_the_input_it_masks() -> None:
    # notebook 06's small network has 64 feature maps: Score-CAM is 64 forward passes, cheap
    clips = birdcalls.make_dataset(4, seed=0)
    net = training.scratch_model(birdcalls.SPECIES, 0.5, 0.25, seed=0)
    clip = helpers.load_image(clips.images[0])
    maps = baselines.score_cam_maps(net, clip, [0, 1])
    assert maps.shape == (2, 64, 64) and maps.dtype == np.float32 and maps.min() >= 0 and maps.max() == pytest.approx(1.0)
    # by hand: scale each upsampled feature map to [0, 1], mask the input with it, softmax the class scores
    batch = helpers.images.preprocess(clip, net)
    _, features = net.forward_with_features(batch)
    upsampled = torch.nn.functional.interpolate(features, size=(64, 64), mode="bilinear", align_corners=True)[0]  # (64, 64, 64)
    low, high = upsampled.amin(dim=(1, 2), keepdim=True), upsampled.amax(dim=(1, 2), keepdim=True)
    masks = (upsampled - low) / (high - low + 1e-8)
    with torch.inference_mode():
        scores = net.net(batch * masks[:, None])  # (64, 3): each class's logit on each masked input
    for class_id in (0, 1):
        weights = scores[:, class_id].softmax(dim=0).numpy()  # (64,)
        by_hand = np.maximum(np.einsum("k,khw->hw", weights, features[0].numpy()), 0)
        np.testing.assert_allclose(maps[class_id], helpers.methods.cam.normalise(cv2.resize(by_hand, (64, 64)), "minmax"), atol=1e-4)


def test_the_centre_map_peaks_in_the_middle_and_falls_symmetrically() -> None:
    centre = baselines.centre_map((101, 151))
    assert centre.shape == (101, 151) and centre.dtype == np.float32
    assert np.unravel_index(np.argmax(centre), centre.shape) == (50, 75) and centre.max() == pytest.approx(1.0)
    np.testing.assert_allclose(centre, centre[::-1, ::-1], atol=1e-7)
    # one standard deviation (a quarter of the side) from the centre: exp(-1/2)
    assert centre[50, 75 + round(0.25 * 151)] == pytest.approx(np.exp(-0.5), abs=0.01)


def test_the_edge_map_lights_up_at_a_step_and_not_on_flat_ground() -> None:
    photo = np.zeros((40, 60, 3), dtype=np.uint8)
    photo[:, 30:] = 255  # one vertical edge between columns 29 and 30
    edges = baselines.edge_map(photo)
    assert edges.max() == pytest.approx(1.0) and edges[:, 29:31].min() > 0.9
    assert edges[:, :15].max() < 1e-3 and edges[:, 45:].max() < 1e-3


def test_the_smooth_random_map_is_seeded_smooth_and_in_range() -> None:
    first, again, other = (baselines.smooth_random_map((224, 224), seed=s) for s in (3, 3, 4))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    assert first.min() >= 0 and first.max() == pytest.approx(1.0)
    assert np.abs(np.diff(first, axis=1)).max() < 0.05  # 7x7 values over 224 pixels: small steps


def test_without_the_baselines_extra_the_module_imports_and_each_method_names_the_extra(tmp_path) -> None:
    # A fresh interpreter in which lime and pytorch_grad_cam cannot be imported, as after `pip install cam-secam-tutorial`.
    code = """
import sys
sys.modules["lime"] = sys.modules["pytorch_grad_cam"] = None  # import of either now raises ModuleNotFoundError
import numpy as np
from helpers.methods import baselines
assert baselines.centre_map((8, 8)).shape == (8, 8)  # the model-free maps need no extra
for call in (lambda: baselines.grad_cam_maps(None, np.zeros((8, 8, 3), np.uint8), [0]),
             lambda: baselines.score_cam_maps(None, np.zeros((8, 8, 3), np.uint8), [0]),
             lambda: baselines.lime_maps(None, np.zeros((8, 8, 3), np.uint8), [0])):
    try:
        call()
    except ModuleNotFoundError as error:
        print(error)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3, result.stdout
    command = f'pip install "cam-secam-tutorial[baselines] @ git+{launch.repository()}"'  # from the installed metadata
    assert all(line.endswith(f"Install it with: {command}") for line in lines), lines
    assert [line.split()[0] for line in lines] == ["pytorch_grad_cam", "pytorch_grad_cam", "lime.lime_image"]
