"""Localisation scores on hand-made maps whose answers can be worked out on paper."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.evaluation import localisation


def two_blobs() -> np.ndarray:
    """(20, 30) map: a 4x5 blob of 1.0 (rows 2-5, columns 3-7) and a larger 6x8 blob of 0.5 (rows 10-15, columns 18-25)."""
    saliency = np.zeros((20, 30), dtype=np.float32)
    saliency[2:6, 3:8] = 1.0
    saliency[10:16, 18:26] = 0.5
    return saliency


def test_the_cam_papers_box_surrounds_the_largest_region_not_the_brightest() -> None:
    assert localisation.largest_component_box(two_blobs(), 0.2) == (10, 16, 18, 26)
    assert localisation.largest_component_box(two_blobs(), 0.6) == (2, 6, 3, 8)  # the dim blob falls below 60 %


def test_diagonal_neighbours_join_one_region() -> None:
    saliency = np.zeros((5, 5))
    saliency[0, 0] = saliency[1, 1] = saliency[2, 2] = 1.0  # three corner-touching pixels
    saliency[4, 0] = saliency[4, 1] = 1.0  # two side-touching pixels
    assert localisation.largest_component_box(saliency) == (0, 3, 0, 3)


def test_a_map_without_positive_values_gives_no_box_and_scores_zero() -> None:
    assert localisation.largest_component_box(np.zeros((4, 4))) is None
    assert localisation.largest_component_box(-np.ones((4, 4))) is None
    assert localisation.box_iou(None, (0, 2, 0, 2)) == 0.0


def test_box_iou_of_known_boxes() -> None:
    a = (0, 10, 0, 10)  # 100 pixels
    assert localisation.box_iou(a, a) == 1.0
    assert localisation.box_iou(a, (5, 15, 0, 10)) == pytest.approx(50 / 150)
    assert localisation.box_iou(a, (0, 10, 10, 20)) == 0.0  # touching edges share no pixel
    assert localisation.box_iou(a, (2, 4, 2, 4)) == pytest.approx(4 / 100)
    assert localisation.box_iou(a, (5, 15, 5, 15)) == localisation.box_iou((5, 15, 5, 15), a) == pytest.approx(25 / 175)


def test_box_iou_agrees_with_the_iou_of_the_box_masks() -> None:
    rng = np.random.default_rng(0)

    def random_box() -> localisation.Box:
        row0, row1 = sorted(int(v) for v in rng.choice(21, 2, replace=False))
        col0, col1 = sorted(int(v) for v in rng.choice(31, 2, replace=False))
        return row0, row1, col0, col1

    for _ in range(50):
        a, b = random_box(), random_box()
        expected = localisation.mask_iou(localisation.box_mask((20, 30), a), localisation.box_mask((20, 30), b))
        assert localisation.box_iou(a, b) == pytest.approx(expected)


def test_mask_iou_and_the_box_of_a_mask() -> None:
    a = np.zeros((4, 6), dtype=bool)
    a[1:3, 1:4] = True  # 6 pixels
    b = np.zeros((4, 6), dtype=bool)
    b[2:4, 2:6] = True  # 8 pixels, 2 shared
    assert localisation.mask_iou(a, b) == pytest.approx(2 / 12)
    assert localisation.mask_iou(a, np.zeros_like(a)) == 0.0
    assert localisation.mask_iou(np.zeros_like(a), np.zeros_like(a)) == 0.0
    assert localisation.mask_box(b) == (2, 4, 2, 6)
    assert localisation.mask_box(np.zeros_like(a)) is None
    with pytest.raises(ValueError, match="same shape"):
        localisation.mask_iou(a, b[:3])
    with pytest.raises(ValueError, match="must be boolean"):
        localisation.mask_iou(a.astype(np.float32), b)  # a map, not a mask: threshold it first


def test_the_box_test_thresholds_by_the_series_one_rule() -> None:
    # values >= 0.2 of the maximum: the 0.2 at the top joins the 1.0 below it (8-connected), the 0.19 does not
    saliency = np.array([[0.1, 0.2, 0.0], [1.0, 0.0, 0.19], [0.0, 0.0, 0.0]])
    assert localisation.largest_component_box(saliency, 0.2) == (0, 2, 0, 2)
    assert localisation.largest_component_box(np.zeros((3, 3)), 0.2) is None  # no positive value: no box


def test_box_mask_pointing_and_mass() -> None:
    saliency = np.zeros((6, 8), dtype=np.float32)
    saliency[1, 2] = 1.0
    saliency[4, 6] = 0.5
    box = (0, 3, 1, 4)  # rows 0-2, columns 1-3
    assert localisation.box_mask((6, 8), box).sum() == 9
    assert localisation.pointing_hit(saliency, box)
    assert not localisation.pointing_hit(saliency, (3, 6, 5, 8))
    assert localisation.mass_inside(saliency, box) == pytest.approx(1.0 / 1.5)
    assert localisation.mass_inside(np.zeros((6, 8)), box) == 0.0
    as_array = np.array(box)  # boxes stored in an (n, 4) array arrive as (4,) rows
    assert localisation.pointing_hit(saliency, as_array) and localisation.mass_inside(saliency, as_array) == pytest.approx(1 / 1.5)


def test_a_mask_region_scores_like_the_box_it_fills_and_unlike_a_box_it_only_partly_fills() -> None:
    saliency = two_blobs()
    box = (10, 16, 18, 26)
    assert localisation.mass_inside(saliency, localisation.box_mask(saliency.shape, box)) == localisation.mass_inside(saliency, box)
    ring = localisation.box_mask(saliency.shape, (1, 7, 2, 9)) & ~localisation.box_mask(saliency.shape, (2, 6, 3, 8))
    assert not localisation.pointing_hit(saliency, ring)  # the maximum lies inside the ring's hole
    assert localisation.mass_inside(saliency, ring) == 0.0


def test_pointing_with_tied_maxima_needs_most_of_them_inside() -> None:
    saliency = np.zeros((4, 4))
    saliency[0, :3] = 1.0  # three pixels share the maximum
    assert localisation.pointing_hit(saliency, (0, 1, 0, 2))  # two of three inside
    assert not localisation.pointing_hit(saliency, (0, 1, 2, 4))  # one of three inside


def test_localisation_errors_are_named() -> None:
    with pytest.raises(ValueError, match="box"):
        localisation.box_mask((4, 4), (2, 1, 0, 4))
    with pytest.raises(ValueError, match="non-negative"):
        localisation.mass_inside(-np.ones((4, 4)), (0, 2, 0, 2))
    with pytest.raises(ValueError, match=r"mask region must be \(4, 4\) bool"):
        localisation.pointing_hit(np.ones((4, 4)), np.ones((4, 4)))
