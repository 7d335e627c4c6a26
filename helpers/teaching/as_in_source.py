"""The source tutorial's SeCAM, reproduced for teaching only: do not explain images with it.

Notebook 04 shows what goes wrong in it and ``make bench`` times it against
:func:`helpers.compute_secam`; nothing else uses this module. Both functions follow the
source's steps on purpose, defects included:

- the ``(H, W)`` superpixel label map is shrunk to the CAM's ``(h, w)`` grid (7x7) with
  nearest neighbour, so a superpixel that holds none of the h*w sampled pixels vanishes
  (11 of 42 on the cat photo);
- the means are taken at 7x7 and upsampled, so the boundaries are grid cells of about
  H/h x W/w pixels (64x43 on the 451x300 cat), blurred together, not the photo's edges;
- :func:`pipeline` also rebuilds the model on every call and loops over classes and over
  superpixels with one boolean mask each.
"""

from __future__ import annotations

import cv2
import numpy as np
from skimage.segmentation import slic

from helpers.images import preprocess
from helpers.methods.cam import CamResult, normalise, upsample
from helpers.methods.secam import average_over_superpixels, dense_labels
from helpers.models import DEFAULT_MODEL, clear_model_cache, load_model

__all__ = [
    "pipeline",
    "secam",
]


def secam(cam: CamResult, segments: np.ndarray) -> np.ndarray:
    """The source's SeCAM of every class of ``cam``, computed at the CAM's resolution and upsampled.

    Example:
        >>> import helpers
        >>> import numpy as np
        >>> from helpers.methods.secam import superpixels
        >>> from helpers.teaching.as_in_source import secam
        >>> image = helpers.load_image(helpers.sample_image_path("chelsea.png"))
        >>> segments = superpixels(image)  # the superpixels compute_secam uses
        >>> maps = secam(helpers.compute_cam(helpers.load_model(), image, topk=2), segments)
        >>> maps.shape, maps.dtype, bool(len(np.unique(maps[0])) > len(np.unique(segments)))  # not one value per superpixel
        ((2, 300, 451), dtype('float32'), True)

    Args:
        cam: from :func:`helpers.compute_cam`.
        segments: ``(H, W)`` superpixel labels of the same photo.

    Returns:
        ``(k, H, W) float32``, comparable to :attr:`helpers.SecamResult.maps`.
    """
    h, w = cam.raw_maps.shape[1:]
    shrunk = cv2.resize(segments.astype(np.int32), (w, h), interpolation=cv2.INTER_NEAREST)
    coarse = average_over_superpixels(normalise(cam.raw_maps, "relu_max"), dense_labels(shrunk))
    return upsample(coarse, cam.image_size)


def pipeline(image: np.ndarray, topk: int = 5, model_name: str = DEFAULT_MODEL) -> list[np.ndarray]:
    """The source's whole pipeline in its style, for timing: ``topk`` maps of shape ``(h, w)``.

    The model is rebuilt and its weights reloaded on every call, one CAM is computed per
    class in a loop, the label map is shrunk to the CAM's grid, and every superpixel is
    averaged through its own boolean mask. :func:`secam` gives the same maps, upsampled.

    Example:
        >>> import helpers
        >>> from helpers.teaching.as_in_source import pipeline
        >>> image = helpers.load_image(helpers.sample_image_path("chelsea.png"))
        >>> maps = pipeline(image, topk=3)  # slow on purpose: it reloads the model first
        >>> len(maps), maps[0].shape, maps[0].dtype  # on the CAM's 7x7 grid, not upsampled
        (3, (7, 7), dtype('float32'))
    """
    clear_model_cache()
    model = load_model(model_name)
    logits, features = model.forward_with_features(preprocess(image, model))
    f = features[0].numpy()
    weights = model.fc_weight.numpy()
    segments = slic(image, n_segments=50, compactness=10, start_label=1)
    h, w = f.shape[1:]
    small = cv2.resize(segments.astype(np.float32), (w, h), interpolation=cv2.INTER_NEAREST).astype(int)
    maps = []
    for class_id in logits[0].topk(topk).indices.tolist():
        cam = weights[class_id].dot(f.reshape(f.shape[0], -1)).reshape(h, w)
        cam = np.maximum(cam, 0) / cam.max()
        coarse = np.zeros_like(cam)
        for value in np.unique(small):
            mask = small == value
            coarse[mask] = cam[mask].mean()
        maps.append(coarse)
    return maps
