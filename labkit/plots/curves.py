"""Curves: a metric per epoch (training and validation), and the mean and spread of runs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator
from numpy.typing import ArrayLike

from labkit.plots._common import _new_axes, _to_numpy

__all__ = ["plot_history", "plot_mean_band"]

_METRIC_NAMES = {"loss": "Loss", "acc": "Accuracy", "accuracy": "Accuracy", "lr": "Learning rate"}


History = Mapping[str, Sequence[float]]


def plot_history(
    history: History | Sequence[History], metric: str = "loss", *, ax: Axes | None = None
) -> Axes:
    """Plot one metric per epoch, for training and (if recorded) validation.

    Parameters
    ----------
    history : Mapping[str, Sequence[float]], or a list of them
        One list of numbers per metric, e.g. what :func:`labkit.fit` returns. Validation
        metrics carry a ``val_`` prefix. NaN entries (epochs without a value) are skipped.
        A list of histories (one run per seed) is drawn as the mean per epoch with a band
        from the lowest to the highest run (:func:`plot_mean_band`); runs that stopped early
        count only for the epochs they reached.
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
    >>> seeds = [{"loss": [0.9, 0.5]}, {"loss": [0.7, 0.3]}]
    >>> plot_history(seeds, ax=ax.clear() or ax).lines[0].get_ydata().tolist()
    [0.8, 0.4]
    >>> import matplotlib.pyplot as plt
    >>> plt.close(ax.figure)
    """
    histories = [history] if isinstance(history, Mapping) else history
    if not isinstance(histories, list | tuple) or not histories:
        raise TypeError(
            f"history must be a mapping of metric name to per-epoch values, such as "
            f"{{'loss': [0.9, 0.5]}}, or a non-empty list of them (one per run). "
            f"Received: history of type {type(history).__name__}"
        )
    for run in histories:
        if not isinstance(run, Mapping):
            raise TypeError(
                f"every history in the list must be a mapping of metric name to per-epoch "
                f"values. Received: an item of type {type(run).__name__}"
            )
        if metric not in run:
            raise ValueError(
                f"metric={metric!r} is not in the history. Available keys: {sorted(run)}. "
                f"Pass one of them as metric."
            )
    ax = _new_axes() if ax is None else ax
    for key, label, marker in [(metric, "training", "o"), (f"val_{metric}", "validation", "s")]:
        runs = _padded_runs([run.get(key, []) for run in histories])
        epochs = np.arange(1, runs.shape[1] + 1)
        drawn = ~np.isnan(runs).all(axis=0)
        if not drawn.any():  # early in training, a series may be empty or all NaN
            continue
        if len(histories) == 1:
            ax.plot(epochs[drawn], runs[0, drawn], marker=marker, label=label)
        else:
            spread = f"{label}: mean of {len(histories)} runs, band lowest to highest"
            plot_mean_band(epochs[drawn], runs[:, drawn], ax=ax, label=spread)
    name = _METRIC_NAMES.get(metric, metric)
    ax.set(title=f"{name} per epoch", xlabel="epoch", ylabel=name.lower())
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    if ax.lines:
        ax.legend()
    return ax


def _padded_runs(series: list[Sequence[float]]) -> np.ndarray:
    """One row per run, NaN after the epochs a run did not reach."""
    values = [_to_numpy(run).astype(float).ravel() for run in series]
    runs = np.full((len(values), max(len(run) for run in values)), np.nan)
    for row, run in zip(runs, values, strict=True):
        row[: len(run)] = run
    return runs


def plot_mean_band(
    x: ArrayLike,
    runs: ArrayLike,
    *,
    ax: Axes | None = None,
    label: str | None = None,
    color: str | None = None,
    spread: str = "range",
) -> Axes:
    """Draw the mean of several runs as a line with markers, and their spread as a band.

    Use it wherever a result depends on a seed: one row per seed, one column per point.

    Parameters
    ----------
    x : array-like of shape (n_points,)
        Where each point was measured, e.g. training-set sizes or epochs.
    runs : array-like of shape (n_runs, n_points)
        One row per run (a seed, a fold). NaN entries are left out of their point.
    ax : matplotlib Axes or None, default=None
        Where to draw; None makes a new figure.
    label : str or None, default=None
        The legend's name for the line.
    color : str or None, default=None
        The colour of the line and of its band; None takes the next colour of the cycle.
    spread : {"range", "std"}, default="range"
        The band: ``"range"`` from the lowest to the highest run at each point, ``"std"``
        the mean plus and minus one standard deviation of the runs.

    Returns
    -------
    matplotlib Axes
        The Axes drawn on: the mean is ``ax.lines[-1]``, the band ``ax.collections[-1]``.

    Examples
    --------
    >>> ax = plot_mean_band([1, 2, 5], [[0.25, 0.5, 0.75], [0.75, 0.5, 1.0]], label="scratch")
    >>> ax.lines[0].get_ydata().tolist(), ax.lines[0].get_label()
    ([0.5, 0.5, 0.875], 'scratch')
    >>> import matplotlib.pyplot as plt
    >>> plt.close(ax.figure)
    """
    x_values = _to_numpy(x).astype(float)
    values = _to_numpy(runs).astype(float)
    if values.ndim != 2 or x_values.ndim != 1 or values.shape[1] != len(x_values):
        raise ValueError(
            f"runs must be a 2-D array with one row per run and one column per x value. "
            f"Received: runs of shape {values.shape}, x of shape {x_values.shape}"
        )
    if spread not in ("range", "std"):
        raise ValueError(f"spread must be 'range' or 'std'. Received: spread={spread!r}")
    ax = _new_axes() if ax is None else ax
    mean = np.nanmean(values, axis=0)
    if spread == "range":
        low, high = np.nanmin(values, axis=0), np.nanmax(values, axis=0)
    else:
        deviation = np.nanstd(values, axis=0)
        low, high = mean - deviation, mean + deviation
    (line,) = ax.plot(x_values, mean, marker="o", label=label, color=color)
    ax.fill_between(x_values, low, high, color=line.get_color(), alpha=0.2, linewidth=0)
    return ax
