"""One set of argument checks: every entry point rejects the same bad values in the same words,
and a wrong argument is named with what it must be."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

import helpers
from helpers import _validate, images
from helpers.cli import command as cli
from helpers.datasets import birdcalls
from helpers.methods import secam
from helpers.teaching import slic

BAD_COUNTS = [0, -3, 2.5, True, np.bool_(True), "50", None]
BAD_POSITIVE_NUMBERS = [0, -1.0, float("nan"), float("inf"), True, "10"]
BAD_FRACTIONS = [-0.1, 1.5, float("nan"), True, "0.5"]


def message(call: Callable[[], object]) -> str:
    with pytest.raises(ValueError) as info:
        call()
    return str(info.value)


@pytest.mark.parametrize("value", BAD_COUNTS)
def test_n_segments_is_rejected_alike_by_the_teaching_slic_scikit_image_secam_and_the_command_line(value: object) -> None:
    expected = f"n_segments must be a positive integer (superpixels requested), got {value!r}."
    grid = np.zeros((5, 5))
    rgb = np.zeros((8, 8, 3), dtype=np.uint8)
    assert message(lambda: slic.slic(grid, n_segments=value)) == expected
    assert message(lambda: slic.grid_interval((5, 5), value)) == expected
    assert message(lambda: secam.superpixels(rgb, n_segments=value)) == expected
    assert message(lambda: _validate.secam_options(value, 10.0, 0.8)) == expected


@pytest.mark.parametrize("value", BAD_POSITIVE_NUMBERS)
def test_compactness_is_rejected_alike_nan_included(value: object) -> None:
    expected = f"compactness must be a positive number (10 is a good start), got {value!r}."
    rgb = np.zeros((8, 8, 3), dtype=np.uint8)
    assert message(lambda: slic.slic(np.zeros((5, 5)), n_segments=4, compactness=value)) == expected
    assert message(lambda: secam.superpixels(rgb, compactness=value)) == expected
    assert message(lambda: _validate.secam_options(50, value, 0.8)) == expected


@pytest.mark.parametrize("value", BAD_FRACTIONS)
def test_threshold_must_be_a_fraction(value: object) -> None:
    assert message(lambda: _validate.threshold(value)) == (
        f"threshold must be a number from 0 to 1 (a fraction of each map's maximum), got {value!r}.")


@pytest.mark.parametrize(("flag", "text", "convert", "check"), [
    ("--segments", "0", int, _validate.n_segments),
    ("--compactness", "nan", float, _validate.compactness),
    ("--compactness", "-2", float, _validate.compactness),
    ("--threshold", "1.5", float, _validate.threshold),
])
def test_the_command_line_reports_the_same_words(flag: str, text: str, convert: Callable[[str], object],
                                                 check: Callable[[object], None], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["explain", "photo.png", flag, text])
    assert message(lambda: check(convert(text))) in capsys.readouterr().err


@pytest.mark.parametrize("good", [1, 50, np.int64(7)])
def test_good_counts_pass(good: object) -> None:
    _validate.positive_integer(good, "n")
    _validate.n_segments(good)


@pytest.mark.parametrize("good", [0.1, 10, np.float32(2.5), np.int32(3)])
def test_good_numbers_pass(good: object) -> None:
    _validate.compactness(good)


def test_other_counts_use_the_same_check() -> None:
    assert message(lambda: birdcalls.make_dataset(True, seed=0)) == "n must be a positive integer (number of clips), got True."
    assert message(lambda: images.fit_within((10, 10), 0)) == "max_side must be a positive integer (pixels), got 0."


def test_checked_turns_a_validator_into_an_argparse_type() -> None:
    to_segments = cli.checked(int, _validate.n_segments)
    assert to_segments("12") == 12
    with pytest.raises(argparse.ArgumentTypeError, match="n_segments must be a positive integer"):
        to_segments("0")


# --- the wrong kind of object: each error names the argument and where a right one comes from ---


@pytest.fixture(scope="module")
def chelsea_results(lite0: helpers.CamModel, chelsea: np.ndarray) -> tuple[helpers.CamResult, helpers.SecamResult]:
    cam = helpers.compute_cam(lite0, chelsea, topk=2)
    return cam, helpers.compute_secam(cam, chelsea)


def test_results_and_models_of_the_wrong_kind_are_named(lite0: helpers.CamModel, chelsea: np.ndarray, chelsea_results) -> None:
    cam, secam_result = chelsea_results
    with pytest.raises(TypeError, match=r"model must be a CamModel from helpers\.load_model, got str"):
        helpers.compute_cam("efficientnet_lite0", chelsea)
    with pytest.raises(TypeError, match=r"cam must be a CamResult from helpers\.compute_cam, got CamModel"):
        helpers.compute_secam(lite0, chelsea)
    with pytest.raises(TypeError, match=r"cam must be a CamResult from helpers\.compute_cam, got SecamResult"):
        helpers.plot_topk(chelsea, secam_result)
    with pytest.raises(TypeError, match=r"secam must be a SecamResult from helpers\.compute_secam, got CamResult"):
        helpers.plot_comparison(chelsea, cam)


def test_figures_want_the_photo_as_an_array_and_say_so(chelsea_results) -> None:
    cam, secam_result = chelsea_results
    path = str(helpers.sample_image_path("chelsea.png"))
    for call in (lambda: helpers.plot_topk(path, cam), lambda: helpers.plot_comparison(path, secam_result),
                 lambda: secam.superpixels(path)):
        text = message(call)
        assert "use helpers.load_image to read a file" in text and "chelsea.png" in text


def test_comparison_options_are_checked(chelsea: np.ndarray, chelsea_results) -> None:
    _, secam_result = chelsea_results
    assert "ranks must be a list of positions 0 to 1" in message(lambda: helpers.plot_comparison(chelsea, secam_result, ranks=[5]))
    assert "ranks must be a list" in message(lambda: helpers.plot_comparison(chelsea, secam_result, ranks=0))
    assert "such as ('cam',)" in message(lambda: helpers.plot_comparison(chelsea, secam_result, methods="cam"))


def test_more_argument_mistakes_get_named(lite0: helpers.CamModel, chelsea: np.ndarray, tmp_path) -> None:
    assert "class_ids must be a list of class ids such as [285], got 285" in message(
        lambda: helpers.compute_cam(lite0, chelsea, class_ids=285))
    maps = np.zeros((2, 7, 7), dtype=np.float32)
    for size in (chelsea.shape, 300):
        assert "size must be two positive integers (H, W), such as image.shape[:2]" in message(
            lambda size=size: helpers.methods.cam.upsample(maps, size))
    assert "threshold must be a number from 0 to 1" in message(lambda: secam.threshold_masks(maps, 2))
    assert "Unknown sample image" in message(lambda: helpers.sample_image_path(chelsea))
    fig = plt.figure()
    assert "PNG file name" in message(lambda: helpers.save_figure(fig, "cat.jpg", folder=tmp_path))
    assert helpers.save_figure(fig, Path("cat.png"), folder=tmp_path) == tmp_path / "cat.png"
    plt.close(fig)


def test_the_widgets_name_the_package_they_need(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # as if the notebooks extra were not installed
    with pytest.raises(ModuleNotFoundError, match=r"need ipywidgets: pip install ipywidgets$"):
        helpers.viz.slic_controls("chelsea.png")
