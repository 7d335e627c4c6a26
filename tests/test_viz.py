"""Saving figures: into the output folder, atomically."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest

import helpers


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
    with pytest.raises(ValueError, match="plain file name"):
        helpers.save_figure(fig, name, folder=tmp_path)
    plt.close(fig)


def test_output_dir_that_cannot_be_created_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CAM_OUTPUT_DIR", str(blocker / "outputs"))
    with pytest.raises(OSError, match="CAM_OUTPUT_DIR"):
        helpers.output_dir()
