"""CAM figures: overlay and the top-k grid."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

import helpers


def test_plot_topk_titles_every_class_with_its_probability(lite0: helpers.CamModel, chelsea: np.ndarray) -> None:
    cam = helpers.compute_cam(lite0, chelsea, topk=3)
    fig = helpers.plot_topk(chelsea, cam)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles[0] == "input (efficientnet_lite0)"
    assert titles[1:] == [helpers.viz.class_title(label, p) for label, p in zip(cam.labels, cam.probs, strict=True)]
    assert titles[1] == f"Egyptian cat  p={cam.probs[0]:.2f}" and 0.7 < cam.probs[0] < 0.9  # two decimals, the real probability
    assert any(ax.get_label() == "<colorbar>" for ax in fig.axes)
    plt.close(fig)


def test_plot_topk_refuses_an_image_of_another_size(lite0: helpers.CamModel, chelsea: np.ndarray) -> None:
    cam = helpers.compute_cam(lite0, chelsea, topk=1)
    with pytest.raises(ValueError, match="differs from the CAM's"):
        helpers.plot_topk(chelsea[:100], cam)


def test_overlay_draws_the_heatmap_on_a_fixed_zero_to_one_scale(chelsea: np.ndarray) -> None:
    fig, ax = plt.subplots()
    artist = helpers.overlay(ax, chelsea, np.zeros(chelsea.shape[:2]), alpha=0.4, title="t")
    assert artist.get_clim() == (0.0, 1.0) and artist.get_alpha() == 0.4
    plt.close(fig)


@pytest.mark.parametrize(("heatmap_shape", "alpha", "match"), [((7, 7), 0.5, "upsample it"), ((300, 451), 1.5, "alpha")])
def test_overlay_rejects_mismatched_maps_and_bad_alpha(chelsea, heatmap_shape, alpha, match) -> None:
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=match):
        helpers.overlay(ax, chelsea, np.zeros(heatmap_shape), alpha=alpha)
    plt.close(fig)


def test_explorer_draws_only_when_a_control_changes() -> None:
    import ipywidgets as widgets

    calls: list[dict] = []
    slider = widgets.IntSlider(value=1, min=0, max=5)
    menu = widgets.Dropdown(options=["a", "b"], value="a")
    box = helpers.viz.explorer(lambda **values: calls.append(values), {"rank": slider, "name": menu})
    assert calls == []  # nothing drawn while the cell executes
    slider.value = 3
    menu.value = "b"
    assert calls == [{"rank": 3, "name": "a"}, {"rank": 3, "name": "b"}]
    assert isinstance(box.children[-1], widgets.Output)
