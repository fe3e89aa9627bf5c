"""Lesson 04 (support vector machines): exercises and expected results.

- ``04.ex1``: ``hinge_loss(scores, y)`` = the mean of max(0, 1 - y * score), y in {-1, +1}.
  Graded on arrays and lists, labels as ints or floats, one sample, samples exactly on the
  edge of the street or beyond it (loss 0) and samples far on the wrong side.
- ``04.ex2``: ``rbf_kernel(X, Y, gamma)`` → the (n, m) matrix exp(-gamma ||X[i] - Y[j]||²).
  Graded with n != m (a transposed answer fails), one row in X, X equal to Y (ones on the
  diagonal), one feature, lists of lists, and a very small and a large gamma. The reference
  is scikit-learn's ``rbf_kernel``.
- ``04.ex3``: ``count_margin_violations(X, y, w, b)`` → how many samples have
  y (w · x + b) < 1, as an int. Graded on integer inputs that put samples exactly on the
  edge of the street (not violations) and on the boundary (a violation), a case where the
  sign of b changes the count, floats, lists, no violation, every sample on the wrong side
  and a single sample.
"""

from __future__ import annotations

import numpy as np

from labkit.exercises import judges
from labkit.exercises.declare import Example, Exercise, Expect, Mistake

__all__ = ["EXERCISES", "EXPECTATIONS"]


# ---------------------------------------------------------------- 04.ex1: hinge_loss
def hinge_loss(scores, y):
    """Mean over the samples of max(0, 1 - y * score)."""
    pairs = zip(np.asarray(scores, dtype=float), np.asarray(y, dtype=float), strict=True)
    losses = [max(0.0, 1.0 - float(label) * float(score)) for score, label in pairs]
    return sum(losses) / len(losses)


def _hinge_inputs(rng: np.random.Generator) -> list[tuple]:
    """Six (scores, y) pairs covering the edge cases of the task."""

    def labels(n: int) -> np.ndarray:
        return rng.choice([-1, 1], size=n)

    def scores(n: int, spread: float = 1.5) -> np.ndarray:
        return np.round(rng.normal(0, spread, size=n), 2)

    pairs = []
    n = int(rng.integers(8, 30))
    pairs.append((scores(n), labels(n)))  # arrays, every kind of sample mixed
    n = int(rng.integers(4, 12))
    pairs.append((scores(n).tolist(), labels(n).tolist()))  # lists
    n = int(rng.integers(4, 12))
    pairs.append((scores(n), labels(n).astype(float)))  # labels as floats -1.0 and 1.0
    # On the edge (y * score = 1) or beyond it: every loss is 0, and 1 - y * score is <= 0.
    y = labels(int(rng.integers(4, 10)))
    beyond = np.round(1 + rng.uniform(0, 2, size=len(y)), 2) * (rng.random(len(y)) < 0.5)
    pairs.append((y * np.maximum(beyond, 1.0), y))
    pairs.append((scores(1), labels(1)))  # one sample
    # Far on the wrong side: every loss is above 1.
    y = labels(int(rng.integers(3, 8)))
    pairs.append((-y * np.round(rng.uniform(0.5, 5.0, size=len(y)), 2), y))
    return pairs


def _margins_of(scores, y):
    return np.asarray(y) * np.asarray(scores)


def _hinge_sum(scores, y):
    return float(np.sum(np.maximum(0, 1 - _margins_of(scores, y))))  # sum, not mean


def _hinge_without_max(scores, y):
    return float(np.mean(1 - _margins_of(scores, y)))  # beyond the street: < 0


def _perceptron_loss(scores, y):
    return float(np.mean(np.maximum(0, -_margins_of(scores, y))))  # hinge at 0


# ---------------------------------------------------------------- 04.ex2: rbf_kernel
def rbf_kernel(X, Y, gamma):
    """scikit-learn's RBF Gram matrix: exp(-gamma * ||X[i] - Y[j]||^2), shape (n, m)."""
    from sklearn.metrics.pairwise import rbf_kernel as sklearn_rbf_kernel  # slow to import

    return sklearn_rbf_kernel(np.asarray(X, dtype=float), np.asarray(Y, dtype=float), gamma=gamma)


def _kernel_inputs(rng: np.random.Generator) -> list[tuple]:
    """Six (X, Y, gamma) triples covering the edge cases of the task."""

    def points(n: int, d: int) -> np.ndarray:
        return np.round(rng.normal(0, 1, size=(n, d)), 2)

    def gamma(low: float, high: float) -> float:
        return float(np.round(rng.uniform(low, high), 3))

    triples = []
    n = int(rng.integers(3, 9))
    m = int(rng.integers(2, 7))
    if m == n:
        m += 1  # n != m: a transposed answer has the wrong shape
    triples.append((points(n, 2), points(m, 2), gamma(0.1, 2.0)))
    triples.append((points(1, 3), points(int(rng.integers(3, 7)), 3), gamma(0.1, 2.0)))  # one row
    X = points(int(rng.integers(3, 7)), 4)
    triples.append((X, X.copy(), gamma(0.1, 1.0)))  # X equal to Y: ones on the diagonal
    n, m = int(rng.integers(2, 6)), int(rng.integers(6, 10))
    triples.append((points(n, 1).tolist(), points(m, 1).tolist(), gamma(0.2, 3.0)))  # lists
    triples.append((points(5, 2), points(4, 2), gamma(0.001, 0.01)))  # tiny gamma: near 1
    triples.append((points(4, 2) * 0.3, points(6, 2) * 0.3, gamma(5.0, 20.0)))  # large gamma
    return triples


def _squared_distances(X, Y):
    differences = np.asarray(X, dtype=float)[:, None, :] - np.asarray(Y, dtype=float)[None, :, :]
    return (differences**2).sum(axis=2)


def _kernel_not_squared(X, Y, gamma):
    return np.exp(-gamma * np.sqrt(_squared_distances(X, Y)))


def _kernel_no_minus(X, Y, gamma):
    return np.exp(gamma * _squared_distances(X, Y))


def _kernel_divided(X, Y, gamma):
    return np.exp(-_squared_distances(X, Y) / gamma)


def _kernel_transposed(X, Y, gamma):
    return np.exp(-gamma * _squared_distances(X, Y)).T


# ---------------------------------------------------------------- 04.ex3: count_margin_violations
def count_margin_violations(X, y, w, b):
    """How many samples have y * (w . x + b) < 1."""
    count = 0
    for row, label in zip(np.asarray(X, dtype=float), np.asarray(y), strict=True):
        score = float(np.dot(row, np.asarray(w, dtype=float))) + b
        count += int(float(label) * score < 1)
    return count


def _margins(X, y, w, b) -> np.ndarray:
    """y * (w . x + b) for every sample."""
    return np.asarray(y) * (np.asarray(X, dtype=float) @ np.asarray(w, dtype=float) + b)


def _integer_case(rng: np.random.Generator, b: int, edge_scores: list[int], y_of) -> tuple:
    """Integer samples, with one more sample at each score of ``edge_scores``, exactly.

    ``w = [w1, ±1]``, so the second feature can be solved for any integer score. ``y_of``
    maps the scores of all the samples to their labels; the samples are then shuffled.
    """
    w = np.array([int(rng.choice([-3, -2, -1, 1, 2, 3])), int(rng.choice([-1, 1]))])
    X = rng.integers(-4, 5, size=(int(rng.integers(6, 12)), 2))
    first = rng.integers(-4, 5, size=len(edge_scores))
    edges = [[x1, (t - b - w[0] * x1) * w[1]] for x1, t in zip(first, edge_scores, strict=True)]
    X = np.concatenate([X, np.array(edges)])
    y = y_of(X @ w + b)
    order = rng.permutation(len(X))
    return X[order], y[order], w, b


def _violation_inputs(rng: np.random.Generator) -> list[tuple]:
    """Seven (X, y, w, b) inputs covering the edge cases of the task."""

    def signs(values: np.ndarray) -> np.ndarray:
        return np.where(values >= 0, 1, -1)

    def mostly_right(scores: np.ndarray) -> np.ndarray:
        # The right sign for about 3 samples in 4; the last four are the edge samples below.
        y = signs(scores) * np.where(rng.random(len(scores)) < 0.75, 1, -1)
        y[-4:] = [1, -1, 1, int(rng.choice([-1, 1]))]  # y * score: 1, 1, 1 and 0
        return y

    cases = []
    # Integers, with samples exactly on both edges of the street (y * score = 1: no violation)
    # and one on the boundary (y * score = 0: a violation).
    b = int(rng.integers(-3, 4))
    cases.append(_integer_case(rng, b, [1, -1, 1, 0], mostly_right))
    # Integers, every label +1 and b > 0, one sample exactly on the edge: whoever computes
    # w . x - b instead finds more violations.
    b = int(rng.integers(1, 4))
    cases.append(_integer_case(rng, b, [1], lambda scores: np.ones(len(scores), dtype=int)))
    # Floats; no sample within 1e-6 of the edge, where rounding could decide.
    X = np.round(rng.normal(0, 1.5, size=(int(rng.integers(12, 30)), 3)), 2)
    w, b = np.round(rng.normal(0, 1, size=3), 2), float(np.round(rng.normal(0, 1), 2))
    y = rng.choice([-1, 1], size=len(X))
    keep = np.abs(_margins(X, y, w, b) - 1) > 1e-6
    cases.append((X[keep], y[keep], w, b))
    # Lists of floats.
    X = np.round(rng.uniform(-3, 3, size=(int(rng.integers(5, 12)), 2)), 1)
    w, b = np.round(rng.uniform(-2, 2, size=2), 1), float(np.round(rng.uniform(-1, 1), 1))
    y = rng.choice([-1, 1], size=len(X))
    keep = np.abs(_margins(X, y, w, b) - 1) > 1e-6
    cases.append((X[keep].tolist(), y[keep].tolist(), w.tolist(), b))
    # No violation: every sample well beyond its edge of the street.
    w = np.round(rng.uniform(1, 2, size=2) * rng.choice([-1, 1], size=2), 2)  # |w_i| >= 1
    b = float(np.round(rng.normal(), 2))
    X = np.round(rng.normal(0, 2, size=(200, 2)), 2)
    X = X[np.abs(X @ w + b) > 1.5][: int(rng.integers(4, 10))]  # 200 candidates: enough left
    cases.append((X, signs(X @ w + b), w, b))
    # Every sample on the wrong side of the boundary.
    X = np.round(rng.normal(0, 2, size=(int(rng.integers(4, 10)), 2)), 2)
    w, b = np.round(rng.normal(0, 1, size=2), 2), float(np.round(rng.normal(), 2))
    cases.append((X, -signs(X @ w + b), w, b))
    # A single sample with four features.
    X, w = np.round(rng.normal(0, 1, size=(1, 4)), 2), np.round(rng.normal(0, 1, size=4), 2)
    b = float(np.round(rng.normal(), 2))
    y = rng.choice([-1, 1], size=1)
    if abs(float(_margins(X, y, w, b)[0]) - 1) < 1e-6:
        b += 0.5  # keep it clear of the edge
    cases.append((X, y, w, b))
    return cases


def _violations_or_equal(X, y, w, b):
    return int(np.sum(_margins(X, y, w, b) <= 1))  # counts samples on the edge


def _violations_wrong_side(X, y, w, b):
    return int(np.sum(_margins(X, y, w, b) < 0))  # misses samples inside the street


def _violations_as_float(X, y, w, b):
    return float(np.sum(_margins(X, y, w, b) < 1))  # the right number, not an int


def _violations_minus_b(X, y, w, b):
    return int(np.sum(_margins(X, y, w, -b) < 1))  # w . x - b


_X3 = np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 1.0], [2.0, 2.0, 2.0]])

EXERCISES = [
    Exercise(
        id="04.ex1",
        name="hinge_loss",
        points=2,
        reference=hinge_loss,
        examples=[
            Example(
                (np.array([2.0, 0.5, -1.0]), np.array([1, 1, 1])), "losses 0, 0.5 and 2: their mean"
            ),
            Example((np.array([3.0]), np.array([1])), "beyond the edge of the street: no loss"),
            Example(
                (np.array([1.0, -1.0]), np.array([1, -1])),
                "exactly on the edges of the street: no loss",
            ),
            Example(
                (np.array([0.5, -2.0]), np.array([-1, 1])),
                "both on the wrong side: losses 1.5 and 3",
            ),
            Example(
                (np.array([-0.5, 0.2, 4.0, -3.0]), np.array([-1, -1, 1, -1])),
                "losses 0.5, 1.2, 0 and 0",
            ),
            Example(([0.5, 2.0], [1.0, -1.0]), "with lists: losses 0.5 and 3"),
        ],
        inputs=_hinge_inputs,
        mistakes=[
            Mistake(
                _hinge_sum,
                "That is the sum over the samples: return their mean instead "
                "(divide by the number of samples).",
            ),
            Mistake(
                _hinge_without_max,
                "That is the mean of 1 - y * score: a sample beyond its "
                "edge of the street must cost 0, not a negative amount. Take "
                "np.maximum(0, 1 - y * scores) before the mean.",
            ),
            Mistake(
                _perceptron_loss,
                "That is the mean of max(0, -y * score) (the perceptron's "
                "loss): the hinge is at 1, so use max(0, 1 - y * score).",
            ),
        ],
    ),
    Exercise(
        id="04.ex2",
        name="rbf_kernel",
        points=3,
        reference=rbf_kernel,
        examples=[
            Example(
                (np.array([[0.0, 0.0]]), np.array([[1.0, 0.0], [0.0, 2.0]]), 0.5),
                "squared distances 1 and 4: [[exp(-0.5), exp(-2)]]",
            ),
            Example(
                (_X3, np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]), 0.2),
                "3 rows of X by 2 rows of Y: shape (3, 2)",
            ),
            Example(
                (_X3.tolist(), _X3.tolist(), 1.5),
                "X with itself, as lists: symmetric, with k(x, x) = 1 on the diagonal",
            ),
        ],
        inputs=_kernel_inputs,
        mistakes=[
            Mistake(_kernel_not_squared, "The distance is not squared: use ||x - y||**2."),
            Mistake(_kernel_no_minus, "The sign is missing: exp(-gamma * distance**2)."),
            Mistake(_kernel_divided, "You divided by gamma: multiply by it."),
            Mistake(
                _kernel_transposed,
                "The matrix is transposed: it should have shape (n, m), "
                "one row per row of X and one column per row of Y.",
            ),
        ],
    ),
    Exercise(
        id="04.ex3",
        name="count_margin_violations",
        points=2,
        reference=count_margin_violations,
        examples=[
            Example(
                (
                    np.array([[2, 0], [0.5, 3], [-1, 1], [1, 1]]),
                    np.array([1, 1, -1, -1]),
                    np.array([1, 0]),
                    0,
                ),
                "values y * (w · x + b): 2, 0.5, 1 and -1",
            ),
            Example(
                (np.array([[3, 1], [-2, 0]]), np.array([1, -1]), np.array([1, 0]), 0),
                "values 3 and 2: both beyond the street",
            ),
            Example(
                (np.array([[0, 1], [0, 2]]), np.array([1, 1]), np.array([0, 1]), 0),
                "values 1 (on the edge: not a violation) and 2",
            ),
            Example(
                (np.array([[1.0], [0.0], [-1.0]]), np.array([1, -1, 1]), np.array([2.0]), -0.5),
                "values 1.5, 0.5 and -2.5",
            ),
            Example(
                (
                    np.array([[1, 2], [2, 1], [0, 0]]),
                    np.array([-1, 1, 1]),
                    np.array([0.5, 0.5]),
                    0.5,
                ),
                "values -2, 2 and 0.5",
            ),
            Example(
                (np.array([[1, 1], [2, 0]]), np.array([1, -1]), np.array([1, -1]), 1.5),
                "values 1.5 and -3.5: b is added, w · x + b",
            ),
            Example(([[2, 0], [0.5, 3]], [1, -1], [1, 0], 0.0), "with lists: values 2 and -0.5"),
        ],
        inputs=_violation_inputs,
        mistakes=[
            Mistake(
                _violations_or_equal,
                "You also counted a sample exactly on the edge of "
                "the street (y * (w · x + b) = 1). Only values below 1 are violations.",
            ),
            Mistake(
                _violations_wrong_side,
                "You counted only the samples on the wrong side of "
                "the boundary (below 0); samples inside the street (0 to 1) violate the "
                "margin too.",
            ),
            Mistake(
                _violations_as_float, "Return an int (a count), e.g. int(np.sum(...)), not a float."
            ),
            Mistake(_violations_minus_b),  # w . x - b
        ],
        judge=judges.same_integers,
    ),
]

MOONS_MAJORITY = "always the most common class (two balanced generated moons)"
BENIGN_85 = "always answering 'benign' on the 85 test patients"

EXPECTATIONS = [
    Expect(
        "linear_moons_accuracy", smoke=0.70, default=0.75, baseline=0.50, baseline_is=MOONS_MAJORITY
    ),
    Expect(
        "rbf_moons_accuracy", smoke=0.85, default=0.92, baseline=0.50, baseline_is=MOONS_MAJORITY
    ),
    # The lesson's point: the RBF kernel clearly beats the straight line on curved data.
    Expect(
        "kernel_gain",
        smoke=0.03,
        default=0.05,
        baseline=0.0,
        baseline_is="the linear SVM on the same test points",
    ),
    Expect("real_test_accuracy", smoke=0.93, default=0.95, baseline=0.624, baseline_is=BENIGN_85),
    Expect(
        "real_linear_test_accuracy", smoke=0.93, default=0.95, baseline=0.624, baseline_is=BENIGN_85
    ),
    Expect(
        "real_unscaled_test_accuracy",
        smoke=0.75,
        default=0.75,
        baseline=0.624,
        baseline_is=BENIGN_85,
    ),
    # Standardising the features must help the RBF SVM.
    Expect(
        "scaling_gain",
        smoke=0.03,
        default=0.03,
        baseline=0.0,
        baseline_is="the same RBF SVM on raw features",
    ),
]
