"""The course's plot style: colour-blind-safe colours, readable sizes, a grid."""

from __future__ import annotations

import matplotlib as mpl

__all__ = ["COLORS", "MARKERS", "use_style"]

# The Okabe-Ito palette stays distinguishable for the common kinds of colour blindness.
# Yellow and black come last: yellow is faint on white, black looks like an axis line.
COLORS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]


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
