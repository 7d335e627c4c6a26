"""Train small CAM-ready classifiers on the CPU, seeded: from scratch, or by transfer learning.

Notebook 06 trains two classifiers of bird-call spectrograms, both ending in the head CAM
needs (last feature maps -> global average pooling -> one linear layer), and wraps each in
a :class:`helpers.CamModel`, so that ``compute_cam`` and ``compute_secam`` explain them
exactly as they explain the ImageNet models:

- :class:`SmallResNet`, a ResNet-style network of three residual blocks trained from
  scratch; its feature maps are ``(64, 16, 16)`` for a 64x64 input (stride 4);
- the offline ImageNet model (EfficientNet-Lite0) with a new 3-class linear layer, of which
  only the last block and the head are trained (:func:`transfer_model`); its feature maps
  are ``(1280, 5, 5)`` at its 160x160 input (stride 32). The frozen part runs once per image
  (:func:`frozen_features`), so each epoch costs only the trained part.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from helpers.images import load_image, preprocess_batch
from helpers.models import CamModel, EfficientNetLite, in_batches, seeded

__all__ = [
    "BATCH_SIZE",
    "BasicBlock",
    "SmallResNet",
    "frozen_features",
    "model_inputs",
    "predict",
    "scratch_model",
    "train",
    "transfer_model",
]

BATCH_SIZE = 64


class BasicBlock(nn.Module):
    """Two 3x3 convolutions with batch norm, added to a shortcut: ``relu(F(x) + shortcut(x))``.

    The shortcut is the identity, or a strided 1x1 convolution when the block changes the
    number of channels or the resolution (as in ResNet, notebook 01).

    Example:
        >>> import torch
        >>> from helpers.teaching.training import BasicBlock
        >>> block = BasicBlock(16, 32, stride=2)  # more channels, half the resolution: a projection shortcut
        >>> block(torch.zeros(1, 16, 32, 32)).shape, type(block.shortcut).__name__
        (torch.Size([1, 32, 16, 16]), 'Sequential')
        >>> type(BasicBlock(16, 16).shortcut).__name__
        'Identity'
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__()
        self.residual = nn.Sequential(
            nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True),
            nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
        )
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                                          nn.BatchNorm2d(out_channels))
        self.activation = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.activation(self.residual(x) + self.shortcut(x))


class SmallResNet(nn.Module):
    """A small ResNet for ``(n, 3, 64, 64)`` spectrogram images.

    stem (3x3 conv, 16 channels, stride 2) -> blocks of 16, 32 (stride 2) and 64 channels
    -> ``(n, 64, 16, 16)`` feature maps -> global pooling -> ``Linear(64, num_classes)``.

    Example:
        >>> import torch
        >>> from helpers.teaching.training import SmallResNet
        >>> net, x = SmallResNet(num_classes=3).eval(), torch.zeros(2, 3, 64, 64)
        >>> net.blocks(net.stem(x)).shape, net(x).shape  # the feature maps CAM weights, then the logits
        (torch.Size([2, 64, 16, 16]), torch.Size([2, 3]))

    Args:
        num_classes: output classes.
        pool: ``"avg"`` (GAP, as CAM needs) or ``"max"`` (GMP, for the exercise).
    """

    def __init__(self, num_classes: int, pool: str = "avg") -> None:
        super().__init__()
        if pool not in ("avg", "max"):
            raise ValueError(f"pool must be 'avg' (global average pooling) or 'max', got {pool!r}.")
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(16),
                                  nn.ReLU(inplace=True))
        self.blocks = nn.Sequential(BasicBlock(16, 16), BasicBlock(16, 32, stride=2), BasicBlock(32, 64))
        self.pool = nn.AdaptiveAvgPool2d(1) if pool == "avg" else nn.AdaptiveMaxPool2d(1)
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.pool(self.blocks(self.stem(x))).flatten(1))


def scratch_model(categories: Sequence[str], mean: float, std: float, *, seed: int = 0, pool: str = "avg") -> CamModel:
    """An untrained :class:`SmallResNet` (seeded initial weights) wrapped as a ``CamModel``.

    Example:
        >>> import helpers
        >>> from helpers.datasets import birdcalls
        >>> from helpers.teaching import training
        >>> model = training.scratch_model(birdcalls.SPECIES, 0.5, 0.25, seed=0)  # mean and std of the training pixels
        >>> model.name, model.input_size, model.num_classes
        ('SmallResNet (GAP), from scratch', 64, 3)
        >>> helpers.compute_cam(model, birdcalls.make_dataset(1, seed=0).images[0], topk=3).raw_maps.shape  # CAM-ready, if untrained
        (3, 16, 16)

    Args:
        categories: class names.
        mean, std: of the training images' pixel values scaled to [0, 1] (gray, so the
            same for the three channels).
    """
    with seeded(seed):
        net = SmallResNet(len(categories), pool=pool)
    return CamModel(name=f"SmallResNet ({'GAP' if pool == 'avg' else 'GMP'}), from scratch", net=net.eval(),
                    feature_layer=net.blocks, classifier=net.fc, categories=tuple(categories), input_size=64,
                    mean=(mean,) * 3, std=(std,) * 3, weights=f"trained from scratch here (seed {seed})")


def transfer_model(
    base: CamModel, categories: Sequence[str], *, input_size: int = 160, seed: int = 0
) -> tuple[CamModel, nn.Module]:
    """EfficientNet-Lite0 with a new linear layer for ``categories``; only its top is trainable.

    ``base`` is left untouched (the network is copied). Trainable: the last MBConv block,
    the head's 1x1 convolution and batch norm, and the new ``Linear(1280, len(categories))``;
    everything before is frozen.

    Example:
        >>> import helpers
        >>> from helpers.datasets import birdcalls
        >>> from helpers.teaching import training
        >>> model, top = training.transfer_model(helpers.load_model("efficientnet_lite0"), birdcalls.SPECIES)
        >>> model.num_classes, model.input_size, sum(p.numel() for p in model.net.parameters() if p.requires_grad)
        (3, 160, 1021443)
        >>> top[-1]  # the new linear layer, the last module of the trainable top
        Linear(in_features=1280, out_features=3, bias=True)

    Args:
        input_size: side of the input; 160 (feature maps 5x5) costs half of ImageNet's 224
            (7x7), and a 64x64 spectrogram has no detail to lose at 160.

    Returns:
        The ``CamModel`` (``base``'s normalisation) and its trainable top (the ``top`` of
        :meth:`EfficientNetLite.split`), a module mapping :func:`frozen_features` to logits.
    """
    if base.name != "efficientnet_lite0":
        raise ValueError(f"transfer_model adapts efficientnet_lite0, got {base.name!r}; "
                         "use helpers.load_model('efficientnet_lite0').")
    net = copy.deepcopy(base.net)
    if not isinstance(net, EfficientNetLite):
        raise TypeError(f"transfer_model needs the helpers' EfficientNetLite network, got {type(net).__name__}.")
    with seeded(seed):
        classifier = net.replace_classifier(len(categories))
    net.requires_grad_(False)
    _, top = net.split(trainable_blocks=1)
    top.requires_grad_(True)
    model = CamModel(name="efficientnet_lite0, fine-tuned", net=net.eval(), feature_layer=net.head_activation,
                     classifier=classifier, categories=tuple(categories), input_size=input_size, mean=base.mean,
                     std=base.std, weights=f"ImageNet, then last block and head trained here (seed {seed})")
    return model, top


def frozen_features(net: EfficientNetLite, batch: torch.Tensor) -> torch.Tensor:
    """``(n, 192, S/32, S/32)``: EfficientNet-Lite0's stem and all blocks but the last, in eval mode.

    The ``front`` of :meth:`EfficientNetLite.split`. Run it once on all images; training the
    top on its output is then cheap per epoch.

    Example:
        >>> import helpers
        >>> from helpers.datasets import birdcalls
        >>> from helpers.teaching import training
        >>> model, top = training.transfer_model(helpers.load_model("efficientnet_lite0"), birdcalls.SPECIES)
        >>> clips = birdcalls.make_dataset(4, seed=0)
        >>> frozen = training.frozen_features(model.net, training.model_inputs(clips.images, model))  # once per clip
        >>> frozen.shape, training.predict(top, frozen).shape  # the top turns them into logits
        (torch.Size([4, 192, 5, 5]), (4, 3))
    """
    front, _ = net.split(trainable_blocks=1)
    return in_batches(front, batch).contiguous()  # the default layout again, for the trained top


def model_inputs(images: np.ndarray, model: CamModel) -> torch.Tensor:
    """``(n, 3, S, S) float32``: gray ``(n, H, W) uint8`` images preprocessed as ``model`` expects.

    Example:
        >>> from helpers.datasets import birdcalls
        >>> from helpers.teaching import training
        >>> clips = birdcalls.make_dataset(6, seed=0)  # images: (6, 64, 64) uint8 spectrograms
        >>> x = training.model_inputs(clips.images, training.scratch_model(birdcalls.SPECIES, 0.5, 0.25, seed=0))
        >>> x.shape, x.dtype
        (torch.Size([6, 3, 64, 64]), torch.float32)
    """
    return preprocess_batch((load_image(image) for image in images), model)


def train(
    module: nn.Module, inputs: torch.Tensor, labels: np.ndarray, *, epochs: int, lr: float, seed: int = 0
) -> list[float]:
    """Train ``module`` (its parameters that require grad) with AdamW and a one-cycle schedule.

    Mini-batches of ``BATCH_SIZE`` in a seeded order, cross-entropy loss. The module is left
    in eval mode.

    Example:
        >>> from helpers.datasets import birdcalls
        >>> from helpers.teaching import training
        >>> clips = birdcalls.make_dataset(30, seed=0)
        >>> model = training.scratch_model(birdcalls.SPECIES, 0.5, 0.25, seed=0)
        >>> losses = training.train(model.net, training.model_inputs(clips.images, model), clips.labels, epochs=1, lr=3e-3)
        >>> len(losses), model.net.training  # one mean loss per epoch; the network is left in eval mode
        (1, False)

    Args:
        inputs: ``(n, ...) float32`` ready for ``module``.
        labels: ``(n,) int`` class indices.

    Returns:
        The mean training loss of each epoch.
    """
    targets = torch.as_tensor(labels, dtype=torch.int64)
    if len(targets) != len(inputs):
        raise ValueError(f"{len(inputs)} inputs but {len(targets)} labels; give one label per input.")
    parameters = [p for p in module.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(parameters, lr=lr, weight_decay=1e-4)
    steps = epochs * -(-len(targets) // BATCH_SIZE)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=lr, total_steps=steps)
    order = torch.Generator().manual_seed(seed)
    losses = []
    module.train()
    with seeded(seed):  # dropout draws from the global generator
        for _ in range(epochs):
            total = 0.0
            for batch in torch.randperm(len(targets), generator=order).split(BATCH_SIZE):
                loss = nn.functional.cross_entropy(module(inputs[batch]), targets[batch])
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                schedule.step()
                total += loss.item() * len(batch)
            losses.append(total / len(targets))
    module.eval()
    return losses


def predict(module: nn.Module, inputs: torch.Tensor) -> np.ndarray:
    """``(n, num_classes) float32`` logits, in eval mode, batch by batch.

    Example:
        >>> from helpers.datasets import birdcalls
        >>> from helpers.teaching import training
        >>> clips = birdcalls.make_dataset(6, seed=0)
        >>> model = training.scratch_model(birdcalls.SPECIES, 0.5, 0.25, seed=0)
        >>> logits = training.predict(model.net, training.model_inputs(clips.images, model))
        >>> logits.shape, logits.dtype, logits.argmax(axis=1).shape  # argmax: the species each clip is given
        ((6, 3), dtype('float32'), (6,))
    """
    module.eval()
    return in_batches(module, inputs, 4 * BATCH_SIZE, channels_last=False).numpy()
