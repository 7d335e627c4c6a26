"""CAM: the identity with the logits, one pass for k classes, normalisation, upsampling, Grad-CAM."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch
from pytorch_grad_cam import GradCAM
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

import helpers
from helpers.methods.cam import normalise, upsample


@pytest.fixture(scope="module")
def chelsea_cam(lite0: helpers.CamModel, chelsea: np.ndarray) -> helpers.CamResult:
    return helpers.compute_cam(lite0, chelsea, topk=5)


# --- the CAM identity and the result's fields --------------------------------------------------


@pytest.mark.parametrize("model_fixture", ["lite0", "resnet_random"])
def test_mean_of_each_cam_plus_bias_is_the_logit(model_fixture: str, request: pytest.FixtureRequest, chelsea) -> None:
    model: helpers.CamModel = request.getfixturevalue(model_fixture)
    cam = helpers.compute_cam(model, chelsea, class_ids=list(range(model.num_classes)))
    np.testing.assert_allclose(cam.raw_maps.mean(axis=(1, 2)) + cam.bias, cam.logits, rtol=0, atol=1e-4)


def test_topk_is_sorted_by_probability_and_matches_the_network(lite0: helpers.CamModel, chelsea, chelsea_cam) -> None:
    with torch.inference_mode():
        probs = lite0.net(helpers.images.preprocess(chelsea, lite0)).softmax(dim=1)[0]
    expected = probs.topk(5)
    np.testing.assert_array_equal(chelsea_cam.class_ids, expected.indices.numpy())
    np.testing.assert_allclose(chelsea_cam.probs, expected.values.numpy(), rtol=1e-6)
    assert chelsea_cam.labels[0] == "Egyptian cat"
    assert chelsea_cam.raw_maps.shape == (5, 7, 7) and chelsea_cam.raw_maps.dtype == np.float32
    assert chelsea_cam.image_size == (300, 451) and chelsea_cam.model_name == "efficientnet_lite0"
    np.testing.assert_allclose(chelsea_cam.bias, lite0.fc_bias[expected.indices].numpy())


def test_maps_equal_the_weighted_sum_of_feature_maps_class_by_class(lite0: helpers.CamModel, chelsea, chelsea_cam) -> None:
    _, features = lite0.forward_with_features(helpers.images.preprocess(chelsea, lite0))
    f = features[0].numpy()  # (C, h, w)
    for class_id, cam_map in zip(chelsea_cam.class_ids, chelsea_cam.raw_maps, strict=True):
        w = lite0.fc_weight[class_id].numpy()  # (C,)
        expected = (w[:, None, None] * f).sum(axis=0)
        np.testing.assert_allclose(cam_map, expected, rtol=0, atol=1e-4)


def test_all_classes_come_from_one_forward_pass(lite0: helpers.CamModel, chelsea) -> None:
    calls = []
    handle = lite0.net.register_forward_pre_hook(lambda module, inputs: calls.append(1))
    try:
        helpers.compute_cam(lite0, chelsea, topk=10)
    finally:
        handle.remove()
    assert len(calls) == 1


def test_explicit_class_ids_keep_their_order(lite0: helpers.CamModel, chelsea) -> None:
    cam = helpers.compute_cam(lite0, chelsea, class_ids=[968, 285])  # cup, Egyptian cat
    assert cam.class_ids.tolist() == [968, 285] and cam.labels == ("cup", "Egyptian cat")
    assert cam.probs[1] > cam.probs[0]


def test_compute_cam_reads_a_path(lite0: helpers.CamModel, chelsea_cam) -> None:
    from_path = helpers.compute_cam(lite0, helpers.sample_image_path("chelsea.png"), topk=5)
    np.testing.assert_array_equal(from_path.raw_maps, chelsea_cam.raw_maps)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"topk": 0}, "topk must be an integer from 1 to 1000"),
        ({"topk": 1001}, "topk must be an integer from 1 to 1000"),
        ({"topk": True}, "topk must be an integer"),
        ({"topk": 2.0}, "topk must be an integer"),
        ({"class_ids": [1000]}, "Unknown class id 1000"),
        ({"class_ids": [-1]}, "Unknown class id -1"),
        ({"class_ids": ["cat"]}, "Unknown class id 'cat'"),
        ({"class_ids": []}, "class_ids is empty"),
    ],
)
def test_bad_class_choices_get_clear_errors(lite0: helpers.CamModel, chelsea, kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        helpers.compute_cam(lite0, chelsea, **kwargs)


@pytest.mark.parametrize("kwargs", [{"class_ids": [1000]}, {"topk": 0}])
def test_bad_class_choices_are_refused_before_the_forward_pass(lite0: helpers.CamModel, chelsea, kwargs: dict) -> None:
    calls = []
    handle = lite0.net.register_forward_pre_hook(lambda module, inputs: calls.append(1))
    try:
        with pytest.raises(ValueError):
            helpers.compute_cam(lite0, chelsea, **kwargs)
    finally:
        handle.remove()
    assert calls == []


# --- normalisation ----------------------------------------------------------------------------------


def test_relu_max_keeps_zero_and_drops_negative_evidence() -> None:
    maps = np.array([[[-2.0, 0.0], [1.0, 4.0]]])
    np.testing.assert_allclose(normalise(maps, "relu_max"), [[[0.0, 0.0], [0.25, 1.0]]])


def test_minmax_spans_zero_to_one() -> None:
    maps = np.array([[-2.0, 0.0], [1.0, 4.0]])
    np.testing.assert_allclose(normalise(maps, "minmax"), [[0.0, 1 / 3], [0.5, 1.0]])


def test_maps_without_evidence_normalise_to_zero_not_nan() -> None:
    np.testing.assert_array_equal(normalise(-np.ones((2, 2)), "relu_max"), np.zeros((2, 2)))
    np.testing.assert_array_equal(normalise(np.full((2, 2), 3.0), "minmax"), np.zeros((2, 2)))


def test_normalise_treats_each_map_on_its_own(chelsea_cam) -> None:
    normalised = normalise(chelsea_cam.raw_maps, "relu_max")
    assert normalised.shape == (5, 7, 7) and normalised.dtype == np.float32
    np.testing.assert_allclose(normalised.max(axis=(1, 2)), 1.0)


def test_normalise_rejects_unknown_modes_and_shapes() -> None:
    with pytest.raises(ValueError, match="relu_max, minmax"):
        normalise(np.zeros((2, 2)), "softmax")
    with pytest.raises(ValueError, match=r"\(h, w\) or \(k, h, w\)"):
        normalise(np.zeros(4), "minmax")


# --- upsampling ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(300, 451), (224, 224), (5, 3), (1, 1)])
def test_upsample_is_cv2_inter_linear(chelsea_cam, size: tuple[int, int]) -> None:
    maps = normalise(chelsea_cam.raw_maps, "relu_max")
    ours = upsample(maps, size)
    assert ours.shape == (5, *size) and ours.dtype == np.float32
    for ours_map, small in zip(ours, maps, strict=True):
        reference = cv2.resize(small, (size[1], size[0]), interpolation=cv2.INTER_LINEAR)
        np.testing.assert_allclose(ours_map, reference.reshape(size), rtol=0, atol=1e-5)


def test_upsample_rejects_bad_sizes() -> None:
    with pytest.raises(ValueError, match="two positive integers"):
        upsample(np.zeros((7, 7)), (0, 10))
    with pytest.raises(ValueError, match="two positive integers"):
        upsample(np.zeros((7, 7)), (10.5, 10))


def test_heatmaps_are_image_sized_and_in_unit_range(chelsea_cam) -> None:
    heatmaps = chelsea_cam.heatmaps("minmax")
    assert heatmaps.shape == (5, 300, 451)
    assert heatmaps.min() >= 0.0 and heatmaps.max() <= 1.0


# --- Grad-CAM on a GAP -> linear head is ReLU(CAM) / Z ----------------------------------------------


def test_grad_cam_weights_are_the_fc_weights_over_z(lite0: helpers.CamModel, chelsea, chelsea_cam) -> None:
    captured = []

    def keep_with_grad(module, inputs, output) -> None:  # returns None: the output is unchanged
        output.retain_grad()
        captured.append(output)

    handle = lite0.feature_layer.register_forward_hook(keep_with_grad)
    try:
        x = helpers.images.preprocess(chelsea, lite0)
        class_id = int(chelsea_cam.class_ids[0])
        lite0.net(x)[0, class_id].backward()
    finally:
        handle.remove()
        lite0.net.zero_grad(set_to_none=True)
    grads = captured[0].grad[0]  # (C, h, w)
    z = grads.shape[1] * grads.shape[2]
    alpha = grads.mean(dim=(1, 2))  # Grad-CAM's channel weights
    torch.testing.assert_close(alpha, lite0.fc_weight[class_id] / z, rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize("rank", [0, 4])
def test_grad_cam_package_gives_our_cam_after_its_scaling(lite0: helpers.CamModel, chelsea, chelsea_cam, rank: int) -> None:
    # pytorch-grad-cam: ReLU, min-max, cv2.resize to the input, min-max again. Same steps on our CAM:
    x = helpers.images.preprocess(chelsea, lite0)
    with GradCAM(model=lite0.net, target_layers=[lite0.feature_layer]) as grad_cam:
        theirs = grad_cam(input_tensor=x, targets=[ClassifierOutputTarget(int(chelsea_cam.class_ids[rank]))])
    relu_cam = np.maximum(chelsea_cam.raw_maps[rank], 0.0)
    ours = normalise(upsample(normalise(relu_cam, "minmax"), (224, 224)), "minmax")
    np.testing.assert_allclose(theirs[0], ours, rtol=0, atol=1e-4)


def test_upsample_with_offset_zero_is_the_half_pixel_resize() -> None:
    maps = np.random.default_rng(0).random((3, 7, 7)).astype(np.float32)
    np.testing.assert_allclose(upsample(maps, (300, 451), offset=1e-9), upsample(maps, (300, 451)), atol=1e-5)


@pytest.mark.parametrize(("offset", "peak"), [(0.0, 111), (0.5, 127), (-0.5, 95)])
def test_upsample_offset_moves_every_cell_centre_by_that_share_of_a_cell(offset: float, peak: int) -> None:
    impulse = np.zeros((7, 7), dtype=np.float32)
    impulse[3, 3] = 1.0  # cell 3 covers pixels 96-127 of 224: centre 111.5
    heat = upsample(impulse, (224, 224), offset=offset)
    assert np.unravel_index(heat.argmax(), heat.shape) == (peak, peak)
    assert heat[peak, peak] > 0.96 and heat.min() >= 0


@pytest.mark.parametrize("offset", [1.5, "half", None])
def test_upsample_rejects_an_offset_beyond_one_cell(offset) -> None:
    with pytest.raises(ValueError, match="offset must be"):
        upsample(np.zeros((7, 7), dtype=np.float32), (224, 224), offset=offset)
