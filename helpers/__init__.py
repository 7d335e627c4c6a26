"""Class activation maps (CAM) and SeCAM for image classifiers, as taught in the notebooks.

The public API, in the order of a typical use::

    import helpers

    model = helpers.load_model()                              # CamModel
    image = helpers.load_image(helpers.sample_image_path("chelsea.png"))
    cam = helpers.compute_cam(model, image, topk=5)           # CamResult, raw_maps (5, h, w)
    secam = helpers.compute_secam(cam, image)                 # SecamResult, maps (5, H, W)
    fig = helpers.plot_comparison(image, secam)
    helpers.save_figure(fig, "chelsea.png")                   # into outputs/

The rest is in subpackages, one contract each (the README draws the tree):

- ``models``, ``images``, ``viz``, ``paths``: the core: a CAM-ready classifier, photos in, figures out.
- ``methods``: CAM, SeCAM and the methods they are compared with (``cam``, ``secam``, ``baselines``;
  Grad-CAM, Grad-CAM++, Score-CAM and LIME need the
  ``baselines`` extra, imported only when called).
- ``evaluation``: ``faithfulness``, ``localisation``, ``sanity``, ``statistics``.
- ``datasets``: ``birdcalls`` (notebook 06) and ``composites`` (notebook 07), made offline from a seed.
- ``teaching``: what the notebooks teach with (the teaching ``slic``, ``as_in_source``,
  ``architecture``, ``diagrams``, ``receptive``, ``training``, ``claims``, ``timing``).
- ``cli``: the ``cam-explain`` command (``python -m helpers explain``).
"""

from helpers.images import SAMPLE_IMAGES, ImageError, load_image, sample_image_path
from helpers.methods.cam import CamResult, compute_cam
from helpers.methods.secam import SecamResult, compute_secam
from helpers.models import CamModel, ModelUnavailableError, load_model
from helpers.viz import overlay, plot_comparison, plot_topk, save_figure

__all__ = [
    "SAMPLE_IMAGES",
    "CamModel",
    "CamResult",
    "ImageError",
    "ModelUnavailableError",
    "SecamResult",
    "compute_cam",
    "compute_secam",
    "load_image",
    "load_model",
    "overlay",
    "plot_comparison",
    "plot_topk",
    "sample_image_path",
    "save_figure",
]
