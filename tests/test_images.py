"""Sample photos and preprocessing."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import helpers


def test_every_sample_image_exists_and_is_listed_in_sources() -> None:
    sources = (helpers.paths.images_dir() / "SOURCES.md").read_text()
    for name in helpers.SAMPLE_IMAGES:
        assert helpers.sample_image_path(name).is_file()
        assert f"`{name}`" in sources


def test_unknown_sample_image_is_named() -> None:
    with pytest.raises(ValueError, match=r"'dog\.png'"):
        helpers.sample_image_path("dog.png")


def test_preprocess_gives_a_normalised_224_batch(lite0: helpers.CamModel, chelsea: np.ndarray) -> None:
    batch = helpers.images.preprocess(chelsea, lite0)
    assert batch.shape == (1, 3, 224, 224) and batch.dtype == torch.float32


def test_preprocess_maps_the_mean_colour_to_zero(lite0: helpers.CamModel) -> None:
    image = np.empty((50, 80, 3), dtype=np.uint8)
    image[:] = np.round(np.array(lite0.mean) * 255).astype(np.uint8)
    batch = helpers.images.preprocess(image, lite0)
    expected = (np.round(np.array(lite0.mean) * 255) / 255 - np.array(lite0.mean)) / np.array(lite0.std)
    torch.testing.assert_close(batch[0].mean(dim=(1, 2)), torch.tensor(expected, dtype=torch.float32), atol=1e-5, rtol=0)


@pytest.mark.parametrize(
    ("image", "match"),
    [
        (np.zeros((10, 10), dtype=np.uint8), "RGB array"),
        (np.zeros((10, 10, 4), dtype=np.uint8), "RGB array"),
        (np.zeros((10, 10, 3), dtype=np.float32), "dtype uint8"),
        ("chelsea.png", "RGB array"),
    ],
)
def test_preprocess_rejects_what_is_not_an_rgb_uint8_image(lite0: helpers.CamModel, image, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        helpers.images.preprocess(image, lite0)


RESIZED_DIGEST = (
    "import hashlib, helpers\n"
    "digest = hashlib.sha256()\n"
    "for name in helpers.SAMPLE_IMAGES:\n"
    "    digest.update(helpers.images._resized_tensor(helpers.load_image(helpers.sample_image_path(name)), 224).numpy().tobytes())\n"
    "print(digest.hexdigest())\n"
)


def _resized_digest(capability: str | None) -> str:
    """SHA-256 of every sample photo resized to 224, in a fresh interpreter on one CPU code path."""
    env = {key: value for key, value in os.environ.items() if key != "ATEN_CPU_CAPABILITY"}
    if capability is not None:
        env["ATEN_CPU_CAPABILITY"] = capability
    done = subprocess.run([sys.executable, "-c", RESIZED_DIGEST], capture_output=True, text=True, env=env, timeout=120, check=True)
    return done.stdout.strip()


@pytest.mark.slow
def test_the_resize_gives_the_model_the_same_pixels_on_native_and_portable_kernels() -> None:
    # PyTorch's uint8 resize differs between these paths on about one pixel in six; ours must not.
    # This process runs on one path (make test: portable), a fresh interpreter on the other.
    here = hashlib.sha256()
    for name in helpers.SAMPLE_IMAGES:
        here.update(helpers.images._resized_tensor(helpers.load_image(helpers.sample_image_path(name)), 224).numpy().tobytes())
    other = None if os.environ.get("ATEN_CPU_CAPABILITY") == "default" else "default"
    assert here.hexdigest() == _resized_digest(other)


def test_the_resize_rounds_to_the_nearest_grey_level() -> None:
    image = np.random.default_rng(0).integers(0, 256, (37, 53, 3), dtype=np.uint8)
    reference = torch.nn.functional.interpolate(torch.from_numpy(image).permute(2, 0, 1)[None].double(), size=(24, 24),
                                                mode="bilinear", antialias=True, align_corners=False)[0]
    resized = helpers.images._resized_tensor(image, 24)
    assert resized.dtype == torch.uint8
    assert (resized.double() - reference).abs().max() <= 0.5 + 1e-9
