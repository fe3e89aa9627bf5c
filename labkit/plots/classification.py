"""Classifier figures: the confusion matrix and a 2-D decision boundary."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, ListedColormap
from numpy.typing import ArrayLike

from labkit.plots._common import _check_same_length, _new_axes, _to_numpy
from labkit.plots.style import COLORS, MARKERS
from labkit.validation import one_of, real_number, whole_number

__all__ = ["plot_confusion_matrix", "plot_decision_boundary"]


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
    >>> import matplotlib.pyplot as plt
    >>> plt.close(ax.figure)
    """
    y_true, y_pred = _to_numpy(y_true).ravel(), _to_numpy(y_pred).ravel()
    _check_same_length("y_pred", y_pred, "y_true", y_true)
    if normalize is not None:
        normalize = one_of("normalize", normalize, ("true", "pred", "all"))
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
    >>> import matplotlib.pyplot as plt
    >>> plt.close(ax.figure)
    """
    X, y = _to_numpy(X).astype(float), _to_numpy(y).ravel()
    if X.ndim != 2 or X.shape[1] != 2 or len(X) == 0:
        raise ValueError(
            f"X must have shape (n_samples, 2): one row per point, two features. Received: "
            f"X with shape {X.shape}. Pick two columns, e.g. X[:, :2]."
        )
    _check_same_length("y", y, "X", X)
    resolution = whole_number("resolution", resolution, minimum=2)
    padding = real_number("padding", padding, minimum=0)
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
            marker = MARKERS[i % len(MARKERS)]
            ax.scatter(*X[y == label].T, c=colors[i], marker=marker, ec="k", label=f"class {label}")
    if support_vectors is not None:
        circled = _to_numpy(support_vectors).astype(float).reshape(-1, 2)
        ax.scatter(*circled.T, s=160, fc="none", ec="k", lw=1.5, label="support vectors")
    ax.set(title="Decision boundary", xlabel="feature 0", ylabel="feature 1")
    ax.set(xlim=(xs[0], xs[-1]), ylim=(ys[0], ys[-1]))  # exactly the data plus padding
    ax.legend()
    return ax


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
