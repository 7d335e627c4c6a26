"""The labelled composites: real objects, exact masks and boxes, the same set from the same seed."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import ndimage

import helpers
from helpers.datasets import composites
from helpers.evaluation import localisation
from tools import object_masks

MAGENTA = np.array([255, 0, 255], dtype=np.uint8)


def test_every_object_is_a_real_cut_out_with_named_imagenet_classes(lite0: helpers.CamModel) -> None:
    entries = json.loads(composites.OBJECTS_FILE.read_text())["objects"]
    objects = composites.load_objects()
    assert len(objects) == len(entries) >= 4
    for entry, obj in zip(entries, objects, strict=True):
        assert [lite0.categories[i] for i in entry["class_ids"]] == entry["classes"], entry["name"]
        photo = composites.object_photo(entry["photo"])
        share = composites.polygon_mask(np.array(entry["polygon"]), photo.shape[:2]).mean()
        assert 0.01 < share < 0.95, (entry["name"], share)  # an object, not a speck and not the whole photo
        assert obj.rgb.shape[:2] == obj.mask.shape and obj.mask.any(axis=0).all() and obj.mask.any(axis=1).all()


def test_the_refined_polygon_differs_from_the_traced_outline_only_within_the_band() -> None:
    reach = object_masks.BAND + 2  # GrabCut decides only the band; the simplified polygon may move 1 px more
    for entry in json.loads(composites.OBJECTS_FILE.read_text())["objects"]:
        shape = composites.object_photo(entry["photo"]).shape[:2]
        traced = composites.polygon_mask(np.array(entry["outline"]), shape)
        refined = composites.polygon_mask(np.array(entry["polygon"]), shape)
        inside_depth, outside_depth = ndimage.distance_transform_edt(traced), ndimage.distance_transform_edt(~traced)
        band = np.where(traced, inside_depth, outside_depth) <= reach  # within `reach` px of the traced edge
        changed = traced != refined
        assert changed.any() and not (changed & ~band).any(), entry["name"]


def test_grabcut_snaps_a_rough_outline_to_the_edges_of_a_disc() -> None:
    rows, cols = np.mgrid[:120, :160]
    disc = (rows - 60) ** 2 + (cols - 80) ** 2 <= 40**2
    photo = np.where(disc[:, :, None], [200, 40, 40], [30, 60, 170]).astype(np.uint8)
    photo = np.clip(photo + np.random.default_rng(0).normal(0, 8, photo.shape), 0, 255).astype(np.uint8)
    angles = np.linspace(0, 2 * np.pi, 12, endpoint=False)
    rough = np.stack([80 + 44 * np.cos(angles), 60 + 37 * np.sin(angles)], axis=1).round().astype(int)  # off by 3-4 px
    refined = object_masks.refine(photo, rough)
    traced_iou = localisation.mask_iou(composites.polygon_mask(rough, disc.shape), disc)
    refined_iou = localisation.mask_iou(composites.polygon_mask(refined, disc.shape), disc)
    assert refined_iou > 0.97 and refined_iou > traced_iou


def test_the_same_seed_gives_the_same_composites_and_another_seed_others() -> None:
    first, again, other = (composites.make_composites(24, seed=s) for s in (7, 7, 8))
    for name in ("images", "masks", "boxes", "objects", "backgrounds"):
        np.testing.assert_array_equal(getattr(first, name), getattr(again, name))
    assert not np.array_equal(first.images, other.images)


def test_masks_are_exactly_the_pasted_pixels_and_boxes_their_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    # On a magenta background (a colour none of the objects' resized pixels has), the pixels
    # that are not magenta are exactly the pasted ones.
    monkeypatch.setattr(composites, "background", lambda kind, rng, size: np.broadcast_to(MAGENTA, (size, size, 3)).copy())
    made = composites.make_composites(40, seed=3)
    for image, mask, box in zip(made.images, made.masks, made.boxes, strict=True):
        np.testing.assert_array_equal(mask, (image != MAGENTA).any(axis=2))
        assert tuple(box) == localisation.mask_box(mask)


def test_objects_and_backgrounds_are_balanced_and_sizes_in_range() -> None:
    made = composites.make_composites(83, seed=1)
    for counts in (np.bincount(made.objects), np.bincount(made.backgrounds, minlength=len(composites.BACKGROUNDS))):
        assert counts.max() - counts.min() <= 1
    longer = np.maximum(made.boxes[:, 1] - made.boxes[:, 0], made.boxes[:, 3] - made.boxes[:, 2]) / 224
    assert longer.max() <= composites.SCALE[1] + 1e-9 and longer.min() >= 0.9 * composites.SCALE[0]
    assert len(made) == 83 and made.images.shape == (83, 224, 224, 3) and made.images.dtype == np.uint8
    assert made.classes_of(0) == made.class_sets[made.objects[0]]


def test_recognised_means_the_top1_class_is_in_the_objects_set() -> None:
    made = composites.make_composites(10, seed=1)
    right = np.array([made.classes_of(i)[0] for i in range(10)])
    wrong = np.full(10, 999)  # toilet tissue: in no object's set
    assert made.recognised(right).all() and not made.recognised(wrong).any()
    assert made.recognised(np.where(np.arange(10) < 4, right, wrong)).tolist() == [True] * 4 + [False] * 6
    with pytest.raises(ValueError, match="top1 has 9 classes for 10 composites"):
        made.recognised(right[:9])


def test_every_background_kind_fills_the_canvas() -> None:
    rng = np.random.default_rng(0)
    for kind in composites.BACKGROUNDS:
        canvas = composites.background(kind, rng, 64)
        assert canvas.shape == (64, 64, 3) and canvas.dtype == np.uint8, kind
        assert (canvas.reshape(-1, 3).std(axis=0).max() > 5) == (kind != "flat colour"), kind  # varies across the canvas


def test_bad_requests_are_named() -> None:
    with pytest.raises(ValueError, match="n must be a positive integer"):
        composites.make_composites(0)
    with pytest.raises(ValueError, match="scale must be"):
        composites.make_composites(4, scale=(0.9, 0.5))
    with pytest.raises(ValueError, match="kind must be one of"):
        composites.background("lava", np.random.default_rng(0), 8)
    with pytest.raises(ValueError, match="unknown photo source"):
        composites.object_photo("web:cat.jpg")
