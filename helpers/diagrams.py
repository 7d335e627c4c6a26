"""Diagrams of the series, drawn by code with matplotlib (no image files from elsewhere).

- :func:`cam_pipeline` (notebook 02): image -> backbone -> feature maps ``f_k`` -> global
  average pooling -> ``F_k`` -> linear layer -> ``S_c``, and the CAM branch
  ``M_c = sum_k w_k^c f_k``, which uses the same weights before pooling.

Each diagram is a function returning a :class:`~matplotlib.figure.Figure`, with the model's
own sizes written in, so that the picture matches the numbers the notebook prints.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from . import _validate

__all__ = ["cam_pipeline"]

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
    image = _node(ax, 0.9, top, f"image\n{input_size} x {input_size} x 3", DATA)
    backbone = _node(ax, 2.9, top, "backbone\n(convolutions)", STAGE, width=1.7)
    features = _node(ax, 5.1, top, f"feature maps $f_k(x, y)$\n{channels} x {h} x {w}", DATA, width=2.0)
    gap = _node(ax, 7.3, top, "global average\npooling $\\frac{1}{Z}\\sum_{x,y}$", STAGE, width=1.8)
    pooled = _node(ax, 9.3, top, f"$F_k$\n{channels}", DATA, width=1.2)
    linear = _node(ax, 11.3, top, "linear layer\n$w_k^c$, $b_c$", STAGE, width=1.6)
    scores = _node(ax, 13.6, top, f"class scores $S_c$\n{num_classes}", DATA, width=1.8)
    weighted = _node(ax, 7.3, bottom, "weighted sum\n$\\sum_k w_k^c\\, f_k(x, y)$", CAM_COLOUR, width=2.0)
    cam = _node(ax, 9.6, bottom, f"CAM $M_c(x, y)$\n{h} x {w}, one per class", CAM_COLOUR, width=2.0)
    heatmap = _node(ax, 12.2, bottom, "upsampled to the photo\nheatmap over it", CAM_COLOUR, width=2.2)
    for start, end in ((image, backbone), (backbone, features), (features, gap), (gap, pooled), (pooled, linear), (linear, scores),
                       (weighted, cam), (cam, heatmap)):
        _arrow(ax, start.right, end.left)
    _arrow(ax, features.bottom, weighted.left, bend=0.35)
    _arrow(ax, linear.bottom, weighted.top, dashed=True, bend=-0.2)
    ax.text(11.5, 2.3, "the same weights $w_k^c$", fontsize=9, ha="left", color="0.3")
    ax.text(7.5, 0.05, "$S_c = \\frac{1}{Z}\\sum_{x,y} M_c(x, y) + b_c$: both are linear, so pooling the map gives the score",
            fontsize=10, ha="center")
    return fig


def _node(ax: Axes, x: float, y: float, text: str, colour: str, width: float = 1.5, height: float = 1.0) -> Node:
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height, boxstyle="round,pad=0.02,rounding_size=0.12",
                                facecolor=colour, edgecolor="0.35", lw=1))
    ax.text(x, y, text, ha="center", va="center", fontsize=10)
    return Node(x, y, width, height)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], *, dashed: bool = False, bend: float = 0.0) -> None:
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14, lw=1.2, color="0.25",
                                 linestyle="--" if dashed else "-", connectionstyle=f"arc3,rad={bend}"))
