"""Figures: saving into the output folder atomically, boxes, and the notebooks' controls."""

from __future__ import annotations

import inspect
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

import helpers
import helpers.evaluation.localisation


def test_save_figure_writes_a_png_into_the_output_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAM_OUTPUT_DIR", str(tmp_path / "new" / "folder"))
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    path = helpers.save_figure(fig, "line")
    plt.close(fig)
    assert path == tmp_path / "new" / "folder" / "line.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["line.png"]


def test_a_failed_save_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fig, _ = plt.subplots()

    def broken_savefig(*args, **kwargs):
        Path(args[0]).write_bytes(b"half a png")
        raise OSError("disk full")

    monkeypatch.setattr(fig, "savefig", broken_savefig)
    with pytest.raises(OSError, match="disk full"):
        helpers.save_figure(fig, "broken", folder=tmp_path)
    plt.close(fig)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["", "sub/figure.png", "../figure"])
def test_save_figure_wants_a_plain_file_name(tmp_path: Path, name: str) -> None:
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="PNG file name without folders"):
        helpers.save_figure(fig, name, folder=tmp_path)
    plt.close(fig)


def test_output_dir_that_cannot_be_created_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CAM_OUTPUT_DIR", str(blocker / "outputs"))
    with pytest.raises(OSError, match="CAM_OUTPUT_DIR"):
        helpers.paths.output_dir()


def test_draw_box_outlines_exactly_the_pixels_of_a_half_open_box() -> None:
    fig, ax = plt.subplots()
    ax.imshow(np.zeros((10, 12)))
    outline = helpers.viz.draw_box(ax, (2, 5, 3, 9), "magenta")  # rows 2-4, columns 3-8
    plt.close(fig)
    assert outline in ax.patches
    assert (outline.get_x(), outline.get_y(), outline.get_width(), outline.get_height()) == (2.5, 1.5, 6, 3)
    mask = helpers.evaluation.localisation.box_mask((10, 12), (2, 5, 3, 9))
    rows, cols = np.nonzero(mask)
    assert (outline.get_y(), outline.get_y() + outline.get_height()) == (rows.min() - 0.5, rows.max() + 0.5)
    assert (outline.get_x(), outline.get_x() + outline.get_width()) == (cols.min() - 0.5, cols.max() + 0.5)


def test_slic_controls_start_at_compute_secams_defaults_and_name_its_arguments() -> None:
    defaults = inspect.signature(helpers.compute_secam).parameters
    controls = helpers.viz.slic_controls("rocket.jpg", threshold=True)
    assert list(controls) == ["photo_name", "n_segments", "compactness", "threshold"]
    assert controls["photo_name"].value == "rocket.jpg"
    assert list(controls["photo_name"].options) == list(helpers.SAMPLE_IMAGES)
    for name in ("n_segments", "compactness", "threshold"):
        assert controls[name].value == pytest.approx(defaults[name].default), name
    assert list(helpers.viz.slic_controls("chelsea.png")) == ["photo_name", "n_segments", "compactness"]
