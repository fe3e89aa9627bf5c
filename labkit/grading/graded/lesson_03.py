"""Graded checks for lesson 03 (tabular data).

- ``03.ex1``: ``min_max_scale(X_train, X_test, low, high)`` on arrays of floats and lists of
  ints, with the ranges [0, 1], [-1, 1] and others, test values beyond the training range on
  both sides (never clipped), a column that is constant in the training part, and a training
  part of two rows with one test row.
- ``03.ex2``: ``collinear_pairs(X, threshold)`` with near copies, rescaled copies and negated
  copies of a column, three mutually correlated columns, a constant column, moderate
  correlations under a lower threshold, no pair at all (an empty list), lists of ints, and two
  columns only. Every threshold is at least 0.02 away from every |r| of its matrix, so no way
  of computing r can land on the other side of it.
- ``03.ex3``: ``quadratic_features(X)`` on arrays of floats and lists of ints, one column, one
  row, and up to five columns (where the order of the products matters).

The public checks (``labkit/exercises/lesson_03.py``) use small fixed examples; these draw
other inputs from ``rng``, a generator seeded by the course secret and the student.
"""

from __future__ import annotations

import numpy as np

from labkit.grading.exercise import Case, GradedExercise

__all__ = ["EXERCISES"]


# ---------------------------------------------------------------- 03.ex1: min_max_scale
def _min_max(
    X_train: object, X_test: object, low: float, high: float
) -> tuple[np.ndarray, np.ndarray]:
    """Both parts scaled to [low, high] with X_train's per-column minimum and maximum."""
    X_train, X_test = np.asarray(X_train, dtype=float), np.asarray(X_test, dtype=float)
    lo, hi = X_train.min(axis=0), X_train.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)  # a constant column is divided by 1, as scikit-learn
    scale = (high - low) / span
    return low + (X_train - lo) * scale, low + (X_test - lo) * scale


def _beyond(rng: np.random.Generator, train: np.ndarray, rows: int) -> np.ndarray:
    """Test rows around ``train``'s range, with one value below and one above it."""
    lo, hi = train.min(axis=0), train.max(axis=0)
    width = np.maximum(hi - lo, 1.0)
    test = np.round(rng.uniform(lo - 0.3 * width, hi + 0.3 * width, size=(rows, train.shape[1])), 2)
    test[0, 0] = np.round(lo[0] - rng.uniform(0.1, 1.0) * width[0], 2)  # below the training min
    test[-1, -1] = np.round(hi[-1] + rng.uniform(0.1, 1.0) * width[-1], 2)  # above the max
    return test


def _scale_cases(rng: np.random.Generator) -> list[Case]:
    """Six (X_train, X_test, low, high) inputs covering the edge cases of the task.

    Parameters
    ----------
    rng : np.random.Generator
        Seeded from the course secret, the student and the exercise.

    Returns
    -------
    list of Case
    """
    inputs = []
    # Floats to [0, 1], columns of very different sizes (as in the lesson).
    sizes = 10.0 ** rng.integers(-2, 5, size=int(rng.integers(2, 5)))
    train = np.round(rng.normal(0, 1, size=(int(rng.integers(5, 12)), len(sizes))) * sizes, 3)
    inputs.append((train, _beyond(rng, train, int(rng.integers(3, 7))), 0.0, 1.0))
    # Floats to [-1, 1].
    train = np.round(rng.uniform(-50, 50, size=(int(rng.integers(4, 10)), 3)), 2)
    inputs.append((train, _beyond(rng, train, 4), -1.0, 1.0))
    # Another range: [low, high] anywhere, e.g. [2.5, 7.0] or [-4.0, -1.5].
    low = float(np.round(rng.uniform(-5, 3), 1))
    high = float(np.round(low + rng.uniform(0.5, 8), 1))
    train = np.round(rng.normal(10, 5, size=(int(rng.integers(4, 9)), 2)), 2)
    inputs.append((train, _beyond(rng, train, 3), low, high))
    # A column that is constant in the training part but not in the test part.
    train = np.round(rng.normal(0, 3, size=(int(rng.integers(3, 8)), 3)), 2)
    column = int(rng.integers(0, 3))
    train[:, column] = float(np.round(rng.uniform(-5, 5), 1))
    test = _beyond(rng, train, 4)
    inputs.append((train, test, 0.0, 1.0))
    # Lists of ints.
    train = rng.integers(-20, 100, size=(int(rng.integers(3, 8)), 2))
    test = rng.integers(-40, 140, size=(int(rng.integers(2, 5)), 2))
    test[0, 0] = train[:, 0].min() - rng.integers(1, 20)  # below the training minimum
    test[-1, -1] = train[:, -1].max() + rng.integers(1, 20)  # above the training maximum
    inputs.append((train.tolist(), test.tolist(), -1.0, 1.0))
    # Two training rows, one test row, one column.
    train = np.round(rng.uniform(0, 10, size=(2, 1)), 2)
    while train[0, 0] == train[1, 0]:
        train = np.round(rng.uniform(0, 10, size=(2, 1)), 2)
    inputs.append((train, np.round(rng.uniform(-5, 15, size=(1, 1)), 2), 0.0, 1.0))
    return [Case(args=args, expected=_min_max(*args)) for args in inputs]


# ---------------------------------------------------------------- 03.ex2: collinear_pairs
def _correlations(X: np.ndarray) -> np.ndarray:
    """|r| between every pair of columns; nan where a column is constant."""
    X = np.asarray(X, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = np.abs(np.corrcoef(X, rowvar=False))
    constant = np.ptp(X, axis=0) == 0  # nan by definition, whatever rounding made of it
    corr[constant, :], corr[:, constant] = np.nan, np.nan
    return corr


def _collinear(X: object, threshold: float) -> list[tuple[int, int]]:
    """Every (i, j), i < j, with |r| > threshold, sorted; constant columns never count."""
    corr = _correlations(np.asarray(X, dtype=float))
    d = corr.shape[0]
    return [(i, j) for i in range(d) for j in range(i + 1, d) if corr[i, j] > threshold]


def _threshold_away(rng: np.random.Generator, X: np.ndarray, low: float, high: float) -> float:
    """A threshold in [low, high], two decimals, at least 0.02 from every |r| of X.

    Falls back to the middle of the widest gap between the |r| values in [low, high].
    """
    corr = _correlations(X)
    values = corr[np.triu_indices_from(corr, k=1)]
    values = values[np.isfinite(values)]
    for _ in range(200):
        threshold = float(np.round(rng.uniform(low, high), 2))
        if np.all(np.abs(values - threshold) >= 0.02):
            return threshold
    edges = np.sort(np.concatenate([[low, high], values[(values > low) & (values < high)]]))
    widest = int(np.argmax(np.diff(edges)))
    return float(np.round((edges[widest] + edges[widest + 1]) / 2, 3))


def _shuffled(rng: np.random.Generator, columns: list[np.ndarray]) -> np.ndarray:
    """The columns side by side, in a random order (pairs are not always neighbours)."""
    order = rng.permutation(len(columns))
    return np.column_stack([columns[k] for k in order])


def _pair_cases(rng: np.random.Generator) -> list[Case]:
    """Six (X, threshold) inputs covering the edge cases of the task.

    Parameters
    ----------
    rng : np.random.Generator
        Seeded from the course secret, the student and the exercise.

    Returns
    -------
    list of Case
    """

    def noise(n: int, scale: float) -> np.ndarray:
        return rng.normal(0, scale, size=n)

    inputs = []
    # A column, a rescaled near copy, a negated near copy, and two unrelated columns.
    n = int(rng.integers(20, 40))
    a = rng.normal(0, 1, size=n)
    columns = [a, 10.76 * a + noise(n, 0.05), -a + noise(n, 0.05), noise(n, 1), noise(n, 1)]
    X = np.round(_shuffled(rng, columns), 3)
    inputs.append((X, _threshold_away(rng, X, 0.85, 0.95)))
    # A constant column among correlated ones.
    n = int(rng.integers(15, 30))
    a = rng.normal(0, 1, size=n)
    # A multiple of 0.5: its mean is exact, so the column minus its mean is exactly 0 and
    # np.corrcoef gives nan, as the task says (with 0.1 it could give rounding noise instead).
    constant = np.full(n, float(rng.integers(-6, 7)) / 2)
    X = np.round(_shuffled(rng, [a, 2 * a + noise(n, 0.1), constant, noise(n, 1)]), 3)
    inputs.append((X, _threshold_away(rng, X, 0.8, 0.95)))
    # No pair at all: independent columns and a high threshold.
    n = int(rng.integers(30, 60))
    X = np.round(rng.normal(0, 1, size=(n, int(rng.integers(3, 6)))), 3)
    inputs.append((X, _threshold_away(rng, X, 0.9, 0.97)))
    # Moderate correlations (r about 0.5 to 0.8) under a lower threshold, six columns.
    n = int(rng.integers(30, 50))
    a, b = rng.normal(0, 1, size=n), rng.normal(0, 1, size=n)
    columns = [a, a + noise(n, 0.7), b, b - noise(n, 1.0), a + b, noise(n, 1)]
    X = np.round(_shuffled(rng, columns), 3)
    inputs.append((X, _threshold_away(rng, X, 0.4, 0.6)))
    # Lists of ints: a count and a multiple of it plus small jitter, and an unrelated count.
    n = int(rng.integers(10, 25))
    a = rng.integers(0, 50, size=n)
    columns = [a, 3 * a + rng.integers(-2, 3, size=n), rng.integers(0, 50, size=n)]
    X = _shuffled(rng, columns).astype(int)
    inputs.append((X.tolist(), _threshold_away(rng, X, 0.85, 0.95)))
    # Two columns, strongly negatively correlated.
    n = int(rng.integers(5, 15))
    a = rng.normal(0, 1, size=n)
    X = np.round(np.column_stack([a, -3 * a + noise(n, 0.1)]), 3)
    inputs.append((X, _threshold_away(rng, X, 0.7, 0.9)))
    return [Case(args=args, expected=_collinear(*args)) for args in inputs]


def _same_pairs(got: object, expected: object) -> bool:
    """True if ``got`` is a list of [int, int] pairs equal to ``expected``, in the same order.

    Tuples arrive from the kernel as lists; a float or a bool where an int is expected makes
    it False, and it never raises.

    Examples
    --------
    >>> _same_pairs([[0, 1], [1, 3]], [(0, 1), (1, 3)])
    True
    >>> _same_pairs([[0.0, 1.0]], [(0, 1)]), _same_pairs([[1, 0]], [(0, 1)])
    (False, False)
    """
    if type(got) is not list or len(got) != len(expected):  # type: ignore[arg-type]
        return False
    for pair, want in zip(got, expected, strict=True):  # type: ignore[call-overload]
        if type(pair) is not list or len(pair) != 2:
            return False
        if any(type(v) is not int for v in pair) or tuple(pair) != tuple(want):
            return False
    return True


# ---------------------------------------------------------------- 03.ex3: quadratic_features
def _quadratic(X: object) -> np.ndarray:
    """The columns of X, then x_i * x_j for every i <= j, ordered by i then j."""
    X = np.asarray(X, dtype=float)
    d = X.shape[1]
    products = [X[:, i] * X[:, j] for i in range(d) for j in range(i, d)]
    return np.column_stack([X, *products])


def _quadratic_cases(rng: np.random.Generator) -> list[Case]:
    """Five X inputs: floats, a list of ints, one column, one row, five columns.

    Parameters
    ----------
    rng : np.random.Generator
        Seeded from the course secret, the student and the exercise.

    Returns
    -------
    list of Case
    """
    inputs = [
        np.round(rng.normal(0, 3, size=(int(rng.integers(3, 8)), 3)), 2),
        rng.integers(-9, 10, size=(int(rng.integers(2, 6)), 2)).tolist(),
        np.round(rng.uniform(-5, 5, size=(int(rng.integers(2, 6)), 1)), 2),
        np.round(rng.normal(0, 2, size=(1, 4)), 2),
        np.round(rng.normal(1, 2, size=(int(rng.integers(3, 6)), 5)), 2),
    ]
    return [Case(args=(X,), expected=_quadratic(X)) for X in inputs]


EXERCISES: list[GradedExercise] = [
    GradedExercise(id="03.ex1", name="min_max_scale", points=3, cases=_scale_cases),
    GradedExercise(
        id="03.ex2", name="collinear_pairs", points=3, cases=_pair_cases, judge=_same_pairs
    ),
    GradedExercise(id="03.ex3", name="quadratic_features", points=3, cases=_quadratic_cases),
]
