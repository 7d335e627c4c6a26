"""Saliency methods: CAM, SeCAM and the methods they are compared with.

- ``cam``: class activation maps for k classes from one forward pass; normalise, upsample.
- ``secam``: SeCAM, CAM averaged over SLIC superpixels at image resolution (notebook 04).
- ``baselines``: Grad-CAM, Grad-CAM++, Score-CAM and LIME (the ``baselines`` extra, imported
  only when called) and model-free maps (centre, edges, smooth random).
"""

__all__ = ["baselines", "cam", "secam"]
