"""Figures on a logarithmic axis: bars of very different sizes, and numbers per layer.

Both helpers label the log axis with plain numbers (``20``, not ``2×10¹``) and draw onto
the ``ax`` you pass (or a new figure); the caller sets the title and the axis labels.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, MaxNLocator
from numpy.typing import ArrayLike

from labkit.plots._common import _check_same_length, _new_axes, _to_numpy

__all__ = ["plot_log_bars", "plot_per_layer"]


def _plain_number(value: float, _position: object = None) -> str:
    """``20`` rather than ``2×10¹``; ``0.5`` rather than ``5×10⁻¹``."""
    return f"{value:g}"


def _two_and_five(value: float, _position: object = None) -> str:
    """Minor tick labels at 2 and 5 times a power of ten, none elsewhere."""
    if value <= 0:
        return ""
    mantissa = round(value / 10 ** np.floor(np.log10(value)))
    return f"{value:g}" if mantissa in (2, 5) else ""


def plot_log_bars(
    labels: Sequence[str],
    values: ArrayLike,
    *,
    ax: Axes | None = None,
    color: str | None = None,
) -> Axes:
    """Bars on a log-scale y axis, from the power of ten below the smallest bar.

    For numbers that span several powers of ten (parameters, compute, time of models of
    very different sizes). The ticks read as plain numbers, with 2 and 5 labelled
    between the powers of ten.

    Parameters
    ----------
    labels : sequence of str
        One name per bar, written under it.
    values : array-like of positive floats
        The bars' heights, in the unit of the y axis.
    ax : matplotlib Axes or None, default=None
        Where to draw; None makes a new figure.
    color : str or None, default=None
        The bars' colour; None takes the next colour of the style.

    Returns
    -------
    matplotlib Axes
        The Axes drawn on (set its title and labels yourself).

    Examples
    --------
    >>> ax = plot_log_bars(["small", "large"], [2.0, 130.0])
    >>> ax.get_yscale(), float(ax.get_ylim()[0]), len(ax.patches)
    ('log', 1.0, 2)
    >>> import matplotlib.pyplot as plt
    >>> plt.close(ax.figure)
    """
    heights = _to_numpy(values).astype(float)
    _check_same_length("values", heights, "labels", labels)
    if heights.size == 0 or not (heights > 0).all():
        raise ValueError(
            f"values must be positive numbers to draw on a log scale. Received: {heights.tolist()}"
        )
    ax = _new_axes() if ax is None else ax
    ax.bar([str(label) for label in labels], heights, color=color)
    ax.set_yscale("log")
    ax.set_ylim(bottom=10 ** np.floor(np.log10(heights.min())))  # every bar visibly tall
    ax.yaxis.set_major_formatter(FuncFormatter(_plain_number))
    ax.yaxis.set_minor_formatter(FuncFormatter(_two_and_five))
    return ax


def plot_per_layer(
    values: ArrayLike,
    *,
    ax: Axes | None = None,
    label: str | None = None,
    color: str | None = None,
    log: bool = True,
) -> Axes:
    """One number per layer (layer 1 nearest to the input), as a line with markers.

    Given one row per seed, draws the median over the seeds and shades the band from
    the smallest to the largest, so that what varies from seed to seed stays visible.

    Parameters
    ----------
    values : array-like of shape (layers,) or (seeds, layers)
        E.g. the gradient norm of each layer's weights, or the spread of each layer's
        outputs, for one network or for the same network built with several seeds.
    ax : matplotlib Axes or None, default=None
        Where to draw; None makes a new figure.
    label : str or None, default=None
        The legend entry of the line (with several seeds, "median of N seeds" is added).
    color : str or None, default=None
        Line and band colour; None takes the next colour of the style.
    log : bool, default=True
        A log-scale y axis with plain-number ticks, for numbers that grow or shrink
        by a factor from layer to layer.

    Returns
    -------
    matplotlib Axes
        The Axes drawn on (set its title and axis labels yourself).

    Examples
    --------
    >>> runs = [[1.0, 0.1, 0.01], [2.0, 0.2, 0.02], [4.0, 0.4, 0.04]]  # 3 seeds, 3 layers
    >>> ax = plot_per_layer(runs, label="plain")
    >>> ax.lines[0].get_xydata().tolist(), ax.get_legend_handles_labels()[1]
    ([[1.0, 2.0], [2.0, 0.2], [3.0, 0.02]], ['plain (median of 3 seeds)'])
    >>> import matplotlib.pyplot as plt
    >>> plt.close(ax.figure)
    """
    runs = np.atleast_2d(_to_numpy(values).astype(float))
    if runs.ndim != 2 or runs.shape[1] == 0:
        raise ValueError(
            f"values must have shape (layers,) or (seeds, layers). Received shape {runs.shape}"
        )
    ax = _new_axes() if ax is None else ax
    layers = np.arange(1, runs.shape[1] + 1)
    if len(runs) > 1 and label is not None:
        label = f"{label} (median of {len(runs)} seeds)"
    (line,) = ax.plot(layers, np.median(runs, axis=0), "o-", ms=4, color=color, label=label)
    if len(runs) > 1:
        low, high = runs.min(axis=0), runs.max(axis=0)
        ax.fill_between(layers, low, high, color=line.get_color(), alpha=0.2, linewidth=0)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # layers are whole numbers
    if log:
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FuncFormatter(_plain_number))
    if label is not None:
        ax.legend()
    return ax
