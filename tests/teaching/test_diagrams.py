"""The diagrams drawn by code: the model's sizes are written in, and nothing overlaps."""

from __future__ import annotations

import itertools

import matplotlib
import pytest
import torchvision
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from helpers.teaching import diagrams
from helpers.teaching.architecture import resnet_stages, stage_table

matplotlib.use("Agg")


def labels_of(fig: Figure) -> str:
    return "\n".join(t.get_text() for t in fig.axes[0].texts)


def assert_tidy(fig: Figure, boxes: int) -> None:
    """``boxes`` boxes, no two boxes and no two labels overlap, everything inside the figure, and
    every box holds its own label."""
    fig.canvas.draw()  # lays the figure out
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    texts = [t.get_window_extent(renderer) for t in ax.texts if t.get_text()]
    frames = [p.get_window_extent(renderer) for p in ax.patches if isinstance(p, FancyBboxPatch)]
    assert len(frames) == boxes
    for group in (texts, frames):
        for a, b in itertools.combinations(group, 2):
            assert not a.overlaps(b), "two labels or two boxes of the diagram overlap"
    assert all(fig.bbox.x0 <= e.x0 and e.x1 <= fig.bbox.x1 and fig.bbox.y0 <= e.y0 and e.y1 <= fig.bbox.y1 for e in texts + frames)
    for frame in frames:
        assert sum(frame.x0 <= e.x0 and e.x1 <= frame.x1 and frame.y0 <= e.y0 and e.y1 <= frame.y1 for e in texts) == 1


def test_the_cam_pipeline_names_the_model_sizes_and_is_tidy() -> None:
    fig = diagrams.cam_pipeline(channels=1280, grid=(7, 7), input_size=224, num_classes=1000)
    for expected in ("3 x 224 x 224", "1280 x 7 x 7", "$F_k$\n1280", "1000", "7 x 7, one per class", "the same weights"):
        assert expected in labels_of(fig)
    assert_tidy(fig, boxes=10)


@pytest.fixture(scope="module")
def resnet50() -> torchvision.models.ResNet:
    return torchvision.models.resnet50().eval()  # the architecture only: the diagrams read sizes, not weights


def test_the_bottleneck_block_reads_its_widths_and_shortcut_off_the_module(resnet50) -> None:
    projecting = diagrams.bottleneck_block(resnet50.layer2[0])
    for expected in ("256 channels", "1x1 conv 256 -> 128", "3x3 conv 128 -> 128\nstride 2", "128 -> 512 (x4)", "512 channels",
                     "projection: 1x1 conv\n256 -> 512, stride 2"):
        assert expected in labels_of(projecting)
    assert_tidy(projecting, boxes=7)
    identity = diagrams.bottleneck_block(resnet50.layer1[1])
    assert "identity shortcut" in labels_of(identity) and "stride 1" in labels_of(identity)
    assert_tidy(identity, boxes=7)
    with pytest.raises(TypeError, match="expected a torchvision Bottleneck"):
        diagrams.bottleneck_block(resnet50.fc)


def test_the_stage_layout_shows_the_measured_shapes_and_counts(resnet50) -> None:
    rows = stage_table(resnet50, resnet_stages(resnet50), input_size=224)
    fig = diagrams.stage_layout(rows, blocks=[0, 3, 4, 6, 3, 0, 0])
    for expected in ("stem\n-> 64 x 56 x 56", "layer3\n6 blocks\n-> 1024 x 14 x 14\n7,098,368 params", "fc\n-> 1000"):
        assert expected in labels_of(fig)
    assert_tidy(fig, boxes=7)
    with pytest.raises(ValueError, match="7 stages but 6 block counts"):
        diagrams.stage_layout(rows, blocks=[0, 3, 4, 6, 3, 0])


def test_the_secam_steps_carry_the_photo_size_and_the_options() -> None:
    fig = diagrams.secam_steps((300, 451), (7, 7), n_segments=50, threshold=0.8)
    for expected in ("photo\n300 x 451 x 3", "7 x 7", "SLIC, 50 requested", "labels 300 x 451", "0.8 x the largest"):
        assert expected in labels_of(fig)
    assert_tidy(fig, boxes=8)
    with pytest.raises(ValueError, match="threshold must be a number from 0 to 1"):
        diagrams.secam_steps((300, 451), (7, 7), n_segments=50, threshold=1.5)


def test_the_cam_pipeline_wants_sizes() -> None:
    with pytest.raises(ValueError, match="channels"):
        diagrams.cam_pipeline(channels=0, grid=(7, 7), input_size=224, num_classes=1000)
    with pytest.raises(ValueError, match="h must be"):
        diagrams.cam_pipeline(channels=1280, grid=(-1, 7), input_size=224, num_classes=1000)
