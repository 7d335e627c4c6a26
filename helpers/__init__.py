"""Class activation maps (CAM) and SeCAM for image classifiers, as taught in the notebooks.

The public API, in the order of a typical use::

    import helpers

    model = helpers.load_model()                              # CamModel
    image = helpers.load_image(helpers.sample_image_path("chelsea.png"))
    cam = helpers.compute_cam(model, image, topk=5)           # CamResult, maps (5, h, w)
    secam = helpers.compute_secam(cam, image)                 # SecamResult, maps (5, H, W)
    fig = helpers.plot_comparison(image, secam)
    helpers.save_figure(fig, "chelsea.png")                   # into outputs/

The notebooks also use the building blocks from the submodules, each with one job:

- ``models``: build a CAM-ready classifier once, capture its last feature maps.
- ``images``: read any photo as RGB, sample photos, preprocessing to the model's input.
- ``cam``: class activation maps for k classes from one forward pass; normalise, upsample.
- ``slic``: a step-by-step teaching SLIC in NumPy (notebook 03); use scikit-image's for photos.
- ``secam``: SeCAM, CAM averaged over SLIC superpixels at image resolution (notebook 04).
- ``as_in_source``: the source tutorial's SeCAM, defects included, for teaching only.
- ``metrics``: faithfulness (deletion, insertion, Average Drop).
- ``localisation``: boxes, masks, the CAM paper's box test, IoU, pointing game, mass inside.
- ``composites`` and ``object_masks``: notebook 07's labelled set, built offline from a seed.
- ``sanity``: cascading model randomisation and map similarity (Adebayo et al., 2018).
- ``baselines``: Grad-CAM, Grad-CAM++, LIME (the ``baselines`` extra) and model-free maps.
- ``architecture``: stage-by-stage shapes and parameter counts, the stem's batch-norm check (notebook 01).
- ``receptive``: where one cell of the last grid looks and sits (notebook 01).
- ``viz``: overlays, top-k grids, comparisons, widgets; save figures atomically.
- ``paths``: where photos live, where outputs go, writing files atomically.
- ``birdcalls``: synthetic bird-call spectrograms with known call boxes (notebook 06).
- ``training``: train small CAM-ready classifiers on the CPU, from scratch or by transfer.
- ``claims``: the checks behind every sentence of the notebooks that states a result.
- ``explain`` and ``cli``: the ``cam-explain`` command (``python -m helpers explain``).
- ``bench``: ``make bench``, speed as ratios measured side by side.
"""

from .cam import CamResult, compute_cam
from .images import SAMPLE_IMAGES, ImageError, load_image, sample_image_path
from .models import CamModel, ModelUnavailableError, load_model
from .secam import SecamResult, compute_secam
from .viz import overlay, plot_comparison, plot_topk, save_figure

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
