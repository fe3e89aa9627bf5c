"""Scenes: seeded images of coloured shapes, with boxes and masks, for detection and segmentation.

Each scene is a small colour image (64 x 64 pixels by default) of one to five shapes, each
a circle, a square, a triangle or a cross, on a background that is not flat. Every object
comes with its class, its box and the mask of its visible pixels, and every scene with a
map of the class of each pixel: what an object detector (lesson 10) and a segmentation
network (lesson 11) learn to predict. Nothing is downloaded: the scenes are computed from
their seed (1000 of them in about half a second), the same on every machine.

How a scene is made, step by step (sizes for ``size=64``; they scale with ``size``):

1. **Background**: a linear gradient in a random direction between two colours: the
   first drawn uniformly from the RGB cube (0-255 per channel), the second that colour
   shifted by up to 80 per channel.
2. **How many objects**: a number from 1 to 5, each equally likely.
3. **Each object in turn**: its class is drawn (each of the four equally likely). Then its
   size (the side of the square that holds it, uniform in 8-25.6 pixels, i.e. ``size/8``
   to ``0.4*size``: about 3 times) and its centre (uniform, so that the whole shape is
   inside the image). The shapes fill that square: a disc, the square itself, a triangle
   with its apex at the top middle and its base along the bottom, and a plus sign whose
   arms are a third of the side wide. A pixel belongs to the shape if its centre is inside.
   Objects are drawn in order: a later one is painted over the earlier ones (occlusion).
   If the new shape has fewer than ``(size/16)**2`` = 16 pixels, or would leave an earlier
   object with less than half of its pixels or fewer than 16 visible, its size and centre
   are drawn again (up to 100 times; after that the object is left out, which almost never happens).
4. **Its colour**: uniform in the RGB cube, whatever the class, so colour says nothing
   about the shape. Of 16 such draws the first is kept that is at least 80 away (Euclidean
   distance in 0-255 units) from the mean background colour under the shape and from the
   colour of every object it covers; if none is, the one farthest from them.
5. **Noise**: Gaussian noise (standard deviation 6) on every pixel and channel, then the
   values are rounded and clipped to 0-255.

Scene ``i`` of a split is computed from ``numpy.random.default_rng([seed, split_number,
i])`` alone (``train`` is 0, ``val`` 1, ``test`` 2): the splits never share a scene, and
scene ``i`` is the same whatever the number of scenes asked for.

Examples
--------
>>> scenes = load_scenes("train", n=8)
>>> len(scenes), scenes.images.shape, scenes.classes[1:]
(8, (8, 64, 64, 3), ['circle', 'square', 'triangle', 'cross'])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from labkit.validation import one_of, whole_number

__all__ = ["CLASSES", "SPLITS", "Scenes", "load_scenes"]

CLASSES = ["background", "circle", "square", "triangle", "cross"]
SPLITS = {"train": 1000, "val": 200, "test": 200}  # split -> default number of scenes
MIN_SIZE = 32  # smallest image side: below it the smallest shapes are a few pixels

_MAX_OBJECTS = 5
_SIDE_RANGE = (1 / 8, 0.4)  # side of an object's square, as a share of the image side
_MIN_VISIBLE_SHARE = 0.5  # of an object's own pixels, that later objects must leave visible
_PLACEMENT_TRIES = 100
_COLOUR_DRAWS = 16
_MIN_CONTRAST = 80.0  # Euclidean distance in RGB (0-255) from what lies under the object
_BACKGROUND_SHIFT = 80.0  # the gradient's second colour differs by up to this per channel
_NOISE_STD = 6.0


@dataclass(frozen=True, eq=False)
class Scenes:
    """Images of shapes with everything a detector or a segmenter learns from.

    Objects are listed in the order they were drawn: a later one may hide part of an
    earlier one, never more than half of it.

    Attributes
    ----------
    images : np.ndarray
        uint8 of shape (n, size, size, 3): the RGB images.
    boxes : list of np.ndarray
        One float32 array (k, 4) per scene: ``x1, y1, x2, y2`` in pixels, torchvision's
        convention: the box covers columns ``x1`` to ``x2 - 1`` and rows ``y1`` to
        ``y2 - 1``. Each box is the tight box of the object's visible pixels.
    labels : list of np.ndarray
        One int64 array (k,) per scene: class numbers from 1 to 4 (0 is the background,
        as torchvision's detectors expect).
    masks : list of np.ndarray
        One bool array (k, size, size) per scene: the *visible* pixels of each object.
        The masks of a scene never overlap.
    semantic : np.ndarray
        uint8 of shape (n, size, size): the class of each pixel, 0 for the background.
    classes : list of str
        Class names by number: ``["background", "circle", "square", "triangle", "cross"]``.
    split : str
        ``"train"``, ``"val"`` or ``"test"``.
    seed : int
    areas : list of np.ndarray
        One int64 array (k,) per scene: the pixels each object would cover if nothing hid
        it. Its mask keeps at least half of them: ``masks[i].sum(axis=(1, 2)) >= areas[i] / 2``.

    Examples
    --------
    >>> scenes = load_scenes("val", n=2)
    >>> k = len(scenes.labels[0])
    >>> scenes.boxes[0].shape == (k, 4), scenes.masks[0].shape == (k, 64, 64)
    (True, True)
    >>> bool((scenes.semantic[0] > 0).sum() == scenes.masks[0].sum())
    True
    """

    images: np.ndarray
    boxes: list[np.ndarray]
    labels: list[np.ndarray]
    masks: list[np.ndarray]
    semantic: np.ndarray
    classes: list[str]
    split: str
    seed: int
    areas: list[np.ndarray]

    def __len__(self) -> int:
        return len(self.images)

    def __repr__(self) -> str:
        objects = sum(len(labels) for labels in self.labels)
        return (
            f"Scenes(split={self.split!r}, n={len(self)}, size={self.images.shape[1]}, "
            f"seed={self.seed}, objects={objects})"
        )

    def targets(self, index: int) -> dict[str, torch.Tensor]:
        """The targets of scene ``index`` as torchvision's detection models expect them.

        Parameters
        ----------
        index : int
            From 0 to ``len(self) - 1``.

        Returns
        -------
        dict of str to torch.Tensor
            ``"boxes"``: float32 (k, 4); ``"labels"``: int64 (k,); ``"masks"``: uint8
            (k, size, size), 1 on the object's visible pixels.

        Examples
        --------
        >>> scenes = load_scenes("val", n=2)
        >>> target = scenes.targets(1)
        >>> sorted(target), target["boxes"].dtype, target["masks"].dtype
        (['boxes', 'labels', 'masks'], torch.float32, torch.uint8)
        """
        index = whole_number("index", index, minimum=0)
        if index >= len(self):
            raise ValueError(
                f"index must be below the number of scenes ({len(self)}). Received: index={index}"
            )
        return {
            "boxes": torch.as_tensor(self.boxes[index], dtype=torch.float32),
            "labels": torch.as_tensor(self.labels[index], dtype=torch.int64),
            "masks": torch.as_tensor(self.masks[index], dtype=torch.uint8),
        }

    def tensors(self) -> torch.Tensor:
        """All images as one float32 tensor (n, 3, size, size), values in [0, 1].

        Examples
        --------
        >>> images = load_scenes("val", n=2).tensors()
        >>> images.shape, images.dtype, bool(images.min() >= 0), bool(images.max() <= 1)
        (torch.Size([2, 3, 64, 64]), torch.float32, True, True)
        """
        return torch.from_numpy(self.images).permute(0, 3, 1, 2).float().div(255)


def load_scenes(
    split: str = "train", n: int | None = None, *, seed: int = 0, size: int = 64
) -> Scenes:
    """Generate the scenes of one split (the recipe is in this module's docstring).

    Parameters
    ----------
    split : {"train", "val", "test"}, default="train"
        Which split: they never share a scene.
    n : int or None, default=None
        How many scenes; None means 1000 for ``"train"``, 200 for ``"val"`` and ``"test"``.
        Scene ``i`` is the same whatever ``n`` is, so a small ``n`` gives the first scenes
        of the full split.
    seed : int, default=0
        Another seed gives other scenes (in every split).
    size : int, default=64
        Side of the square images in pixels, at least 32. Object sizes scale with it.

    Returns
    -------
    Scenes

    Raises
    ------
    ValueError
        For an unknown ``split``, an ``n`` below 1, a negative ``seed`` or a ``size``
        below 32.
    TypeError
        For an ``n``, ``seed`` or ``size`` that is not a whole number.

    Examples
    --------
    >>> scenes = load_scenes("test", n=3, seed=1)
    >>> scenes
    Scenes(split='test', n=3, size=64, seed=1, objects=...)
    >>> scenes.labels[0].dtype, scenes.boxes[0].dtype, scenes.semantic.shape
    (dtype('int64'), dtype('float32'), (3, 64, 64))
    """
    one_of("split", split, tuple(SPLITS))
    n = SPLITS[split] if n is None else whole_number("n", n, minimum=1, why="scenes to make")
    seed = whole_number("seed", seed, minimum=0, why="e.g. seed=0")
    size = whole_number("size", size, minimum=MIN_SIZE, why="pixels per side")
    split_number = list(SPLITS).index(split)
    scenes = [_make_scene(np.random.default_rng([seed, split_number, i]), size) for i in range(n)]
    return Scenes(
        images=np.stack([scene[0] for scene in scenes]),
        boxes=[scene[1] for scene in scenes],
        labels=[scene[2] for scene in scenes],
        masks=[scene[3] for scene in scenes],
        semantic=np.stack([scene[4] for scene in scenes]),
        classes=list(CLASSES),
        split=split,
        seed=seed,
        areas=[scene[5] for scene in scenes],
    )


# --- the shapes: which pixel centres lie inside, given offsets (u, v) from the centre ------
# ``h`` is half the side of the square that holds the shape.


def _circle(u: np.ndarray, v: np.ndarray, h: float) -> np.ndarray:
    return u**2 + v**2 <= h**2


def _square(u: np.ndarray, v: np.ndarray, h: float) -> np.ndarray:
    return (np.abs(u) <= h) & (np.abs(v) <= h)


def _triangle(u: np.ndarray, v: np.ndarray, h: float) -> np.ndarray:
    """Apex at the top middle, base along the bottom: as wide as it is tall."""
    return (v <= h) & (np.abs(u) <= (v + h) / 2)


def _cross(u: np.ndarray, v: np.ndarray, h: float) -> np.ndarray:
    """A plus sign whose arms are a third of its side wide."""
    inside = (np.abs(u) <= h) & (np.abs(v) <= h)
    return inside & ((np.abs(u) <= h / 3) | (np.abs(v) <= h / 3))


_SHAPES: list[Callable[[np.ndarray, np.ndarray, float], np.ndarray]] = [
    _circle,
    _square,
    _triangle,
    _cross,
]


def _make_scene(
    rng: np.random.Generator, size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One scene: image, boxes, labels, visible masks, semantic map and full areas."""
    centres = np.arange(size, dtype=np.float32) + 0.5  # pixel i spans [i, i + 1)
    x, y = np.meshgrid(centres, centres)
    # 1. background: a gradient along a random direction, from 0 at one side to 1 at the other
    first = rng.uniform(0, 255, size=3)
    second = np.clip(first + rng.uniform(-_BACKGROUND_SHIFT, _BACKGROUND_SHIFT, size=3), 0, 255)
    angle = rng.uniform(0, 2 * np.pi)
    along = (x - size / 2) * np.cos(angle) + (y - size / 2) * np.sin(angle)
    t = (along - along.min()) / (along.max() - along.min())
    image = first + t[..., None] * (second - first)
    # 2. and 3. the objects, painted in order; owner holds the object seen at each pixel
    owner = np.full((size, size), -1, dtype=np.int64)
    labels: list[int] = []
    areas: list[int] = []
    colours: list[np.ndarray] = []
    min_visible = (size / 16) ** 2
    low, high = _SIDE_RANGE[0] * size, _SIDE_RANGE[1] * size
    for _ in range(rng.integers(1, _MAX_OBJECTS + 1)):
        label = int(rng.integers(1, len(CLASSES)))
        for _try in range(_PLACEMENT_TRIES):
            side = rng.uniform(low, high)
            cx, cy = rng.uniform(side / 2, size - side / 2, size=2)
            shape = _SHAPES[label - 1](x - cx, y - cy, side / 2)
            # pixels each earlier object would still show once this one is painted over it
            left = np.bincount(owner[~shape & (owner >= 0)], minlength=len(labels))
            needed = np.maximum(_MIN_VISIBLE_SHARE * np.array(areas), min_visible)
            if (left >= needed).all() and shape.sum() >= min_visible:
                break
        else:
            continue  # no placement found: leave the object out
        # 4. its colour, far from the background and from the objects it covers
        under = [image[shape & (owner < 0)].mean(axis=0)] if (shape & (owner < 0)).any() else []
        under += [colours[i] for i in np.unique(owner[shape]) if i >= 0]
        draws = rng.uniform(0, 255, size=(_COLOUR_DRAWS, 3))
        distance = np.linalg.norm(draws[:, None, :] - np.array(under)[None], axis=2).min(axis=1)
        far = np.flatnonzero(distance >= _MIN_CONTRAST)
        colour = draws[far[0]] if far.size else draws[distance.argmax()]
        image[shape] = colour
        owner[shape] = len(labels)
        labels.append(label)
        areas.append(int(shape.sum()))
        colours.append(colour)
    # 5. noise
    image = image + rng.normal(0, _NOISE_STD, size=image.shape)
    image = np.clip(np.rint(image), 0, 255).astype(np.uint8)
    masks = owner[None] == np.arange(len(labels))[:, None, None]
    boxes = np.array([_tight_box(mask) for mask in masks], dtype=np.float32).reshape(-1, 4)
    label_array = np.array(labels, dtype=np.int64)
    semantic = np.concatenate([[0], label_array])[owner + 1].astype(np.uint8)
    return image, boxes, label_array, masks, semantic, np.array(areas, dtype=np.int64)


def _tight_box(mask: np.ndarray) -> list[int]:
    """``[x1, y1, x2, y2]`` of a non-empty mask, with ``x2`` and ``y2`` one past the last pixel."""
    columns = np.flatnonzero(mask.any(axis=0))
    rows = np.flatnonzero(mask.any(axis=1))
    return [int(columns[0]), int(rows[0]), int(columns[-1]) + 1, int(rows[-1]) + 1]
