"""Class activation maps: ``M_c(x, y) = sum_k w_k^c f_k(x, y)`` for k classes from one forward pass.

Zhou et al., "Learning Deep Features for Discriminative Localization", CVPR 2016.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from helpers import _validate
from helpers.images import load_image, preprocess
from helpers.models import CamModel

__all__ = [
    "NORMALISATIONS",
    "CamResult",
    "cam_maps",
    "compute_cam",
    "normalise",
    "upsample",
]

NORMALISATIONS: tuple[str, ...] = ("relu_max", "minmax")
"""``relu_max``: max(M, 0) / max(M), keeps 0 as "no evidence" and drops negative evidence.
``minmax``: (M - min M) / (max M - min M), always spans [0, 1] even without positive evidence."""


@dataclass(frozen=True, eq=False)
class CamResult:
    """The CAMs of k classes of one image, with the numbers that explain them.

    Example:
        >>> import numpy as np
        >>> import helpers
        >>> cam = helpers.compute_cam(helpers.load_model(), helpers.sample_image_path("chelsea.png"), topk=2)
        >>> cam.labels, cam.raw_maps.shape, cam.heatmaps().shape
        (('Egyptian cat', 'tiger cat'), (2, 7, 7), (2, 300, 451))
        >>> bool(np.allclose(cam.raw_maps.mean(axis=(1, 2)) + cam.bias, cam.logits))  # pooling, then the linear layer
        True

    Attributes:
        class_ids: ``(k,) int64`` class indices, by descending probability for top-k.
        labels: k class names.
        probs: ``(k,) float32`` softmax probabilities (over all classes).
        logits: ``(k,) float32`` class scores ``S_c`` before softmax.
        bias: ``(k,) float32`` the final layer's bias ``b_c`` of each class.
        raw_maps: ``(k, h, w) float32`` raw CAMs ``M_c(x, y)`` at feature resolution,
            not normalised, so that ``raw_maps[i].mean() + bias[i]`` equals ``logits[i]`` up to
            float32 rounding (``np.allclose``). ``heatmaps()`` gives them in the saliency
            methods' shape: normalised to [0, 1] and upsampled to the image.
        image_size: ``(H, W)`` of the image the CAMs explain.
        model_name: the model that computed them.
    """

    class_ids: np.ndarray
    labels: tuple[str, ...]
    probs: np.ndarray
    logits: np.ndarray
    bias: np.ndarray
    raw_maps: np.ndarray
    image_size: tuple[int, int]
    model_name: str

    def heatmaps(self, mode: str = "relu_max") -> np.ndarray:
        """Each map normalised (``mode``), then upsampled to the image: returns ``(k, H, W) float32`` in [0, 1].

        A method, not an attribute: every call upsamples anew (``cam.heatmaps()[0]``).
        """
        return upsample(normalise(self.raw_maps, mode), self.image_size)


def compute_cam(
    model: CamModel,
    image: str | Path | np.ndarray,
    topk: int = 5,
    class_ids: Sequence[int] | None = None,
) -> CamResult:
    """CAMs of the top-k classes (or of ``class_ids``) from ONE forward pass and ONE matrix product.

    Example:
        >>> import helpers
        >>> cam = helpers.compute_cam(helpers.load_model(), helpers.sample_image_path("chelsea.png"), topk=3)
        >>> cam.labels, cam.class_ids.tolist(), cam.raw_maps.shape
        (('Egyptian cat', 'tiger cat', 'tabby'), [285, 282, 281], (3, 7, 7))
        >>> bool(cam.probs[0] > 0.5), cam.image_size
        (True, (300, 451))

    Args:
        model: a model from :func:`helpers.load_model`.
        image: a path, or an ``(H, W, 3) uint8`` RGB array (see :func:`helpers.load_image`).
        topk: how many of the most probable classes to explain, 1 to ``model.num_classes``.
        class_ids: explain exactly these classes, in this order (``topk`` is then ignored).

    Returns:
        A :class:`CamResult` whose ``raw_maps`` are ``(k, h, w)``, e.g. ``(5, 7, 7)``.
    """
    _validate.instance(model, "model", CamModel, "helpers.load_model")
    _validate.class_request(topk, class_ids, model.num_classes)  # before the forward pass, not after
    rgb = load_image(image)
    logits, features = model.forward_with_features(preprocess(rgb, model))
    logits, features = logits[0], features[0]  # (num_classes,), (C, h, w)
    ids = _chosen_classes(logits, topk, class_ids)
    maps = torch.einsum("ck,kxy->cxy", model.fc_weight[ids], features)  # M_c(x, y) = sum_k w_k^c f_k(x, y)
    return CamResult(
        class_ids=ids.numpy(),
        labels=tuple(model.categories[i] for i in ids.tolist()),
        probs=logits.softmax(dim=0)[ids].numpy(),
        logits=logits[ids].numpy(),
        bias=model.fc_bias[ids].numpy(),
        raw_maps=maps.numpy(),
        image_size=(rgb.shape[0], rgb.shape[1]),
        model_name=model.name,
    )


def cam_maps(model: CamModel, image: str | Path | np.ndarray, class_ids: Sequence[int]) -> np.ndarray:
    """``(k, H, W) float32`` in [0, 1]: the CAM of each class, ReLU-max normalised and upsampled to the photo.

    The saliency methods' one call shape (:data:`helpers.methods.METHODS`); the same maps as
    ``compute_cam(model, image, class_ids=class_ids).heatmaps()``.

    Example:
        >>> import helpers
        >>> from helpers.methods.cam import cam_maps
        >>> maps = cam_maps(helpers.load_model(), helpers.sample_image_path("chelsea.png"), [285])  # 285: Egyptian cat
        >>> maps.shape, maps.dtype, bool(maps.min() >= 0 and maps.max() <= 1)
        ((1, 300, 451), dtype('float32'), True)
    """
    return compute_cam(model, image, class_ids=class_ids).heatmaps()


def normalise(maps: np.ndarray, mode: str = "relu_max") -> np.ndarray:
    """Scale each map to [0, 1] independently.

    Example:
        >>> import numpy as np
        >>> from helpers.methods.cam import normalise
        >>> raw = np.array([[-4.0, 0.0], [2.0, 4.0]])
        >>> normalise(raw)  # relu_max: negative evidence becomes 0, the maximum 1
        array([[0. , 0. ],
               [0.5, 1. ]], dtype=float32)
        >>> normalise(raw, "minmax")  # the minimum becomes 0, the maximum 1
        array([[0.  , 0.5 ],
               [0.75, 1.  ]], dtype=float32)

    Args:
        maps: ``(h, w)`` or ``(k, h, w)`` float.
        mode: ``"relu_max"`` (max(M, 0) / max M) or ``"minmax"`` ((M - min) / (max - min)).
            A map without positive values (relu_max) or a constant map (minmax) becomes 0.

    Returns:
        ``float32`` array of the same shape.
    """
    _validate.one_of(mode, "mode (the normalisation)", NORMALISATIONS)
    maps = np.asarray(maps, dtype=np.float32)
    _validate.map_stack(maps)
    axes = (-2, -1)
    if mode == "relu_max":
        positive = np.maximum(maps, 0.0)
        top = positive.max(axis=axes, keepdims=True)
        return np.divide(positive, top, out=np.zeros_like(positive), where=top > 0)
    low = maps.min(axis=axes, keepdims=True)
    span = maps.max(axis=axes, keepdims=True) - low
    return np.divide(maps - low, span, out=np.zeros_like(maps), where=span > 0)


def upsample(maps: np.ndarray, size: tuple[int, int], offset: float = 0.0) -> np.ndarray:
    """Bilinear resize with half-pixel centres, as ``cv2.resize(..., interpolation=cv2.INTER_LINEAR)``.

    Each cell of an ``h x w`` grid is placed at the centre of its block of the image: cell
    ``(i, j)`` at pixel ``((i + 0.5) H / h - 0.5, (j + 0.5) W / w - 0.5)``. Outside the outer
    centres the map keeps the outer cells' values.

    Example:
        >>> import numpy as np
        >>> from helpers.methods.cam import upsample
        >>> upsample(np.array([[0.0, 1.0]]), (1, 4))  # the two cells' centres fall at pixels 0.5 and 2.5
        array([[0.  , 0.25, 0.75, 1.  ]], dtype=float32)
        >>> upsample(np.zeros((5, 7, 7)), (300, 451)).shape  # k maps at once, to the photo's (H, W)
        (5, 300, 451)

    Args:
        maps: ``(h, w)`` or ``(k, h, w)`` float.
        size: ``(H, W)`` target size (rows, columns).
        offset: move every cell's centre by this fraction of a cell down and to the right
            (0: the half-pixel placement; notebook 07 compares 0.5, where the padding
            arithmetic of EfficientNet-Lite0 would put its cells).

    Returns:
        ``(H, W)`` or ``(k, H, W) float32``.
    """
    if not isinstance(size, Sequence) or len(size) != 2 or not all(_validate.is_integer(v) and v > 0 for v in size):
        raise ValueError(f"size must be two positive integers (H, W), such as image.shape[:2], got {size!r}.")
    if not isinstance(offset, (int, float)) or not -1 <= offset <= 1:
        raise ValueError(f"offset must be a number of cells between -1 and 1, got {offset!r}.")
    height, width = int(size[0]), int(size[1])
    maps = np.asarray(maps, dtype=np.float32)
    _validate.map_stack(maps)
    batch = torch.from_numpy(maps.reshape(-1, 1, *maps.shape[-2:]))
    if offset == 0:
        resized = F.interpolate(batch, size=(height, width), mode="bilinear", align_corners=False)
    else:
        resized = F.grid_sample(batch, _sampling_grid(maps.shape[-2:], (height, width), float(offset)).expand(len(batch), -1, -1, -1),
                                mode="bilinear", padding_mode="border", align_corners=True)
    return resized.reshape(*maps.shape[:-2], height, width).numpy()


def _sampling_grid(grid: tuple[int, ...], size: tuple[int, int], offset: float) -> torch.Tensor:
    """``(1, H, W, 2)``: for every output pixel, where it falls on the ``(h, w)`` grid whose cell
    centres sit ``offset`` cells below and right of the half-pixel placement, in ``grid_sample``'s
    ``[-1, 1]`` coordinates (``align_corners=True``: -1 and 1 are the outer cells' centres)."""

    def axis(cells: int, pixels: int) -> torch.Tensor:
        position = (torch.arange(pixels, dtype=torch.float64) + 0.5) * cells / pixels - 0.5 - offset  # in cells
        return (2 * position / (cells - 1) - 1 if cells > 1 else torch.zeros(pixels, dtype=torch.float64)).float()

    rows, cols = axis(grid[0], size[0]), axis(grid[1], size[1])
    return torch.stack(torch.meshgrid(cols, rows, indexing="xy"), dim=-1)[None]


def _chosen_classes(logits: torch.Tensor, topk: int, class_ids: Sequence[int] | None) -> torch.Tensor:
    """``(k,) int64``: the requested class ids (validated by ``_validate.class_request``) or the top-k."""
    if class_ids is None:
        return logits.topk(int(topk)).indices
    return torch.tensor([int(i) for i in class_ids], dtype=torch.int64)
