"""Hold-out splits: cut a dataset once into train, validation and test index arrays.

The model learns from *train*, you tune choices (epochs, learning rate, architecture) on
*val*, and you look at *test* once, at the very end, for an honest estimate of how the
model does on new data. ``stratify`` keeps class proportions equal in the three parts;
``groups`` keeps related samples (same patient, same user) together in one part.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from labkit.validation import flag, whole_number

__all__ = ["train_val_test_split"]

_PART_NAMES = ("train", "val", "test")
# Usual ranges (inclusive) for each part; outside them the split still works but is unusual.
_USUAL_RANGES = ((0.5, 0.9), (0.05, 0.2), (0.05, 0.2))


def train_val_test_split(
    n_or_y: int | ArrayLike,
    fractions: Sequence[float] = (0.7, 0.15, 0.15),
    *,
    stratify: bool = False,
    groups: ArrayLike | None = None,
    seed: int | None = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle the sample indices and cut them into train, validation and test parts.

    Parameters
    ----------
    n_or_y : int or array-like of shape (n,)
        Either the number of samples ``n``, or the labels ``y`` (needed for ``stratify``).
    fractions : sequence of 3 floats, default=(0.7, 0.15, 0.15)
        Share of the samples for train, val and test. Each in [0, 1), summing to 1.
        A fraction of exactly 0 means "no such part": that part comes back empty.
    stratify : bool, default=False
        Keep the class proportions of ``y`` in every part (split each class separately
        with the same fractions, then combine). Needs labels, not an int.
    groups : array-like of shape (n,), default=None
        Group of each sample. All samples of a group go to the same part, so that the
        model is never tested on a group it has seen in training. Part sizes are then
        only approximately the requested fractions.
    seed : int or None, default=0
        Seed for ``np.random.default_rng``: the same seed gives the same split.
        ``None`` gives a different split on every call.

    Returns
    -------
    train, val, test : np.ndarray of int
        Sorted integer index arrays; together they hold every index in ``range(n)`` once.

    Raises
    ------
    ValueError
        For invalid fractions, too few samples (or samples of a class, or groups) to
        fill every requested part, or ``stratify=True`` together with ``groups``.
    TypeError
        For an argument of the wrong type (e.g. ``stratify=True`` with an int).

    Warns
    -----
    UserWarning
        When train is outside 50-90 %, or val or test outside 5-20 % of the data.

    Notes
    -----
    Rounding rule: each part first gets ``floor(fraction * n)`` samples; the few samples
    left over go one each to the parts whose ``fraction * n`` had the largest decimal
    remainder (ties: train, then val, then test). Then any part with a non-zero fraction
    that came out empty takes one sample from the largest part. So sizes always sum to
    ``n``, and ``n`` must be at least the number of non-zero fractions.

    With ``stratify=True`` this rule is applied to each class, so every class appears in
    every requested part; a class with fewer samples than there are parts raises a
    ``ValueError`` (as scikit-learn's ``train_test_split`` does), because such a class
    could not be measured in every part. Part sizes can then differ from the
    unstratified sizes by up to one sample per class.

    Examples
    --------
    >>> train, val, test = train_val_test_split(10)
    >>> train, val, test
    (array([2, 3, 4, 5, 6, 7, 9]), array([0, 8]), array([1]))
    >>> y = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    >>> train, val, test = train_val_test_split(y, (0.6, 0.2, 0.2), stratify=True)
    >>> y[train], y[val], y[test]
    (array([0, 0, 0, 1, 1, 1]), array([0, 1]), array([0, 1]))
    """
    n, y = _read_n_or_y(n_or_y)
    fractions = _check_fractions(fractions)
    _warn_unusual_fractions(fractions)
    n_parts = sum(f > 0 for f in fractions)
    if n < n_parts:
        raise ValueError(
            f"n={n} samples cannot fill the {n_parts} parts with a non-zero fraction: each "
            f"needs at least one sample. Use more data or set a fraction to 0. Received: n={n}"
        )
    stratify = flag("stratify", stratify)
    if seed is not None:
        seed = whole_number("seed", seed, minimum=0, why="or None")
    rng = np.random.default_rng(seed)

    if stratify and groups is not None:
        raise ValueError(
            "stratify=True and groups cannot be used together: choose one. Use groups when "
            "samples of one group must stay together, stratify to keep class proportions. "
            f"Received: stratify=True and groups of length {len(np.asarray(groups))}"
        )
    if stratify:
        if y is None:
            raise TypeError(
                f"stratify=True needs the labels y as the first argument, not a number of "
                f"samples. Received: n_or_y={n_or_y!r}"
            )
        parts = _split_stratified(y, fractions, rng)
    elif groups is not None:
        parts = _split_groups(_read_groups(groups, n), fractions, rng)
    else:
        indices = rng.permutation(n)
        parts = np.split(indices, np.cumsum(_part_sizes(n, fractions))[:2])
    train, val, test = (np.sort(part) for part in parts)
    return train, val, test


def _read_n_or_y(n_or_y: int | ArrayLike) -> tuple[int, np.ndarray | None]:
    """Return ``(n, y)`` from an int or a 1-D label array (``y`` is None for an int)."""
    if isinstance(n_or_y, bool | float):
        raise TypeError(
            f"n_or_y must be an int (number of samples) or an array of labels. "
            f"Received: n_or_y={n_or_y!r}"
        )
    if isinstance(n_or_y, int | np.integer):
        if n_or_y < 1:
            raise ValueError(f"n must be at least 1 sample. Received: n_or_y={n_or_y}")
        return int(n_or_y), None
    y = np.asarray(n_or_y)
    if y.ndim != 1:
        raise ValueError(
            f"y must be 1-D (one label per sample). Received: n_or_y with shape {y.shape}. "
            f"For one-hot labels pass y.argmax(axis=1)."
        )
    if len(y) == 0:
        raise ValueError("y is empty: there are no samples to split. Received: n_or_y=[]")
    return len(y), y


def _check_fractions(fractions: Sequence[float]) -> tuple[float, float, float]:
    """Check there are three fractions in [0, 1) summing to 1; return them normalised."""
    values = np.asarray(fractions, dtype=float) if np.ndim(fractions) == 1 else None
    if values is None or len(values) != 3:
        raise ValueError(
            f"fractions must be three numbers (train, val, test), e.g. (0.7, 0.15, 0.15). "
            f"Received: fractions={fractions!r}"
        )
    if np.any(np.isnan(values)) or np.any(values < 0) or np.any(values >= 1):
        raise ValueError(f"each fraction must be in [0, 1). Received: fractions={fractions!r}")
    if abs(values.sum() - 1) > 1e-6:
        raise ValueError(
            f"fractions must sum to 1, but they sum to {values.sum():.6g}. "
            f"Received: fractions={fractions!r}"
        )
    # Dividing by the sum absorbs the tiny tolerance so that the sizes add up to exactly n.
    train, val, test = (values / values.sum()).tolist()
    return train, val, test


def _warn_unusual_fractions(fractions: tuple[float, float, float]) -> None:
    """Warn once about each part whose fraction is outside its usual range."""
    for name, fraction, (low, high) in zip(_PART_NAMES, fractions, _USUAL_RANGES, strict=True):
        if low <= fraction <= high or (name != "train" and fraction == 0):
            continue
        too_small = fraction < low
        if name == "train":
            why = "too little training data" if too_small else "val and test get too small"
        else:
            why = "too noisy a score estimate" if too_small else "it takes data from training"
        warnings.warn(
            f"{name} fraction {fraction:.3g} is outside the usual {low:.0%}-{high:.0%}: {why}.",
            UserWarning,
            stacklevel=3,
        )


def _part_sizes(n: int, fractions: tuple[float, float, float]) -> list[int]:
    """Sizes of the three parts, following the rounding rule in the Notes above."""
    exact = [fraction * n for fraction in fractions]
    sizes = [math.floor(x) for x in exact]
    # Hand the samples lost to flooring to the parts that lost the most ("largest remainder").
    requested = [k for k in range(3) if fractions[k] > 0]
    by_remainder = sorted(requested, key=lambda k: exact[k] - sizes[k], reverse=True)
    for k in by_remainder[: n - sum(sizes)]:
        sizes[k] += 1
    # A part that was asked for must not come out empty (callers ensure n is large enough).
    for k in requested:
        if sizes[k] == 0:
            sizes[sizes.index(max(sizes))] -= 1
            sizes[k] += 1
    return sizes


def _split_stratified(
    y: np.ndarray, fractions: tuple[float, float, float], rng: np.random.Generator
) -> list[np.ndarray]:
    """Split each class with the same fractions, then join the classes part by part."""
    classes, counts = np.unique(y, return_counts=True)
    n_parts = sum(f > 0 for f in fractions)
    too_small = [
        f"{c!r} ({k})" for c, k in zip(classes.tolist(), counts, strict=True) if k < n_parts
    ]
    if too_small:
        raise ValueError(
            f"stratify=True needs at least {n_parts} samples of every class so each class can "
            f"appear in every part, but these classes (count) have fewer: "
            f"{', '.join(too_small[:10])}. Merge or drop rare classes, or use stratify=False."
        )
    parts: list[list[np.ndarray]] = [[], [], []]
    for label in classes:
        members = rng.permutation(np.flatnonzero(y == label))
        cut_points = np.cumsum(_part_sizes(len(members), fractions))[:2]
        for part, chunk in zip(parts, np.split(members, cut_points), strict=True):
            part.append(chunk)
    return [np.concatenate(part) for part in parts]


def _read_groups(groups: ArrayLike, n: int) -> np.ndarray:
    """Return ``groups`` as a 1-D array of length ``n``."""
    groups = np.asarray(groups)
    if groups.ndim != 1 or len(groups) != n:
        raise ValueError(
            f"groups must be 1-D with one entry per sample (n={n}). "
            f"Received: groups with shape {groups.shape}"
        )
    return groups


def _split_groups(
    groups: np.ndarray, fractions: tuple[float, float, float], rng: np.random.Generator
) -> list[np.ndarray]:
    """Shuffle the groups, then fill train, val and test with whole groups in turn."""
    unique_groups, group_of_sample = np.unique(groups, return_inverse=True)
    shuffled = rng.permutation(len(unique_groups))
    samples_per_group = np.bincount(group_of_sample)[shuffled]
    # Lay the shuffled groups end to end: a group joins the part whose share its first
    # sample falls into. So each part takes groups until it has reached its share.
    first_sample = np.cumsum(samples_per_group) - samples_per_group
    share_ends = np.cumsum(_part_sizes(len(groups), fractions))
    part_of_group = np.empty(len(unique_groups), dtype=np.intp)
    part_of_group[shuffled] = np.searchsorted(share_ends, first_sample, side="right")
    part_of_sample = part_of_group[group_of_sample]
    parts = [np.flatnonzero(part_of_sample == k) for k in range(3)]
    for name, fraction, part in zip(_PART_NAMES, fractions, parts, strict=True):
        if fraction > 0 and len(part) == 0:
            raise ValueError(
                f"with {len(unique_groups)} groups, the {name} part received no group (a big "
                f"group filled the parts before it). Use more, smaller groups, other "
                f"fractions, or another seed. Received: fractions={fractions}"
            )
    return parts
