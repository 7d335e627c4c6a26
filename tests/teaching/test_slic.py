"""The teaching SLIC: the source's 5x5 worked example, and its invariants on real images."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import ndimage
from skimage.segmentation import slic as skimage_slic
from sklearn.metrics import adjusted_rand_score

import helpers
from helpers.teaching import slic

# The source's 5x5 grayscale image: four blocks of 10, 20, 30 and 40.
GRID = np.array([[10, 10, 10, 20, 20]] * 3 + [[30, 30, 30, 40, 40]] * 2, dtype=np.float64)
BLOCKS = [[0, 0, 0, 1, 1]] * 3 + [[2, 2, 2, 3, 3]] * 2


@pytest.fixture(scope="module")
def grid_features() -> np.ndarray:
    return slic.slic_features(GRID)


@pytest.fixture(scope="module")
def crop() -> np.ndarray:
    return helpers.load_image(helpers.sample_image_path("chelsea.png"))[40:160, 100:260]


def test_worked_example_interval_and_centres(grid_features: np.ndarray) -> None:
    assert slic.grid_interval(GRID.shape, 4) == 2.5
    centres = slic.grid_centres(grid_features, 4)
    assert centres.positions.tolist() == [[1, 1], [1, 4], [4, 1], [4, 4]]
    assert centres.features.ravel().tolist() == [10, 20, 30, 40]


def test_worked_example_gradient_leaves_the_centres_in_place(grid_features: np.ndarray) -> None:
    gradient = slic.image_gradient(grid_features)
    assert gradient[1, 1] == 0 and gradient[2, 2] == (30 - 10) ** 2 + (20 - 10) ** 2
    moved = slic.perturb_centres(grid_features, slic.grid_centres(grid_features, 4))
    assert moved.positions.tolist() == [[1, 1], [1, 4], [4, 1], [4, 4]]


def test_perturbation_moves_a_centre_off_an_edge() -> None:
    image = np.zeros((6, 6))
    image[:, 3:] = 100.0  # a vertical edge between columns 2 and 3
    features = slic.slic_features(image)
    start = slic.Centres(positions=np.array([[3.0, 3.0]]), features=np.array([[100.0]]))
    moved = slic.perturb_centres(features, start)
    assert moved.positions.tolist() == [[2.0, 4.0]]  # first zero-gradient pixel of the 3x3 neighbourhood


def test_worked_example_distance_of_pixel_2_2_is_sqrt_32(grid_features: np.ndarray) -> None:
    centres = slic.grid_centres(grid_features, 4)
    table = slic.distance_table(grid_features, centres, 2.5, 10.0)
    assert table[0, 2, 2] == pytest.approx(np.sqrt(32))
    assert round(table[0, 2, 2], 2) == 5.66
    assert table[:, 2, 2].argmin() == 0
    assert np.isinf(table[0, 4, 4])  # outside the 2S x 2S window of centre (1, 1)


def test_worked_example_converges_to_the_four_blocks() -> None:
    result = slic.slic(GRID, n_segments=4, compactness=10.0)
    assert result.converged and result.iterations == 2
    assert result.labels.tolist() == BLOCKS
    assert result.history[1].positions.tolist() == [[1, 1], [1, 3.5], [3.5, 1], [3.5, 3.5]]


def test_worked_example_agrees_with_scikit_image() -> None:
    theirs = skimage_slic(GRID, n_segments=4, compactness=10 / 30, channel_axis=None, start_label=0)
    assert theirs.tolist() == BLOCKS


def test_update_centres_takes_means_with_bincount_and_keeps_empty_clusters() -> None:
    features = slic.slic_features(np.array([[0.0, 2.0], [4.0, 6.0]]))
    labels = np.array([[0, 0], [0, 0]])
    previous = slic.Centres(positions=np.array([[0.0, 0.0], [1.0, 1.0]]), features=np.array([[0.0], [9.0]]))
    updated = slic.update_centres(features, labels, previous)
    assert updated.positions.tolist() == [[0.5, 0.5], [1.0, 1.0]]
    assert updated.features.ravel().tolist() == [3.0, 9.0]


def test_enforce_connectivity_splits_and_merges() -> None:
    labels = np.array([
        [0, 0, 1, 1],
        [0, 0, 1, 1],
        [1, 0, 1, 1],  # the 1 at (2, 0) is cut off from the rest of label 1
        [0, 0, 1, 1],
    ])
    fixed = slic.enforce_connectivity(labels, min_size=2)
    assert fixed[2, 0] == fixed[0, 0]  # the stray pixel joined its surroundings
    assert fixed.max() == 1


@pytest.mark.parametrize(("k", "m"), [(30, 10.0), (60, 20.0)])
def test_real_crop_every_pixel_labelled_and_every_superpixel_connected(crop: np.ndarray, k: int, m: float) -> None:
    result = slic.slic(crop, n_segments=k, compactness=m)
    labels = result.labels
    assert labels.shape == crop.shape[:2] and labels.min() == 0
    assert np.array_equal(np.unique(labels), np.arange(labels.max() + 1))
    for value in range(labels.max() + 1):
        assert ndimage.label(labels == value)[1] == 1
    assert 0.5 * k <= labels.max() + 1 <= 1.5 * k


def test_real_crop_agrees_with_scikit_image(crop: np.ndarray) -> None:
    ours = slic.slic(crop, n_segments=60, compactness=20.0).labels
    theirs = skimage_slic(crop, n_segments=60, compactness=20.0, start_label=0)
    assert adjusted_rand_score(ours.ravel(), theirs.ravel()) > 0.6


def test_real_crop_settles_labels_within_ten_rounds_and_converges_later(crop: np.ndarray) -> None:
    ten = slic.slic(crop, n_segments=30, compactness=10.0, max_iter=10)
    changes = [int((a != b).sum()) for a, b in itertools.pairwise(ten.label_history)]
    assert changes[-1] < 0.1 * changes[0]  # labels settle fast...
    longer = slic.slic(crop, n_segments=30, compactness=10.0, max_iter=100)
    assert longer.converged  # ...centres settle to within 0.5 pixel later
    last, before = longer.history[-1], longer.history[-2]
    assert np.abs(last.positions - before.positions).max() < 0.5


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_segments": 0}, "n_segments must be a positive integer"),
        ({"n_segments": 2.5}, "n_segments must be a positive integer"),
        ({"n_segments": True}, "n_segments must be a positive integer"),
        ({"n_segments": 4, "compactness": 0}, "compactness must be a positive number"),
        ({"n_segments": 4, "compactness": float("nan")}, "compactness must be a positive number"),
        ({"n_segments": 4, "max_iter": 0}, "max_iter must be a positive integer"),
    ],
)
def test_bad_parameters_are_named(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        slic.slic(GRID, **kwargs)


def test_images_that_are_neither_gray_nor_rgb_uint8_are_rejected() -> None:
    with pytest.raises(ValueError, match="grayscale or"):
        slic.slic_features(np.zeros((4, 4, 3), dtype=np.float32))
