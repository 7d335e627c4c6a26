"""Where one cell of the last grid looks: its theoretical receptive field, its effective one, and its centre.

Three measurements for notebook 01, for any network whose last feature maps CAM weights:

- :func:`grid_geometry`: the arithmetic of strides, kernels and paddings, layer by layer in
  the order the layers run (found with forward hooks): the jump between cells, the receptive
  field of one cell, and where cell 0 is centred. TensorFlow's "SAME" padding, which pads
  more at the bottom and right, is read from the layer itself.
- :func:`input_gradient_mass`: the effective receptive field (Luo et al., NeurIPS 2016), how
  strongly each input pixel moves one cell's features, as the gradient's magnitude.
- :func:`object_sweep`: where a trained network's cells really sit: an object it recognises,
  moved across the input, and the distance between the object and the hot part of its map.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from helpers.datasets.composites import LabelledObject, background
from helpers.images import nearest, preprocess_batch, shrink
from helpers.methods.cam import normalise, upsample
from helpers.methods.secam import threshold_masks
from helpers.models import INFERENCE_BATCH, CamModel

__all__ = [
    "GridStep",
    "Sweep",
    "grid_geometry",
    "input_gradient_mass",
    "object_sweep",
    "share_within",
]


@dataclass(frozen=True)
class GridStep:
    """One layer on the way to the last grid, with the geometry after it.

    Example:
        >>> from torch import nn
        >>> from helpers.teaching.receptive import grid_geometry
        >>> net = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.Conv2d(8, 8, 3, stride=2, padding=1))
        >>> grid_geometry(net, input_size=32)[-1]  # two 3x3 convolutions of stride 2
        GridStep(name='1', kernel=3, stride=2, padding_before=1, jump=4, receptive_field=7, first_centre=0.0)

    Attributes:
        name: the layer's name in the network.
        kernel, stride: the layer's (square) kernel side and stride.
        padding_before: zero rows added above the input (and columns on the left); "SAME"
            padding adds the rest below and on the right.
        jump: input pixels between neighbouring cells after this layer.
        receptive_field: side of the input square that can reach one cell after this layer.
        first_centre: the input row (and column) on which cell 0 is centred after this layer;
            cell ``i`` is centred on ``first_centre + jump * i``.
    """

    name: str
    kernel: int
    stride: int
    padding_before: int
    jump: int
    receptive_field: int
    first_centre: float


def grid_geometry(net: nn.Module, input_size: int = 224, skip: Sequence[str] = ("downsample",)) -> list[GridStep]:
    """The receptive-field arithmetic of every convolution and max pool on the main path, in forward order.

    Each layer multiplies the jump by its stride, widens the receptive field by
    ``(kernel - 1) * jump`` (the jump before it), and moves cell 0's centre by
    ``((kernel - 1) / 2 - padding_before) * jump``.

    Example:
        >>> import helpers
        >>> from helpers.teaching import receptive
        >>> steps = receptive.grid_geometry(helpers.load_model("efficientnet_lite0").net)
        >>> sum(step.stride == 2 for step in steps), steps[-1].jump, steps[-1].receptive_field, steps[-1].first_centre
        (5, 32, 851, 31.0)

    Args:
        net: the network; one forward pass of a zero image of side ``input_size`` finds the
            order in which its layers run and the padding each applies.
        skip: layers whose name contains one of these run beside the main path (ResNet's
            projection shortcuts) and are left out.
    """
    layers = [(name, module) for name, module in net.named_modules()
              if isinstance(module, (nn.Conv2d, nn.MaxPool2d)) and not any(word in name for word in skip)]
    order: list[str] = []
    handles = [module.register_forward_hook(lambda _m, _i, _o, name=name: order.append(name)) for name, module in layers]
    try:
        with torch.inference_mode():
            net.eval()(torch.zeros(1, 3, input_size, input_size))
    finally:
        for handle in handles:
            handle.remove()
    modules = dict(layers)
    steps, jump, field, centre = [], 1, 1, 0.0
    for name in order:
        module = modules[name]
        kernel, stride = _side(module.kernel_size), _side(module.stride)
        before = _side(module.padding) + _same_padding_before(module)
        field += (kernel - 1) * jump
        centre += ((kernel - 1) / 2 - before) * jump
        jump *= stride
        steps.append(GridStep(name, kernel, stride, before, jump, field, centre))
    return steps


def _side(value: int | tuple[int, ...] | str) -> int:
    if isinstance(value, str):  # nn.Conv2d(padding="same") is symmetric only for odd kernels; not used here
        raise ValueError(f"string padding {value!r} is not supported; pass the padding as numbers.")
    return int(value if isinstance(value, int) else value[0])


def _same_padding_before(module: nn.Module) -> int:
    """Rows added above by efficientnet-lite-pytorch's static "SAME" padding (``ZeroPad2d(left, right, top, bottom)``)."""
    pad = getattr(module, "static_padding", None)
    return int(pad.padding[2]) if isinstance(pad, nn.ZeroPad2d) else 0


def input_gradient_mass(model: CamModel, batch: torch.Tensor, cell: tuple[int, int]) -> np.ndarray:
    """``(n, S, S) float64``: for each image, how strongly each input pixel moves one cell's features.

    The magnitude of the gradient of ``sum_k f_k(cell)`` (all ``C`` feature maps at that grid
    cell) with respect to the input, summed over the colour channels and scaled to sum 1 per
    image: the cell's effective receptive field.

    Example:
        >>> import numpy as np
        >>> import helpers
        >>> from helpers.images import preprocess
        >>> from helpers.teaching import receptive
        >>> model = helpers.load_model("efficientnet_lite0")
        >>> batch = preprocess(helpers.load_image(helpers.sample_image_path("chelsea.png")), model)  # (1, 3, 224, 224)
        >>> mass = receptive.input_gradient_mass(model, batch, cell=(3, 3))  # the centre cell of the 7x7 grid
        >>> mass.shape, mass.dtype, bool(np.isclose(mass.sum(), 1.0))
        ((1, 224, 224), dtype('float64'), True)

    Args:
        batch: ``(n, 3, S, S) float32`` preprocessed images.
        cell: ``(row, column)`` on the last grid.
    """
    probe = batch.detach().clone().requires_grad_(True)
    seen: dict[str, torch.Tensor] = {}
    handle = model.feature_layer.register_forward_hook(lambda _m, _i, output: seen.update(f=output))
    try:
        model.net(probe)
    finally:
        handle.remove()
    (gradient,) = torch.autograd.grad(seen["f"][:, :, cell[0], cell[1]].sum(), probe)
    mass = gradient.abs().sum(dim=1).double().numpy()
    return mass / mass.sum(axis=(1, 2), keepdims=True)


def share_within(mass: np.ndarray, centre: tuple[float, float], radius: float) -> np.ndarray:
    """``(n,)``: the share of each ``(n, S, S)`` mass within the square of half-side ``radius`` around ``centre`` (row, column).

    Example:
        >>> import numpy as np
        >>> from helpers.teaching import receptive
        >>> mass = np.zeros((2, 8, 8))
        >>> mass[0, 4, 4] = mass[1, 0, 0] = 1.0  # all of image 0's mass at (4, 4), all of image 1's in a corner
        >>> receptive.share_within(mass, centre=(4, 4), radius=1)
        array([1., 0.])
        >>> receptive.share_within(np.full((1, 224, 224), 1 / 224**2), (111.5, 111.5), radius=32).round(3)  # area of 64x64 pixels
        array([0.082])
    """
    rows = np.abs(np.arange(mass.shape[-2]) - centre[0]) <= radius
    cols = np.abs(np.arange(mass.shape[-1]) - centre[1]) <= radius
    return mass[:, rows][:, :, cols].sum(axis=(1, 2))


@dataclass(frozen=True)
class Sweep:
    """Column distances between an object and the hot part of its class's CAM, over placements.

    Example:
        >>> import numpy as np
        >>> from helpers.teaching.receptive import Sweep
        >>> sweep = Sweep(displacements=np.array([-3.0, 1.0, 2.5]), placements=4)  # as object_sweep returns it
        >>> f"{len(sweep.displacements)} of {sweep.placements} recognised, median {np.median(sweep.displacements):+.1f} pixels"
        '3 of 4 recognised, median +1.0 pixels'

    Attributes:
        displacements: ``(m,) float64``, for each placement the model recognised, the hot
            part's centre column minus the object's centre column, in input pixels (positive:
            the map sits to the right of the object).
        placements: how many placements were tried (``m`` of them were recognised).
    """

    displacements: np.ndarray
    placements: int


def object_sweep(
    model: CamModel,
    obj: LabelledObject,
    *,
    side: int = 80,
    grid: tuple[int, int] = (5, 7),
    backgrounds: Sequence[str] = ("flat colour", "smooth noise", "brick", "grass"),
    offsets: Sequence[float] = (0.0,),
    hot: float = 0.7,
    seed: int = 0,
) -> dict[float, Sweep]:
    """Move ``obj`` across the input and measure where its CAM lands, column by column.

    The object, scaled so that its longer side is ``side`` pixels, is pasted at ``grid`` rows x
    columns of positions on each background, and mirrored left-right at each: the mirrored
    twin cancels the object's own asymmetry (a cat's face is not in its middle column), so
    what remains is where the network's cells sit. For each placement whose top-1 class is
    one of the object's classes, the top class's CAM is upsampled to the input with each of
    ``offsets`` (see :func:`helpers.methods.cam.upsample`) and its hot part (values of at least ``hot`` x its
    maximum) is compared with the object's pixels. The network runs once for all offsets.

    Example:
        >>> import numpy as np
        >>> import helpers
        >>> from helpers.datasets.composites import load_objects
        >>> from helpers.teaching import receptive
        >>> cat = next(obj for obj in load_objects() if obj.name == "cat")
        >>> sweeps = receptive.object_sweep(helpers.load_model("efficientnet_lite0"), cat, grid=(1, 2), backgrounds=("flat colour",),
        ...                                 offsets=(0.0, 0.5))  # 2 positions x 1 background x 2 mirrorings
        >>> list(sweeps), sweeps[0.0].placements, bool(abs(np.median(sweeps[0.0].displacements)) < 3)
        ([0.0, 0.5], 4, True)

    Returns:
        ``{offset: Sweep}``, one entry per offset, in the order given.
    """
    size = model.input_size
    rgb, mask = _scaled(obj, side)
    rng = np.random.default_rng(seed)
    images, centres = [], []
    for kind in backgrounds:
        canvas = background(kind, rng, size)
        for rows in np.linspace(8, size - mask.shape[0] - 8, grid[0]).astype(int):
            for cols in np.linspace(8, size - mask.shape[1] - 8, grid[1]).astype(int):
                for flip in (False, True):
                    image, where = canvas.copy(), np.zeros((size, size), dtype=bool)
                    pasted, shape = (rgb[:, ::-1], mask[:, ::-1]) if flip else (rgb, mask)
                    window = image[rows:rows + shape.shape[0], cols:cols + shape.shape[1]]
                    window[shape] = pasted[shape]
                    where[rows:rows + shape.shape[0], cols:cols + shape.shape[1]] = shape
                    images.append(image)
                    centres.append(np.nonzero(where)[1].mean())
    logits, features = [], []
    for chunk in preprocess_batch(images, model).split(INFERENCE_BATCH):
        # small channels-last batches, as helpers.models.in_batches runs them: the fastest layout on a CPU
        chunk_logits, chunk_features = model.forward_with_features(chunk.contiguous(memory_format=torch.channels_last))
        logits.append(chunk_logits)
        features.append(chunk_features)
    top = torch.cat(logits).argmax(dim=1)
    maps = torch.einsum("nk,nkxy->nxy", model.fc_weight[top], torch.cat(features)).numpy()
    recognised = np.flatnonzero(np.isin(top.numpy(), obj.class_ids))
    return {offset: Sweep(np.array([_hot_column(upsample(normalise(maps[i]), (size, size), offset=offset), hot) - centres[i]
                                    for i in recognised]), len(images))
            for offset in offsets}


def _hot_column(heat: np.ndarray, hot: float) -> float:
    """The centre column of an ``(S, S)`` map's hot part (:func:`~helpers.methods.secam.threshold_masks`: values of
    at least ``hot`` x its maximum), weighted by the values; NaN for a map without a positive value."""
    weight = np.where(threshold_masks(heat, hot), heat, 0.0).sum(axis=0)  # (S,)
    total = weight.sum()
    return float((weight * np.arange(heat.shape[1])).sum() / total) if total > 0 else float("nan")


def _scaled(obj: LabelledObject, side: int) -> tuple[np.ndarray, np.ndarray]:
    """The object's photo and mask, scaled so that the longer side is ``side`` pixels."""
    height, width = obj.mask.shape
    factor = side / max(height, width)
    new = (max(1, round(height * factor)), max(1, round(width * factor)))
    return shrink(obj.rgb, new), nearest(obj.mask, new)
