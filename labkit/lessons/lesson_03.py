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
- ``03.ex4``: ``knn_accuracy_raw_and_scaled(X_train, y_train, X_test, y_test, k)``, an
  experiment: k-NN's test accuracy on raw columns and after a StandardScaler fitted on the
  training part. Graded on tables with one column in the thousands that is noise (the
  lesson's case) or the one that carries the class (there scaling hurts), on test rows
  from a much noisier sensor (where a scaler fitted on all rows or on the test rows gives
  another accuracy), on three classes, and with k from 1 to 9 but never 5. No test row has
  a near-tie between its k-th and (k+1)-th neighbour, raw or scaled, and no vote can tie
  (two classes with an odd k, or one neighbour), so no way of computing the distances
  changes an answer.
- ``03.ex5``: ``distance_choices``, a judgement: which column decides k-NN's distance in
  a small table, the nearest neighbour before and after standardising, and what to do
  when gradient descent fails on raw columns.
- ``03.ex6``: the quiz.
"""

from __future__ import annotations

import itertools

import numpy as np
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from labkit.exercises import judges
from labkit.exercises.declare import Example, Exercise, Expect, Mistake
from labkit.exercises.questions import Question

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


# ------------------------------------------------------ 03.ex4: knn_accuracy_raw_and_scaled
def knn_accuracy_raw_and_scaled(X_train, y_train, X_test, y_test, k):
    """k-NN's test accuracy on the raw columns, then with a StandardScaler fitted on X_train."""
    raw = KNeighborsClassifier(n_neighbors=k).fit(X_train, y_train)
    scaled = make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=k))
    scaled.fit(X_train, y_train)
    return float(raw.score(X_test, y_test)), float(scaled.score(X_test, y_test))


def _clear_neighbours(X_train: np.ndarray, X_test: np.ndarray, k: int) -> bool:
    """True if, raw and standardised, every test row's k-th and (k+1)-th nearest training
    rows are clearly apart: no near-tie that rounding could flip."""
    scaler = StandardScaler().fit(X_train)
    for A, B in [(X_train, X_test), (scaler.transform(X_train), scaler.transform(X_test))]:
        distances = np.sqrt(((B[:, None, :] - A[None, :, :]) ** 2).sum(axis=-1))
        d = np.sort(distances, axis=1)
        if np.any(d[:, k] - d[:, k - 1] <= 1e-6 * d[:, k]):
            return False
    return True


def _scaled_with(X_train, y_train, X_test, y_test, k, train_scaler, test_scaler):
    model = KNeighborsClassifier(n_neighbors=k)
    model.fit(train_scaler.transform(X_train), y_train)
    return float(model.score(test_scaler.transform(X_test), y_test))


def _all_rows(X_train, y_train, X_test, y_test, k):
    """What a scaler fitted on the training and test rows together scores."""
    scaler = StandardScaler().fit(np.concatenate([X_train, X_test]))
    return _scaled_with(X_train, y_train, X_test, y_test, k, scaler, scaler)


def _knn_inputs(rng: np.random.Generator) -> list[tuple]:
    """Five (X_train, y_train, X_test, y_test, k) tables covering the edge cases of the task."""

    def table(n, centres, small, big_informative=False, spread=1.0):
        """n rows of balanced classes: ``small`` columns of spread about 1 and one column in
        the thousands (the second); the class shows in the small columns or in the big one."""
        y = rng.permutation(np.resize(np.arange(len(centres)), n))
        if big_informative:
            big = 20_000 + 3_000 * y + rng.normal(0, 1_500, size=n)
            X = rng.normal(0, 1, size=(n, small))
        else:
            X = np.asarray(centres, dtype=float)[y] + rng.normal(0, 1, size=(n, small))
            X[:, -1] *= spread  # spread > 1: a much noisier sensor in the last column
            big = rng.normal(40_000, 15_000, size=n)
        return np.round(np.column_stack([X[:, :1], big, X[:, 1:]]), 3), y

    def case(n_train, n_test, centres, small, k, big_informative=False, spread=1.0):
        for _ in range(100):
            X_train, y_train = table(n_train, centres, small, big_informative)
            X_test, y_test = table(n_test, centres, small, big_informative, spread)
            args = (X_train, y_train, X_test, y_test, k)
            if not _clear_neighbours(X_train, X_test, k):
                continue
            raw, scaled = knn_accuracy_raw_and_scaled(*args)
            if big_informative and raw <= scaled:
                continue  # this case is there to show scaling hurt
            # The noisier test rows must show the leak: fitted on all rows, another score.
            if spread == 1.0 or _all_rows(*args) != scaled:
                return args
        raise RuntimeError("no table clear of near-ties")  # never seen

    def size(low: int, high: int) -> int:
        return int(rng.integers(low, high))

    def odd_k() -> int:  # never 5, so a model that ignores k shows
        return int(rng.choice([1, 3, 7, 9]))

    two = [[0.0, 0.0], [2.0, 2.0]]
    return [
        # The lesson's situation: the class shows in the small columns; the big one is noise.
        case(size(30, 60), size(15, 30), two, 2, odd_k()),
        case(size(30, 60), size(15, 30), [[0.0] * 3, [1.5] * 3], 3, 1),
        # The big column carries the class: scaling gives the noise columns a say.
        case(size(30, 60), size(15, 30), two, 3, odd_k(), big_informative=True),
        # New rows from a much noisier sensor: the training part's statistics all the same.
        case(size(30, 50), size(30, 50), [[0.0, 0.0], [2.5, 0.0]], 2, odd_k(), spread=30.0),
        # Three classes, one neighbour: no vote can tie.
        case(size(40, 70), size(20, 30), [[0.0, 0.0], [2.5, 0.0], [0.0, 2.5]], 2, 1),
    ]


def _scaled_first(X_train, y_train, X_test, y_test, k):
    raw, scaled = knn_accuracy_raw_and_scaled(X_train, y_train, X_test, y_test, k)
    return scaled, raw


def _scaler_on_all_rows(X_train, y_train, X_test, y_test, k):
    raw = knn_accuracy_raw_and_scaled(X_train, y_train, X_test, y_test, k)[0]
    return raw, _all_rows(X_train, y_train, X_test, y_test, k)


def _test_scaled_on_its_own(X_train, y_train, X_test, y_test, k):
    raw = knn_accuracy_raw_and_scaled(X_train, y_train, X_test, y_test, k)[0]
    own = StandardScaler().fit(X_train), StandardScaler().fit(X_test)
    return raw, _scaled_with(X_train, y_train, X_test, y_test, k, *own)


def _five_neighbours(X_train, y_train, X_test, y_test, k):
    return knn_accuracy_raw_and_scaled(X_train, y_train, X_test, y_test, 5)


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
    Exercise(
        id="03.ex4",
        name="knn_accuracy_raw_and_scaled",
        points=3,
        reference=knn_accuracy_raw_and_scaled,
        examples=[
            Example(
                (
                    np.array(
                        [
                            [1.0, 52000],
                            [1.2, 41000],
                            [0.8, 63000],
                            [3.0, 59000],
                            [3.2, 43000],
                            [2.8, 61000],
                        ]
                    ),
                    np.array([0, 0, 0, 1, 1, 1]),
                    np.array([[1.1, 59600], [2.9, 41700], [0.9, 43600], [3.1, 62200]]),
                    np.array([0, 1, 0, 1]),
                    1,
                ),
                "the class shows in column 0, but raw distances are all column 1, in the "
                "thousands; standardised, column 0 has its say",
            ),
            Example(
                (
                    np.array(
                        [
                            [0, 3000, 2],
                            [2, 9000, 0],
                            [0, 3000, 1],
                            [0, 8000, 2],
                            [4, 6000, 2],
                            [3, 9000, 1],
                            [4, 7000, 1],
                            [4, 8000, 0],
                        ],
                        dtype=float,
                    ),
                    np.array([0, 0, 0, 0, 1, 1, 1, 1]),
                    np.array(
                        [
                            [5, 4000, 4],
                            [0, 6000, 0],
                            [4, 4000, 4],
                            [0, 1000, 4],
                            [2, 1000, 0],
                            [4, 7000, 4],
                        ],
                        dtype=float,
                    ),
                    np.array([1, 0, 1, 0, 0, 1]),
                    3,
                ),
                "the test rows' last column spreads further than in training (0 to 4 "
                "against 0 to 2): they are scaled with the training part's statistics all "
                "the same",
            ),
            Example(
                (
                    np.array(
                        [
                            [2.9, 19000],
                            [2.9, 19100],
                            [2.2, 19500],
                            [2.0, 31000],
                            [2.1, 30000],
                            [2.7, 30900],
                        ]
                    ),
                    np.array([0, 0, 0, 1, 1, 1]),
                    np.array([[0.9, 21000], [3.3, 29900], [0.7, 20200], [0.5, 30900]]),
                    np.array([0, 1, 0, 1]),
                    1,
                ),
                "here the big column carries the class and column 0 is noise: scaling "
                "gives the noise a say, and hurts",
            ),
        ],
        inputs=_knn_inputs,
        mistakes=[
            Mistake(
                _scaled_first,
                "The pair is in the wrong order: first the accuracy on the raw columns, "
                "then the one after scaling.",
            ),
            Mistake(
                _scaler_on_all_rows,
                "The scaler saw the test rows too: fit it on X_train only, then transform "
                "both parts with it (make_pipeline does this for you).",
            ),
            Mistake(
                _test_scaled_on_its_own,
                "The test rows were scaled with their own mean and standard deviation: use "
                "those of X_train for both parts.",
            ),
            Mistake(
                _five_neighbours,
                "Use k neighbours, KNeighborsClassifier(n_neighbors=k), not the default 5.",
            ),
        ],
    ),
    Exercise(
        id="03.ex5",
        name="distance_choices",
        points=3,
        kind="questions",
        questions=[
            Question(
                "b",
                choices="abc",
                hint="Section 5: square each column's difference between A and B and compare "
                "the three terms.",
            ),
            Question("a", choices="ab", hint="Compute both raw distances from A, in full."),
            Question(
                "b",
                choices="ab",
                hint="Divide each difference by its column's standard deviation before squaring.",
            ),
            Question(
                "c",
                choices="abcd",
                hint="Section 6: what lets one learning rate suit every weight, and which rows "
                "may a scaler learn its statistics from?",
            ),
        ],
    ),
    Exercise(
        id="03.ex6",
        name="quiz",
        points=4,
        kind="questions",
        questions=[
            Question(
                1.25,
                decimals=2,
                hint="Section 4's formula with the training part's minimum and maximum; a test "
                "value is never clipped.",
            ),
            Question(
                "c",
                choices="abcd",
                hint="Section 4: which rows may a scaler see in each fold of a cross-validation?",
            ),
            Question(25, hint="Section 8: VIF = 1 / (1 − R²)."),
            Question(
                "a",
                choices="abcd",
                hint="Section 8: what do the data pin down when two columns carry the same "
                "information, and what happened to the test error?",
            ),
            Question(
                "c",
                choices="abcd",
                hint="Section 5: which scaling is another one times a number plus a number, "
                "the same for every column?",
            ),
            Question(
                "b",
                choices="abcd",
                hint="Section 6: besides the spread, what does standardisation fix?",
            ),
            Question(84, hint="Count the doublings between the two incomes."),
            Question(
                "d",
                choices="abcd",
                hint="Section 9: why was the gap smaller on the breast-cancer table than on "
                "the wines?",
            ),
            Question(
                "b",
                choices="abcd",
                hint="Section 7: what does the raw fit's rank_ say, and why?",
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
