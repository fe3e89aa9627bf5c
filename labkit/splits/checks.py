"""The leakage check: verify that the parts of a split are really separate.

A split leaks when information from the test data reaches training: the same sample in
two parts, one patient's images on both sides, or (for time series) training on data that
comes after the test period. The model then scores better in the lab than in real use.
:func:`check_split` looks for each of these and names the offending indices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from labkit.validation import whole_number

__all__ = ["SplitReport", "check_split"]

_SHOWN = 10  # offending indices or groups listed in a message before "... (k in total)"


@dataclass(frozen=True)
class SplitReport:
    """What :func:`check_split` found: ``ok`` is True when ``problems`` is empty.

    Parameters
    ----------
    ok : bool
        True when no problem was found.
    problems : list of str
        One readable sentence per problem, naming the offending indices or groups.

    Examples
    --------
    >>> print(SplitReport(ok=False, problems=["train and test share 2 indices: [3, 4]"]))
    Split check found 1 problem:
      - train and test share 2 indices: [3, 4]
    """

    ok: bool
    problems: list[str]

    def __str__(self) -> str:
        if self.ok:
            return "Split check passed: no overlap or leakage found."
        plural = "" if len(self.problems) == 1 else "s"
        lines = [f"Split check found {len(self.problems)} problem{plural}:"]
        lines += [f"  - {problem}" for problem in self.problems]
        return "\n".join(lines)


def check_split(
    *parts: ArrayLike,
    n: int | None = None,
    groups: ArrayLike | None = None,
    order: ArrayLike | None = None,
    gap: int = 0,
    raise_error: bool = True,
) -> SplitReport:
    """Check that the index arrays of a split do not overlap or leak into each other.

    Parameters
    ----------
    *parts : array-like of int
        2 or 3 index arrays, in order: ``train, test`` or ``train, val, test``.
    n : int or None, default=None
        Number of samples. When given, indices must be below ``n`` and the parts must
        together cover all ``n`` samples (leave it out for splits that drop samples on
        purpose, like ``TimeSeriesSplit``).
    groups : array-like of shape (n,), default=None
        Group of each sample. When given, no group may appear in two parts.
    order : array-like of shape (n,), default=None
        Time or position of each sample. When given, every sample of a part must come
        before every sample of each later part, more than ``gap`` positions earlier.
    gap : int, default=0
        Minimum number of positions strictly between an earlier part and a later part
        (as ``TimeSeriesSplit(gap=...)`` leaves). Only used with ``order``.
    raise_error : bool, default=True
        Raise a ``ValueError`` whose message is the report when a problem is found.
        With False, return the report and let the caller decide.

    Returns
    -------
    SplitReport
        ``ok`` and the list of ``problems``; ``print`` it for a readable summary.

    Raises
    ------
    ValueError
        When a problem is found and ``raise_error=True``, or for invalid arguments.
    TypeError
        For a wrong number of parts, or parts that are not integer index arrays.

    Examples
    --------
    >>> check_split([0, 1, 2], [3, 4], n=5).ok
    True
    >>> report = check_split([0, 1, 2], [2, 3], n=5, raise_error=False)
    >>> print(report)
    Split check found 2 problems:
      - train and test share 1 index: [2]
      - no part holds 1 of the n=5 samples: [4]
    """
    if len(parts) not in (2, 3):
        raise TypeError(
            f"check_split takes 2 or 3 index arrays (train, [val,] test). Received: "
            f"{len(parts)} arrays"
        )
    names = ("train", "test") if len(parts) == 2 else ("train", "val", "test")
    arrays = [_as_indices(name, part) for name, part in zip(names, parts, strict=True)]
    if n is not None:
        n = whole_number("n", n, minimum=1, why="the number of samples")
    gap = whole_number("gap", gap, minimum=0, why="0 means no gap")
    # size: the number of samples, known from n, groups or order (which must agree).
    groups = _per_sample("groups", groups, n)
    size = n if groups is None else len(groups)
    order = _per_sample("order", order, size)
    size = size if order is None else len(order)

    problems = _overlap_problems(names, arrays) + _range_problems(names, arrays, size, n)
    # Group and order checks look values up by index, so skip indices already out of range.
    if size is not None:
        arrays = [part[(part >= 0) & (part < size)] for part in arrays]
    if groups is not None:
        problems += _group_problems(names, arrays, groups)
    if order is not None:
        problems += _order_problems(names, arrays, order, gap)
    report = SplitReport(ok=not problems, problems=problems)
    if raise_error and not report.ok:
        raise ValueError(str(report))
    return report


def _as_indices(name: str, part: ArrayLike) -> np.ndarray:
    """Return ``part`` as a 1-D integer array, or raise a helpful error."""
    array = np.asarray(part)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D index array. Received: shape {array.shape}")
    if array.dtype == bool:
        raise TypeError(
            f"{name} is a boolean mask, but check_split needs index arrays. "
            f"Convert it with np.flatnonzero(mask)."
        )
    # np.asarray([]) is float64, so an empty part is accepted whatever its dtype.
    if len(array) > 0 and not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"{name} must hold integer indices. Received: dtype {array.dtype}")
    return array.astype(np.intp)


def _per_sample(name: str, values: ArrayLike | None, n: int | None) -> np.ndarray | None:
    """Return ``values`` as a 1-D array, checking it has ``n`` entries when ``n`` is known."""
    if values is None:
        return None
    values = np.asarray(values)
    if values.ndim != 1 or (n is not None and len(values) != n):
        expected = "1-D" if n is None else f"1-D with one entry per sample (n={n})"
        raise ValueError(f"{name} must be {expected}. Received: shape {values.shape}")
    return values


def _preview(values: np.ndarray) -> str:
    """Format the first few values, and how many there are in total if that is more."""
    shown = ", ".join(repr(value) for value in values[:_SHOWN].tolist())  # quotes strings
    more = f", ... ({len(values)} in total)" if len(values) > _SHOWN else ""
    return f"[{shown}{more}]"


def _pairs(names: tuple[str, ...]) -> list[tuple[int, int]]:
    """Every pair of part positions ``(i, j)`` with ``i < j``, i.e. earlier, later."""
    return [(i, j) for i in range(len(names)) for j in range(i + 1, len(names))]


def _count(k: int, word: str) -> str:
    """``'1 index'``, ``'2 indices'`` and the like."""
    plural = {"index": "indices", "group": "groups"}
    return f"{k} {word if k == 1 else plural[word]}"


def _overlap_problems(names: tuple[str, ...], arrays: list[np.ndarray]) -> list[str]:
    """Indices that appear in two parts."""
    problems = []
    for i, j in _pairs(names):
        shared = np.intersect1d(arrays[i], arrays[j])
        if len(shared) > 0:
            problems.append(
                f"{names[i]} and {names[j]} share {_count(len(shared), 'index')}: "
                f"{_preview(shared)}"
            )
    return problems


def _range_problems(
    names: tuple[str, ...], arrays: list[np.ndarray], size: int | None, n: int | None
) -> list[str]:
    """Indices outside ``[0, size)``, and (when ``n`` is given) samples in no part."""
    problems = []
    for name, part in zip(names, arrays, strict=True):
        # Negative indices are always wrong: numpy would silently count them from the end.
        bad = part[part < 0] if size is None else part[(part < 0) | (part >= size)]
        if len(bad) > 0:
            allowed = ">= 0" if size is None else f"in [0, {size})"
            problems.append(f"{name} has indices not {allowed}: {_preview(np.unique(bad))}")
    if n is not None:
        missing = np.setdiff1d(np.arange(n), np.concatenate(arrays))
        if len(missing) > 0:
            problems.append(
                f"no part holds {len(missing)} of the n={n} samples: {_preview(missing)}"
            )
    return problems


def _group_problems(
    names: tuple[str, ...], arrays: list[np.ndarray], groups: np.ndarray
) -> list[str]:
    """Groups that have samples in two parts."""
    problems = []
    for i, j in _pairs(names):
        shared = np.intersect1d(groups[arrays[i]], groups[arrays[j]])
        if len(shared) > 0:
            problems.append(
                f"{names[i]} and {names[j]} share {_count(len(shared), 'group')}: "
                f"{_preview(shared)}"
            )
    return problems


def _order_problems(
    names: tuple[str, ...], arrays: list[np.ndarray], order: np.ndarray, gap: int
) -> list[str]:
    """Samples of an earlier part that are not more than ``gap`` before a later part."""
    problems = []
    for i, j in _pairs(names):
        if len(arrays[i]) == 0 or len(arrays[j]) == 0:
            continue
        first_later = order[arrays[j]].min()
        # Fine when order[later] - order[earlier] > gap for every pair of samples.
        too_late = arrays[i][order[arrays[i]] >= first_later - gap]
        if len(too_late) > 0:
            problems.append(
                f"{names[i]} must end more than gap={gap} positions before the first "
                f"{names[j]} sample (at {first_later}); too late: "
                f"{_count(len(too_late), 'index')} of {names[i]} {_preview(np.sort(too_late))}"
            )
    return problems
