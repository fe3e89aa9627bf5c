"""Lesson 03 (tabular data): exercises and expected results.

- ``03.ex1``: ``min_max_scale(X_train, X_test, low, high)`` with X_train's statistics only.
  Graded on arrays of floats and lists of ints, the ranges [0, 1], [-1, 1] and others, test
  values beyond the training range on both sides (never clipped), a column constant in the
  training part (divided by 1), and two training rows with one test row.
- ``03.ex2``: ``collinear_pairs(X, threshold)`` → the sorted (i, j), i < j, with |r| above
  the threshold. Graded on near, rescaled and negated copies of a column, three mutually
  correlated columns, a constant column (never in a pair), moderate correlations under a
  lower threshold, no pair at all, lists of ints and two columns only. Every threshold is at
  least 0.02 from every |r| of its matrix, so no way of computing r lands on its other side.
- ``03.ex3``: ``quadratic_features(X)`` → the columns, then x_i * x_j for i <= j. Graded on
  arrays of floats and lists of ints, one column, one row and up to five columns (where the
  order of the products matters).
"""

from __future__ import annotations

import itertools

import numpy as np

from labkit.exercises import judges
from labkit.exercises.declare import Example, Exercise, Expect, Mistake

__all__ = ["EXERCISES", "EXPECTATIONS"]


# ---------------------------------------------------------------- 03.ex1: min_max_scale
def min_max_scale(X_train, X_test, low=0.0, high=1.0):
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


def _scale_inputs(rng: np.random.Generator) -> list[tuple]:
    """Six (X_train, X_test, low, high) inputs covering the edge cases of the task."""
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
    train[:, int(rng.integers(0, 3))] = float(np.round(rng.uniform(-5, 5), 1))
    inputs.append((train, _beyond(rng, train, 4), 0.0, 1.0))
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
    return inputs


def _own_statistics(X_train, X_test, low=0.0, high=1.0):
    def scale(X):  # each part fitted on itself: the test part leaks into its own scaling
        return min_max_scale(X, X, low, high)[0]

    return scale(X_train), scale(X_test)


def _clipped(X_train, X_test, low=0.0, high=1.0):
    train, test = min_max_scale(X_train, X_test, low, high)
    return train, np.clip(test, low, high)


def _zero_division(X_train, X_test, low=0.0, high=1.0):
    X_train, X_test = np.asarray(X_train, dtype=float), np.asarray(X_test, dtype=float)
    lo, hi = X_train.min(0), X_train.max(0)
    with np.errstate(divide="ignore", invalid="ignore"):  # constant column: nan and inf
        return tuple(low + (X - lo) / (hi - lo) * (high - low) for X in (X_train, X_test))


def _unit_range_only(X_train, X_test, low=0.0, high=1.0):
    return min_max_scale(X_train, X_test)  # ignores low and high


def _in_place(X_train, X_test, low=0.0, high=1.0):
    X_train = np.asarray(X_train, dtype=float)
    X_train[:] = min_max_scale(X_train, X_train, low, high)[0]  # X_train itself is changed
    return X_train, min_max_scale(X_train, X_test, low, high)[1]  # so its min and max are too


# ---------------------------------------------------------------- 03.ex2: collinear_pairs
def _correlations(X: np.ndarray) -> np.ndarray:
    """|r| between every pair of columns; nan where a column is constant."""
    X = np.asarray(X, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = np.abs(np.corrcoef(X, rowvar=False))
    constant = np.ptp(X, axis=0) == 0  # nan by definition, whatever rounding made of it
    corr[constant, :], corr[:, constant] = np.nan, np.nan
    return corr


def collinear_pairs(X, threshold):
    """Every (i, j), i < j, with |r| > threshold, sorted; constant columns never count."""
    corr = _correlations(np.asarray(X, dtype=float))
    d = corr.shape[0]
    return [(i, j) for i in range(d) for j in range(i + 1, d) if corr[i, j] > threshold]


def _threshold_away(rng: np.random.Generator, X: np.ndarray, low: float, high: float) -> float:
    """A threshold in [low, high], two decimals, at least 0.02 from every |r| of X (else the
    middle of the widest gap between the |r| values in [low, high])."""
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
    return np.column_stack([columns[k] for k in rng.permutation(len(columns))])


def _pair_inputs(rng: np.random.Generator) -> list[tuple]:
    """Six (X, threshold) inputs covering the edge cases of the task."""

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
    return inputs


def _r(X):
    with np.errstate(divide="ignore", invalid="ignore"):  # constant columns give nan
        return np.corrcoef(np.asarray(X, dtype=float), rowvar=False)


def _signed(X, threshold):
    corr, d = _r(X), np.shape(X)[1]
    return [(i, j) for i in range(d) for j in range(i + 1, d) if corr[i, j] > threshold]


def _both_orders(X, threshold):
    corr, d = np.abs(_r(X)), np.shape(X)[1]
    return [(i, j) for i in range(d) for j in range(d) if i != j and corr[i, j] > threshold]


def _with_diagonal(X, threshold):
    corr, d = np.abs(_r(X)), np.shape(X)[1]
    return [(i, j) for i in range(d) for j in range(i, d) if corr[i, j] > threshold]


def _columns(*columns):  # the public examples' X, written column by column
    return np.array(columns, dtype=float).T


def _strongest_first(X, threshold):
    corr = np.abs(_r(X))
    return sorted(collinear_pairs(X, threshold), key=lambda pair: -corr[pair])


# ---------------------------------------------------------------- 03.ex3: quadratic_features
def quadratic_features(X):
    """The columns of X, then x_i * x_j for every i <= j, ordered by i then j."""
    X = np.asarray(X, dtype=float)
    d = X.shape[1]
    products = [X[:, i] * X[:, j] for i in range(d) for j in range(i, d)]
    return np.column_stack([X, *products])


def _quadratic_inputs(rng: np.random.Generator) -> list[tuple]:
    """Five X inputs: floats, a list of ints, one column, one row, five columns."""
    inputs = [
        np.round(rng.normal(0, 3, size=(int(rng.integers(3, 8)), 3)), 2),
        rng.integers(-9, 10, size=(int(rng.integers(2, 6)), 2)).tolist(),
        np.round(rng.uniform(-5, 5, size=(int(rng.integers(2, 6)), 1)), 2),
        np.round(rng.normal(0, 2, size=(1, 4)), 2),
        np.round(rng.normal(1, 2, size=(int(rng.integers(3, 6)), 5)), 2),
    ]
    return [(X,) for X in inputs]


def _products(X, pairs, keep_columns=True):
    X = np.asarray(X, dtype=float)
    products = [X[:, i] * X[:, j] for i, j in pairs(X.shape[1])]
    return np.column_stack([X, *products] if keep_columns else products)


def _no_squares(X):
    return _products(X, lambda d: [(i, j) for i in range(d) for j in range(i + 1, d)])


def _column_major(X):
    return _products(X, lambda d: [(i, j) for j in range(d) for i in range(j + 1)])


def _products_only(X):
    return _products(X, lambda d: [(i, j) for i in range(d) for j in range(i, d)], False)


def _in_place_products(X):
    X = np.asarray(X, dtype=float)
    d = X.shape[1]
    columns = [X[:, i] for i in range(d)]
    for i, j in itertools.combinations_with_replacement(range(d), 2):  # i <= j
        column = X[:, i]  # a view of X, not a copy: *= changes X itself
        column *= X[:, j]
        columns.append(column)
    return np.column_stack(columns)


EXERCISES = [
    Exercise(
        id="03.ex1",
        name="min_max_scale",
        points=3,
        reference=min_max_scale,
        examples=[
            Example(
                (np.array([[0.0, 10.0], [2.0, 30.0]]), np.array([[1.0, 40.0], [3.0, 20.0]])),
                "default range [0, 1]; 40 is above the training maximum 30, so it lands above 1",
            ),
            Example(
                (np.array([[1.0], [3.0], [5.0]]), np.array([[4.0], [7.0], [0.0]]), -1.0, 1.0),
                "range [-1, 1]; test values outside the training range are not clipped",
            ),
            Example(
                (np.array([[0.0, -1.0], [10.0, 1.0]]), np.array([[5.0, 0.0]]), 2.0, 4.0),
                "range [2, 4]: low + (x - min) * (high - low) / (max - min)",
            ),
            Example(
                (np.array([[5.0, 1.0], [5.0, 3.0]]), np.array([[6.0, 2.0]]), 0.0, 1.0),
                "the first column is constant in X_train, so it is divided by 1 instead of 0",
            ),
        ],
        inputs=_scale_inputs,
        mistakes=[
            Mistake(
                _own_statistics,
                "X_test was scaled with its own minimum and maximum. Use "
                "those of X_train for both parts: the test part must not influence the "
                "scaling.",
            ),
            Mistake(
                _clipped,
                "Your test values were clipped to [low, high]. Keep them as the "
                "formula gives them: new data may lie outside the training range.",
            ),
            Mistake(
                _zero_division,
                "nan or inf: a column constant in X_train has max - min = "
                "0. Divide it by 1 instead of 0.",
            ),
            Mistake(_unit_range_only, "That is scaled to [0, 1]: use low and high."),
            Mistake(
                _in_place,
                "X_train was changed in place before X_test was scaled "
                "with its minimum and maximum: compute new arrays instead.",
            ),
        ],
    ),
    Exercise(
        id="03.ex2",
        name="collinear_pairs",
        points=3,
        reference=collinear_pairs,
        examples=[
            Example(
                (_columns([1, 2, 3, 4], [2, 4, 6, 9], [4, 3, 2, 1], [1, 0, 0, 1]), 0.9),
                "column 2 falls as column 0 rises (r = -1): a negative correlation counts too",
            ),
            Example(
                (_columns([1, 2, 3], [5, 5, 5], [2, 4, 7]), 0.5),
                "column 1 is constant: it has no correlation with anything and is never in a pair",
            ),
            Example(
                (_columns([1, 2, 3, 4, 5], [2, 1, 4, 3, 5], [5, 3, 1, 2, 4]), 0.95),
                "no pair is above 0.95: the answer is an empty list",
            ),
            Example(
                (
                    _columns([1, 5, 2, 8, 3], [0, 1, 0, 1, 1], [3, 1, 2, 4, 5], [2, 10, 4, 16, 6]),
                    0.9,
                ),
                "column 3 is twice column 0",
            ),
        ],
        inputs=_pair_inputs,
        mistakes=[
            Mistake(
                _with_diagonal,
                "A column paired with itself (the diagonal of the "
                "correlation matrix, r = 1) is not a pair.",
            ),
            Mistake(_both_orders, "List each pair once, as (i, j) with i < j."),
            Mistake(_strongest_first, "Sort the pairs by i, then by j."),
            Mistake(_signed, "Compare |r|, not r: a strong negative correlation counts too."),
        ],
        judge=judges.same_integers,
    ),
    Exercise(
        id="03.ex3",
        name="quadratic_features",
        points=3,
        reference=quadratic_features,
        examples=[
            Example((np.array([[2.0, 3.0]]),), "columns a, b, a², ab, b²"),
            Example(
                (np.array([[1.0, 2.0, 3.0], [0.0, 1.0, -1.0]]),),
                "columns a, b, c, a², ab, ac, b², bc, c²",
            ),
            Example((np.array([[3.0], [-2.0]]),), "one column: x and x²"),
        ],
        inputs=_quadratic_inputs,
        mistakes=[
            Mistake(_products_only, "Start with the original columns, then add the products."),
            Mistake(
                _no_squares,
                "The squares are missing. Pair every column with itself too (i <= j, not i < j).",
            ),
            Mistake(
                _column_major,
                "The products are in the wrong order. After a, b, c come a², "
                "ab, ac (i = 0), then b², bc (i = 1), then c² (i = 2).",
            ),
            Mistake(
                _in_place_products,
                "X was changed in place (column *= ... on a column of "
                "X, a view): compute each product as a new array, X[:, i] * X[:, j].",
            ),
        ],
    ),
]

WINE_MAJORITY = "always the most common grape variety on the 36 test wines"
FLAT_MEAN = "always the mean training price (test MAE, k€)"

EXPECTATIONS = [
    Expect(
        "knn_scaled_accuracy", smoke=0.85, default=0.90, baseline=0.389, baseline_is=WINE_MAJORITY
    ),
    # The lesson's point: the same 5-NN gains at least 10 points from standardisation.
    Expect(
        "knn_scaling_gain",
        smoke=0.10,
        default=0.10,
        baseline=0.0,
        baseline_is="no gain: scaling changes nothing",
    ),
    Expect(
        "knn_raw_accuracy",
        smoke=0.85,
        default=0.85,
        baseline=0.972,
        baseline_is="the same 5-NN on standardised columns",
        higher_is_better=False,
    ),
    Expect("logreg_accuracy", smoke=0.85, default=0.90, baseline=0.389, baseline_is=WINE_MAJORITY),
    Expect(
        "gd_scaled_test_mae",
        smoke=25.0,
        default=20.0,
        baseline=57.8,
        baseline_is=FLAT_MEAN,
        higher_is_better=False,
    ),
    # Raw columns: gradient descent must visibly fail (far worse than standardised).
    Expect(
        "gd_raw_test_mae",
        smoke=40.0,
        default=40.0,
        baseline=16.7,
        baseline_is="the same gradient descent on standardised columns",
    ),
    Expect(
        "linreg_test_mae",
        smoke=16.0,
        default=16.0,
        baseline=57.8,
        baseline_is=FLAT_MEAN,
        higher_is_better=False,
    ),
    Expect(
        "coef_std_collinear",
        smoke=5.0,
        default=5.0,
        baseline=1.0,
        baseline_is="spread of the same weight after dropping area_sqft",
    ),
    Expect(
        "coef_std_dropped",
        smoke=3.0,
        default=3.0,
        baseline=17.2,
        baseline_is="spread of the area_m2 weight with both area columns",
        higher_is_better=False,
    ),
]
