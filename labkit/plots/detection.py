"""Detections drawn on their image: boxes with class names (and scores), masks as overlays."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.patches import Rectangle
from numpy.typing import ArrayLike

from labkit.plots._common import _check_same_length, _to_numpy
from labkit.plots.images import _channels_last, _unit_range
from labkit.plots.style import COLORS

__all__ = ["plot_detections"]

_MASK_ALPHA = 0.45


def plot_detections(
    ax: Axes,
    image: ArrayLike,
    boxes: ArrayLike,
    labels: ArrayLike,
    *,
    classes: Sequence[str],
    scores: ArrayLike | None = None,
    masks: ArrayLike | None = None,
    title: str | None = None,
) -> Axes:
    """Show an image with its objects: a box per object, named, in a colour per class.

    Works the same for the true objects of a scene and for what a model predicts (pass
    its ``scores`` to see how sure it is). Class ``c`` is drawn in ``COLORS[(c - 1) % 8]``,
    since class 0 is the background.

    Parameters
    ----------
    ax : matplotlib Axes
        Where to draw.
    image : array-like of shape (H, W, 3) or (3, H, W)
        8-bit values (0-255) or floats in [0, 1]; a torch tensor is fine.
    boxes : array-like of shape (k, 4)
        ``x1, y1, x2, y2`` in pixels, torchvision's convention (``x2`` and ``y2`` one past
        the last column and row of the object).
    labels : array-like of k ints
        Class numbers, indices into ``classes``.
    classes : sequence of str
        Class names by number, e.g. ``Scenes.classes``.
    scores : array-like of k floats or None, default=None
        The model's confidence in each box, written after the class name.
    masks : array-like of shape (k, H, W) or (k, 1, H, W), or None, default=None
        Each object's pixels, shown as a translucent overlay in its class colour; bools,
        0/1, or probabilities (drawn where above 0.5, as Mask R-CNN's output is read).
    title : str or None, default=None

    Returns
    -------
    matplotlib Axes
        ``ax``, with the image, one rectangle per box and one label per box.

    Raises
    ------
    ValueError
        If ``boxes`` is not (k, 4), if ``labels``, ``scores`` or ``masks`` do not have one
        entry per box, if a label has no name in ``classes``, or if the masks are not the
        size of the image.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> ax = plt.figure().add_subplot()
    >>> image = np.zeros((32, 32, 3), dtype=np.uint8)
    >>> ax = plot_detections(ax, image, [[4, 4, 12, 10]], [1], classes=["background", "circle"],
    ...                      scores=[0.93])
    >>> len(ax.patches), ax.texts[0].get_text()
    (1, 'circle 0.93')
    >>> plt.close(ax.figure)
    """
    picture = _to_numpy(image)
    if picture.ndim != 3 or 3 not in (picture.shape[0], picture.shape[-1]):
        raise ValueError(
            f"image must be one colour image, (H, W, 3) or (3, H, W). Received: image with "
            f"shape {picture.shape}"
        )
    picture = _unit_range(_channels_last(picture[None]))[0]
    box_array = _to_numpy(boxes).astype(float)
    box_array = box_array.reshape(0, 4) if box_array.size == 0 else box_array
    if box_array.ndim != 2 or box_array.shape[1] != 4:
        raise ValueError(
            f"boxes must have shape (k, 4): x1, y1, x2, y2 per box. Received: boxes with "
            f"shape {box_array.shape}"
        )
    label_list = [int(label) for label in _to_numpy(labels).ravel()]
    _check_same_length("labels", label_list, "boxes", box_array)
    unknown = [label for label in label_list if not 0 <= label < len(classes)]
    if unknown:
        raise ValueError(
            f"labels must be class numbers from 0 to {len(classes) - 1}, indices into "
            f"classes={list(classes)}. Received labels {unknown}"
        )
    names = [classes[label] for label in label_list]
    if scores is not None:
        score_list = [float(score) for score in _to_numpy(scores).ravel()]
        _check_same_length("scores", score_list, "boxes", box_array)
        names = [f"{name} {score:.2f}" for name, score in zip(names, score_list, strict=True)]

    ax.imshow(picture, vmin=0.0, vmax=1.0, interpolation="nearest")
    if masks is not None:
        mask_array = _to_numpy(masks)
        _check_same_length("masks", mask_array, "boxes", box_array)
        ax.imshow(_overlay(mask_array, label_list, picture.shape[:2]), interpolation="nearest")
    height = picture.shape[0]
    for (x1, y1, x2, y2), label, name in zip(box_array, label_list, names, strict=True):
        colour = _colour(label)
        # pixel i spans [i - 0.5, i + 0.5] on the axes, so the box's edges are half a pixel out
        ax.add_patch(
            Rectangle((x1 - 0.5, y1 - 0.5), x2 - x1, y2 - y1, fill=False, edgecolor=colour, lw=1.5)
        )
        above = y1 >= height / 10  # no room above a box at the top edge: write inside it
        ax.text(
            x1 - 0.5,
            y1 - 0.5,
            name,
            color="white",
            fontsize=7,
            va="bottom" if above else "top",
            bbox={"facecolor": colour, "edgecolor": "none", "pad": 1, "alpha": 0.85},
            clip_on=True,
        )
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title)
    return ax


def _colour(label: int) -> tuple[float, float, float]:
    """The course colour of a class: class 1 takes the first colour (0 is the background)."""
    return to_rgb(COLORS[(label - 1) % len(COLORS)])


def _overlay(masks: np.ndarray, labels: list[int], shape: tuple[int, ...]) -> np.ndarray:
    """An RGBA image (H, W, 4): each mask's pixels in its class colour, see-through elsewhere."""
    if masks.ndim == 4 and masks.shape[1] == 1:
        masks = masks[:, 0]  # Mask R-CNN's (k, 1, H, W)
    if masks.ndim != 3 or masks.shape[1:] != tuple(shape):
        raise ValueError(
            f"masks must have shape (k, H, W) with the image's H, W = {tuple(shape)}. "
            f"Received: masks with shape {masks.shape}"
        )
    overlay = np.zeros((*shape, 4))
    for mask, label in zip(masks > 0.5, labels, strict=True):
        overlay[mask] = (*_colour(label), _MASK_ALPHA)
    return overlay
