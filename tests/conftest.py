"""Shared fixtures: real models and photos, and an isolated, offline TORCH_HOME."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import helpers
from helpers import models


@pytest.fixture(scope="session")
def lite0() -> helpers.CamModel:
    """The offline ImageNet model with its real weights."""
    return helpers.load_model("efficientnet_lite0")


@pytest.fixture(scope="session")
def resnet_random() -> helpers.CamModel:
    """ResNet50 with seeded random weights: for code paths, never for predictions."""
    return helpers.load_model("resnet50", pretrained=False)


@pytest.fixture(scope="session")
def chelsea() -> np.ndarray:
    """``(300, 451, 3) uint8`` RGB: scikit-image's cat photo from ``images/``."""
    return np.asarray(Image.open(helpers.sample_image_path("chelsea.png")).convert("RGB"))


@pytest.fixture()
def fresh_model_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty model cache for one test; the session's cache (and its models) come back after it."""
    monkeypatch.setattr(models, "_cached_model", functools.lru_cache(maxsize=None)(models._cached_model.__wrapped__))


@pytest.fixture()
def offline_torch_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_model_cache: None) -> Path:
    """An empty TORCH_HOME, no network, no CAM_MODEL, and an empty model cache for this test."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.delenv("CAM_MODEL", raising=False)
    monkeypatch.setattr(models, "_network_reachable", lambda host, timeout: False)
    return tmp_path / "torch"
