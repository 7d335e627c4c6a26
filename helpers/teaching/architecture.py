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

    Example:
        >>> from helpers.teaching.architecture import StageInfo
        >>> row = StageInfo(name="layer4", output_shape=(1, 2048, 7, 7), parameters=14_964_736)  # ResNet50's last stage
        >>> row.output_shape[1:], f"{row.parameters:,}"  # 2048 feature maps of 7x7
        ((2048, 7, 7), '14,964,736')

    Attributes:
        name: stage name, e.g. ``"layer3"``.
        output_shape: shape of the stage's output for the probed input, e.g. ``(1, 1024, 14, 14)``.
        parameters: number of trainable values in the stage.
    """

    name: str
    output_shape: tuple[int, ...]
    parameters: int


def parameter_count(module: nn.Module) -> int:
    """Number of values in ``module``'s parameters (each shared tensor counted once).

    Example:
        >>> import helpers
        >>> from helpers.teaching.architecture import parameter_count
        >>> model = helpers.load_model()  # EfficientNet-Lite0
        >>> parameter_count(model.net), parameter_count(model.classifier)  # the classifier: 1280 x 1000 weights + 1000 biases
        (4652008, 1281000)
    """
    return sum(p.numel() for p in module.parameters())


def resnet_stages(net: ResNet) -> dict[str, list[nn.Module]]:
    """Split a torchvision ResNet into its stem, four stages and head, in forward order.

    Example:
        >>> import helpers
        >>> from helpers.teaching.architecture import resnet_stages
        >>> stages = resnet_stages(helpers.load_model("resnet50", pretrained=False).net)  # random weights: structure only
        >>> list(stages), [len(stages[f"layer{i}"][0]) for i in range(1, 5)]  # bottleneck blocks per stage
        (['stem', 'layer1', 'layer2', 'layer3', 'layer4', 'avgpool', 'fc'], [3, 4, 6, 3])
    """
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

    Example:
        >>> import helpers
        >>> from helpers.teaching.architecture import efficientnet_stages
        >>> stages = efficientnet_stages(helpers.load_model().net)
        >>> list(stages)
        ['stem', 'stage1', 'stage2', 'stage3', 'stage4', 'stage5', 'stage6', 'stage7', 'head', 'avgpool', 'fc']
        >>> [len(stages[f"stage{i}"]) for i in range(1, 8)]  # MBConv blocks per stage
        [1, 2, 2, 3, 3, 4, 1]
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

    Example:
        >>> import helpers
        >>> from helpers.teaching.architecture import efficientnet_stages, stage_table
        >>> net = helpers.load_model().net
        >>> stage_table(net, efficientnet_stages(net))[-3]  # the feature maps CAM weights: 1280 maps of 7x7
        StageInfo(name='head', output_shape=(1, 1280, 7, 7), parameters=412160)
        >>> stage_table(net, efficientnet_stages(net), input_size=64)[-3].output_shape  # total stride 32: 64 -> 2
        (1, 1280, 2, 2)
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
    """A fixed-width text table of ``rows`` with a total line, for printing in notebooks.

    Example:
        >>> import helpers
        >>> from helpers.teaching.architecture import efficientnet_stages, format_stage_table, stage_table
        >>> net = helpers.load_model().net
        >>> print(format_stage_table(stage_table(net, efficientnet_stages(net))))
        stage    output shape           parameters
        stem     (1, 32, 112, 112)             928
        stage1   (1, 16, 112, 112)             896
        stage2   (1, 24, 56, 56)            13,968
        stage3   (1, 40, 28, 28)            39,712
        stage4   (1, 80, 14, 14)           198,480
        stage5   (1, 112, 14, 14)          446,784
        stage6   (1, 192, 7, 7)          1,652,640
        stage7   (1, 320, 7, 7)            605,440
        head     (1, 1280, 7, 7)           412,160
        avgpool  (1, 1280, 1, 1)                 0
        fc       (1, 1000)               1,281,000
        total                            4,652,008
    """
    lines = [f"{'stage':<8} {'output shape':<20} {'parameters':>12}"]
    lines += [f"{r.name:<8} {r.output_shape!s:<20} {r.parameters:>12,}" for r in rows]
    lines.append(f"{'total':<8} {'':<20} {sum(r.parameters for r in rows):>12,}")
    return "\n".join(lines)


def stem_layers(net: nn.Module) -> tuple[nn.Conv2d, nn.BatchNorm2d]:
    """The first convolution and the batch norm right after it, in a ResNet or an EfficientNet-Lite.

    Example:
        >>> import helpers
        >>> from helpers.teaching.architecture import stem_layers
        >>> conv, norm = stem_layers(helpers.load_model().net)  # EfficientNet-Lite0
        >>> conv.kernel_size, conv.stride, conv.out_channels, norm.num_features
        ((3, 3), (2, 2), 32, 32)
        >>> stem_layers(helpers.load_model("resnet50", pretrained=False).net)[0].kernel_size  # ResNet50's 7x7 stem
        (7, 7)
    """
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

    Example:
        >>> import helpers
        >>> from helpers.images import preprocess_batch
        >>> from helpers.teaching.architecture import stem_variance_ratio
        >>> model = helpers.load_model()
        >>> photos = preprocess_batch([helpers.load_image(helpers.sample_image_path(n)) for n in helpers.SAMPLE_IMAGES], model)
        >>> ratio = stem_variance_ratio(model.net, photos)  # the six sample photos, scaled as in training
        >>> ratio.shape, bool(0.5 < ratio.median() < 2)
        (torch.Size([32]), True)
        >>> round(float(stem_variance_ratio(model.net, 2 * photos).median() / ratio.median()), 1)  # twice as wide
        4.0

    Args:
        net: a ResNet or an EfficientNet-Lite (see :func:`stem_layers`).
        batch: ``(n, 3, S, S) float32`` preprocessed photos; the variance is taken over the
            photos and all positions, as batch norm takes it.
    """
    conv, norm = stem_layers(net)
    with torch.inference_mode():
        outputs = conv(batch)  # (n, C, S/2, S/2)
    return outputs.var(dim=(0, 2, 3)) / norm.running_var
