"""Measure a network stage by stage: output shapes (with forward hooks) and parameter counts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch
from torch import nn
from torchvision.models import ResNet

from . import _validate
from .models import capture_outputs


@dataclass(frozen=True)
class StageInfo:
    """One row of a stage table.

    Attributes:
        name: stage name, e.g. ``"layer3"``.
        output_shape: shape of the stage's output for the probed input, e.g. ``(1, 1024, 14, 14)``.
        parameters: number of trainable values in the stage.
    """

    name: str
    output_shape: tuple[int, ...]
    parameters: int


def parameter_count(module: nn.Module) -> int:
    """Number of values in ``module``'s parameters (each shared tensor counted once)."""
    return sum(p.numel() for p in module.parameters())


def resnet_stages(net: ResNet) -> dict[str, list[nn.Module]]:
    """Split a torchvision ResNet into its stem, four stages and head, in forward order."""
    if not isinstance(net, ResNet):
        raise TypeError(f"net must be a torchvision ResNet, got {type(net).__name__}.")
    return {
        "stem": [net.conv1, net.bn1, net.relu, net.maxpool],
        "layer1": [net.layer1],
        "layer2": [net.layer2],
        "layer3": [net.layer3],
        "layer4": [net.layer4],
        "avgpool": [net.avgpool],
        "fc": [net.fc],
    }


def stage_table(net: nn.Module, stages: Mapping[str, Sequence[nn.Module]], input_size: int = 224) -> list[StageInfo]:
    """Output shape and parameter count of every stage for one ``(1, 3, s, s)`` input.

    The shapes are measured, not computed: a forward hook on the last module of each stage
    records its output during one pass of a zero image of side ``input_size``.
    """
    if not _validate.is_integer(input_size) or input_size < 32:
        raise ValueError(f"input_size must be at least 32 pixels (the network's stride), got {input_size}.")
    probes = {name: modules[-1] for name, modules in stages.items()}
    was_training = net.training
    net.eval()
    try:
        with torch.inference_mode(), capture_outputs(probes) as out:
            net(torch.zeros(1, 3, input_size, input_size))
    finally:
        net.train(was_training)
    return [
        StageInfo(name, tuple(out[name].shape), sum(parameter_count(m) for m in modules))
        for name, modules in stages.items()
    ]


def format_stage_table(rows: Sequence[StageInfo]) -> str:
    """A fixed-width text table of ``rows`` with a total line, for printing in notebooks."""
    lines = [f"{'stage':<8} {'output shape':<20} {'parameters':>12}"]
    lines += [f"{r.name:<8} {r.output_shape!s:<20} {r.parameters:>12,}" for r in rows]
    lines.append(f"{'total':<8} {'':<20} {sum(r.parameters for r in rows):>12,}")
    return "\n".join(lines)
