"""The diagrams drawn by code: the model's sizes are written in, and nothing overlaps."""

from __future__ import annotations

import itertools

import matplotlib
import pytest
from matplotlib.patches import FancyBboxPatch

from helpers import diagrams

matplotlib.use("Agg")


def test_the_cam_pipeline_names_the_model_sizes_and_its_labels_do_not_overlap() -> None:
    fig = diagrams.cam_pipeline(channels=1280, grid=(7, 7), input_size=224, num_classes=1000)
    ax = fig.axes[0]
    texts = [t for t in ax.texts if t.get_text()]
    joined = "\n".join(t.get_text() for t in texts)
    for expected in ("224 x 224 x 3", "1280 x 7 x 7", "$F_k$\n1280", "1000", "7 x 7, one per class", "the same weights"):
        assert expected in joined
    fig.canvas.draw()  # lays the figure out
    renderer = fig.canvas.get_renderer()
    extents = [t.get_window_extent(renderer) for t in texts]
    for a, b in itertools.combinations(extents, 2):
        assert not a.overlaps(b), "two labels of the diagram overlap"
    figure_box = fig.bbox
    assert all(figure_box.x0 <= e.x0 and e.x1 <= figure_box.x1 and figure_box.y0 <= e.y0 and e.y1 <= figure_box.y1 for e in extents)
    boxes = [p.get_window_extent(renderer) for p in ax.patches if isinstance(p, FancyBboxPatch)]
    assert len(boxes) == 10
    inside = sum(any(b.x0 <= e.x0 and e.x1 <= b.x1 and b.y0 <= e.y0 and e.y1 <= b.y1 for b in boxes) for e in extents)
    assert inside == len(boxes)  # every box's label fits inside it; the two free labels lie outside all boxes


def test_the_cam_pipeline_wants_sizes() -> None:
    with pytest.raises(ValueError, match="channels"):
        diagrams.cam_pipeline(channels=0, grid=(7, 7), input_size=224, num_classes=1000)
    with pytest.raises(ValueError, match="h must be"):
        diagrams.cam_pipeline(channels=1280, grid=(-1, 7), input_size=224, num_classes=1000)
