"""Faithfulness metrics on hand-computable cases, and the baselines' outputs."""

from __future__ import annotations

import numpy as np
import pytest

import helpers
from helpers.evaluation import faithfulness
from helpers.methods import baselines


def _brightness(model, images: np.ndarray, class_id: int) -> np.ndarray:
    """A stand-in 'probability': the mean brightness of each frame, in [0, 1]."""
    return images.reshape(len(images), -1).mean(axis=1) / 255.0


@pytest.fixture()
def half_white() -> tuple[np.ndarray, np.ndarray]:
    """A 224x224 photo whose left half is white, and a map that ranks exactly that half first."""
    image = np.zeros((224, 224, 3), dtype=np.uint8)
    image[:, :112] = 255
    saliency = np.zeros((224, 224), dtype=np.float32)
    saliency[:, :112] = 1.0
    return image, saliency


def test_saliency_order_ranks_by_value_and_breaks_ties_reproducibly() -> None:
    order = faithfulness.saliency_order(np.array([[3.0, 1.0], [2.0, 0.0]]))
    assert order.tolist() == [0, 2, 1, 3]
    ties = np.ones((4, 4))
    assert faithfulness.saliency_order(ties).tolist() == faithfulness.saliency_order(ties).tolist()
    assert sorted(faithfulness.saliency_order(ties).tolist()) == list(range(16))
    assert faithfulness.saliency_order(ties).tolist() != list(range(16))  # not raster order


def test_deletion_of_the_right_half_first_gives_the_hand_computed_auc(lite0, half_white, monkeypatch) -> None:
    monkeypatch.setattr(faithfulness, "class_probabilities", _brightness)
    image, saliency = half_white
    curve = faithfulness.deletion_curve(lite0, image, saliency, class_id=0, steps=50)
    # brightness falls linearly from 0.5 to 0 over the first half of the pixels, then stays 0:
    # AUC = 1/2 * 0.5 * 0.5 = 0.125
    assert curve.fractions[0] == 0 and curve.fractions[-1] == 1 and len(curve.probs) == 51
    assert curve.probs[0] == pytest.approx(0.5) and curve.probs[-1] == 0
    assert curve.auc == pytest.approx(0.125, abs=1e-3)


def test_a_map_ranking_the_dark_half_first_deletes_late(lite0, half_white, monkeypatch) -> None:
    monkeypatch.setattr(faithfulness, "class_probabilities", _brightness)
    image, saliency = half_white
    curve = faithfulness.deletion_curve(lite0, image, 1.0 - saliency, class_id=0, steps=50)
    assert curve.auc == pytest.approx(0.5 * 0.5 + 0.125, abs=1e-3)  # flat at 0.5 for half, then a ramp


def test_insertion_restores_onto_a_blurred_copy(lite0, half_white, monkeypatch) -> None:
    monkeypatch.setattr(faithfulness, "class_probabilities", _brightness)
    image, saliency = half_white
    curve = faithfulness.insertion_curve(lite0, image, saliency, class_id=0, steps=50)
    assert curve.probs[-1] == pytest.approx(0.5)  # ends at the photo
    assert 0.45 < curve.probs[0] < 0.55  # starts at its blur, which keeps the mean brightness
    assert curve.probs[25] > curve.probs[0]  # the white half comes back first


@pytest.mark.slow
def test_secam_deletion_order_is_identical_under_one_and_two_threads(lite0, chelsea) -> None:
    # The whole pipeline runs under each thread count, so the SeCAM map and the model's
    # probabilities differ in their last bits. A piecewise-constant map must still be ordered
    # by its values and the seeded tie-break only, so the pixel order is identical and the AUCs
    # differ by float rounding alone: resampling the map by averaging (INTER_AREA) spread each
    # superpixel's value over float steps, and the AUC moved from 0.134 (2 threads) to 0.139.
    import cv2
    import torch

    torch_threads, cv2_threads = torch.get_num_threads(), cv2.getNumThreads()
    results = {}
    try:
        for threads in (1, 2):
            torch.set_num_threads(threads)
            cv2.setNumThreads(threads)
            secam = helpers.compute_secam(helpers.compute_cam(lite0, chelsea, topk=1), chelsea)
            class_id = int(secam.cam.class_ids[0])
            order = faithfulness.saliency_order(helpers.images.nearest(secam.maps[0], (lite0.input_size,) * 2))
            deletion = faithfulness.deletion_curve(lite0, chelsea, secam.maps[0], class_id, steps=10)
            insertion = faithfulness.insertion_curve(lite0, chelsea, secam.maps[0], class_id, steps=10)
            results[threads] = (order, np.array([deletion.auc, insertion.auc]))
    finally:
        torch.set_num_threads(torch_threads)
        cv2.setNumThreads(cv2_threads)
    np.testing.assert_array_equal(results[1][0], results[2][0])
    np.testing.assert_allclose(results[1][1], results[2][1], rtol=0, atol=1e-5)


@pytest.mark.slow
def test_curves_use_the_real_model_in_batches(lite0, chelsea) -> None:
    cam = helpers.compute_cam(lite0, chelsea, topk=1)
    curve = faithfulness.deletion_curve(lite0, chelsea, cam.heatmaps()[0], int(cam.class_ids[0]), steps=40)
    assert curve.probs[0] == pytest.approx(float(cam.probs[0]), abs=0.05)  # the whole photo at 224x224
    assert curve.probs[-1] < 0.05  # an all-black image is no cat


@pytest.mark.slow
def test_cam_deletes_faster_than_smooth_random_maps_on_the_tripod_photo(lite0) -> None:
    # Random maps must be as smooth as a CAM (7x7, upsampled): deleting pixel-level noise
    # destroys any photo fast and would make every random map look excellent.
    photo = helpers.load_image(helpers.sample_image_path("camera.png"))
    cam = helpers.compute_cam(lite0, photo, topk=1)
    class_id = int(cam.class_ids[0])
    ours = faithfulness.deletion_curve(lite0, photo, cam.heatmaps()[0], class_id, steps=10).auc
    grids = [np.random.default_rng(seed).random((7, 7)).astype(np.float32) for seed in range(3)]
    random_maps = [helpers.methods.cam.upsample(grid, photo.shape[:2]) for grid in grids]
    random_auc = np.mean([faithfulness.deletion_curve(lite0, photo, m, class_id, steps=10).auc for m in random_maps])
    assert ours < 0.5 * random_auc


def test_average_drop_and_increase_in_confidence_by_hand() -> None:
    pairs = [(0.8, 0.4), (0.5, 0.6), (0.2, 0.2)]
    assert faithfulness.average_drop(pairs) == pytest.approx(100 * (0.5 + 0 + 0) / 3)
    assert faithfulness.increase_in_confidence(pairs) == pytest.approx(100 / 3)


@pytest.mark.parametrize("y", [0.0, -0.1, float("nan")])
def test_average_drop_refuses_a_photo_without_probability(y: float) -> None:
    with pytest.raises(ValueError, match=r"pair 1: the photo's probability Y = .* must be positive"):
        faithfulness.average_drop([(0.5, 0.4), (y, 0.1)])


def test_explanation_image_weights_pixels_by_the_map_divided_by_its_maximum() -> None:
    image = np.full((2, 2, 3), 200, dtype=np.uint8)
    saliency = np.array([[1.0, 0.5], [0.0, 2.0]])
    assert faithfulness.explanation_image(image, saliency)[..., 0].tolist() == [[100, 50], [0, 200]]
    # one scale for every method: a map and the same map times 0.8 show the same image
    np.testing.assert_array_equal(faithfulness.explanation_image(image, 0.8 * saliency), faithfulness.explanation_image(image, saliency))
    assert not faithfulness.explanation_image(image, -saliency).any()


def test_an_all_ones_map_has_no_average_drop(lite0, chelsea) -> None:
    # Average Drop rewards large maps: showing the whole photo drops nothing
    y, o = faithfulness.confidence_change(lite0, chelsea, np.ones(chelsea.shape[:2]), 285)
    assert o == pytest.approx(y, abs=1e-6) and faithfulness.average_drop([(y, o)]) == pytest.approx(0.0, abs=1e-3)


def test_the_unperturbed_frame_gets_the_probability_compute_cam_reports(lite0, chelsea) -> None:
    cam = helpers.compute_cam(lite0, chelsea, topk=1)
    curve = faithfulness.deletion_curve(lite0, chelsea, cam.heatmaps()[0], int(cam.class_ids[0]), steps=4)
    assert curve.probs[0] == pytest.approx(float(cam.probs[0]), abs=1e-4)  # one resize path, not two


def test_ties_of_a_piecewise_constant_map_stay_ties_at_the_input_size(lite0, chelsea) -> None:
    secam = helpers.compute_secam(helpers.compute_cam(lite0, chelsea, topk=1), chelsea)
    small = helpers.images.nearest(secam.maps[0], (224, 224))
    small_segments = helpers.images.nearest(secam.segments, (224, 224))
    for label in np.unique(small_segments):
        assert len(np.unique(small[small_segments == label])) == 1


def test_least_relevant_first_removes_the_dark_half_first(lite0, half_white, monkeypatch) -> None:
    monkeypatch.setattr(faithfulness, "class_probabilities", _brightness)
    image, saliency = half_white
    lerf = faithfulness.deletion_curve(lite0, image, saliency, class_id=0, steps=50, most_relevant_first=False)
    # the map's least salient half is the dark one: as if the map ranked it first
    morf_of_reversed = faithfulness.deletion_curve(lite0, image, 1.0 - saliency, class_id=0, steps=50)
    assert lerf.auc == pytest.approx(morf_of_reversed.auc, abs=1e-3) and lerf.auc == pytest.approx(0.375, abs=1e-3)


def test_insertion_is_least_relevant_first_deletion_into_the_blur_read_backwards(lite0, chelsea) -> None:
    saliency = helpers.compute_cam(lite0, chelsea, topk=1).heatmaps()[0]
    insertion = faithfulness.insertion_curve(lite0, chelsea, saliency, 285, steps=8)
    lerf = faithfulness.deletion_curve(lite0, chelsea, saliency, 285, steps=8, substrate="blur", most_relevant_first=False)
    np.testing.assert_allclose(insertion.probs, lerf.probs[::-1], atol=1e-5)
    assert insertion.auc == pytest.approx(lerf.auc, abs=1e-5)


def test_several_curves_at_once_equal_the_curves_one_by_one(lite0, chelsea) -> None:
    saliencies = {"cam": helpers.compute_cam(lite0, chelsea, topk=1).heatmaps()[0],
                  "random": baselines.smooth_random_map(chelsea.shape[:2], seed=0)}
    variants = [(True, "black"), (False, "black"), (True, "mean")]
    together = faithfulness.deletion_curves(lite0, chelsea, saliencies, 285, steps=4, variants=variants)
    assert set(together) == {(name, first, s) for name in saliencies for first, s in variants}
    for (name, first, substrate), curve in together.items():
        alone = faithfulness.deletion_curve(lite0, chelsea, saliencies[name], 285, steps=4, substrate=substrate, most_relevant_first=first)
        np.testing.assert_array_equal(curve.fractions, alone.fractions)
        np.testing.assert_allclose(curve.probs, alone.probs, atol=1e-5)
    # every curve starts from the photo, and the two black curves of a map end on the same black image
    assert np.ptp([curve.probs[0] for curve in together.values()]) == 0
    assert together["cam", True, "black"].probs[-1] == together["random", False, "black"].probs[-1]


def test_substrate_images(lite0, half_white) -> None:
    image, _ = half_white
    assert not faithfulness.substrate_image(image, "black", lite0).any()
    mean = faithfulness.substrate_image(image, "mean", lite0)
    assert (mean == np.round(255 * np.array(lite0.mean)).astype(np.uint8)).all()
    blur = faithfulness.substrate_image(image, "blur", lite0)
    assert blur[:, 100:124].std() > 10 and blur[:, :90].min() == 255 and blur[:, 134:].max() == 0  # soft only near the edge
    with pytest.raises(ValueError, match="substrate must be one of"):
        faithfulness.substrate_image(image, "grey", lite0)


@pytest.mark.parametrize("substrate", ["black", "mean", "blur"])
def test_deletion_substrates(lite0, half_white, monkeypatch, substrate: str) -> None:
    monkeypatch.setattr(faithfulness, "class_probabilities", _brightness)
    image, saliency = half_white
    curve = faithfulness.deletion_curve(lite0, image, saliency, class_id=0, steps=10, substrate=substrate)
    expected_end = {"black": 0.0, "mean": np.round(255 * np.mean(lite0.mean)) / 255, "blur": 0.5}[substrate]
    assert curve.probs[-1] == pytest.approx(expected_end, abs=0.01)
    with pytest.raises(ValueError, match="substrate must be one of black, mean, blur"):
        faithfulness.deletion_curve(lite0, image, saliency, class_id=0, substrate="grey")


def test_mismatched_map_and_bad_steps_are_rejected(lite0, chelsea) -> None:
    with pytest.raises(ValueError, match="upsample the map"):
        faithfulness.deletion_curve(lite0, chelsea, np.zeros((7, 7)), 285)
    with pytest.raises(ValueError, match="steps must be a positive integer"):
        faithfulness.insertion_curve(lite0, chelsea, np.zeros(chelsea.shape[:2]), 285, steps=0)


def test_grad_cam_maps_are_image_sized_and_normalised(lite0, chelsea) -> None:
    maps = baselines.grad_cam_maps(lite0, chelsea, [285, 281])
    assert maps.shape == (2, 300, 451) and maps.dtype == np.float32
    assert maps.min() >= 0 and 0.99 < maps.max() <= 1.0  # 1 at 224x224; resizing may miss the peak


@pytest.mark.slow
def test_lime_on_given_superpixels_is_constant_on_them_and_repeatable(lite0, chelsea) -> None:
    segments = helpers.methods.secam.superpixels(chelsea, 20, 10.0)
    first = baselines.lime_maps(lite0, chelsea, [285, 281], num_samples=40, segments=segments, seed=1)
    again = baselines.lime_maps(lite0, chelsea, [285, 281], num_samples=40, segments=segments, seed=1)
    assert first.shape == (2, 300, 451) and first[0].max() == pytest.approx(1.0)
    alone = baselines.lime_maps(lite0, chelsea, [285], num_samples=40, segments=segments, seed=1)
    np.testing.assert_array_equal(alone[0], first[0])  # a class's map does not depend on which others are asked for
    np.testing.assert_array_equal(first, again)
