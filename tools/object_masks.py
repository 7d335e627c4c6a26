"""How the object masks of ``images/objects.json`` were made (maintainers only): ``python -m tools.object_masks``.

Each object's outline was traced by hand, vertex by vertex, over the photo drawn with a
25-pixel grid (the ``outline`` field, a few pixels off the true edge). GrabCut (Rother et
al., SIGGRAPH 2004; ``cv2.grabCut``) then snaps it to the photo's edges within a band of
``BAND`` pixels on either side: pixels deeper than the band inside the outline are fixed as
object, pixels beyond the band outside as background, and GrabCut decides the band. The
largest connected region of its result is kept, its outer contour is simplified to within
``TOLERANCE`` pixels (``cv2.approxPolyDP``), and the vertices are written to the ``polygon``
field. The notebook that uses the masks draws them over their photos, so they can be checked
by eye. Holes (between a wheel's spokes) are not kept: a mask is the object's silhouette.

Running this module again rewrites the polygons from the outlines; the result is stored, so
the set never depends on running it (OpenCV's versions may differ in the last vertex).
"""

from __future__ import annotations

import json

import cv2
import numpy as np

from helpers.datasets.composites import object_photo, polygon_mask
from tools import REPO_ROOT

OBJECTS_FILE = REPO_ROOT / "images" / "objects.json"
"""The committed outlines, written here; the package reads its installed copy."""

BAND = 6
"""Pixels on either side of the hand-traced outline that GrabCut may give to object or background."""
TOLERANCE = 1.0
"""Largest distance, in pixels, between the contour and its simplified polygon."""
ITERATIONS = 5


def refine(rgb: np.ndarray, outline: np.ndarray) -> np.ndarray:
    """``(m, 2) int`` polygon ``(x, y)``: the hand-traced outline snapped to the photo's edges by GrabCut."""
    rough = polygon_mask(outline, rgb.shape[:2]).astype(np.uint8)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * BAND + 1, 2 * BAND + 1))
    seeds = np.full(rgb.shape[:2], cv2.GC_BGD, dtype=np.uint8)
    seeds[cv2.dilate(rough, kernel) == 1] = cv2.GC_PR_BGD
    seeds[rough == 1] = cv2.GC_PR_FGD
    seeds[cv2.erode(rough, kernel) == 1] = cv2.GC_FGD
    cv2.setRNGSeed(0)  # GrabCut's colour models start from k-means with OpenCV's generator
    background_model, foreground_model = np.zeros((1, 65)), np.zeros((1, 65))
    cv2.grabCut(np.ascontiguousarray(rgb[:, :, ::-1]), seeds, (0, 0, 0, 0), background_model, foreground_model,
                ITERATIONS, cv2.GC_INIT_WITH_MASK)
    foreground = np.isin(seeds, (cv2.GC_FGD, cv2.GC_PR_FGD)).astype(np.uint8)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(foreground)
    largest = (labels == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))).astype(np.uint8)
    contours, _ = cv2.findContours(largest, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    return cv2.approxPolyDP(max(contours, key=cv2.contourArea), TOLERANCE, True)[:, 0, :]


def main() -> None:
    data = json.loads(OBJECTS_FILE.read_text())
    for entry in data["objects"]:
        entry["polygon"] = refine(object_photo(entry["photo"]), np.array(entry["outline"])).tolist()
        print(f"{entry['name']}: {len(entry['outline'])} traced vertices -> {len(entry['polygon'])}")
    OBJECTS_FILE.write_text(dumps(data))


def dumps(data: dict) -> str:
    """The objects file as JSON with one line per field, so that a diff shows which polygon changed."""
    fields = ",\n".join(
        "  {\n" + ",\n".join(f"   {json.dumps(key)}: {json.dumps(value)}" for key, value in entry.items()) + "\n  }"
        for entry in data["objects"])
    head = ",\n".join(f" {json.dumps(key)}: {json.dumps(value)}" for key, value in data.items() if key != "objects")
    return "{\n" + head + ',\n "objects": [\n' + fields + "\n ]\n}\n"


if __name__ == "__main__":
    main()
