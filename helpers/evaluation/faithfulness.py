"""Is a saliency map faithful to the model? Deletion, insertion, Average Drop.

- Deletion and insertion (Petsiuk et al., RISE, BMVC 2018): remove (or restore) pixels in
  order of decreasing saliency and follow the class probability. A faithful map makes the
  probability fall fast under deletion (low AUC is good) and rise fast under insertion
  (high AUC is good). Removed pixels take a *substrate*. What differs from RISE's own code:
  deletion replaces pixels with black by default (RISE: zero after normalisation, i.e. the
  model's mean colour, ``substrate="mean"``: ImageNet's average colour for ResNet50, mid-grey,
  127, for EfficientNet-Lite0), and the curves take ``steps`` equal steps (10
  or 8 in notebook 05; RISE removes 224 pixels per step, 224 steps at 224x224). Insertion
  restores pixels onto RISE's blur (an 11x11 Gaussian kernel, sigma 5).
- Average Drop and Increase in Confidence (Chattopadhyay et al., Grad-CAM++, WACV 2018):
  show the model only the explanation, ``image * map``; a faithful map keeps the class
  probability (low drop), and sometimes raises it. Every map is first divided by its own
  maximum, so that methods are compared on one scale. Average Drop rewards large maps: an
  all-ones map shows the whole photo and scores 0 %.

Where the object is known, :mod:`helpers.evaluation.localisation` scores whether the map finds it.

The faithfulness metrics work at the model's input resolution: the photo is resized exactly
as :func:`helpers.images.preprocess` resizes it (so the unperturbed frame gets the probability
``compute_cam`` reports), the map with nearest neighbour (so equal values stay equal and
ties are broken only by the seeded order, never by float noise), and forward passes run in
small batches (:data:`helpers.models.INFERENCE_BATCH`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from helpers import _validate
from helpers.images import model_sized, nearest, preprocess_batch
from helpers.models import CamModel, in_batches

__all__ = [
    "SUBSTRATES",
    "Curve",
    "average_drop",
    "class_probabilities",
    "confidence_change",
    "deletion_curve",
    "deletion_curves",
    "explanation_image",
    "increase_in_confidence",
    "insertion_curve",
    "saliency_order",
    "substrate_image",
]

BLUR_KERNEL, BLUR_SIGMA = 11, 5.0  # RISE's insertion substrate: an 11x11 Gaussian blur, sigma 5
SUBSTRATES: tuple[str, ...] = ("black", "mean", "blur")
"""What deleted pixels become: black, the model's mean colour (zero after normalisation), or
the blurred photo (insertion always starts from the blur)."""


@dataclass(frozen=True)
class Curve:
    """A deletion or insertion curve.

    Example:
        >>> import numpy as np
        >>> import helpers
        >>> from helpers.evaluation.faithfulness import deletion_curve
        >>> from helpers.methods.baselines import centre_map
        >>> model, image = helpers.load_model(), helpers.load_image(helpers.sample_image_path("chelsea.png"))
        >>> curve = deletion_curve(model, image, centre_map(image.shape[:2]), 285, steps=4)
        >>> curve.fractions.tolist(), curve.probs.shape, bool(curve.auc == np.trapezoid(curve.probs, curve.fractions))
        ([0.0, 0.25, 0.5, 0.75, 1.0], (5,), True)

    Attributes:
        fractions: ``(n + 1,)`` share of pixels removed (deletion) or restored (insertion), 0 to 1.
        probs: ``(n + 1,)`` the class probability at each step.
        auc: area under ``probs`` over ``fractions`` (trapezoid rule), in [0, 1].
    """

    fractions: np.ndarray
    probs: np.ndarray
    auc: float


def class_probabilities(model: CamModel, images: np.ndarray, class_id: int) -> np.ndarray:
    """``(n,) float64``: the probability of ``class_id`` for each of ``n`` RGB images, in batches.

    Example:
        >>> import numpy as np
        >>> import helpers
        >>> from helpers.evaluation.faithfulness import class_probabilities
        >>> model, image = helpers.load_model(), helpers.load_image(helpers.sample_image_path("chelsea.png"))
        >>> probs = class_probabilities(model, np.stack([image, np.zeros_like(image)]), 285)  # the photo, a black frame
        >>> model.categories[285], probs.shape, probs.dtype, bool(probs[0] > 0.5 > probs[1])
        ('Egyptian cat', (2,), dtype('float64'), True)

    Args:
        images: ``(n, H, W, 3) uint8``.
    """
    logits = in_batches(model.net, preprocess_batch(images, model))
    return logits.softmax(dim=1)[:, class_id].double().numpy()


def saliency_order(saliency: np.ndarray, seed: int = 0) -> np.ndarray:
    """Pixel indices (row-major) from most to least salient; ties in random, seeded order.

    Ties matter: SeCAM and LIME give whole regions one value, and breaking ties in raster
    order would delete the top of a region first. Equal values must really be equal for
    this to apply: resample a map with :func:`helpers.images.nearest`, never by averaging.

    Example:
        >>> import numpy as np
        >>> from helpers.evaluation.faithfulness import saliency_order
        >>> saliency = np.array([[0.2, 0.9], [0.2, 0.5]])  # pixels 0 and 2 tie
        >>> saliency_order(saliency).tolist(), saliency_order(saliency, seed=1).tolist()
        ([1, 3, 2, 0], [1, 3, 0, 2])
    """
    flat = saliency.ravel()
    tie_break = np.random.default_rng(seed).permutation(flat.size)
    return np.lexsort((tie_break, -flat))


def deletion_curve(
    model: CamModel, image: np.ndarray, saliency: np.ndarray, class_id: int, steps: int = 50,
    substrate: str = "black", *, most_relevant_first: bool = True,
) -> Curve:
    """Remove pixels from most to least salient and follow the probability.

    Example:
        >>> import helpers
        >>> from helpers.evaluation.faithfulness import deletion_curve
        >>> from helpers.methods.cam import cam_maps
        >>> model, image = helpers.load_model(), helpers.load_image(helpers.sample_image_path("chelsea.png"))
        >>> cam = cam_maps(model, image, [285])[0]
        >>> morf = deletion_curve(model, image, cam, 285, steps=4)
        >>> lerf = deletion_curve(model, image, cam, 285, steps=4, most_relevant_first=False)
        >>> morf.fractions.tolist(), bool(morf.auc < lerf.auc)  # the probability falls faster when CAM's top goes first
        ([0.0, 0.25, 0.5, 0.75, 1.0], True)

    Args:
        image: ``(H, W, 3) uint8`` RGB.
        saliency: ``(H, W)`` float, higher = more important.
        steps: the curve has ``steps + 1`` points, from 0 to all pixels removed.
        substrate: what removed pixels become, one of ``SUBSTRATES``.
        most_relevant_first: ``False`` removes the least salient pixels first (LeRF, against
            the usual MoRF): a faithful map keeps the probability up for longer.
    """
    return _perturbation_curve(model, image, saliency, class_id, steps, insertion=False, substrate=substrate,
                               reverse=not most_relevant_first)


def insertion_curve(model: CamModel, image: np.ndarray, saliency: np.ndarray, class_id: int, steps: int = 50) -> Curve:
    """Restore pixels from most to least salient onto a blurred copy and follow the probability.

    Example:
        >>> import helpers
        >>> from helpers.evaluation.faithfulness import deletion_curve, insertion_curve
        >>> from helpers.methods.cam import cam_maps
        >>> model, image = helpers.load_model(), helpers.load_image(helpers.sample_image_path("chelsea.png"))
        >>> cam = cam_maps(model, image, [285])[0]
        >>> insertion = insertion_curve(model, image, cam, 285, steps=2)
        >>> insertion.probs.shape, bool(insertion.auc > deletion_curve(model, image, cam, 285, steps=2).auc)
        ((3,), True)
    """
    return _perturbation_curve(model, image, saliency, class_id, steps, insertion=True, substrate="blur")


def explanation_image(image: np.ndarray, saliency: np.ndarray) -> np.ndarray:
    """``(H, W, 3) uint8``: the photo weighted by the map, what Average Drop shows the model.

    The map is divided by its own maximum first (clipped below at 0), so that every method's
    explanation is shown on the same scale; a map without positive values shows nothing.

    Example:
        >>> import numpy as np
        >>> from helpers.evaluation.faithfulness import explanation_image
        >>> image = np.full((2, 2, 3), 200, dtype=np.uint8)
        >>> explanation_image(image, np.array([[-1.0, 0.5], [1.0, 2.0]]))[:, :, 0].tolist()  # the map's maximum is 2
        [[0, 50], [100, 200]]
    """
    _check_pair(image, saliency)
    weights = np.clip(np.asarray(saliency, dtype=np.float64), 0.0, None)
    top = weights.max()
    weights = weights / top if top > 0 else weights
    return np.round(image * weights[:, :, None]).astype(np.uint8)


def confidence_change(model: CamModel, image: np.ndarray, saliency: np.ndarray, class_id: int) -> tuple[float, float]:
    """``(Y, O)``: the class probability on the photo and on its explanation image.

    Example:
        >>> import helpers
        >>> from helpers.evaluation.faithfulness import confidence_change
        >>> from helpers.methods.cam import cam_maps
        >>> model, image = helpers.load_model(), helpers.load_image(helpers.sample_image_path("chelsea.png"))
        >>> y, o = confidence_change(model, image, cam_maps(model, image, [285])[0], 285)
        >>> bool(0 < o < y)  # the cat seen through its CAM keeps part of its probability
        True
    """
    both = np.stack([image, explanation_image(image, saliency)])
    original, explained = class_probabilities(model, both, class_id)
    return float(original), float(explained)


def average_drop(pairs: list[tuple[float, float]]) -> float:
    """Average Drop in %: mean of ``max(0, Y - O) / Y`` over images, times 100 (lower is better).

    Example:
        >>> from helpers.evaluation.faithfulness import average_drop
        >>> pairs = [(0.8, 0.6), (0.5, 0.7)]  # (Y, O) of two photos: a drop of a quarter, then a rise
        >>> round(average_drop(pairs), 3)
        12.5

    Raises:
        ValueError: a photo's own probability ``Y`` is not positive (there is nothing to drop
            from; explain a class the model gives some probability).
    """
    for i, (y, _o) in enumerate(pairs):
        if not y > 0:
            raise ValueError(f"pair {i}: the photo's probability Y = {y} must be positive for Average Drop; "
                             "explain a class the model assigns some probability to.")
    return 100.0 * float(np.mean([max(0.0, y - o) / y for y, o in pairs]))


def increase_in_confidence(pairs: list[tuple[float, float]]) -> float:
    """Increase in Confidence in %: share of images with ``O > Y``, times 100 (higher is better).

    On n images it moves in steps of 100 / n.

    Example:
        >>> from helpers.evaluation.faithfulness import increase_in_confidence
        >>> increase_in_confidence([(0.8, 0.6), (0.5, 0.7)])  # (Y, O) of two photos: only the second rises
        50.0
    """
    return 100.0 * float(np.mean([o > y for y, o in pairs]))


def deletion_curves(
    model: CamModel, image: np.ndarray, saliencies: Mapping[str, np.ndarray], class_id: int, steps: int,
    variants: Sequence[tuple[bool, str]],
) -> dict[tuple[str, bool, str], Curve]:
    """Several deletion curves of one image at once: each map in ``saliencies`` in each variant.

    The same curves as :func:`deletion_curve` (a unit test checks it), with one batched
    classification in which every distinct frame is classified once: all curves start from
    the image itself, and all curves into one substrate end on the same image.

    Example:
        >>> import helpers
        >>> from helpers.evaluation.faithfulness import deletion_curves
        >>> from helpers.methods.baselines import centre_map
        >>> from helpers.methods.cam import cam_maps
        >>> model, image = helpers.load_model(), helpers.load_image(helpers.sample_image_path("chelsea.png"))
        >>> maps = {"CAM": cam_maps(model, image, [285])[0], "centre": centre_map(image.shape[:2])}
        >>> curves = deletion_curves(model, image, maps, 285, steps=2, variants=[(True, "black"), (False, "mean")])
        >>> sorted(curves)
        [('CAM', False, 'mean'), ('CAM', True, 'black'), ('centre', False, 'mean'), ('centre', True, 'black')]

    Args:
        saliencies: name -> ``(H, W)`` map.
        variants: ``(most_relevant_first, substrate)`` pairs.

    Returns:
        ``(name, most_relevant_first, substrate)`` -> :class:`Curve`.
    """
    framed = {(name, first, substrate): _frames(model, image, saliency, steps, insertion=False, substrate=substrate,
                                                reverse=not first)
              for name, saliency in saliencies.items() for first, substrate in variants}
    index: dict[bytes, int] = {}  # a frame's bytes -> its row among the distinct frames
    rows = {key: [index.setdefault(frame.tobytes(), len(index)) for frame in frames] for key, (frames, _) in framed.items()}
    frame_shape = next(iter(framed.values()))[0].shape[1:]  # (S, S, 3)
    distinct = np.empty((len(index), *frame_shape), dtype=np.uint8)
    for key, (frames, _) in framed.items():
        distinct[rows[key]] = frames
    probs = class_probabilities(model, distinct, class_id)
    return {key: _curve(fractions, probs[rows[key]]) for key, (_, fractions) in framed.items()}


def _perturbation_curve(
    model: CamModel, image: np.ndarray, saliency: np.ndarray, class_id: int, steps: int, insertion: bool,
    substrate: str, reverse: bool = False,
) -> Curve:
    frames, fractions = _frames(model, image, saliency, steps, insertion, substrate, reverse)
    return _curve(fractions, class_probabilities(model, frames, class_id))


def _frames(
    model: CamModel, image: np.ndarray, saliency: np.ndarray, steps: int, insertion: bool, substrate: str, reverse: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """``(steps + 1, S, S, 3) uint8`` frames of a deletion (or insertion) and their ``(steps + 1,)`` fractions."""
    _check_pair(image, saliency)
    _validate.positive_integer(steps, "steps", "removal steps from 0 to all pixels")
    _validate.one_of(substrate, "substrate", SUBSTRATES)
    small = model_sized(image, model)  # (S, S, 3), the input compute_cam explains
    order = saliency_order(nearest(np.asarray(saliency, dtype=np.float32), small.shape[:2]))
    if reverse:
        order = order[::-1]  # least salient first
    removed = substrate_image(small, substrate, model)
    start, end = (removed, small) if insertion else (small, removed)
    counts = np.round(np.linspace(0, order.size, steps + 1)).astype(int)
    frames = np.empty((steps + 1, *small.shape), dtype=np.uint8)
    current = start.reshape(-1, 3).copy()
    done = 0
    for i, count in enumerate(counts):
        changed = order[done:count]
        current[changed] = end.reshape(-1, 3)[changed]
        done = count
        frames[i] = current.reshape(small.shape)
    return frames, counts / order.size


def _curve(fractions: np.ndarray, probs: np.ndarray) -> Curve:
    return Curve(fractions=fractions, probs=probs, auc=float(np.trapezoid(probs, fractions)))


def substrate_image(small: np.ndarray, substrate: str, model: CamModel) -> np.ndarray:
    """``(S, S, 3) uint8``: what the removed pixels of ``small`` ``(S, S, 3) uint8`` become, for one of ``SUBSTRATES``:
    black, the model's mean colour (RISE's normalised zero), or a Gaussian blur of ``small``.

    Example:
        >>> import numpy as np
        >>> import helpers
        >>> from helpers.evaluation.faithfulness import SUBSTRATES, substrate_image
        >>> small, model = np.full((224, 224, 3), 200, dtype=np.uint8), helpers.load_model()
        >>> {substrate: substrate_image(small, substrate, model)[0, 0].tolist() for substrate in SUBSTRATES}
        {'black': [0, 0, 0], 'mean': [127, 127, 127], 'blur': [200, 200, 200]}
    """
    _validate.one_of(substrate, "substrate", SUBSTRATES)
    if substrate == "blur":
        return cv2.GaussianBlur(small, (BLUR_KERNEL, BLUR_KERNEL), BLUR_SIGMA)
    if substrate == "mean":
        return np.broadcast_to(np.round(255 * np.array(model.mean)).astype(np.uint8), small.shape).copy()
    return np.zeros_like(small)


def _check_pair(image: np.ndarray, saliency: np.ndarray) -> None:
    _validate.same_size(saliency.shape, image.shape[:2], "saliency map", "the image's", "upsample the map to the image size first")
