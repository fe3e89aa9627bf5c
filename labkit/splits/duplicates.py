"""The contamination check: find rows of one array (e.g. train) that also occur in another (test).

Public datasets often hold the same image or record twice. If a copy lands in training and
another in testing, the model can score on it by memory alone, and the test score overstates
how it does on genuinely new data. :func:`find_duplicates` finds exact copies (after rounding)
and, optionally, near copies (a little noise, re-encoding) within a distance you choose.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from labkit.validation import real_number, whole_number

__all__ = ["DuplicateReport", "find_duplicates"]


@dataclass(frozen=True, eq=False)  # eq=False: comparing arrays with == is not a bool
class DuplicateReport:
    """What :func:`find_duplicates` found.

    Parameters
    ----------
    exact_pairs : np.ndarray of shape (k, 2)
        Pairs ``(i, j)``: row ``i`` of ``a`` equals row ``j`` of ``b`` (after rounding).
    near_pairs : np.ndarray of shape (m, 2)
        Pairs ``(i, j)`` within the distance threshold that are not exact duplicates.
    near_distances : np.ndarray of shape (m,)
        Euclidean distance of each near pair.
    n_a, n_b : int
        Number of rows of ``a`` and of ``b``.
    near_threshold : float or None, default=None
        The threshold used, or None when near duplicates were not searched.

    Examples
    --------
    >>> report = find_duplicates([[1, 2], [3, 4], [5, 6]], [[3, 4], [0, 0]])
    >>> report.exact_pairs
    array([[1, 0]])
    >>> report.n_exact, report.rows_in_a
    (1, array([1]))
    """

    exact_pairs: np.ndarray
    near_pairs: np.ndarray
    near_distances: np.ndarray
    n_a: int
    n_b: int
    near_threshold: float | None = None

    @property
    def n_exact(self) -> int:
        """Number of exact pairs."""
        return len(self.exact_pairs)

    @property
    def n_near(self) -> int:
        """Number of near (not exact) pairs."""
        return len(self.near_pairs)

    @property
    def rows_in_a(self) -> np.ndarray:
        """Sorted unique indices of the rows of ``a`` in an exact or near pair."""
        return np.unique(np.concatenate([self.exact_pairs[:, 0], self.near_pairs[:, 0]]))

    def __str__(self) -> str:
        n_rows = len(self.rows_in_a)
        counts = f"exact pairs: {self.n_exact}"
        if self.near_threshold is not None:
            counts += f", near pairs (distance <= {self.near_threshold:g}): {self.n_near}"
        lines = [
            f"{n_rows} of the {self.n_a} rows of a ({n_rows / self.n_a:.2%}) also appear in b "
            f"({counts})."
        ]
        if n_rows > 0:
            lines.append(
                "A model can score on these rows by memory alone, which inflates its test score."
                " Remove them from one side, e.g. np.delete(a, report.rows_in_a, axis=0)."
            )
        return "\n".join(lines)


def find_duplicates(
    a: ArrayLike, b: ArrayLike, *, decimals: int = 6, near_threshold: float | None = None
) -> DuplicateReport:
    """Find the rows of ``a`` that also occur in ``b``, exactly or (optionally) nearly.

    Parameters
    ----------
    a, b : array-like of shape (n_a, n_features) and (n_b, n_features)
        The two datasets, one sample per row, e.g. training and test features.
    decimals : int, default=6
        Round floats to this many decimals before comparing, so that tiny differences
        (from float32 vs float64, or from saving to text) do not hide a duplicate.
    near_threshold : float or None, default=None
        Also report pairs whose Euclidean distance is at most this value (and that are not
        exact duplicates). ``None`` skips this slower search.

    Returns
    -------
    DuplicateReport
        The exact and near pairs; ``print`` it for a summary.

    Notes
    -----
    Exact search rounds both arrays, makes ``-0.0`` equal to ``0.0`` and every NaN equal
    to every other NaN, then looks each row's bytes up in a dict built from ``b``: linear
    time, about 0.1 s for 60 000 x 784 against 10 000 x 784 (after a copy of each array).

    Near search compares every row of ``a`` with every row of ``b``
    (``sklearn.neighbors.NearestNeighbors`` radius query; in many dimensions it uses brute
    force): cost proportional to ``n_a * n_b * n_features``, about 15 s for the sizes above
    on 2 CPU cores. It uses the unrounded values and does not accept NaN.

    Examples
    --------
    >>> a = np.array([[0.0, 1.0], [2.0, 2.0], [5.0, 5.0]])
    >>> b = np.array([[-0.0, 1.0000001], [2.0, 2.1]])
    >>> report = find_duplicates(a, b, near_threshold=0.5)
    >>> report.exact_pairs.tolist(), report.near_pairs.tolist(), report.near_distances
    ([[0, 0]], [[1, 1]], array([0.1]))
    >>> print(report)
    2 of the 3 rows of a (66.67%) also appear in b (exact pairs: 1, near pairs ...: 1).
    A model can score on these rows by memory alone, which inflates its test score. ...
    """
    a, b = _as_2d("a", a), _as_2d("b", b)
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"a and b must have the same number of columns (features). Received: "
            f"a with shape {a.shape}, b with shape {b.shape}"
        )
    decimals = whole_number("decimals", decimals, minimum=0, why="decimals kept when rounding")
    if near_threshold is not None:
        near_threshold = real_number("near_threshold", near_threshold, minimum=0)
    # Compare in one common dtype: equal values then have equal bytes on both sides.
    dtype = np.result_type(a, b)
    exact = _exact_pairs(_comparable(a, dtype, decimals), _comparable(b, dtype, decimals))
    near, distances = np.empty((0, 2), dtype=np.intp), np.empty(0)
    if near_threshold is not None:
        near, distances = _near_pairs(a, b, near_threshold, exact)
    return DuplicateReport(exact, near, distances, len(a), len(b), near_threshold)


def _as_2d(name: str, x: ArrayLike) -> np.ndarray:
    """Return ``x`` as a non-empty 2-D numeric array, or raise a helpful error."""
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D, one sample per row. Received: {name} with shape {x.shape}. "
            f"Flatten images first: {name}.reshape(len({name}), -1)"
        )
    if len(x) == 0:
        raise ValueError(f"{name} has no rows. Received: {name} with shape {x.shape}")
    if not (np.issubdtype(x.dtype, np.number) or x.dtype == bool):
        raise TypeError(f"{name} must hold numbers. Received: {name} with dtype {x.dtype}")
    return x


def _comparable(x: np.ndarray, dtype: np.dtype, decimals: int) -> np.ndarray:
    """Return a C-contiguous copy of ``x`` in which equal rows have equal bytes."""
    x = np.array(x, dtype=dtype, order="C")  # a copy, so the caller's array is untouched
    if np.issubdtype(dtype, np.inexact):
        x = np.round(x, decimals, out=x)
        # -0.0 == 0.0 but their bytes differ (sign bit); assigning writes a plain +0.0.
        x[x == 0] = 0
        # NaN has many bit patterns (sign, payload); make them all one.
        x[np.isnan(x)] = np.nan
    return x


def _exact_pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Every pair ``(i, j)`` with byte-identical rows ``a[i]`` and ``b[j]``, as a (k, 2) array."""
    # A dict from row bytes to row numbers: one pass over b to build, one over a to look up.
    rows_of_b: dict[bytes, list[int]] = {}
    for j, row in enumerate(b):
        rows_of_b.setdefault(row.tobytes(), []).append(j)
    pairs = [(i, j) for i, row in enumerate(a) for j in rows_of_b.get(row.tobytes(), [])]
    return np.array(pairs, dtype=np.intp).reshape(-1, 2)


def _near_pairs(
    a: np.ndarray, b: np.ndarray, threshold: float, exact: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs within ``threshold`` that are not in ``exact``, sorted, with their distances."""
    if np.isnan(a).any() or np.isnan(b).any():
        raise ValueError(
            "near_threshold cannot be used with NaN values: distances to NaN are undefined. "
            "Fill or drop the NaNs first (np.nan_to_num, or a[~np.isnan(a).any(axis=1)])."
        )
    # Imported here: scikit-learn's neighbours module takes ~0.6 s to import, and only the
    # near-duplicate search needs it.
    from sklearn.neighbors import NearestNeighbors

    distances, neighbours = NearestNeighbors(radius=threshold).fit(b).radius_neighbors(a)
    # radius_neighbors returns one array of neighbours per row of a; flatten to pairs.
    rows = np.repeat(np.arange(len(a)), [len(n) for n in neighbours])
    pairs = np.column_stack([rows, np.concatenate(neighbours)]).astype(np.intp)
    distances = np.concatenate(distances)
    exact_set = set(map(tuple, exact.tolist()))
    keep = np.array([pair not in exact_set for pair in map(tuple, pairs.tolist())], dtype=bool)
    pairs, distances = pairs[keep], distances[keep]
    order = np.lexsort((pairs[:, 1], pairs[:, 0]))  # by row of a, then row of b
    return pairs[order], distances[order]
