"""Course figures: training curves, confusion matrices, decision boundaries and image grids.

Every helper takes plain arrays (or a ``predict`` function), draws onto the ``ax`` you pass
or onto a new figure, and returns what it drew so you can keep styling it. None of them calls
``plt.show()`` or changes matplotlib's settings; only :func:`use_style` does that, on purpose.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence, Sized
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

try:
    import matplotlib as mpl
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator
except ImportError as error:  # pragma: no cover - matplotlib is a labkit dependency
    raise ImportError(
        "labkit.plots needs the 'matplotlib' package. Install it with: pip install matplotlib"
    ) from error

__all__ = [
    "COLORS",
    "use_style",
    "plot_history",
    "plot_confusion_matrix",
    "plot_decision_boundary",
    "plot_image_grid",
]

# The Okabe-Ito palette stays distinguishable for the common kinds of colour blindness.
# Yellow and black come last: yellow is faint on white, black looks like an axis line.
COLORS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
_RIGHT, _WRONG = "#009E73", "#D55E00"
_METRIC_NAMES = {"loss": "Loss", "acc": "Accuracy", "accuracy": "Accuracy", "lr": "Learning rate"}


def use_style() -> None:
    """Apply the course style to matplotlib: colour-blind-safe colours, grid, readable sizes.

    This is the one helper that changes matplotlib's global settings (``rcParams``).
    Use ``matplotlib.rc_context()`` to apply it only inside a ``with`` block.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> with mpl.rc_context():  # the old style comes back after the block
    ...     use_style()
    ...     mpl.rcParams["axes.grid"], mpl.rcParams["figure.figsize"]
    (True, [6.4, 4.0])
    """
    mpl.rcParams.update(
        {
            "axes.prop_cycle": mpl.cycler(color=COLORS),
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.titlesize": 14,
            "axes.labelsize": 12,
            "xtick.labelsize": 11,
            "ytick.labelsize": 11,
            "legend.fontsize": 11,
            "lines.linewidth": 2.0,
            "figure.figsize": (6.4, 4.0),  # fits a laptop screen beside the notebook code
            "figure.dpi": 100,
        }
    )


def plot_history(
    history: Mapping[str, Sequence[float]], metric: str = "loss", *, ax: Axes | None = None
) -> Axes:
    """Plot one metric per epoch, for training and (if recorded) validation.

    Parameters
    ----------
    history : Mapping[str, Sequence[float]]
        One list of numbers per metric, e.g. what :func:`labkit.fit` returns. Validation
        metrics carry a ``val_`` prefix. NaN entries (epochs without a value) are skipped.
    metric : str, default="loss"
        The metric to plot; ``"val_" + metric`` is plotted too when present.
    ax : matplotlib Axes or None, default=None
        Where to draw. For a live plot, call ``ax.clear()`` and this function once per epoch.

    Returns
    -------
    matplotlib Axes
        The Axes drawn on.

    Examples
    --------
    >>> ax = plot_history({"loss": [0.9, 0.5, 0.3], "val_loss": [1.0, 0.7, 0.6]})
    >>> ax.get_title(), [line.get_label() for line in ax.lines]
    ('Loss per epoch', ['training', 'validation'])
    >>> ax.lines[1].get_xydata().tolist()
    [[1.0, 1.0], [2.0, 0.7], [3.0, 0.6]]
    >>> plt.close(ax.figure)
    """
    if not isinstance(history, Mapping):
        raise TypeError(
            f"history must be a mapping of metric name to per-epoch values, such as "
            f"{{'loss': [0.9, 0.5]}}. Received: history of type {type(history).__name__}"
        )
    if metric not in history:
        raise ValueError(
            f"metric={metric!r} is not in the history. Available keys: {sorted(history)}. "
            f"Pass one of them as metric."
        )
    ax = _new_axes() if ax is None else ax
    for key, label, marker in [(metric, "training", "o"), (f"val_{metric}", "validation", "s")]:
        values = _to_numpy(history.get(key, [])).astype(float)
        epochs = np.arange(1, len(values) + 1)
        drawn = ~np.isnan(values)
        if drawn.any():  # early in training, a series may be empty or all NaN
            ax.plot(epochs[drawn], values[drawn], marker=marker, label=label)
    name = _METRIC_NAMES.get(metric, metric)
    ax.set(title=f"{name} per epoch", xlabel="epoch", ylabel=name.lower())
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    if ax.lines:
        ax.legend()
    return ax


def plot_confusion_matrix(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    labels: Sequence[Any] | None = None,
    normalize: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw the confusion matrix: rows are true labels, columns are predicted labels.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels.
    labels : sequence or None, default=None
        Labels in the order of the rows/columns; samples with other labels are ignored.
        None uses every label that appears, sorted.
    normalize : {None, "true", "pred", "all"}, default=None
        As in scikit-learn: None shows counts, "true" divides each row by its sum (the recall
        per class), "pred" each column, "all" the whole matrix.
    ax : matplotlib Axes or None, default=None
        Where to draw; None makes a new figure.

    Returns
    -------
    matplotlib Axes
        The Axes drawn on; ``ax.images[0].get_array()`` holds the matrix.

    Examples
    --------
    >>> ax = plot_confusion_matrix(["cat", "dog", "dog"], ["cat", "cat", "dog"])
    >>> [text.get_text() for text in ax.texts]
    ['1', '0', '1', '1']
    >>> plt.close(ax.figure)
    """
    y_true, y_pred = _to_numpy(y_true).ravel(), _to_numpy(y_pred).ravel()
    _check_same_length("y_pred", y_pred, "y_true", y_true)
    if normalize not in (None, "true", "pred", "all"):
        raise ValueError(
            f"normalize must be None, 'true', 'pred' or 'all'. Received: normalize={normalize!r}"
        )
    labels = np.unique(np.concatenate([y_true, y_pred])) if labels is None else list(labels)
    if len(labels) == 0:
        raise ValueError(
            f"There is nothing to count: no labels. Received: labels={labels!r}, "
            f"len(y_true)={len(y_true)}. Pass non-empty y_true and y_pred, or labels=None."
        )
    matrix = _normalized(_confusion_counts(y_true, y_pred, labels), normalize)
    ax = _new_axes() if ax is None else ax
    image = ax.imshow(matrix, cmap="Blues")
    ax.figure.colorbar(image, ax=ax)
    # Dark cells get white text and light cells black text, so every number stays readable.
    threshold = (matrix.max() + matrix.min()) / 2
    for (row, col), value in np.ndenumerate(matrix):
        text = f"{value:d}" if normalize is None else f"{value:.2f}"
        color = "white" if value > threshold else "black"
        ax.text(col, row, text, ha="center", va="center", color=color)
    ticks = np.arange(len(labels))
    ax.set_xticks(ticks, [str(label) for label in labels])
    ax.set_yticks(ticks, [str(label) for label in labels])
    title = "Confusion matrix" if normalize is None else f"Confusion matrix (normalize={normalize})"
    ax.set(title=title, xlabel="predicted label", ylabel="true label")
    ax.grid(False)  # grid lines would cut through the cells
    return ax


def plot_decision_boundary(
    predict: Callable[[np.ndarray], Any],
    X: ArrayLike,
    y: ArrayLike,
    *,
    ax: Axes | None = None,
    resolution: int = 200,
    padding: float = 0.5,
    support_vectors: ArrayLike | None = None,
) -> Axes:
    """Shade the class that ``predict`` gives each point of the plane, and scatter the data.

    Parameters
    ----------
    predict : callable
        Maps an array of shape (m, 2) to m labels, e.g. ``model.predict`` of a fitted model.
    X : array-like of shape (n_samples, 2)
        The points, two features each.
    y : array-like of shape (n_samples,)
        Their labels; each class gets its own colour and marker.
    ax : matplotlib Axes or None, default=None
        Where to draw; None makes a new figure.
    resolution : int, default=200
        Grid points per axis; ``predict`` is called once on resolution**2 points.
    padding : float, default=0.5
        How far the shaded area reaches beyond the data, in feature units.
    support_vectors : array-like of shape (k, 2) or None, default=None
        Points to circle, e.g. ``svc.support_vectors_`` (or ``X[svc.support_]``).

    Returns
    -------
    matplotlib Axes
        The Axes drawn on.

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    >>> ax = plot_decision_boundary(lambda P: P[:, 0] > 1, X, [False, False, True], resolution=3)
    >>> ax.get_title(), len(ax.collections)  # the shading and one scatter per class
    ('Decision boundary', 3)
    >>> plt.close(ax.figure)
    """
    X, y = _to_numpy(X).astype(float), _to_numpy(y).ravel()
    if X.ndim != 2 or X.shape[1] != 2 or len(X) == 0:
        raise ValueError(
            f"X must have shape (n_samples, 2): one row per point, two features. Received: "
            f"X with shape {X.shape}. Pick two columns, e.g. X[:, :2]."
        )
    _check_same_length("y", y, "X", X)
    _check_int("resolution", resolution, minimum=2)
    if padding < 0:
        raise ValueError(f"padding must be >= 0. Received: {padding=}")
    ax = _new_axes() if ax is None else ax
    xs, ys, grid_labels = _predict_on_grid(predict, X, resolution, padding)
    classes = np.unique(np.concatenate([y, grid_labels.ravel()]))
    colors = [COLORS[i % len(COLORS)] for i in range(len(classes))]
    # Colour index i is class i: the boundaries at i - 0.5 give each class exactly one colour.
    norm = BoundaryNorm(np.arange(len(classes) + 1) - 0.5, len(classes))
    regions = np.searchsorted(classes, grid_labels)
    ax.pcolormesh(xs, ys, regions, cmap=ListedColormap(colors), norm=norm, alpha=0.25)
    for i, label in enumerate(classes):
        if np.any(y == label):
            marker = _MARKERS[i % len(_MARKERS)]
            ax.scatter(*X[y == label].T, c=colors[i], marker=marker, ec="k", label=f"class {label}")
    if support_vectors is not None:
        circled = _to_numpy(support_vectors).astype(float).reshape(-1, 2)
        ax.scatter(*circled.T, s=160, fc="none", ec="k", lw=1.5, label="support vectors")
    ax.set(title="Decision boundary", xlabel="feature 0", ylabel="feature 1")
    ax.set(xlim=(xs[0], xs[-1]), ylim=(ys[0], ys[-1]))  # exactly the data plus padding
    ax.legend()
    return ax


def plot_image_grid(
    images: ArrayLike,
    labels: ArrayLike | None = None,
    *,
    ncols: int = 8,
    cmap: str = "gray",
    title: str | None = None,
    predictions: ArrayLike | None = None,
    fig: Figure | None = None,
) -> Figure:
    """Show images in a grid, titled with their labels (and predictions, if given).

    Parameters
    ----------
    images : array-like of shape (N, H, W), (N, H, W, C) or (N, C, H, W), C in {1, 3}
        Pixel values in [0, 1], 8-bit integers in [0, 255], or other non-negative values
        (divided by their maximum); channel-first images (PyTorch) are transposed.
    labels : sequence of length N or None, default=None
        Shown above each image.
    ncols : int, default=8
        Images per row.
    cmap : str, default="gray"
        Colour map for one-channel images.
    title : str or None, default=None
        Title of the whole figure.
    predictions : sequence of length N or None, default=None
        Predicted labels; each image is then titled "true/pred", wrong ones in bold orange-red.
    fig : matplotlib Figure or None, default=None
        Figure to draw into (its old content is cleared); None makes a new one.

    Returns
    -------
    matplotlib Figure
        The figure, with one Axes per image.

    Examples
    --------
    >>> fig = plot_image_grid(np.zeros((3, 1, 28, 28)), labels=[7, 2, 1], predictions=[7, 2, 9])
    >>> [ax.get_title() for ax in fig.axes], fig.axes[0].images[0].get_array().shape
    (['7/7', '2/2', '1/9'], (28, 28))
    >>> plt.close(fig)
    """
    images = _unit_range(_channels_last(_to_numpy(images)))
    n_images = len(images)
    # Plain Python values print as "7", where a tensor element would print as "tensor(7)".
    labels = None if labels is None else _to_numpy(labels).tolist()
    predictions = None if predictions is None else _to_numpy(predictions).tolist()
    for name, values in [("labels", labels), ("predictions", predictions)]:
        if values is not None:
            _check_same_length(name, values, "images", images)
    if predictions is not None and labels is None:
        raise ValueError("predictions need labels to compare against: pass labels as well.")
    _check_int("ncols", ncols, minimum=1)
    ncols = min(ncols, n_images)
    nrows = math.ceil(n_images / ncols)
    if fig is None:
        fig = plt.figure(figsize=(1.3 * ncols, 1.5 * nrows + 0.4), layout="constrained")
    fig.clear()
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for i, ax in enumerate(axes):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= n_images:
            ax.axis("off")  # an empty slot in the last row
            continue
        ax.imshow(images[i], cmap=cmap, vmin=0.0, vmax=1.0)
        if predictions is not None:
            right = predictions[i] == labels[i]
            ax.set_title(
                f"{labels[i]}/{predictions[i]}",
                color=_RIGHT if right else _WRONG,
                fontweight="normal" if right else "bold",
            )
        elif labels is not None:
            ax.set_title(f"{labels[i]}")
    if title is not None:
        fig.suptitle(title)
    return fig


def _to_numpy(values: ArrayLike) -> np.ndarray:
    """Turn a list, NumPy array or (CPU or GPU) torch tensor into a NumPy array."""
    if hasattr(values, "detach"):  # a torch tensor: leave the autograd graph and the GPU first
        values = values.detach().cpu().numpy()
    return np.asarray(values)


def _check_same_length(name: str, values: Sized, other_name: str, other: Sized) -> None:
    """Raise a ValueError unless values has one entry per entry of other."""
    if len(values) != len(other):
        raise ValueError(
            f"{name} must have one entry per entry of {other_name}. Received: "
            f"len({name})={len(values)}, len({other_name})={len(other)}"
        )


def _check_int(name: str, value: Any, *, minimum: int) -> None:
    """Raise a TypeError unless value is an int, and a ValueError if it is below minimum."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer. Received: {name}={value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}. Received: {name}={value}")


def _new_axes() -> Axes:
    """Make a new figure with one Axes (shown inline by Jupyter)."""
    return plt.figure().add_subplot()


def _confusion_counts(y_true: np.ndarray, y_pred: np.ndarray, labels: Sequence[Any]) -> np.ndarray:
    """Count each (true, predicted) pair of labels in a len(labels) x len(labels) matrix."""
    index = {label: i for i, label in enumerate(labels)}
    counts = np.zeros((len(labels), len(labels)), dtype=int)
    for true, pred in zip(y_true, y_pred, strict=True):
        if true in index and pred in index:
            counts[index[true], index[pred]] += 1
    return counts


def _normalized(counts: np.ndarray, normalize: str | None) -> np.ndarray:
    """Divide counts by row, column or total sums; empty rows/columns stay 0."""
    if normalize is None:
        return counts
    axis = {"true": 1, "pred": 0, "all": None}[normalize]
    totals = counts.sum(axis=axis, keepdims=True)
    return np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)


def _predict_on_grid(
    predict: Callable[[np.ndarray], Any], X: np.ndarray, resolution: int, padding: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Call predict on a resolution x resolution grid around X; return grid axes and labels."""
    low, high = X.min(axis=0) - padding, X.max(axis=0) + padding
    xs = np.linspace(low[0], high[0], resolution)
    ys = np.linspace(low[1], high[1], resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    labels = _to_numpy(predict(np.column_stack([grid_x.ravel(), grid_y.ravel()]))).ravel()
    if labels.size != grid_x.size:
        raise ValueError(
            f"predict must return one label per row: it got {grid_x.size} points and returned "
            f"{labels.size} values. Return labels (e.g. argmax of scores), not scores per class."
        )
    return xs, ys, labels.reshape(grid_x.shape)


def _channels_last(images: np.ndarray) -> np.ndarray:
    """Return images as (N, H, W) or (N, H, W, 3), moving a channel-first axis to the end."""
    if images.ndim == 4 and images.shape[-1] not in (1, 3) and images.shape[1] in (1, 3):
        images = images.transpose(0, 2, 3, 1)  # PyTorch's (N, C, H, W) -> (N, H, W, C)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim not in (3, 4) or (images.ndim == 4 and images.shape[-1] != 3):
        raise ValueError(
            f"images must have shape (N, H, W), (N, H, W, C) or (N, C, H, W) with C 1 or 3. "
            f"Received: images with shape {images.shape}. For one image use images[None]."
        )
    if len(images) == 0:
        raise ValueError("images is empty: pass at least one image.")
    return images


def _unit_range(images: np.ndarray) -> np.ndarray:
    """Scale pixel values to [0, 1]: as they are, /255 for 8-bit integers, /max for other floats."""
    is_integer = np.issubdtype(images.dtype, np.integer)
    images = images.astype(float)
    low, high = images.min(), images.max()
    if low >= 0 and high <= 1:
        return images
    if low >= 0 and high <= 255 and is_integer:
        return images / 255  # 8-bit pixels: 255 is full intensity
    if low >= 0:
        # Floats of another range (e.g. scikit-learn's digits, ink 0..16): the largest value is
        # full intensity.
        return images / high
    warnings.warn(
        f"images have negative values (from {low:.3g} to {high:.3g}): normalised images? "
        f"Stretching them to [0, 1] to show them; undo the normalisation first to see the "
        f"true colours.",
        UserWarning,
        stacklevel=3,
    )
    return (images - low) / (high - low) if high > low else np.zeros_like(images)
