"""The benchmark's building blocks: they must compute what they claim before they are timed."""

from __future__ import annotations

import numpy as np

import helpers
import helpers.teaching.as_in_source
from tools import bench


def test_interleaved_medians_returns_one_median_per_function() -> None:
    calls: list[str] = []
    medians = bench.interleaved_medians([lambda: calls.append("a"), lambda: calls.append("b")], repeats=3, warmup=1)
    assert len(medians) == 2 and all(m >= 0 for m in medians)
    assert calls == ["a", "b"] + ["a", "b"] * 3  # warm-ups, then turns


def test_source_style_pipeline_equals_our_helper_for_its_defective_variant(chelsea: np.ndarray) -> None:
    source_maps = helpers.teaching.as_in_source.pipeline(chelsea, topk=2)
    assert len(source_maps) == 2 and source_maps[0].shape == (7, 7)
    model = helpers.load_model("efficientnet_lite0")
    cam = helpers.compute_cam(model, chelsea, topk=2)
    segments = helpers.methods.secam.superpixels(chelsea, 50, 10.0)
    ours = helpers.teaching.as_in_source.secam(cam, segments)  # (2, H, W): the same 7x7 maps, upsampled
    np.testing.assert_allclose(helpers.methods.cam.upsample(np.stack(source_maps), chelsea.shape[:2]), ours, atol=1e-5)
