"""Learning curves: a metric per epoch, training and validation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from labkit.plots._common import _new_axes, _to_numpy

__all__ = ["plot_history"]

_METRIC_NAMES = {"loss": "Loss", "acc": "Accuracy", "accuracy": "Accuracy", "lr": "Learning rate"}


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
    >>> import matplotlib.pyplot as plt
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
