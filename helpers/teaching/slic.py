"""A teaching SLIC in NumPy, one function per step (Achanta et al., TPAMI 2012).

Coordinates are ``(row, column)`` from the top-left pixel, starting at 0. Each step can be
called on its own, as notebook 03 does on the 5x5 worked example:

1. :func:`grid_centres`: K centres on a regular grid with interval ``g = sqrt(N / K)``.
2. :func:`perturb_centres`: move each centre to the lowest-gradient pixel of its 3x3 neighbourhood.
3. :func:`assign`: label each pixel with the centre of smallest
   ``D = sqrt(d_c^2 + (m / g)^2 d_xy^2)``, searched in a 2g x 2g window around each centre.
4. :func:`update_centres`: move each centre to the mean position and feature of its pixels.
5. Repeat 3-4 until the centres stop moving or ``max_iter``; then :func:`enforce_connectivity`.

``d_c`` is the intensity difference for a grayscale image and the CIELAB distance for RGB.
For real photos use ``skimage.segmentation.slic``: it is compiled and far faster.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage
from skimage.color import rgb2lab

from helpers import _validate

__all__ = [
    "Centres",
    "SlicResult",
    "assign",
    "distance",
    "distance_table",
    "enforce_connectivity",
    "grid_centres",
    "grid_interval",
    "image_gradient",
    "perturb_centres",
    "slic",
    "slic_features",
    "update_centres",
]


@dataclass(frozen=True)
class Centres:
    """Cluster centres: ``positions`` ``(K, 2) float`` (row, column), ``features`` ``(K, C) float``.

    Example:
        >>> import numpy as np
        >>> from helpers.teaching.slic import Centres
        >>> centres = Centres(positions=np.array([[1.0, 1.0], [1.0, 4.0]]), features=np.array([[10.0], [20.0]]))
        >>> len(centres.positions), centres.features.shape  # K = 2 centres of one grayscale feature (C = 1)
        (2, (2, 1))
    """

    positions: np.ndarray
    features: np.ndarray


@dataclass
class SlicResult:
    """What :func:`slic` computed, step by step.

    Example:
        >>> import numpy as np
        >>> from helpers.teaching.slic import slic
        >>> image = np.array([[10, 10, 10, 20, 20]] * 3 + [[30, 30, 30, 40, 40]] * 2, dtype=float)  # notebook 03's 5x5
        >>> result = slic(image, n_segments=4)
        >>> result.interval, result.iterations, len(result.label_history), len(result.history), result.converged
        (2.5, 2, 2, 3, True)

    Attributes:
        labels: ``(H, W) int64`` final labels ``0 .. n - 1``.
        interval: the grid step ``g``.
        history: the centres before the first assignment and after every update.
        label_history: the labels after each assignment, before connectivity.
        converged: True when the centres stopped moving before ``max_iter``.
    """

    labels: np.ndarray
    interval: float
    history: list[Centres] = field(default_factory=list)
    label_history: list[np.ndarray] = field(default_factory=list)
    converged: bool = False

    @property
    def iterations(self) -> int:
        return len(self.label_history)


def slic_features(image: np.ndarray) -> np.ndarray:
    """``(H, W, C) float64`` features: grayscale values as given (C = 1), or CIELAB for RGB (C = 3).

    Example:
        >>> import numpy as np
        >>> from helpers.teaching.slic import slic_features
        >>> gray = slic_features(np.array([[10, 20], [30, 40]]))
        >>> gray.shape, gray.dtype, gray[1, 0].tolist()
        ((2, 2, 1), dtype('float64'), [30.0])
        >>> lab = slic_features(np.full((2, 2, 3), 255, dtype=np.uint8))  # white RGB: CIELAB lightness L = 100
        >>> lab.shape, round(float(lab[0, 0, 0]))
        ((2, 2, 3), 100)

    Args:
        image: ``(H, W)`` grayscale of any real dtype, or ``(H, W, 3) uint8`` RGB.
    """
    image = np.asarray(image)
    if image.ndim == 2:
        return image.astype(np.float64)[:, :, None]
    if image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.uint8:
        return rgb2lab(image)
    raise ValueError(f"image must be (H, W) grayscale or (H, W, 3) uint8 RGB, got {image.shape} {image.dtype}.")


def grid_interval(shape: tuple[int, int], n_segments: int) -> float:
    """``g = sqrt(N / K)``: the side of the square each superpixel would have on a regular grid.

    Example:
        >>> from helpers.teaching.slic import grid_interval
        >>> grid_interval((5, 5), n_segments=4)  # sqrt(25 / 4)
        2.5
    """
    _validate.n_segments(n_segments)
    return float(np.sqrt(shape[0] * shape[1] / n_segments))


def grid_centres(features: np.ndarray, n_segments: int) -> Centres:
    """About K centres, spaced about ``g`` apart, each snapped to the pixel nearest its grid point.

    The grid has ``round(H / g)`` rows and ``round(W / g)`` columns of centres. Centre ``i`` sits
    at ``(i + 0.5) * H / rows`` measured from the image's top edge, rounded to a pixel index;
    this reproduces the source's 5x5 example (1.25 and 3.75 -> pixels 1 and 4).

    Example:
        >>> import numpy as np
        >>> from helpers.teaching.slic import grid_centres, slic_features
        >>> image = np.array([[10, 10, 10, 20, 20]] * 3 + [[30, 30, 30, 40, 40]] * 2, dtype=float)
        >>> centres = grid_centres(slic_features(image), n_segments=4)
        >>> centres.positions.tolist(), centres.features.ravel().tolist()
        ([[1.0, 1.0], [1.0, 4.0], [4.0, 1.0], [4.0, 4.0]], [10.0, 20.0, 30.0, 40.0])
    """
    height, width = features.shape[:2]
    interval = grid_interval((height, width), n_segments)
    n_rows = max(1, round(height / interval))
    n_cols = max(1, round(width / interval))
    rows = np.round((np.arange(n_rows) + 0.5) * height / n_rows)  # 5 pixels, 2 rows: 1.25, 3.75 -> 1, 4
    cols = np.round((np.arange(n_cols) + 0.5) * width / n_cols)
    grid = np.stack(np.meshgrid(rows, cols, indexing="ij"), axis=-1).reshape(-1, 2)
    grid = np.clip(grid, 0, [height - 1, width - 1])
    return _centres_at(features, grid)


def image_gradient(features: np.ndarray) -> np.ndarray:
    """``(H, W)``: ``||I(r+1, c) - I(r-1, c)||^2 + ||I(r, c+1) - I(r, c-1)||^2``, edges replicated.

    Example:
        >>> import numpy as np
        >>> from helpers.teaching.slic import image_gradient, slic_features
        >>> image = np.array([[10, 10, 10, 20, 20]] * 3 + [[30, 30, 30, 40, 40]] * 2, dtype=float)
        >>> image_gradient(slic_features(image)).astype(int)  # high where a pixel's neighbours differ
        array([[  0,   0, 100, 100,   0],
               [  0,   0, 100, 100,   0],
               [400, 400, 500, 500, 400],
               [400, 400, 500, 500, 400],
               [  0,   0, 100, 100,   0]])
    """
    padded = np.pad(features, ((1, 1), (1, 1), (0, 0)), mode="edge")
    vertical = padded[2:, 1:-1] - padded[:-2, 1:-1]
    horizontal = padded[1:-1, 2:] - padded[1:-1, :-2]
    return (vertical**2).sum(axis=-1) + (horizontal**2).sum(axis=-1)


def perturb_centres(features: np.ndarray, centres: Centres) -> Centres:
    """Move each centre to the lowest-gradient pixel of its 3x3 neighbourhood (ties keep it in place).

    Example:
        >>> import numpy as np
        >>> from helpers.teaching.slic import Centres, perturb_centres, slic_features
        >>> features = slic_features(np.array([[10, 10, 10, 20, 20]] * 3 + [[30, 30, 30, 40, 40]] * 2, dtype=float))
        >>> on_edge = Centres(positions=np.array([[2.0, 2.0]]), features=features[2, 2][None])  # gradient 500 there
        >>> moved = perturb_centres(features, on_edge)
        >>> moved.positions.tolist(), moved.features.tolist()  # to the gradient-0 pixel (1, 1), with its feature
        ([[1.0, 1.0]], [[10.0]])
    """
    gradient = image_gradient(features)
    height, width = gradient.shape
    moved = []
    for row, col in np.round(centres.positions).astype(int):
        best = (gradient[row, col], row, col)
        for r in range(max(row - 1, 0), min(row + 2, height)):
            for c in range(max(col - 1, 0), min(col + 2, width)):
                if gradient[r, c] < best[0]:
                    best = (gradient[r, c], r, c)
        moved.append(best[1:])
    return _centres_at(features, np.array(moved, dtype=np.float64))


def distance(
    features: np.ndarray, centres: Centres, index: int, interval: float, compactness: float
) -> tuple[np.ndarray, tuple[slice, slice]]:
    """``D`` from centre ``index`` to every pixel of its 2g x 2g window.

    ``D = sqrt(d_c^2 + (m / g)^2 d_xy^2)``, with ``d_c`` the feature distance and ``d_xy`` the
    pixel distance. Returns the ``(h, w)`` distances and the window as ``(row slice, col slice)``.

    Example:
        >>> import numpy as np
        >>> from helpers.teaching.slic import distance, grid_centres, slic_features
        >>> features = slic_features(np.array([[10, 10, 10, 20, 20]] * 3 + [[30, 30, 30, 40, 40]] * 2, dtype=float))
        >>> d, (rows, cols) = distance(features, grid_centres(features, 4), 0, interval=2.5, compactness=10.0)
        >>> d.shape, (rows.start, rows.stop), (cols.start, cols.stop)  # centre 0 at (1, 1): rows and columns 0-3
        ((4, 4), (0, 4), (0, 4))
        >>> round(float(d[2, 2]), 2)  # to pixel (2, 2): d_c = 0 and d_xy^2 = 2, so D = sqrt((10 / 2.5)^2 * 2) = sqrt(32)
        5.66
    """
    height, width = features.shape[:2]
    row, col = centres.positions[index]
    rows = slice(max(int(np.ceil(row - interval)), 0), min(int(np.floor(row + interval)) + 1, height))
    cols = slice(max(int(np.ceil(col - interval)), 0), min(int(np.floor(col + interval)) + 1, width))
    d_c2 = ((features[rows, cols] - centres.features[index]) ** 2).sum(axis=-1)
    rr, cc = np.mgrid[rows, cols]
    d_xy2 = (rr - row) ** 2 + (cc - col) ** 2
    return np.sqrt(d_c2 + (compactness / interval) ** 2 * d_xy2), (rows, cols)


def distance_table(features: np.ndarray, centres: Centres, interval: float, compactness: float) -> np.ndarray:
    """``(K, H, W)``: D from every centre to every pixel, ``inf`` outside the centre's window.

    Example:
        >>> import numpy as np
        >>> from helpers.teaching.slic import distance_table, grid_centres, slic_features
        >>> features = slic_features(np.array([[10, 10, 10, 20, 20]] * 3 + [[30, 30, 30, 40, 40]] * 2, dtype=float))
        >>> table = distance_table(features, grid_centres(features, 4), interval=2.5, compactness=10.0)
        >>> table.shape
        (4, 5, 5)
        >>> np.isfinite(table).sum(axis=0)  # how many centres' windows cover each pixel
        array([[1, 1, 2, 2, 1],
               [1, 1, 2, 2, 1],
               [2, 2, 4, 4, 2],
               [2, 2, 4, 4, 2],
               [1, 1, 2, 2, 1]])
    """
    table = np.full((len(centres.positions), *features.shape[:2]), np.inf)
    for k in range(len(centres.positions)):
        d, window = distance(features, centres, k, interval, compactness)
        table[k][window] = d
    return table


def assign(features: np.ndarray, centres: Centres, interval: float, compactness: float) -> np.ndarray:
    """``(H, W) int64``: the label of the nearest centre (by D) among those whose window covers the pixel.

    A pixel no window covers (possible once centres have moved) takes the spatially nearest centre.

    Example:
        >>> import numpy as np
        >>> from helpers.teaching.slic import assign, grid_centres, slic_features
        >>> features = slic_features(np.array([[10, 10, 10, 20, 20]] * 3 + [[30, 30, 30, 40, 40]] * 2, dtype=float))
        >>> assign(features, grid_centres(features, 4), interval=2.5, compactness=10.0)
        array([[0, 0, 0, 1, 1],
               [0, 0, 0, 1, 1],
               [0, 0, 0, 1, 1],
               [2, 2, 2, 3, 3],
               [2, 2, 2, 3, 3]])
    """
    best = np.full(features.shape[:2], np.inf)
    labels = np.full(features.shape[:2], -1, dtype=np.int64)
    for k in range(len(centres.positions)):
        d, window = distance(features, centres, k, interval, compactness)
        closer = d < best[window]
        best[window][closer] = d[closer]
        labels[window][closer] = k
    uncovered = labels < 0
    if uncovered.any():
        rr, cc = np.nonzero(uncovered)
        d_xy2 = (rr[:, None] - centres.positions[:, 0]) ** 2 + (cc[:, None] - centres.positions[:, 1]) ** 2
        labels[rr, cc] = d_xy2.argmin(axis=1)
    return labels


def update_centres(features: np.ndarray, labels: np.ndarray, previous: Centres) -> Centres:
    """Each centre becomes the mean (row, column, feature) of its pixels; an empty one stays put.

    Example:
        >>> import numpy as np
        >>> from helpers.teaching.slic import assign, grid_centres, slic_features, update_centres
        >>> features = slic_features(np.array([[10, 10, 10, 20, 20]] * 3 + [[30, 30, 30, 40, 40]] * 2, dtype=float))
        >>> start = grid_centres(features, 4)
        >>> moved = update_centres(features, assign(features, start, 2.5, 10.0), start)
        >>> moved.positions.tolist()  # the middle of each block
        [[1.0, 1.0], [1.0, 3.5], [3.5, 1.0], [3.5, 3.5]]
    """
    k = len(previous.positions)
    flat = labels.ravel()
    counts = np.bincount(flat, minlength=k).astype(np.float64)
    rr, cc = np.indices(labels.shape)
    columns = [rr.ravel(), cc.ravel(), *features.reshape(-1, features.shape[-1]).T]
    sums = np.stack([np.bincount(flat, weights=v, minlength=k) for v in columns], axis=1)
    old = np.concatenate([previous.positions, previous.features], axis=1)
    means = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], old)
    return Centres(positions=means[:, :2], features=means[:, 2:])


def enforce_connectivity(labels: np.ndarray, min_size: int) -> np.ndarray:
    """Make every superpixel one 4-connected region of at least ``min_size`` pixels.

    Each label keeps its largest connected piece. Every other piece, and every piece smaller
    than ``min_size``, joins the neighbouring superpixel it shares the longest border with.
    Labels are renumbered ``0 .. n - 1`` in order of first appearance (row-major). Loops over
    pieces: meant for the small images this teaching SLIC runs on.

    Example:
        >>> import numpy as np
        >>> from helpers.teaching.slic import enforce_connectivity
        >>> labels = np.array([[0, 0, 1], [0, 1, 1], [1, 1, 0]])  # label 0: a piece of 3 pixels and a stray pixel
        >>> enforce_connectivity(labels, min_size=1)  # the stray pixel joins the label around it
        array([[0, 0, 1],
               [0, 1, 1],
               [1, 1, 1]])
    """
    pieces = np.zeros(labels.shape, dtype=np.int64)  # 1 .. n_pieces, one id per connected piece
    for value in np.unique(labels):
        components, _ = ndimage.label(labels == value)
        pieces[components > 0] = components[components > 0] + pieces.max()
    piece_ids, first = np.unique(pieces.ravel(), return_index=True)
    piece_values = labels.ravel()[first]
    sizes = np.bincount(pieces.ravel())
    largest: dict[int, int] = {}  # label value -> its largest piece
    for piece, value in zip(piece_ids.tolist(), piece_values.tolist(), strict=True):
        if value not in largest or sizes[piece] > sizes[largest[value]]:
            largest[value] = piece
    keep = [piece for piece in largest.values() if sizes[piece] >= min_size]
    if not keep:  # every superpixel is tiny: keep the largest so the others have one to join
        keep = [max(largest.values(), key=lambda piece: sizes[piece])]
    result = np.where(np.isin(pieces, keep), pieces, 0)
    while (result == 0).any():
        for piece in np.unique(pieces[result == 0]):
            region = pieces == piece
            border = ndimage.binary_dilation(region) & ~region & (result > 0)
            if border.any():
                result[region] = np.bincount(result[border]).argmax()
    _, first, inverse = np.unique(result.ravel(), return_index=True, return_inverse=True)
    rank = np.argsort(np.argsort(first))  # i-th distinct value -> its order of first appearance
    return rank[inverse].reshape(labels.shape)


def slic(
    image: np.ndarray,
    n_segments: int,
    compactness: float = 10.0,
    max_iter: int = 10,
    tolerance: float = 0.5,
    perturb: bool = True,
    connectivity: bool = True,
) -> SlicResult:
    """Run the teaching SLIC end to end and keep every intermediate state.

    Example:
        >>> import numpy as np
        >>> from helpers.teaching.slic import slic
        >>> image = np.array([[10, 10, 10, 20, 20]] * 3 + [[30, 30, 30, 40, 40]] * 2, dtype=float)  # notebook 03's 5x5
        >>> result = slic(image, n_segments=4, compactness=10.0)
        >>> result.labels
        array([[0, 0, 0, 1, 1],
               [0, 0, 0, 1, 1],
               [0, 0, 0, 1, 1],
               [2, 2, 2, 3, 3],
               [2, 2, 2, 3, 3]])
        >>> result.iterations, result.converged  # the centres stopped moving in the second round
        (2, True)

    Args:
        image: ``(H, W)`` grayscale or ``(H, W, 3) uint8`` RGB.
        n_segments: K, the desired number of superpixels.
        compactness: m, the weight of spatial against feature distance.
        max_iter: at most this many assign/update rounds.
        tolerance: stop once every centre moved less than this many pixels in one round.
        perturb: move the initial centres off edges (step 2).
        connectivity: enforce connected superpixels of at least ``N / (4K)`` pixels at the end.
    """
    _validate.compactness(compactness)
    _validate.positive_integer(max_iter, "max_iter", "assign/update rounds at most")
    features = slic_features(image)
    interval = grid_interval(features.shape[:2], n_segments)
    centres = grid_centres(features, n_segments)
    if perturb:
        centres = perturb_centres(features, centres)
    result = SlicResult(labels=np.empty(0, dtype=np.int64), interval=interval, history=[centres])
    for _ in range(max_iter):
        labels = assign(features, centres, interval, compactness)
        updated = update_centres(features, labels, centres)
        result.label_history.append(labels)
        result.history.append(updated)
        shift = np.abs(updated.positions - centres.positions).max()  # the residual, in pixels
        centres = updated
        if shift < tolerance:
            result.converged = True
            break
    n_pixels = features.shape[0] * features.shape[1]
    min_size = max(1, n_pixels // (4 * len(centres.positions)))
    result.labels = enforce_connectivity(labels, min_size) if connectivity else labels
    return result


def _centres_at(features: np.ndarray, positions: np.ndarray) -> Centres:
    """Centres at integer pixel ``positions`` ``(K, 2)``, with those pixels' features."""
    pixels = np.round(positions).astype(int)
    return Centres(positions=positions.astype(np.float64), features=features[pixels[:, 0], pixels[:, 1]].astype(np.float64))
