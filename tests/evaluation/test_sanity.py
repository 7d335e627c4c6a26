"""Cascading randomisation leaves the loaded model alone and changes exactly the stages it names."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import helpers
from helpers.evaluation import sanity


def parameters(net: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {name: value.detach().clone() for name, value in net.state_dict().items()}


def test_the_loaded_model_and_torchs_random_state_are_untouched(lite0: helpers.CamModel) -> None:
    before = parameters(lite0.net)
    state = torch.random.get_rng_state()
    sanity.randomised(lite0, depth=3, seed=0)
    assert torch.equal(torch.random.get_rng_state(), state)
    after = lite0.net.state_dict()
    assert all(torch.equal(before[name], after[name]) for name in before)


def test_exactly_the_top_stages_change_and_the_same_seed_gives_the_same_weights(lite0: helpers.CamModel) -> None:
    stages = sanity.layers_from_top(lite0)
    assert [name for name, _ in stages[:3]] == ["classifier", "head", "block 16"] and stages[-1][0] == "stem"
    original = parameters(lite0.net)
    copy = sanity.randomised(lite0, depth=2, seed=5)
    again = sanity.randomised(lite0, depth=2, seed=5)
    changed = {name for name, value in copy.net.state_dict().items() if not torch.equal(value, original[name])}
    assert changed and all(name.startswith(("_fc.", "_conv_head.", "_bn1.")) for name in changed)
    assert {"_fc.weight", "_conv_head.weight", "_bn1.running_mean"} <= changed
    assert all(torch.equal(value, again.net.state_dict()[name]) for name, value in copy.net.state_dict().items())
    # the copy's CAM parts are its own modules, so its CAMs use the new weights
    assert copy.classifier is copy.net.classifier and not torch.equal(copy.fc_weight, lite0.fc_weight)
    assert copy.feature_layer is copy.net.head_activation


def test_depth_zero_is_an_identical_copy_and_cams_change_with_depth(lite0: helpers.CamModel, chelsea: np.ndarray) -> None:
    cam = helpers.compute_cam(lite0, chelsea, class_ids=[285]).heatmaps()[0]
    same = helpers.compute_cam(sanity.randomised(lite0, 0), chelsea, class_ids=[285]).heatmaps()[0]
    np.testing.assert_array_equal(cam, same)
    deep = helpers.compute_cam(sanity.randomised(lite0, 6), chelsea, class_ids=[285]).heatmaps()[0]
    assert sanity.map_similarity(cam, deep)["spearman"] < 0.9
    with pytest.raises(ValueError, match="depth must be an integer from 0 to 19"):
        sanity.randomised(lite0, 20)


def test_resnet_stages_run_from_fc_to_the_stem(resnet_random: helpers.CamModel) -> None:
    names = [name for name, _ in sanity.layers_from_top(resnet_random)]
    assert names[:3] == ["fc", "layer4.2", "layer4.1"] and names[-2:] == ["layer1.0", "stem"] and len(names) == 18


def test_map_similarity_on_known_maps() -> None:
    rng = np.random.default_rng(0)
    a = rng.random((32, 32))
    same = sanity.map_similarity(a, a)
    assert same["spearman"] == pytest.approx(1.0) and same["spearman_abs"] == pytest.approx(1.0) and same["ssim"] == pytest.approx(1.0)
    flipped = sanity.map_similarity(a - 0.5, 0.5 - a)  # the same ranks reversed; the same magnitudes
    assert flipped["spearman"] == pytest.approx(-1.0) and flipped["spearman_abs"] == pytest.approx(1.0)
    unrelated = sanity.map_similarity(a, rng.random((32, 32)))
    assert abs(unrelated["spearman"]) < 0.1 and unrelated["ssim"] < 0.2
    assert sanity.map_similarity(a, np.zeros((32, 32)))["spearman"] == 0.0
    with pytest.raises(ValueError, match="same shape"):
        sanity.map_similarity(a, a[:16])
