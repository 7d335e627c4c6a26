"""Explanations to compare CAM and SeCAM against, and maps that know nothing of the model.

- Grad-CAM (Selvaraju et al., ICCV 2017), Grad-CAM++ (Chattopadhay et al., WACV 2018) and
  Score-CAM (Wang et al., CVPR Workshops 2020) with ``grad-cam`` (pytorch-grad-cam).
- LIME (Ribeiro et al., KDD 2016) with ``lime``: its default quickshift segmentation, or any
  label map, such as SeCAM's SLIC superpixels for a like-for-like comparison.
- Model-free baselines, so that "it finds the object" is measured against "it likes the
  centre", "it follows edges" and chance: a centred Gaussian, an edge map, a smooth random map.

The methods are called as ``(model, image, class_ids)`` and return ``(k, H, W) float32`` in
[0, 1] at the photo's resolution, like :func:`helpers.methods.cam.cam_maps` (the one call
shape of :data:`helpers.methods.METHODS`). The model-free maps take no model and no class: each
returns one ``(H, W) float32`` map in [0, 1].

Grad-CAM, Score-CAM and LIME need the ``baselines`` extra (:func:`install_command` gives the
pip command). Their packages are imported when a method is first called,
so the model-free maps, and every module that imports this one, work without them.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import TYPE_CHECKING, Any, TypeVar

import cv2
import numpy as np
import torch
from scipy import ndimage
from skimage.color import rgb2gray
from skimage.filters import sobel
from torch import nn

from helpers import _validate
from helpers.images import load_image, model_sized, nearest, preprocess, preprocess_batch
from helpers.methods.cam import normalise, upsample
from helpers.models import INFERENCE_BATCH, CamModel, in_batches

if TYPE_CHECKING:
    from pytorch_grad_cam.base_cam import BaseCAM

__all__ = [
    "EXTRA",
    "GRADIENT_METHODS",
    "Head",
    "centre_map",
    "edge_map",
    "grad_cam_maps",
    "install_command",
    "lime_maps",
    "optional",
    "score_cam_maps",
    "smooth_random_map",
]

T = TypeVar("T")

DISTRIBUTION = "cam-secam-tutorial"
"""The project's name on pip."""
EXTRA = "baselines"
"""The extra that installs LIME and grad-cam (:func:`install_command`)."""
GRADIENT_METHODS: dict[str, str] = {"Grad-CAM": "GradCAM", "Grad-CAM++": "GradCAMPlusPlus"}
"""The gradient-weighted CAMs :func:`grad_cam_maps` can compute: their names, and their classes in ``pytorch_grad_cam``."""


def optional(module: str) -> Any:
    """Import ``module``, one of the comparison methods' packages, or say how to install it.

    Example:
        >>> from helpers.methods.baselines import optional
        >>> optional("lime.lime_image").__name__
        'lime.lime_image'
        >>> optional("not_a_package")
        Traceback (most recent call last):
            ...
        ModuleNotFoundError: not_a_package is not installed: the comparison methods need the 'baselines' extra. ...

    Raises:
        ModuleNotFoundError: the package is missing; the message names the ``baselines`` extra.
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        raise ModuleNotFoundError(
            f"{module} is not installed: the comparison methods need the {EXTRA!r} extra. "
            f"Install it with: {install_command()}", name=error.name) from error


def install_command() -> str:
    """The pip command that adds the ``baselines`` extra to this installation.

    It names the project's repository as the installed package's metadata records it (the
    project is installed from git or a clone, not from the package index).

    Example:
        >>> from helpers.methods.baselines import install_command
        >>> install_command()
        'pip install "cam-secam-tutorial[baselines] @ git+https://github.com/.../..."'
    """
    try:
        urls = importlib.metadata.metadata(DISTRIBUTION).get_all("Project-URL") or []
    except importlib.metadata.PackageNotFoundError:
        urls = []
    repository = next((url.split(",", 1)[1].strip() for url in urls if url.lower().startswith("repository,")), None)
    if repository is None:
        return f'pip install -e ".[{EXTRA}]" in the project\'s folder'
    return f'pip install "{DISTRIBUTION}[{EXTRA}] @ git+{repository}"'


def _gradient_method(method: str) -> Any:
    """The ``pytorch_grad_cam`` class of ``method``, a key of :data:`GRADIENT_METHODS`."""
    return getattr(optional("pytorch_grad_cam"), GRADIENT_METHODS[method])


def grad_cam_maps(
    model: CamModel, image: str | Path | np.ndarray, class_ids: Sequence[int], method: str = "Grad-CAM", *,
    whole_network: bool = False,
) -> np.ndarray:
    """``(k, H, W) float32``: Grad-CAM (or Grad-CAM++) of each class on the model's last feature maps.

    The package weighs the feature maps by the gradient of the class score with respect to
    them. That gradient depends only on the layers *after* the feature maps, so one forward
    pass computes the features, and the package then runs (and back-propagates through) the
    head alone, GAP and the linear layer (:class:`Head`); the maps are the package's own, at
    about a third of the cost of back-propagating through the whole network (``make bench``). A model whose head
    is not GAP -> linear (it does not reproduce the logits) goes through the whole network.

    Example:
        >>> import helpers
        >>> from helpers.methods.baselines import grad_cam_maps
        >>> model, photo = helpers.load_model(), helpers.sample_image_path("chelsea.png")
        >>> maps = grad_cam_maps(model, photo, [285, 281])  # Egyptian cat, tabby; or method="Grad-CAM++"
        >>> maps.shape, maps.dtype, bool(maps.min() >= 0)
        ((2, 300, 451), dtype('float32'), True)

    Args:
        method: a key of :data:`GRADIENT_METHODS`.
        whole_network: back-propagate through the whole network, as the package is usually
            run (the same maps, slower; ``make bench`` times this).
    """
    _validate.one_of(method, "method", tuple(GRADIENT_METHODS))
    explainer_class = _gradient_method(method)
    image = load_image(image)
    batch = preprocess(image, model)
    logits, features = model.forward_with_features(batch)
    head = Head(model.classifier)
    with torch.no_grad():
        exact = torch.allclose(head(features), logits, rtol=1e-4, atol=1e-4)
    if whole_network or not exact:
        return _package_maps(explainer_class(model=model.net, target_layers=[model.feature_layer]), batch, batch,
                             class_ids, image.shape[:2])
    explainer = explainer_class(model=head, target_layers=[head.features])
    return _package_maps(explainer, features.clone().requires_grad_(), batch, class_ids, image.shape[:2])


def score_cam_maps(model: CamModel, image: str | Path | np.ndarray, class_ids: Sequence[int]) -> np.ndarray:
    """``(k, H, W) float32``: Score-CAM (Wang et al., CVPR Workshops 2020) of each class, with the package.

    No gradients: each of the ``C`` feature maps, upsampled to the input and scaled to [0, 1],
    multiplies the preprocessed input (so masked pixels take the normalised zero: the
    model's ``mean``, mid-grey for EfficientNet-Lite0); the class score of each masked input, softmax-ed over the
    ``C`` maps, is that map's weight. That is ``C`` forward passes per class: 1280 for
    EfficientNet-Lite0, 64 for notebook 06's small network.

    Example:
        >>> import helpers
        >>> from helpers.datasets import birdcalls
        >>> from helpers.methods.baselines import score_cam_maps
        >>> from helpers.teaching import training
        >>> net = training.scratch_model(birdcalls.SPECIES, 0.5, 0.25, seed=0)  # notebook 06's small network
        >>> clip = helpers.load_image(birdcalls.make_dataset(3, seed=1).images[0])  # a 64x64 spectrogram
        >>> maps = score_cam_maps(net, clip, [0])  # 64 forward passes
        >>> maps.shape, maps.dtype, bool(maps.min() >= 0)
        ((1, 64, 64), dtype('float32'), True)
    """
    package = optional("pytorch_grad_cam")
    score_cam = importlib.import_module("pytorch_grad_cam.score_cam")
    image = load_image(image)
    batch = preprocess(image, model)
    with _without_progress_bar(score_cam, SimpleNamespace(tqdm=_passthrough)):  # it calls tqdm.tqdm
        return _package_maps(package.ScoreCAM(model=model.net, target_layers=[model.feature_layer]), batch, batch,
                             class_ids, image.shape[:2])


def _package_maps(explainer: BaseCAM, inputs: torch.Tensor, batch: torch.Tensor, class_ids: Sequence[int],
                  shape: tuple[int, ...]) -> np.ndarray:
    """``(k, H, W) float32``: ``explainer``'s map of each class on ``inputs`` (the image ``batch``
    ``(1, 3, S, S)``, or its feature maps), scaled to [0, 1] at the input size ``S`` as the
    package does, then resized to the photo's ``shape`` with ``cv2.INTER_LINEAR``."""
    input_size = (batch.shape[-1], batch.shape[-2])  # (width, height), as cv2 counts
    height, width = shape[:2]
    target = optional("pytorch_grad_cam.utils.model_targets").ClassifierOutputTarget
    maps = []
    with explainer:
        for class_id in class_ids:
            small = explainer(input_tensor=inputs, targets=[target(int(class_id))])[0]
            at_input = normalise(cv2.resize(small, input_size, interpolation=cv2.INTER_LINEAR), "minmax")
            maps.append(cv2.resize(at_input, (width, height), interpolation=cv2.INTER_LINEAR))
    explainer.model.zero_grad(set_to_none=True)
    return np.stack(maps).astype(np.float32)


class Head(nn.Module):
    """A CAM head as a network of its own: feature maps ``(n, C, h, w)`` -> GAP -> linear -> logits.

    ``features`` is an identity layer for the gradient methods to hook, as they hook the
    feature layer of the whole network.

    Example:
        >>> import torch
        >>> import helpers
        >>> from helpers.images import preprocess
        >>> from helpers.methods.baselines import Head
        >>> model, image = helpers.load_model(), helpers.load_image(helpers.sample_image_path("chelsea.png"))
        >>> logits, features = model.forward_with_features(preprocess(image, model))
        >>> bool(torch.allclose(Head(model.classifier)(features), logits, atol=1e-4))  # the head alone gives the logits
        True
    """

    def __init__(self, classifier: nn.Linear) -> None:
        super().__init__()
        self.features = nn.Identity()
        self.classifier = classifier

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(features).mean(dim=(2, 3)))


def lime_maps(
    model: CamModel,
    image: str | Path | np.ndarray,
    class_ids: Sequence[int],
    num_samples: int = 1000,
    segments: np.ndarray | None = None,
    seed: int = 0,
) -> np.ndarray:
    """``(k, H, W) float32``: LIME's weight of each segment for each class, ReLU-max normalised.

    LIME runs on the copy the model sees (the photo resized as :func:`helpers.images.preprocess`
    resizes it; each of its ``num_samples`` perturbed images is one forward pass, so smaller
    is faster). Every class is fitted on the same perturbed images. Each map is resized back
    with nearest neighbour so that segment edges stay sharp and every segment keeps one exact
    value. A hidden segment is painted black (LIME's ``hide_color=0``).

    Example:
        >>> import numpy as np
        >>> import helpers
        >>> from helpers.datasets import birdcalls
        >>> from helpers.methods.baselines import lime_maps
        >>> from helpers.teaching import training
        >>> net = training.scratch_model(birdcalls.SPECIES, 0.5, 0.25, seed=0)  # notebook 06's small network
        >>> clip = helpers.load_image(birdcalls.make_dataset(3, seed=1).images[0])  # a 64x64 spectrogram
        >>> quarters = np.arange(64)[:, None] // 32 * 2 + np.arange(64) // 32  # four 32x32 segments, labels 0 to 3
        >>> maps = lime_maps(net, clip, [0, 1], num_samples=50, segments=quarters)
        >>> maps.shape, bool(maps.min() >= 0), all(len(np.unique(map_)) <= 4 for map_ in maps)  # one value per segment
        ((2, 64, 64), True, True)

    Args:
        class_ids: the classes to explain.
        num_samples: perturbed images LIME classifies; its default is 1000.
        segments: ``(H, W)`` labels to perturb (e.g. SeCAM's superpixels); ``None`` uses
            LIME's default quickshift segmentation.
        seed: LIME's random state, for repeatable explanations.
    """
    lime_image = optional("lime.lime_image")
    labels = tuple(int(class_id) for class_id in class_ids)
    image = load_image(image)
    small = model_sized(image, model)
    kwargs = {}
    if segments is not None:
        small_segments = nearest(np.asarray(segments), small.shape[:2])
        kwargs["segmentation_fn"] = lambda _image: small_segments
    explainer = lime_image.LimeImageExplainer(random_state=seed)
    with _without_progress_bar(lime_image, _passthrough):
        explanation = explainer.explain_instance(
            small, _classifier(model), labels=labels, top_labels=None, hide_color=0,
            num_samples=num_samples, batch_size=INFERENCE_BATCH, random_seed=seed, **kwargs,
        )
    maps = np.zeros((len(labels), *image.shape[:2]), dtype=np.float32)
    for map_, label in zip(maps, labels, strict=True):
        weights = np.zeros(int(explanation.segments.max()) + 1)
        for segment, weight in explanation.local_exp[label]:
            weights[segment] = weight
        map_[...] = normalise(nearest(weights[explanation.segments].astype(np.float32), image.shape[:2]), "relu_max")
    return maps


def centre_map(shape: tuple[int, int], sigma: float = 0.25) -> np.ndarray:
    """``(H, W) float32``: a Gaussian centred on the image, 1 at the centre, with standard deviation
    ``sigma`` times each side. It knows nothing of the image: the "objects sit in the middle" map.

    Example:
        >>> from helpers.methods.baselines import centre_map
        >>> centre_map((3, 5)).round(2)
        array([[0.11, 0.3 , 0.41, 0.3 , 0.11],
               [0.28, 0.73, 1.  , 0.73, 0.28],
               [0.11, 0.3 , 0.41, 0.3 , 0.11]], dtype=float32)
    """
    _validate.positive_number(sigma, "sigma", "a fraction of the image's side")
    rows = (np.arange(shape[0]) - (shape[0] - 1) / 2) / (sigma * shape[0])
    cols = (np.arange(shape[1]) - (shape[1] - 1) / 2) / (sigma * shape[1])
    return np.exp(-0.5 * (rows[:, None] ** 2 + cols[None, :] ** 2)).astype(np.float32)


def edge_map(image: np.ndarray, sigma: float = 2.0) -> np.ndarray:
    """``(H, W) float32`` in [0, 1]: the photo's edge strength (Sobel on its gray levels), blurred
    with a Gaussian of ``sigma`` pixels and divided by its maximum. It knows nothing of the model.

    Example:
        >>> import numpy as np
        >>> from helpers.methods.baselines import edge_map
        >>> image = np.zeros((6, 8, 3), dtype=np.uint8)
        >>> image[:, 4:] = 255  # black on the left, white on the right
        >>> edge_map(image, sigma=0.5)[0].round(2)  # one row: strongest on the border
        array([0.  , 0.  , 0.12, 1.  , 1.  , 0.12, 0.  , 0.  ], dtype=float32)
    """
    _validate.rgb_image(image)
    edges = ndimage.gaussian_filter(sobel(rgb2gray(image)), sigma)
    return normalise(edges, "relu_max")


def smooth_random_map(shape: tuple[int, int], seed: int, grid: tuple[int, int] = (7, 7)) -> np.ndarray:
    """``(H, W) float32`` in [0, 1]: uniform random values on a ``grid`` (CAM's 7x7) upsampled bilinearly,
    so that it is as smooth as a CAM; the chance level a map has to beat.

    Example:
        >>> from helpers.methods.baselines import smooth_random_map
        >>> chance = smooth_random_map((300, 451), seed=0)
        >>> chance.shape, chance.dtype, float(chance.max()), bool((chance == smooth_random_map((300, 451), seed=0)).all())
        ((300, 451), dtype('float32'), 1.0, True)
    """
    values = np.random.default_rng(seed).random(grid).astype(np.float32)
    return normalise(upsample(values, shape), "relu_max")


def _classifier(model: CamModel):
    """LIME's ``classifier_fn``: ``(n, S, S, 3)`` images -> ``(n, num_classes)`` probabilities."""

    def probabilities(images: np.ndarray) -> np.ndarray:
        return in_batches(model.net, preprocess_batch(images.astype(np.uint8, copy=False), model)).softmax(dim=1).numpy()

    return probabilities


def _passthrough(iterable: Iterable[T], *args: object, **kwargs: object) -> Iterable[T]:
    return iterable


@contextmanager
def _without_progress_bar(module: ModuleType, stand_in: object) -> Iterator[None]:
    """lime 0.2 and grad-cam's Score-CAM wrap their loops in tqdm unconditionally: replace the
    ``tqdm`` that ``module`` imported with ``stand_in`` for one call."""
    original = module.tqdm
    module.tqdm = stand_in  # type: ignore[attr-defined]
    try:
        yield
    finally:
        module.tqdm = original  # type: ignore[attr-defined]
