"""Training code: shapes, seeded determinism, learning, and the transfer model's frozen split."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import helpers
from helpers.datasets import birdcalls
from helpers.teaching import training


@pytest.fixture(scope="module")
def clips() -> birdcalls.BirdCalls:
    return birdcalls.make_dataset(480, seed=11)


def scratch(clips: birdcalls.BirdCalls, **options) -> helpers.CamModel:
    pixels = clips.images / 255.0
    return training.scratch_model(birdcalls.SPECIES, float(pixels.mean()), float(pixels.std()), **options)


def test_small_resnet_gives_16x16_feature_maps_and_exact_cams(clips: birdcalls.BirdCalls) -> None:
    model = scratch(clips)
    logits, features = model.forward_with_features(training.model_inputs(clips.images[:4], model))
    assert logits.shape == (4, 3) and features.shape == (4, 64, 16, 16)
    cam = helpers.compute_cam(model, clips.images[0], topk=3)
    assert cam.raw_maps.shape == (3, 16, 16) and cam.image_size == (64, 64)
    np.testing.assert_allclose(cam.raw_maps.mean(axis=(1, 2)) + cam.bias, cam.logits, atol=1e-5)


def test_training_is_deterministic(clips: birdcalls.BirdCalls) -> None:
    models = [scratch(clips, seed=3) for _ in range(2)]
    inputs = training.model_inputs(clips.images[:64], models[0])
    losses = [training.train(m.net, inputs, clips.labels[:64], epochs=2, lr=3e-3, seed=1) for m in models]
    assert losses[0] == losses[1]
    for a, b in zip(models[0].net.state_dict().values(), models[1].net.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    assert not models[0].net.training


@pytest.mark.slow
def test_training_learns(clips: birdcalls.BirdCalls) -> None:
    model = scratch(clips, seed=3)
    inputs = training.model_inputs(clips.images, model)
    losses = training.train(model.net, inputs, clips.labels, epochs=5, lr=3e-3, seed=1)
    assert losses[-1] < 0.6 * losses[0]
    accuracy = (training.predict(model.net, inputs).argmax(axis=1) == clips.labels).mean()
    assert accuracy > 0.6  # chance is 1/3


def test_global_max_pooling_variant(clips: birdcalls.BirdCalls) -> None:
    model = scratch(clips, pool="max")
    assert isinstance(model.net.pool, torch.nn.AdaptiveMaxPool2d) and "GMP" in model.name
    with pytest.raises(ValueError, match="pool must be 'avg'"):
        training.SmallResNet(3, pool="median")


@pytest.mark.slow
def test_transfer_model_trains_only_its_top_and_leaves_the_base_alone(lite0: helpers.CamModel,
                                                                      clips: birdcalls.BirdCalls) -> None:
    base_fc = lite0.fc_weight.clone()
    model, top = training.transfer_model(lite0, birdcalls.SPECIES, input_size=160)
    assert lite0.num_classes == 1000 and torch.equal(lite0.fc_weight, base_fc)
    assert model.num_classes == 3 and model.input_size == 160
    trainable = {id(p) for p in model.net.parameters() if p.requires_grad}
    assert trainable == {id(p) for p in top.parameters()}
    assert 0 < sum(p.numel() for p in top.parameters()) < 0.5 * sum(p.numel() for p in model.net.parameters())
    inputs = training.model_inputs(clips.images[:6], model)
    frozen = training.frozen_features(model.net, inputs)
    assert frozen.shape == (6, 192, 5, 5)
    np.testing.assert_allclose(training.predict(top, frozen), training.predict(model.net, inputs), atol=1e-5)
    before = [p.clone() for p in model.net.blocks[0].parameters()]
    training.train(top, training.frozen_features(model.net, training.model_inputs(clips.images[:64], model)),
                   clips.labels[:64], epochs=1, lr=1e-3)
    assert all(torch.equal(a, b) for a, b in zip(before, model.net.blocks[0].parameters(), strict=True))
    cam = helpers.compute_cam(model, clips.images[0], topk=3)
    assert cam.raw_maps.shape == (3, 5, 5)


def test_bad_training_arguments_are_named(lite0: helpers.CamModel, clips: birdcalls.BirdCalls) -> None:
    model = scratch(clips)
    inputs = training.model_inputs(clips.images[:10], model)
    with pytest.raises(ValueError, match="10 inputs but 9 labels"):
        training.train(model.net, inputs, clips.labels[:9], epochs=1, lr=1e-3)
    with pytest.raises(ValueError, match="transfer_model adapts efficientnet_lite0"):
        training.transfer_model(model, birdcalls.SPECIES)
