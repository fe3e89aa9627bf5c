"""Small helpers shared by the plotting modules (private)."""

from __future__ import annotations

from collections.abc import Sized

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from numpy.typing import ArrayLike


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


def _new_axes() -> Axes:
    """Make a new figure with one Axes (shown inline by Jupyter)."""
    return plt.figure().add_subplot()
