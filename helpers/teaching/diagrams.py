"""Diagrams of the series, drawn by code with matplotlib (no image files from elsewhere).

- :func:`bottleneck_block` (notebook 01): ResNet's 1x1 -> 3x3 -> 1x1 block with its shortcut,
  widths and strides read off a torchvision ``Bottleneck``.
- :func:`stage_layout` (notebook 01): the stem, the four stages, GAP and the linear layer, with
  the output shapes and parameter counts of :func:`helpers.teaching.architecture.stage_table`.
- :func:`cam_pipeline` (notebook 02): image -> backbone -> feature maps ``f_k`` -> global
  average pooling -> ``F_k`` -> linear layer -> ``S_c``, and the CAM branch
  ``M_c = sum_k w_k^c f_k``, which uses the same weights before pooling.
- :func:`secam_steps` (notebook 04): the CAM branch and the SLIC branch that SeCAM joins,
  then the mask.

Each diagram is a function returning a :class:`~matplotlib.figure.Figure`, with the model's
own sizes written in, so that the picture matches the numbers the notebook prints.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from torch import nn

from helpers import _validate
from helpers.teaching.architecture import StageInfo

__all__ = ["bottleneck_block", "cam_pipeline", "secam_steps", "stage_layout"]

STAGE, DATA, CAM_COLOUR = "#dbe9f6", "#f2f2f2", "#fde0c5"
"""Fill colours: a computation, an array, the CAM branch."""


@dataclass(frozen=True)
class Node:
    """A labelled box centred at ``(x, y)`` in axes units, ``width`` by ``height``."""

    x: float
    y: float
    width: float
    height: float

    @property
    def left(self) -> tuple[float, float]:
        return (self.x - self.width / 2, self.y)

    @property
    def right(self) -> tuple[float, float]:
        return (self.x + self.width / 2, self.y)

    @property
    def bottom(self) -> tuple[float, float]:
        return (self.x, self.y - self.height / 2)

    @property
    def top(self) -> tuple[float, float]:
        return (self.x, self.y + self.height / 2)


def cam_pipeline(channels: int, grid: tuple[int, int], input_size: int, num_classes: int) -> Figure:
    """The CAM pipeline with the model's sizes: the forward pass on top, the CAM branch below.

    Example:
        >>> import matplotlib.pyplot as plt
        >>> from helpers.teaching import diagrams
        >>> fig = diagrams.cam_pipeline(channels=1280, grid=(7, 7), input_size=224, num_classes=1000)  # EfficientNet-Lite0
        >>> len(fig.axes), any("1280 x 7 x 7" in text.get_text() for text in fig.axes[0].texts)
        (1, True)
        >>> plt.close(fig)

    Args:
        channels: ``C``, the number of feature maps (the linear layer's input size).
        grid: ``(h, w)`` of the feature maps.
        input_size: side of the square input.
        num_classes: the linear layer's output size.
    """
    h, w = grid
    for value, name in ((channels, "channels"), (input_size, "input_size"), (num_classes, "num_classes"), (h, "h"), (w, "w")):
        _validate.positive_integer(value, name, "a size of the model")
    fig, ax = plt.subplots(figsize=(15, 4.4), layout="constrained")
    ax.set(xlim=(0, 15), ylim=(0, 4.4))
    ax.set_axis_off()
    top, bottom = 3.2, 1.0
    image = _node(ax, 0.9, top, f"photo resized\n3 x {input_size} x {input_size}", DATA)
    backbone = _node(ax, 2.9, top, "backbone\n(convolutions)", STAGE, width=1.7)
    features = _node(ax, 5.1, top, f"feature maps $f_k(x, y)$\n{channels} x {h} x {w}", DATA, width=2.0)
    gap = _node(ax, 7.3, top, "global average\npooling $\\frac{1}{Z}\\sum_{x,y}$", STAGE, width=1.8)
    pooled = _node(ax, 9.3, top, f"$F_k$\n{channels}", DATA, width=1.2)
    linear = _node(ax, 11.3, top, "linear layer\n$w_k^c$, $b_c$", STAGE, width=1.6)
    scores = _node(ax, 13.6, top, f"class scores $S_c$\n{num_classes}", DATA, width=1.8)
    weighted = _node(ax, 7.3, bottom, "weighted sum\n$\\sum_k w_k^c\\, f_k(x, y)$", CAM_COLOUR, width=2.0)
    cam = _node(ax, 9.6, bottom, f"CAM $M_c(x, y)$\n{h} x {w}, one per class", CAM_COLOUR, width=2.0)
    heatmap = _node(ax, 12.2, bottom, "ReLU, / max, upsampled\nto the photo: heatmap", CAM_COLOUR, width=2.2)
    for start, end in ((image, backbone), (backbone, features), (features, gap), (gap, pooled), (pooled, linear), (linear, scores),
                       (weighted, cam), (cam, heatmap)):
        _arrow(ax, start.right, end.left)
    _arrow(ax, features.bottom, weighted.left, bend=0.35)
    _arrow(ax, linear.bottom, weighted.top, dashed=True, bend=-0.2)
    ax.text(11.5, 2.3, "the same weights $w_k^c$", fontsize=9, ha="left", color="0.3")
    ax.text(7.5, 0.05, "$S_c = \\frac{1}{Z}\\sum_{x,y} M_c(x, y) + b_c$: both are linear, so pooling the map gives the score",
            fontsize=10, ha="center")
    return fig


def secam_steps(image_size: tuple[int, int], grid: tuple[int, int], n_segments: int, threshold: float) -> Figure:
    """SeCAM's steps: the CAM upsampled to the photo, SLIC's superpixels of the photo, the mean of
    the one over each of the other, then the mask of the superpixels above ``threshold``.

    Example:
        >>> import matplotlib.pyplot as plt
        >>> from helpers.teaching import diagrams
        >>> fig = diagrams.secam_steps(image_size=(300, 451), grid=(7, 7), n_segments=100, threshold=0.5)  # chelsea.png
        >>> len(fig.axes), any("SLIC, 100 requested" in text.get_text() for text in fig.axes[0].texts)
        (1, True)
        >>> plt.close(fig)

    Args:
        image_size: ``(H, W)`` of the photo.
        grid: ``(h, w)`` of the CAM.
        n_segments: superpixels requested from SLIC.
        threshold: the mask's fraction of the largest superpixel mean.
    """
    (height, width), (h, w) = image_size, grid
    for value, name in ((height, "H"), (width, "W"), (h, "h"), (w, "w"), (n_segments, "n_segments")):
        _validate.positive_integer(value, name, "a size")
    _validate.number_between(threshold, "threshold", 0.0, 1.0)
    fig, ax = plt.subplots(figsize=(15, 4.0), layout="constrained")
    ax.set(xlim=(0, 15), ylim=(0, 4.0))
    ax.set_axis_off()
    top, bottom, middle = 3.1, 0.9, 2.0
    photo = _node(ax, 1.0, middle, f"photo\n{height} x {width} x 3", DATA, width=1.7)
    cam = _node(ax, 3.6, top, f"CAM $M_c$\n{h} x {w} (notebook 02)", CAM_COLOUR, width=2.2)
    smooth = _node(ax, 6.5, top, f"ReLU, / max, upsampled\n$\\tilde M_c$: {height} x {width}", CAM_COLOUR, width=2.6)
    slic = _node(ax, 3.6, bottom, f"SLIC, {n_segments} requested", STAGE, width=2.2)
    segments = _node(ax, 6.5, bottom, f"superpixels $s$\nlabels {height} x {width}", DATA, width=2.6)
    mean = _node(ax, 9.4, middle, "mean of $\\tilde M_c$\nover each superpixel", STAGE, width=2.2)
    secam = _node(ax, 11.7, middle, f"SeCAM map\n{height} x {width}", CAM_COLOUR, width=1.7)
    mask = _node(ax, 13.9, middle, f"mask: means above\n{threshold:g} x the largest", DATA, width=2.0)
    _arrow(ax, photo.right, cam.left, bend=-0.2)
    _arrow(ax, photo.right, slic.left, bend=0.2)
    for start, end in ((cam, smooth), (slic, segments), (secam, mask), (mean, secam)):
        _arrow(ax, start.right, end.left)
    _arrow(ax, smooth.right, mean.top, bend=-0.25)
    _arrow(ax, segments.right, mean.bottom, bend=0.25)
    return fig


def bottleneck_block(block: nn.Module) -> Figure:
    """One bottleneck block of a torchvision ResNet, drawn top to bottom with its own widths.

    Example:
        >>> import matplotlib.pyplot as plt
        >>> from torch import nn
        >>> from torchvision.models.resnet import Bottleneck
        >>> from helpers.teaching import diagrams
        >>> projection = nn.Sequential(nn.Conv2d(256, 512, 1, stride=2, bias=False), nn.BatchNorm2d(512))
        >>> fig = diagrams.bottleneck_block(Bottleneck(256, 128, stride=2, downsample=projection))  # as ResNet50's layer2[0]
        >>> len(fig.axes), any("projection" in text.get_text() for text in fig.axes[0].texts)
        (1, True)
        >>> plt.close(fig)

    Args:
        block: a ``torchvision.models.resnet.Bottleneck`` (``conv1``, ``conv2``, ``conv3`` and
            an optional ``downsample`` projection).
    """
    c1, c2, c3 = (_conv(block, name) for name in ("conv1", "conv2", "conv3"))
    stride = c2.stride[0]
    fig, ax = plt.subplots(figsize=(7, 6.2), layout="constrained")
    ax.set(xlim=(0, 7), ylim=(0, 6.2))
    ax.set_axis_off()
    x = 2.5
    u = _node(ax, x, 5.7, f"input $u$: {c1.in_channels} channels", DATA, width=3.0, height=0.6)
    convs = [_node(ax, x, 4.6, f"1x1 conv {c1.in_channels} -> {c1.out_channels}, BN, ReLU", STAGE, width=4.2, height=0.6),
             _node(ax, x, 3.6, f"3x3 conv {c2.in_channels} -> {c2.out_channels}\nstride {stride}, BN, ReLU", STAGE, width=4.2, height=0.7),
             _node(ax, x, 2.6, f"1x1 conv {c3.in_channels} -> {c3.out_channels} (x4), BN", STAGE, width=4.2, height=0.6)]
    add = _node(ax, x, 1.55, "+ then ReLU", STAGE, width=2.0, height=0.55)
    v = _node(ax, x, 0.5, f"output $v$: {c3.out_channels} channels", DATA, width=3.0, height=0.6)
    for start, end in zip([u, *convs, add], [*convs, add, v], strict=True):
        _arrow(ax, start.bottom, end.top)
    projection = _conv(block.downsample, "0") if isinstance(block.downsample, nn.Sequential) else None
    shortcut = ("identity shortcut" if projection is None else
                f"projection: 1x1 conv\n{projection.in_channels} -> {projection.out_channels}, stride {projection.stride[0]}, BN")
    side = _node(ax, 5.9, 3.6, shortcut, DATA, width=2.1, height=0.9 if projection is not None else 0.6)
    _arrow(ax, u.right, side.top, bend=-0.3)
    _arrow(ax, side.bottom, add.right, bend=-0.3)
    ax.text(x - 2.45, 3.6, "residual $R(u)$", rotation=90, ha="center", va="center", fontsize=10, color="0.3")
    return fig


def stage_layout(rows: Sequence[StageInfo], blocks: Sequence[int]) -> Figure:
    """The stages of a network left to right, each with its output shape and parameter count.

    Example:
        >>> import matplotlib.pyplot as plt
        >>> import helpers
        >>> from helpers.teaching import diagrams
        >>> from helpers.teaching.architecture import efficientnet_stages, stage_table
        >>> net = helpers.load_model("efficientnet_lite0").net
        >>> stages = efficientnet_stages(net)  # stem, stage1 ... stage7, head, avgpool, fc
        >>> blocks = [len(modules) if name.startswith("stage") else 0 for name, modules in stages.items()]
        >>> fig = diagrams.stage_layout(stage_table(net, stages), blocks)
        >>> len(fig.axes[0].texts)  # one box per stage
        11
        >>> plt.close(fig)

    Args:
        rows: :func:`helpers.teaching.architecture.stage_table` rows, in forward order.
        blocks: the number of blocks of each row (0 for a row that has none, such as the head).
    """
    if len(blocks) != len(rows):
        raise ValueError(f"{len(rows)} stages but {len(blocks)} block counts; give one count per stage.")
    fig, ax = plt.subplots(figsize=(15, 2.2), layout="constrained")
    ax.set(xlim=(0, 2.1 * len(rows)), ylim=(0, 2.2))
    ax.set_axis_off()
    nodes = []
    for i, (row, count) in enumerate(zip(rows, blocks, strict=True)):
        shape = " x ".join(str(d) for d in row.output_shape[1:])
        label = f"{row.name}" + (f"\n{count} block{'s' if count > 1 else ''}" if count else "") + f"\n-> {shape}\n{row.parameters:,} params"
        nodes.append(_node(ax, 1.05 + 2.1 * i, 1.1, label, DATA if row.name in ("avgpool", "fc") else STAGE,
                           width=1.85, height=1.6))
    for start, end in itertools.pairwise(nodes):
        _arrow(ax, start.right, end.left)
    return fig


def _conv(module: nn.Module, name: str) -> nn.Conv2d:
    """``module``'s child ``name``, which must be a convolution."""
    child = getattr(module, name, None)
    if not isinstance(child, nn.Conv2d):
        raise TypeError(f"expected a torchvision Bottleneck, whose {name} is a Conv2d; got {type(module).__name__}.")
    return child


def _node(ax: Axes, x: float, y: float, text: str, colour: str, width: float = 1.5, height: float = 1.0) -> Node:
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height, boxstyle="round,pad=0.02,rounding_size=0.12",
                                facecolor=colour, edgecolor="0.35", lw=1))
    ax.text(x, y, text, ha="center", va="center", fontsize=10)
    return Node(x, y, width, height)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], *, dashed: bool = False, bend: float = 0.0) -> None:
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14, lw=1.2, color="0.25",
                                 linestyle="--" if dashed else "-", connectionstyle=f"arc3,rad={bend}"))
