"""Where a cell looks: receptive-field arithmetic, the input gradient, and the object sweep."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import helpers
from helpers.datasets.composites import load_objects
from helpers.teaching import receptive


def test_resnet50_geometry_is_stride_32_field_427_centred_on_32i(resnet_random: helpers.CamModel) -> None:
    steps = receptive.grid_geometry(resnet_random.net)
    halving = [step.name for step in steps if step.stride == 2]
    assert halving == ["conv1", "maxpool", "layer2.0.conv2", "layer3.0.conv2", "layer4.0.conv2"]
    assert (steps[-1].jump, steps[-1].receptive_field, steps[-1].first_centre) == (32, 427, 0.0)
    assert not any("downsample" in step.name for step in steps)


def test_efficientnet_lite0_same_padding_puts_cell_0_at_row_31(lite0: helpers.CamModel) -> None:
    steps = receptive.grid_geometry(lite0.net)
    halving = [step for step in steps if step.stride == 2]
    assert len(halving) == 5 and [step.padding_before for step in halving] == [0, 0, 1, 0, 1]  # "SAME": the rest below
    assert (steps[-1].jump, steps[-1].receptive_field, steps[-1].first_centre) == (32, 851, 31.0)


def test_input_gradient_mass_is_a_distribution_peaking_near_its_cell(resnet_random: helpers.CamModel, chelsea) -> None:
    batch = helpers.images.preprocess(chelsea, resnet_random)
    mass = receptive.input_gradient_mass(resnet_random, batch, (3, 3))
    assert mass.shape == (1, 224, 224) and np.isclose(mass.sum(), 1.0) and mass.min() >= 0
    near = receptive.share_within(mass, (96.0, 96.0), 32)[0]
    far = receptive.share_within(mass, (208.0, 208.0), 15)[0]
    assert near > 65**2 / 224**2 and near > 4 * far  # more than its area's share, and more than a corner's
    assert batch.grad is None and len(resnet_random.feature_layer._forward_hooks) == 0


def test_share_within_counts_a_square_of_the_given_half_side() -> None:
    mass = np.zeros((1, 10, 10))
    mass[0, 4:7, 4:7] = 1 / 9
    assert receptive.share_within(mass, (5.0, 5.0), 1)[0] == pytest.approx(1.0)
    assert receptive.share_within(mass, (5.0, 5.0), 0)[0] == pytest.approx(1 / 9)


@pytest.mark.slow
def test_object_sweep_finds_the_half_pixel_placement_and_sees_half_a_cell_of_shift(lite0: helpers.CamModel) -> None:
    cat = load_objects()[0]
    with torch.random.fork_rng():
        sweeps = receptive.object_sweep(lite0, cat, grid=(3, 4), backgrounds=("flat colour", "brick"), offsets=(0.0, 0.5))
    placed, shifted = sweeps[0.0], sweeps[0.5]
    assert placed.placements == 2 * 3 * 4 * 2 and len(placed.displacements) >= 20  # the cat is recognised
    assert abs(np.median(placed.displacements)) < 4  # the hot part sits on the object
    assert np.median(shifted.displacements) - np.median(placed.displacements) > 8  # half a cell is 16 input pixels
