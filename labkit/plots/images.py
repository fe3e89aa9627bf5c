"""Image grids: a batch of images with their labels (and predictions)."""

from __future__ import annotations

import math
import warnings

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from labkit.plots._common import _check_same_length, _to_numpy
from labkit.validation import whole_number

__all__ = ["plot_image_grid"]

_RIGHT, _WRONG = "#009E73", "#D55E00"


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
    ncols = whole_number("ncols", ncols, minimum=1)
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
