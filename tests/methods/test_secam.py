"""SeCAM: its invariants, its errors, large photos, and the source's defective variant."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

import helpers
import helpers.teaching.as_in_source
from helpers.methods import secam as secam_module


@pytest.fixture(scope="module")
def chelsea_cam(lite0: helpers.CamModel, chelsea: np.ndarray) -> helpers.CamResult:
    return helpers.compute_cam(lite0, chelsea, topk=5)


@pytest.fixture(scope="module")
def chelsea_secam(chelsea_cam: helpers.CamResult, chelsea: np.ndarray) -> helpers.SecamResult:
    return helpers.compute_secam(chelsea_cam, chelsea)


def test_shapes_and_types(chelsea_secam: helpers.SecamResult) -> None:
    assert chelsea_secam.maps.shape == (5, 300, 451) and chelsea_secam.maps.dtype == np.float32
    assert chelsea_secam.masks.shape == (5, 300, 451) and chelsea_secam.masks.dtype == bool
    assert chelsea_secam.segments.shape == (300, 451) and chelsea_secam.segments.dtype == np.int64
    assert np.array_equal(np.unique(chelsea_secam.segments), np.arange(chelsea_secam.n_superpixels))
    assert chelsea_secam.maps.min() >= 0.0 and chelsea_secam.maps.max() <= 1.0


def test_secam_is_constant_inside_every_superpixel(chelsea_secam: helpers.SecamResult) -> None:
    segments = chelsea_secam.segments
    for secam_map in chelsea_secam.maps:
        low = ndimage.minimum(secam_map, segments, index=np.arange(chelsea_secam.n_superpixels))
        high = ndimage.maximum(secam_map, segments, index=np.arange(chelsea_secam.n_superpixels))
        np.testing.assert_array_equal(low, high)


def test_area_weighted_mean_of_secam_is_the_mean_of_the_upsampled_cam(chelsea_secam: helpers.SecamResult) -> None:
    # Every pixel carries its superpixel's mean, so the plain pixel mean is the area-weighted mean.
    # Accumulate in float64: numpy's float32 mean over two axes drifts by ~1e-4 on 135,000 pixels.
    secam_mean = chelsea_secam.maps.mean(axis=(1, 2), dtype=np.float64)
    cam_mean = chelsea_secam.cam.heatmaps().mean(axis=(1, 2), dtype=np.float64)
    np.testing.assert_allclose(secam_mean, cam_mean, rtol=1e-7)


def test_one_superpixel_per_pixel_gives_back_the_cam(chelsea_cam: helpers.CamResult, chelsea: np.ndarray) -> None:
    every_pixel = np.arange(chelsea.shape[0] * chelsea.shape[1]).reshape(chelsea.shape[:2])
    result = helpers.compute_secam(chelsea_cam, chelsea, segments=every_pixel)
    np.testing.assert_allclose(result.maps, chelsea_cam.heatmaps(), rtol=0, atol=1e-6)


def test_average_over_superpixels_against_a_hand_computed_case() -> None:
    maps = np.array([[[1.0, 3.0], [5.0, 7.0]], [[0.0, 0.0], [0.0, 4.0]]])
    segments = np.array([[0, 0], [1, 1]])
    expected = [[[2.0, 2.0], [6.0, 6.0]], [[0.0, 0.0], [2.0, 2.0]]]
    np.testing.assert_array_equal(helpers.methods.secam.average_over_superpixels(maps, segments), expected)


def test_masks_keep_at_least_the_threshold_of_each_maximum(chelsea_secam: helpers.SecamResult) -> None:
    for secam_map, mask in zip(chelsea_secam.maps, chelsea_secam.masks, strict=True):
        np.testing.assert_array_equal(mask, secam_map >= 0.8 * secam_map.max())
        assert mask.any() and not mask.all()


def test_threshold_zero_and_one(chelsea_cam: helpers.CamResult, chelsea: np.ndarray, chelsea_secam) -> None:
    everything = helpers.compute_secam(chelsea_cam, chelsea, threshold=0.0, segments=chelsea_secam.segments)
    nothing = helpers.compute_secam(chelsea_cam, chelsea, threshold=1.0, segments=chelsea_secam.segments)
    assert everything.masks.all()  # every class has evidence somewhere, and 0 >= 0 * max
    top = everything.maps.max(axis=(1, 2), keepdims=True)
    np.testing.assert_array_equal(nothing.masks, everything.maps == top)  # threshold 1 keeps each map's top superpixel(s)
    assert all(mask.any() for mask in nothing.masks)


def test_passed_segments_are_used_and_renumbered(chelsea_cam: helpers.CamResult, chelsea: np.ndarray) -> None:
    halves = np.zeros(chelsea.shape[:2], dtype=np.int32)
    halves[:, 200:] = 7
    result = helpers.compute_secam(chelsea_cam, chelsea, segments=halves)
    assert result.n_superpixels == 2 and set(np.unique(result.segments)) == {0, 1}


def test_slic_runs_on_rgb_not_bgr(chelsea: np.ndarray) -> None:
    from skimage.segmentation import slic

    expected = slic(chelsea, n_segments=50, compactness=10.0, start_label=0)
    np.testing.assert_array_equal(helpers.methods.secam.superpixels(chelsea, 50, 10.0), expected)


def test_large_photo_is_segmented_on_a_bounded_copy_and_labels_come_back_full_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(secam_module, "SLIC_MAX_SIDE", 100)
    photo = np.zeros((300, 450, 3), dtype=np.uint8)
    photo[:, 225:] = 255
    labels = helpers.methods.secam.superpixels(photo, n_segments=8, compactness=10.0)
    from skimage.segmentation import slic

    on_the_copy = slic(photo[::3, ::3], n_segments=8, compactness=10.0, start_label=0)  # the 100x150 copy
    assert labels.shape == (300, 450)
    assert len(np.unique(labels)) == len(np.unique(on_the_copy)) >= 4  # the copy's superpixels, not full-size ones
    assert set(np.unique(labels[:, :220])).isdisjoint(np.unique(labels[:, 230:]))  # the black/white edge kept


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_segments": 0}, "n_segments must be a positive integer"),
        ({"n_segments": -5}, "n_segments must be a positive integer"),
        ({"compactness": 0}, "compactness must be a positive number"),
        ({"compactness": -1.0}, "compactness must be a positive number"),
        ({"compactness": float("nan")}, "compactness must be a positive number"),
        ({"compactness": float("inf")}, "compactness must be a positive number"),
        ({"threshold": -0.1}, "threshold must be a number from 0 to 1"),
        ({"threshold": 1.5}, "threshold must be a number from 0 to 1"),
        ({"threshold": float("nan")}, "threshold must be a number from 0 to 1"),
        ({"threshold": True}, "threshold must be a number from 0 to 1"),
    ],
)
def test_bad_parameters_get_clear_errors(chelsea_cam, chelsea, kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        helpers.compute_secam(chelsea_cam, chelsea, **kwargs)


def test_an_image_of_another_size_is_refused(chelsea_cam: helpers.CamResult, chelsea: np.ndarray) -> None:
    with pytest.raises(ValueError, match=r"differs from the CAM.s \(300, 451\)"):
        helpers.compute_secam(chelsea_cam, chelsea[:200])


def test_segments_of_the_wrong_shape_are_refused(chelsea_cam: helpers.CamResult, chelsea: np.ndarray) -> None:
    with pytest.raises(ValueError, match="segments must be an integer label map of shape"):
        helpers.compute_secam(chelsea_cam, chelsea, segments=np.zeros((10, 10), dtype=int))


def test_the_source_variant_loses_superpixels_and_differs(chelsea_secam: helpers.SecamResult) -> None:
    wrong = helpers.teaching.as_in_source.secam(chelsea_secam.cam, chelsea_secam.segments)
    assert wrong.shape == chelsea_secam.maps.shape
    h, w = chelsea_secam.cam.raw_maps.shape[1:]
    assert np.abs(wrong - chelsea_secam.maps).mean() > 0.02
    import cv2

    shrunk = cv2.resize(chelsea_secam.segments.astype(np.int32), (w, h), interpolation=cv2.INTER_NEAREST)
    survivors = np.unique(shrunk)
    assert len(survivors) < chelsea_secam.n_superpixels  # superpixels vanish in the shrink to 7x7
    # and its map does not follow the superpixels: it varies inside most of them
    varies = [np.ptp(wrong[0][chelsea_secam.segments == s]) > 0.01 for s in range(chelsea_secam.n_superpixels)]
    assert np.mean(varies) > 0.5


def test_comparison_figure_has_five_titled_columns_per_class(chelsea: np.ndarray, chelsea_secam) -> None:
    import matplotlib.pyplot as plt

    fig = helpers.plot_comparison(chelsea, chelsea_secam, ranks=[0, 1])
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert len(titles) == 10 and titles[0] == f"Egyptian cat  p={chelsea_secam.cam.probs[0]:.2f}"
    assert titles[1:5] == ["CAM", "CAM > 80% of max", f"SeCAM ({chelsea_secam.n_superpixels} superpixels)", "SeCAM > 80% of max"]
    plt.close(fig)


def test_dense_labels_renumbers_in_order_and_rejects_negatives() -> None:
    from helpers.methods.secam import dense_labels

    assert dense_labels(np.array([[7, 3], [3, 9]])).tolist() == [[1, 0], [0, 2]]
    already = np.array([[0, 1], [2, 1]])
    assert dense_labels(already).tolist() == already.tolist()
    with pytest.raises(ValueError, match="non-negative"):
        dense_labels(np.array([[-1, 0]]))


def test_threshold_masks_keep_at_least_the_fraction_of_each_maximum_and_nothing_without_evidence() -> None:
    maps = np.array([[[0.1, 0.2, 0.5], [1.0, 0.19, 0.0]],
                     [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]])  # (2, 2, 3): the second map has no positive value
    masks = secam_module.threshold_masks(maps, 0.2)
    np.testing.assert_array_equal(masks[0], [[False, True, True], [True, False, False]])
    assert not masks[1].any()  # a map without evidence keeps nothing, even at threshold 0
    assert not secam_module.threshold_masks(maps[1], 0.0).any()
    np.testing.assert_array_equal(secam_module.threshold_masks(maps[0], 1.0), maps[0] == 1.0)  # 1: the maximum alone
    with pytest.raises(ValueError, match="threshold must be a number from 0 to 1"):
        secam_module.threshold_masks(maps, 1.5)
    with pytest.raises(ValueError, match=r"shape \(h, w\) or \(k, h, w\)"):
        secam_module.threshold_masks(maps[0, 0], 0.5)


def test_secam_masks_are_threshold_masks_of_its_maps(chelsea_cam, chelsea) -> None:
    result = helpers.compute_secam(chelsea_cam, chelsea)
    np.testing.assert_array_equal(result.masks, secam_module.threshold_masks(result.maps, result.threshold))
