"""Figures: CAM overlays, top-k grids, comparisons, widgets, and saving them atomically."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle
from skimage.segmentation import mark_boundaries

from helpers import _validate
from helpers.images import SAMPLE_IMAGES, fit_within, nearest, shrink
from helpers.methods.cam import CamResult, normalise, upsample
from helpers.methods.secam import COMPACTNESS, N_SEGMENTS, THRESHOLD, SecamResult, threshold_masks
from helpers.paths import atomic_write, output_dir, prepared_folder

__all__ = [
    "CMAP",
    "DISPLAY_MAX_SIDE",
    "MAP_KINDS",
    "class_title",
    "draw_box",
    "explorer",
    "masked",
    "overlay",
    "photo_menu",
    "plot_comparison",
    "plot_topk",
    "save_figure",
    "slic_controls",
]

if TYPE_CHECKING:  # ipywidgets is the notebooks' extra; the command line never imports it
    import ipywidgets as widgets

CMAP = "inferno"
"""One colormap for every heatmap in the series, so colours mean the same everywhere: perceptually
uniform (equal steps in value look like equal steps in colour) and dark at 0, unlike ``jet``."""

DISPLAY_MAX_SIDE = 640
"""Figures draw a photo longer than this on a shrunk copy (the sample photos are not that
long): a panel is ~300 pixels wide, and a 12-megapixel photo's full-resolution heatmaps
would cost seconds and gigabytes for nothing. Computed maps are never shrunk, only drawn."""

MAP_KINDS: tuple[str, ...] = ("cam", "secam")
"""The maps :func:`plot_comparison` can draw, each as a heatmap and a mask column."""


def class_title(label: str, prob: float) -> str:
    """``"Egyptian cat  p=0.80"``: the title under which every explanation is shown.

    Example:
        >>> from helpers.viz import class_title
        >>> class_title("Egyptian cat", 0.7862)
        'Egyptian cat  p=0.79'
    """
    return f"{label}  p={prob:.2f}"


def overlay(
    ax: Axes,
    image: np.ndarray,
    heatmap: np.ndarray,
    *,
    alpha: float = 0.5,
    title: str | None = None,
    colorbar: bool = True,
) -> AxesImage:
    """Draw ``heatmap`` over ``image`` on ``ax``.

    Example:
        >>> import matplotlib.pyplot as plt
        >>> import helpers
        >>> image = helpers.load_image(helpers.sample_image_path("chelsea.png"))
        >>> cam = helpers.compute_cam(helpers.load_model(), image, topk=1)
        >>> fig, ax = plt.subplots()
        >>> artist = helpers.overlay(ax, image, cam.heatmaps()[0], title=cam.labels[0])  # heatmap at the photo's size
        >>> ax.get_title(), artist.get_array().shape
        ('Egyptian cat', (300, 451))
        >>> plt.close(fig)

    Args:
        image: ``(H, W, 3) uint8`` RGB.
        heatmap: ``(H, W)`` float in [0, 1] (upsample CAMs to the image first).
        alpha: opacity of the heatmap, 0 (invisible) to 1 (opaque).
        colorbar: add a colorbar labelled with the [0, 1] scale.

    Returns:
        The heatmap's image artist.
    """
    _validate.rgb_image(image)
    _validate.same_size(heatmap.shape, image.shape[:2], "heatmap", "the image's",
                        "upsample it to the image size first (helpers.methods.cam.upsample)")
    _validate.number_between(alpha, "alpha", 0.0, 1.0, "the heatmap's opacity")
    ax.imshow(image)
    artist = ax.imshow(heatmap, cmap=CMAP, alpha=alpha, vmin=0.0, vmax=1.0)
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=10)
    if colorbar:
        ax.figure.colorbar(artist, ax=ax, fraction=0.046, pad=0.02)
    return artist


def plot_topk(
    image: np.ndarray, cam: CamResult, *, mode: str = "relu_max", alpha: float = 0.5, max_side: int = DISPLAY_MAX_SIDE
) -> Figure:
    """The photo, then one overlay per class of ``cam``, titled with label and probability.

    Example:
        >>> import matplotlib.pyplot as plt
        >>> import helpers
        >>> image = helpers.load_image(helpers.sample_image_path("chelsea.png"))
        >>> fig = helpers.plot_topk(image, helpers.compute_cam(helpers.load_model(), image, topk=3))
        >>> [ax.get_title() for ax in fig.axes[1:4]]  # fig.axes[0] is the photo
        ['Egyptian cat  p=0.79', 'tiger cat  p=0.09', 'tabby  p=0.07']
        >>> plt.close(fig)

    Args:
        image: ``(H, W, 3) uint8`` RGB, the image ``cam`` was computed for.
        cam: from :func:`helpers.compute_cam`.
        mode: normalisation of each map (see :func:`helpers.methods.cam.normalise`).
        alpha: opacity of the heatmaps, 0 (invisible) to 1 (opaque).
        max_side: draw on a copy shrunk to this longer side when the photo is larger.
    """
    _validate.rgb_image(image)
    _validate.instance(cam, "cam", CamResult, "helpers.compute_cam")
    _validate.same_size(image.shape[:2], cam.image_size, "image", "the CAM's", "pass the photo the CAM was computed for")
    size = fit_within(cam.image_size, max_side)
    image = shrink(image, size)
    heatmaps = upsample(normalise(cam.raw_maps, mode), size)
    k = len(cam.class_ids)
    fig, axes = plt.subplots(1, k + 1, figsize=(2.6 * (k + 1) + 0.6, 2.9), layout="constrained")
    axes[0].imshow(image)
    axes[0].set_axis_off()
    axes[0].set_title(f"input ({cam.model_name})", fontsize=10)
    for ax, heatmap, label, prob in zip(axes[1:], heatmaps, cam.labels, cam.probs, strict=True):
        artist = overlay(ax, image, heatmap, alpha=alpha, title=class_title(label, float(prob)), colorbar=False)
    fig.colorbar(artist, ax=list(axes[1:]), fraction=0.02, pad=0.01, shrink=0.85, label=f"CAM ({mode})")
    return fig


def save_figure(fig: Figure, name: str, folder: Path | None = None) -> Path:
    """Save ``fig`` as PNG under ``folder`` (default: :func:`helpers.paths.output_dir`).

    The file is written to a temporary name in the same folder and then renamed, so a
    failure never leaves a half-written PNG behind.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> import matplotlib.pyplot as plt
        >>> import helpers
        >>> fig, ax = plt.subplots()
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     path = helpers.save_figure(fig, "cam_chelsea", folder=Path(tmp))  # ".png" is added
        ...     print(path.name, path.is_file())
        cam_chelsea.png True
        >>> plt.close(fig)

    Args:
        fig: the matplotlib figure.
        name: file name, ending in ``.png`` or without a suffix (``.png`` is then added); no
            folders in it (pass ``folder``).

    Returns:
        The path written.
    """
    name = str(name)
    if not name or Path(name).name != name or Path(name).suffix.lower() not in ("", ".png"):
        raise ValueError(f"name must be a PNG file name without folders, such as 'cam_chelsea.png', got {name!r}.")
    folder = output_dir() if folder is None else prepared_folder(Path(folder))
    target = folder / (name if name.lower().endswith(".png") else f"{name}.png")
    with atomic_write(target) as tmp:
        write_png(fig, tmp)
    return target


def write_png(fig: Figure, path: Path) -> None:
    """Write ``fig`` to ``path`` as the series' PNG: 100 dpi, tight, no software tag (same bytes every run)."""
    fig.savefig(path, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})


def masked(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``(H, W, 3) uint8``: the photo where ``mask`` is True, black elsewhere (what the mask keeps).

    Example:
        >>> import numpy as np
        >>> from helpers.viz import masked
        >>> image = np.full((2, 3, 3), 200, dtype=np.uint8)
        >>> mask = np.array([[True, False, False], [True, True, False]])
        >>> masked(image, mask)[:, :, 0]  # the red channel
        array([[200,   0,   0],
               [200, 200,   0]], dtype=uint8)
    """
    return np.where(mask[:, :, None], image, 0).astype(np.uint8)


def draw_box(ax: Axes, box: tuple[int, int, int, int], color: str = "cyan") -> Rectangle:
    """Outline ``box = (row0, row1, col0, col1)`` (half-open, as :func:`helpers.evaluation.localisation.box_mask`) on ``ax``.

    The edges pass between pixels: pixel ``(r, c)`` covers ``[c - 0.5, c + 0.5]`` horizontally
    in ``imshow``'s coordinates, so the outline encloses exactly the box's pixels.

    Example:
        >>> import matplotlib.pyplot as plt
        >>> import helpers
        >>> from helpers.viz import draw_box
        >>> fig, ax = plt.subplots()
        >>> _ = ax.imshow(helpers.load_image(helpers.sample_image_path("chelsea.png")))
        >>> outline = draw_box(ax, (50, 250, 100, 300))  # rows 50 to 249, columns 100 to 299
        >>> outline.get_xy(), outline.get_width(), outline.get_height()
        ((99.5, 49.5), 200, 200)
        >>> plt.close(fig)
    """
    row0, row1, col0, col1 = box
    outline = Rectangle((col0 - 0.5, row0 - 0.5), col1 - col0, row1 - row0, fill=False, ec=color, lw=1.5)
    ax.add_patch(outline)
    return outline


def plot_comparison(
    image: np.ndarray,
    secam: SecamResult,
    ranks: list[int] | None = None,
    *,
    methods: Sequence[str] = MAP_KINDS,
    max_side: int = DISPLAY_MAX_SIDE,
) -> Figure:
    """CAM against SeCAM, one row per class.

    Columns: photo | CAM heatmap | CAM mask | SeCAM heatmap with superpixel boundaries |
    SeCAM mask (the pairs of the ``methods`` asked for). Both masks keep what exceeds
    ``secam.threshold`` times the map's maximum. One colormap and one [0, 1] colorbar.

    Example:
        >>> import matplotlib.pyplot as plt
        >>> import helpers
        >>> image = helpers.load_image(helpers.sample_image_path("chelsea.png"))
        >>> secam = helpers.compute_secam(helpers.compute_cam(helpers.load_model(), image, topk=1), image)
        >>> fig = helpers.plot_comparison(image, secam)
        >>> [ax.get_title() for ax in fig.axes[:3]]  # then the SeCAM heatmap and mask, and the colorbar
        ['Egyptian cat  p=0.79', 'CAM', 'CAM > 80% of max']
        >>> plt.close(fig)

    Args:
        image: ``(H, W, 3) uint8``, the photo both were computed for.
        ranks: which classes to show, as positions 0 .. k - 1 in ``secam.cam`` (not class ids;
            default: all).
        methods: ``("cam", "secam")``, or one of them alone.
        max_side: draw on a copy shrunk to this longer side when the photo is larger.
    """
    _validate.rgb_image(image)
    _validate.instance(secam, "secam", SecamResult, "helpers.compute_secam")
    cam = secam.cam
    _validate.same_size(image.shape[:2], cam.image_size, "image", "the CAM's", "pass the photo the CAM was computed for")
    if isinstance(methods, str) or not methods or any(method not in MAP_KINDS for method in methods):
        raise ValueError(f"methods must be a tuple of one or both of {', '.join(MAP_KINDS)}, such as ('cam',), got {methods!r}.")
    k = len(cam.class_ids)
    ranks = list(range(k)) if ranks is None else ranks
    if isinstance(ranks, (int, np.integer)) or not all(_validate.is_integer(r) and 0 <= r < k for r in ranks):
        raise ValueError(f"ranks must be a list of positions 0 to {k - 1} in secam.cam (0 = its first class), got {ranks!r}.")
    size = fit_within(cam.image_size, max_side)
    image = shrink(image, size)
    cam_maps = upsample(normalise(cam.raw_maps, "relu_max"), size)
    cam_masks = threshold_masks(cam_maps, secam.threshold)
    segments, secam_maps, secam_masks = (nearest(a, size) for a in (secam.segments, secam.maps, secam.masks))
    with_edges = (mark_boundaries(image, segments, color=(1, 1, 1)) * 255).astype(np.uint8)
    percent = f"{secam.threshold:.0%}"
    columns = 1 + 2 * len(methods)
    fig, axes = plt.subplots(len(ranks), columns, figsize=(3.2 * columns, 2.9 * len(ranks) + 0.4),
                             layout="constrained", squeeze=False)
    for row, rank in zip(axes, ranks, strict=True):
        row[0].imshow(image)
        row[0].set_title(class_title(cam.labels[rank], float(cam.probs[rank])), fontsize=10)
        row[0].set_axis_off()
        pairs = {
            "cam": (image, cam_maps[rank], "CAM", cam_masks[rank]),
            "secam": (with_edges, secam_maps[rank], f"SeCAM ({secam.n_superpixels} superpixels)", secam_masks[rank]),
        }
        for column, method in zip(range(1, columns, 2), methods, strict=True):
            background, heatmap, name, mask = pairs[method]
            artist = overlay(row[column], background, heatmap, title=name, colorbar=False)
            row[column + 1].imshow(masked(image, mask))
            row[column + 1].set_title(f"{name.split()[0]} > {percent} of max", fontsize=10)
            row[column + 1].set_axis_off()
    fig.colorbar(artist, ax=axes[:, 1:columns - 1].ravel().tolist(), fraction=0.015, pad=0.01, shrink=0.8,
                 label="relu_max CAM / SeCAM")
    return fig


def explorer(draw: Callable[..., None], controls: Mapping[str, widgets.ValueWidget]) -> widgets.VBox:
    """Controls that re-draw a figure when the reader changes them.

    ``draw(**values)`` runs only on a change, never while the cell itself executes: a
    notebook run headless (nbval, nbconvert) then exchanges no output-capture messages
    with the kernel, which ``ipywidgets.interactive`` does and which intermittently left
    nbclient waiting forever here. Draw the static figure for the default values with a
    direct ``draw()`` call in the same cell, so static viewers show a result too.

    Example:
        >>> from helpers.viz import explorer, slic_controls
        >>> calls = []
        >>> panel = explorer(lambda **values: calls.append(values), slic_controls("chelsea.png"))
        >>> type(panel).__name__, calls  # nothing drawn yet: ``draw`` runs when a control changes
        ('VBox', [])

    Args:
        draw: draws one figure from keyword arguments named like ``controls``.
        controls: widgets whose ``value`` feeds the argument of the same name.

    Returns:
        The controls above an output area; display it as a cell's last expression.
    """
    widgets = _ipywidgets()

    output = widgets.Output()

    def redraw(_change: object = None) -> None:
        with output:
            output.clear_output(wait=True)
            draw(**{name: control.value for name, control in controls.items()})

    for control in controls.values():
        control.observe(redraw, names="value")
    return widgets.VBox([widgets.HBox(list(controls.values())), output])


def photo_menu(value: str) -> widgets.Dropdown:
    """A drop-down menu of the sample photos (:data:`helpers.SAMPLE_IMAGES`), showing ``value``.

    Example:
        >>> from helpers.viz import photo_menu
        >>> menu = photo_menu("coffee.png")
        >>> menu.value, len(menu.options)
        ('coffee.png', 6)
    """
    widgets = _ipywidgets()

    return widgets.Dropdown(options=SAMPLE_IMAGES, value=value, description="photo")


def slic_controls(photo: str, *, threshold: bool = False) -> dict[str, widgets.ValueWidget]:
    """Controls for :func:`explorer`: a photo menu and SLIC's sliders, at :func:`helpers.compute_secam`'s defaults.

    Keys, as the drawing function's arguments: ``photo_name``, ``n_segments`` (5-300),
    ``compactness`` (0.1-100, logarithmic) and, with ``threshold=True``, SeCAM's mask
    ``threshold`` (0-1).

    Example:
        >>> from helpers.viz import slic_controls
        >>> controls = slic_controls("chelsea.png", threshold=True)
        >>> {name: control.value for name, control in controls.items()}
        {'photo_name': 'chelsea.png', 'n_segments': 50, 'compactness': 10.0, 'threshold': 0.8}
    """
    widgets = _ipywidgets()

    controls = {
        "photo_name": photo_menu(photo),
        "n_segments": widgets.IntSlider(value=N_SEGMENTS, min=5, max=300, step=5, description="n_segments"),
        "compactness": widgets.FloatLogSlider(value=COMPACTNESS, base=10, min=-1, max=2, description="compactness"),
    }
    if threshold:
        controls["threshold"] = widgets.FloatSlider(value=THRESHOLD, min=0.0, max=1.0, step=0.05, description="threshold")
    return controls


def _ipywidgets() -> ModuleType:
    """ipywidgets, which only the notebooks' controls need (the ``notebooks`` extra)."""
    try:
        import ipywidgets
    except ModuleNotFoundError as error:
        raise ModuleNotFoundError("the notebooks' controls need ipywidgets: pip install ipywidgets") from error
    return ipywidgets
