"""Stage tables of ResNet50, measured with hooks."""

from __future__ import annotations

import pytest
from torch import nn
from torchvision.models import ResNet50_Weights

import helpers
import helpers.teaching.architecture

RESNET50_PARAMETERS = 25_557_032  # He et al. 2016; torchvision's ResNet50_Weights metadata says the same


def test_resnet50_has_the_published_parameter_count(resnet_random: helpers.CamModel) -> None:
    assert helpers.teaching.architecture.parameter_count(resnet_random.net) == RESNET50_PARAMETERS
    assert ResNet50_Weights.DEFAULT.meta["num_params"] == RESNET50_PARAMETERS


def test_stage_table_at_224_ends_in_a_7x7_grid(resnet_random: helpers.CamModel) -> None:
    rows = helpers.teaching.architecture.stage_table(resnet_random.net, helpers.teaching.architecture.resnet_stages(resnet_random.net), 224)
    shapes = {row.name: row.output_shape for row in rows}
    assert shapes == {
        "stem": (1, 64, 56, 56),
        "layer1": (1, 256, 56, 56),
        "layer2": (1, 512, 28, 28),
        "layer3": (1, 1024, 14, 14),
        "layer4": (1, 2048, 7, 7),
        "avgpool": (1, 2048, 1, 1),
        "fc": (1, 1000),
    }
    assert sum(row.parameters for row in rows) == RESNET50_PARAMETERS
    assert {row.name: row.parameters for row in rows}["fc"] == 2048 * 1000 + 1000


def test_stage_table_at_448_doubles_the_grid_and_keeps_the_parameters(resnet_random: helpers.CamModel) -> None:
    rows = helpers.teaching.architecture.stage_table(resnet_random.net, helpers.teaching.architecture.resnet_stages(resnet_random.net), 448)
    assert {r.name: r.output_shape for r in rows}["layer4"] == (1, 2048, 14, 14)
    assert sum(r.parameters for r in rows) == RESNET50_PARAMETERS


def test_stage_table_leaves_no_hooks_and_restores_training_mode(resnet_random: helpers.CamModel) -> None:
    net = resnet_random.net
    net.train()
    try:
        helpers.teaching.architecture.stage_table(net, helpers.teaching.architecture.resnet_stages(net), 64)
        assert net.training
    finally:
        net.eval()
    assert all(len(m._forward_hooks) == 0 for m in net.modules())


def test_format_stage_table_prints_every_stage_and_the_total(resnet_random: helpers.CamModel) -> None:
    rows = helpers.teaching.architecture.stage_table(resnet_random.net, helpers.teaching.architecture.resnet_stages(resnet_random.net), 224)
    text = helpers.teaching.architecture.format_stage_table(rows)
    assert text.splitlines()[-1].split()[-1] == f"{RESNET50_PARAMETERS:,}"
    assert len(text.splitlines()) == len(rows) + 2


def test_stage_table_rejects_an_input_smaller_than_the_stride(resnet_random: helpers.CamModel) -> None:
    with pytest.raises(ValueError, match="input_size must be at least 32"):
        helpers.teaching.architecture.stage_table(resnet_random.net, helpers.teaching.architecture.resnet_stages(resnet_random.net), 16)


def test_resnet_stages_rejects_other_networks() -> None:
    with pytest.raises(TypeError, match="torchvision ResNet"):
        helpers.teaching.architecture.resnet_stages(nn.Linear(2, 2))


def test_efficientnet_lite0_stage_table_ends_in_1280_maps_on_a_7x7_grid(lite0: helpers.CamModel) -> None:
    rows = helpers.teaching.architecture.stage_table(lite0.net, helpers.teaching.architecture.efficientnet_stages(lite0.net), 224)
    shapes = {row.name: row.output_shape for row in rows}
    assert [name for name in shapes] == ["stem", *[f"stage{i}" for i in range(1, 8)], "head", "avgpool", "fc"]
    assert [shape[1] for name, shape in shapes.items() if name.startswith("stage")] == [16, 24, 40, 80, 112, 192, 320]
    assert shapes["head"] == (1, 1280, 7, 7) and shapes["fc"] == (1, 1000)
    assert sum(row.parameters for row in rows) == helpers.teaching.architecture.parameter_count(lite0.net) == 4_652_008


def test_stem_layers_are_the_first_convolution_and_its_batch_norm(lite0: helpers.CamModel, resnet_random: helpers.CamModel) -> None:
    assert helpers.teaching.architecture.stem_layers(resnet_random.net) == (resnet_random.net.conv1, resnet_random.net.bn1)
    conv, norm = helpers.teaching.architecture.stem_layers(lite0.net)
    assert (conv.out_channels, norm.num_features, conv.stride) == (32, 32, (2, 2))
    with pytest.raises(TypeError, match="ResNet or helpers' EfficientNetLite"):
        helpers.teaching.architecture.stem_layers(nn.Linear(2, 2))
