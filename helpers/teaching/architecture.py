"""Measure a network stage by stage: output shapes (with forward hooks), parameter counts, and
whether its inputs are scaled as in training (the stem's batch norm remembers)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch
from torch import nn
from torchvision.models import ResNet

from helpers import _validate
from helpers.models import EfficientNetLite, capture_outputs

__all__ = [
    "StageInfo",
    "efficientnet_stages",
    "format_stage_table",
    "parameter_count",
    "resnet_stages",
    "stage_table",
    "stem_layers",
    "stem_variance_ratio",
]


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


def efficientnet_stages(net: EfficientNetLite) -> dict[str, list[nn.Module]]:
    """Split EfficientNet-Lite into its stem, seven stages of MBConv blocks, head, pooling and classifier.

    A stage is a run of consecutive blocks with the same output width (16, 24, 40, 80, 112,
    192 and 320 channels in EfficientNet-Lite0); the head is the 1x1 convolution to 1280
    channels, its batch norm and ReLU6, whose output are the feature maps CAM weights.
    """
    if not isinstance(net, EfficientNetLite):
        raise TypeError(f"net must be helpers' EfficientNetLite, got {type(net).__name__}.")
    stages: dict[str, list[nn.Module]] = {"stem": [net.stem_conv, net.stem_norm, net.stem_activation]}
    widths: list[int] = []
    for block, width in zip(net.blocks, net.block_widths, strict=True):
        if not widths or widths[-1] != width:
            widths.append(width)
            stages[f"stage{len(widths)}"] = []
        stages[f"stage{len(widths)}"].append(block)
    stages["head"] = [net.head_conv, net.head_norm, net.head_activation]
    stages["avgpool"] = [net.pooling]
    stages["fc"] = [net.classifier]
    return stages


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


def stem_layers(net: nn.Module) -> tuple[nn.Conv2d, nn.BatchNorm2d]:
    """The first convolution and the batch norm right after it, in a ResNet or an EfficientNet-Lite."""
    if isinstance(net, ResNet):
        return net.conv1, net.bn1
    if isinstance(net, EfficientNetLite):
        return net.stem_conv, net.stem_norm
    raise TypeError(f"net must be a torchvision ResNet or helpers' EfficientNetLite, got {type(net).__name__}.")


def stem_variance_ratio(net: nn.Module, batch: torch.Tensor) -> torch.Tensor:
    """``(C,) float32``: per channel, the variance of the stem convolution's outputs on ``batch``
    over the variance its batch norm recorded during training (``running_var``).

    A batch norm keeps running statistics of what it saw in training. On natural photos
    preprocessed as the network was trained, the ratio is near 1 (its median between 0.5 and
    2); inputs on another scale move every channel together (a 2x wider input range gives
    about 4x the variance).

    Args:
        net: a ResNet or an EfficientNet-Lite (see :func:`stem_layers`).
        batch: ``(n, 3, S, S) float32`` preprocessed photos; the variance is taken over the
            photos and all positions, as batch norm takes it.
    """
    conv, norm = stem_layers(net)
    with torch.inference_mode():
        outputs = conv(batch)  # (n, C, S/2, S/2)
    return outputs.var(dim=(0, 2, 3)) / norm.running_var
