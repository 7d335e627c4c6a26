"""load_image: odd formats come out right, bad files get a clear error."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import helpers


def _save(image: Image.Image, path: Path, **options) -> Path:
    image.save(path, **options)
    return path


# --- files that must load ------------------------------------------------------------------


def test_rgb_png_loads_unchanged(tmp_path: Path) -> None:
    pixels = np.random.default_rng(0).integers(0, 256, size=(12, 17, 3), dtype=np.uint8)
    path = _save(Image.fromarray(pixels), tmp_path / "photo.png")
    loaded = helpers.load_image(path)
    assert loaded.dtype == np.uint8 and loaded.flags.writeable
    np.testing.assert_array_equal(loaded, pixels)


def test_grayscale_becomes_three_equal_channels(tmp_path: Path) -> None:
    path = _save(Image.new("L", (5, 4), 77), tmp_path / "gray.png")
    loaded = helpers.load_image(path)
    assert loaded.shape == (4, 5, 3) and (loaded == 77).all()


def test_rgba_is_composited_over_white(tmp_path: Path) -> None:
    pixels = np.zeros((2, 2, 4), dtype=np.uint8)
    pixels[0, 0] = (255, 0, 0, 255)  # opaque red
    pixels[1, 1] = (0, 0, 0, 0)  # fully transparent black
    path = _save(Image.fromarray(pixels), tmp_path / "rgba.png")
    loaded = helpers.load_image(path)
    assert tuple(loaded[0, 0]) == (255, 0, 0) and tuple(loaded[1, 1]) == (255, 255, 255)


def test_palette_image_with_transparency(tmp_path: Path) -> None:
    image = Image.new("P", (3, 1))
    image.putpalette([0, 0, 255, 0, 255, 0] + [0, 0, 0] * 254)
    image.putdata([0, 1, 0])
    image.info["transparency"] = 1  # palette entry 1 (green) is transparent
    path = _save(image, tmp_path / "palette.png", transparency=1)
    loaded = helpers.load_image(path)
    assert [tuple(p) for p in loaded[0]] == [(0, 0, 255), (255, 255, 255), (0, 0, 255)]


def test_16_bit_png_is_scaled_not_clipped(tmp_path: Path) -> None:
    values = np.array([[0, 257 * 128, 65535]], dtype=np.uint16)
    path = _save(Image.fromarray(values), tmp_path / "deep.png")
    loaded = helpers.load_image(path)
    assert loaded[0, :, 0].tolist() == [0, 128, 255]


def test_cmyk_jpeg_becomes_rgb(tmp_path: Path) -> None:
    path = _save(Image.new("CMYK", (8, 8), (0, 255, 255, 0)), tmp_path / "cmyk.jpg", quality=95)
    red, green, blue = helpers.load_image(path)[4, 4].astype(int)
    assert red > 200 and green < 60 and blue < 60


def test_exif_rotated_jpeg_is_explained_upright(tmp_path: Path) -> None:
    pixels = np.zeros((20, 40, 3), dtype=np.uint8)  # stored landscape, left half red
    pixels[:, :20] = (255, 0, 0)
    image = Image.fromarray(pixels)
    exif = image.getexif()
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to display
    path = _save(image, tmp_path / "rotated.jpg", exif=exif, quality=95)
    loaded = helpers.load_image(path)
    assert loaded.shape == (40, 20, 3)  # displayed portrait
    assert loaded[5, 10, 0] > 200 and loaded[35, 10, 0] < 60  # the red half is now on top


def test_path_with_spaces_and_non_ascii_characters(tmp_path: Path) -> None:
    folder = tmp_path / "mes photos été"
    folder.mkdir()
    path = _save(Image.new("RGB", (3, 3), (1, 2, 3)), folder / "chat noir ß.png")
    assert tuple(helpers.load_image(str(path))[0, 0]) == (1, 2, 3)


# --- arrays ----------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(4, 6), (4, 6, 1), (4, 6, 3), (4, 6, 4)])
def test_uint8_arrays_of_the_usual_shapes_become_rgb(shape: tuple[int, ...]) -> None:
    array = np.full(shape, 200, dtype=np.uint8)
    if shape[-1] == 4:
        array[..., 3] = 255  # opaque, so compositing over white changes nothing
    loaded = helpers.load_image(array)
    assert loaded.shape == (4, 6, 3) and (loaded == 200).all()
    assert loaded is not array


@pytest.mark.parametrize(
    ("array", "match"),
    [
        (np.zeros((4, 6, 3), dtype=np.float32), "dtype uint8"),
        (np.zeros((4, 6, 2), dtype=np.uint8), r"shape \(H, W\)"),
        (np.zeros((2, 4, 6, 3), dtype=np.uint8), r"shape \(H, W\)"),
        (np.zeros((0, 6, 3), dtype=np.uint8), "no pixels"),
    ],
)
def test_wrong_arrays_are_rejected_with_the_fix(array: np.ndarray, match: str) -> None:
    with pytest.raises(helpers.ImageError, match=match):
        helpers.load_image(array)


# --- files that must fail clearly --------------------------------------------------------------


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"No image file at .*nothing\.png"):
        helpers.load_image(tmp_path / "nothing.png")


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError, match="is a folder"):
        helpers.load_image(tmp_path)


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.png").write_bytes(b"")
    with pytest.raises(helpers.ImageError, match=r"empty.png is empty \(0 bytes\)"):
        helpers.load_image(tmp_path / "empty.png")


def test_text_with_an_image_extension(tmp_path: Path) -> None:
    (tmp_path / "notes.jpg").write_text("these are my notes, not a photo\n")
    with pytest.raises(helpers.ImageError, match=r"notes\.jpg is not an image"):
        helpers.load_image(tmp_path / "notes.jpg")


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_truncated_file(tmp_path: Path, suffix: str) -> None:
    pixels = np.random.default_rng(1).integers(0, 256, size=(64, 64, 3), dtype=np.uint8)
    whole = _save(Image.fromarray(pixels), tmp_path / f"whole{suffix}")
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(helpers.ImageError, match=f"cut{suffix} is truncated or corrupt"):
        helpers.load_image(cut)


def test_neither_path_nor_array() -> None:
    with pytest.raises(TypeError, match="file path or a numpy array"):
        helpers.load_image(42)


@pytest.mark.parametrize("limit_factor", [0.9, 0.45])  # between Pillow's limit and twice it (a warning), above twice (an error)
def test_a_photo_above_pillows_pixel_limit_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit_factor: float
) -> None:
    path = _save(Image.new("RGB", (100, 60), (9, 9, 9)), tmp_path / "huge.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", int(6000 * limit_factor))
    with pytest.raises(helpers.ImageError) as caught:
        helpers.load_image(path)
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message and "has 6,000 pixels" in message
    assert f"limit of {int(6000 * limit_factor):,} pixels" in message and "PIL.Image.MAX_IMAGE_PIXELS" in message
