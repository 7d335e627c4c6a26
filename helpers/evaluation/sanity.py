"""Sanity checks for saliency maps (Adebayo et al., "Sanity Checks for Saliency Maps", NeurIPS 2018).

A map that explains the *model* must change when the model is destroyed. The cascading model
randomisation re-initialises the network's layers one stage at a time, from the classifier
down, and compares each map with the map of the trained model: similarity that survives
randomisation comes from the image (its edges, its superpixels), not from what the model
learned. Similarity is measured as Adebayo et al. do: Spearman's rank correlation of the two
maps (and of their absolute values) and the structural similarity index (SSIM).
"""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
from scipy.stats import spearmanr
from skimage.metrics import structural_similarity
from torch import nn
from torchvision.models import ResNet

from helpers import _validate
from helpers.methods.cam import normalise
from helpers.models import CamModel, EfficientNetLite, seeded

__all__ = ["layers_from_top", "map_similarity", "randomised"]


def layers_from_top(model: CamModel) -> list[tuple[str, list[nn.Module]]]:
    """The model's parameterised stages from the output down, each a name and its modules.

    EfficientNet-Lite0: classifier, head, blocks 16 to 1, stem. ResNet50: fc, then the
    bottleneck blocks of layer4 to layer1 from the last one, then the stem.

    Example:
        >>> import helpers
        >>> from helpers.evaluation.sanity import layers_from_top
        >>> stages = layers_from_top(helpers.load_model())  # EfficientNet-Lite0
        >>> len(stages), [name for name, _ in stages[:3]], stages[-1][0]
        (19, ['classifier', 'head', 'block 16'], 'stem')
    """
    net = model.net
    if isinstance(net, EfficientNetLite):
        return net.layers_from_top()
    if isinstance(net, ResNet):
        blocks = [(f"{name}.{i}", [block]) for name in ("layer1", "layer2", "layer3", "layer4")
                  for i, block in enumerate(getattr(net, name))]
        return [("fc", [net.fc]), *blocks[::-1], ("stem", [net.conv1, net.bn1])]
    raise ValueError(f"layers_from_top knows EfficientNet-Lite0 and ResNet50, not {type(net).__name__}.")


def randomised(model: CamModel, depth: int, seed: int = 0) -> CamModel:
    """A copy of ``model`` whose top ``depth`` stages (:func:`layers_from_top`) are re-initialised.

    Each module's own ``reset_parameters`` draws the new weights (PyTorch's default
    initialisation; batch norms return to weight 1, bias 0 and running statistics 0 and 1),
    from a generator seeded with ``seed``; torch's global random state and ``model`` are left
    as they were. ``depth=0`` gives an unchanged copy.

    Example:
        >>> import helpers
        >>> from helpers.evaluation.sanity import map_similarity, randomised
        >>> from helpers.methods.cam import cam_maps
        >>> model, image = helpers.load_model(), helpers.sample_image_path("chelsea.png")
        >>> broken = randomised(model, depth=1)  # the classifier re-initialised
        >>> broken.weights
        '...; re-initialised: classifier (seed 0)'
        >>> similarity = map_similarity(cam_maps(model, image, [285])[0], cam_maps(broken, image, [285])[0])
        >>> bool(similarity["spearman"] < 0.9)  # CAM's map changed with the model: it passes this check
        True
    """
    stages = layers_from_top(model)
    _validate.integer_between(depth, "depth", 0, len(stages), "stages to re-initialise, from the top")
    names = {module: name for name, module in model.net.named_modules()}
    net = copy.deepcopy(model.net)
    copied = dict(net.named_modules())
    with seeded(seed):
        for _, modules in stages[:depth]:
            for module in modules:
                for part in copied[names[module]].modules():
                    if hasattr(part, "reset_parameters"):
                        part.reset_parameters()
                    if isinstance(part, nn.modules.batchnorm._BatchNorm):
                        part.reset_running_stats()
    net.eval()
    label = ", ".join(name for name, _ in stages[:depth]) or "nothing"
    return replace(model, net=net, feature_layer=copied[names[model.feature_layer]],
                   classifier=copied[names[model.classifier]], weights=f"{model.weights}; re-initialised: {label} (seed {seed})")


def map_similarity(original: np.ndarray, other: np.ndarray) -> dict[str, float]:
    """How alike two ``(H, W)`` maps are: Spearman's rank correlation of the maps and of their
    absolute values, and SSIM of the maps each scaled to [0, 1] by its own minimum and maximum.

    A constant map has no ranks: its correlations are 0 (NaN in scipy), and its SSIM is taken
    against a zero map.

    Example:
        >>> import numpy as np
        >>> from helpers.evaluation.sanity import map_similarity
        >>> rng = np.random.default_rng(0)
        >>> trained, other = rng.random((16, 16)), rng.random((16, 16))
        >>> {name: round(value, 3) for name, value in map_similarity(trained, trained**2).items()}  # the same ranks
        {'spearman': 1.0, 'spearman_abs': 1.0, 'ssim': 0.912}
        >>> round(map_similarity(trained, other)["spearman"], 3)  # unrelated maps
        0.112
    """
    if original.shape != other.shape:
        raise ValueError(f"maps must have the same shape, got {original.shape} and {other.shape}.")
    a, b = np.ravel(original), np.ravel(other)

    def rank_correlation(x: np.ndarray, y: np.ndarray) -> float:
        if np.ptp(x) == 0 or np.ptp(y) == 0:
            return 0.0
        return float(spearmanr(x, y).statistic)

    return {
        "spearman": rank_correlation(a, b),
        "spearman_abs": rank_correlation(np.abs(a), np.abs(b)),
        "ssim": float(structural_similarity(normalise(original, "minmax"), normalise(other, "minmax"), data_range=1.0)),
    }
