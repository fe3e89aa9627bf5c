"""Graded checks for lesson 04 (support vector machines).

- ``04.ex1``: ``hinge_loss(scores, y)`` on arrays and lists, labels as ints or floats, one
  sample, samples exactly on the edge of the street or beyond it (loss 0), and samples far on
  the wrong side.
- ``04.ex2``: ``rbf_kernel(X, Y, gamma)`` with n != m (a transposed answer fails), one row in
  ``X``, ``X`` equal to ``Y`` (ones on the diagonal), one feature, lists of lists, and a very
  small and a large gamma. The expected matrices come from scikit-learn's ``rbf_kernel``.
- ``04.ex3``: ``count_margin_violations(X, y, w, b)`` with integer inputs that put samples
  exactly on the edge of the street (not violations) and on the boundary (a violation), a
  case where the sign of ``b`` changes the count, floats, lists, no violation at all, every
  sample on the wrong side, and a single sample. The task asks for an int, so the judge
  accepts only ints, as lesson 02's does.

The public checks (``labkit/exercises/lesson_04.py``) use small fixed examples; these draw
other inputs from ``rng``, a generator seeded by the course secret and the student.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics.pairwise import rbf_kernel as sklearn_rbf_kernel

from labkit.grading.exercise import Case, GradedExercise

__all__ = ["EXERCISES"]


# ---------------------------------------------------------------- 04.ex1: hinge_loss
def _hinge(scores: object, y: object) -> float:
    """Mean over the samples of max(0, 1 - y * score)."""
    pairs = zip(np.asarray(scores, dtype=float), np.asarray(y, dtype=float), strict=True)
    losses = [max(0.0, 1.0 - float(label) * float(score)) for score, label in pairs]
    return sum(losses) / len(losses)


def _hinge_cases(rng: np.random.Generator) -> list[Case]:
    """Six (scores, y) pairs covering the edge cases of the task.

    Parameters
    ----------
    rng : np.random.Generator
        Seeded from the course secret, the student and the exercise.

    Returns
    -------
    list of Case
    """

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
    return [Case(args=pair, expected=_hinge(*pair)) for pair in pairs]


# ---------------------------------------------------------------- 04.ex2: rbf_kernel
def _kernel(X: object, Y: object, gamma: float) -> np.ndarray:
    """scikit-learn's RBF Gram matrix: exp(-gamma * ||X[i] - Y[j]||^2), shape (n, m)."""
    return sklearn_rbf_kernel(np.asarray(X, dtype=float), np.asarray(Y, dtype=float), gamma=gamma)


def _kernel_cases(rng: np.random.Generator) -> list[Case]:
    """Six (X, Y, gamma) triples covering the edge cases of the task.

    Parameters
    ----------
    rng : np.random.Generator
        Seeded from the course secret, the student and the exercise.

    Returns
    -------
    list of Case
    """

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
    return [Case(args=triple, expected=_kernel(*triple)) for triple in triples]


# ---------------------------------------------------------------- 04.ex3: count_margin_violations
def _violations(X: object, y: object, w: object, b: float) -> int:
    """How many samples have y * (w . x + b) < 1."""
    count = 0
    for row, label in zip(np.asarray(X, dtype=float), np.asarray(y), strict=True):
        score = float(np.dot(row, np.asarray(w, dtype=float))) + b
        count += int(float(label) * score < 1)
    return count


def _same_int(got: object, expected: object) -> bool:
    """True only for an int equal to ``expected`` (a float, a bool or a string is not a count).

    Examples
    --------
    >>> _same_int(3, 3), _same_int(3.0, 3), _same_int(True, 1)
    (True, False, False)
    """
    return type(got) is int and got == int(expected)  # type: ignore[call-overload]


def _margins(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """y * (w . x + b) for every sample."""
    return y * (X @ w + b)


def _integer_case(
    rng: np.random.Generator, b: int, edge_scores: list[int], y_of: object
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
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


def _violation_cases(rng: np.random.Generator) -> list[Case]:
    """Seven (X, y, w, b) cases covering the edge cases of the task.

    Parameters
    ----------
    rng : np.random.Generator
        Seeded from the course secret, the student and the exercise.

    Returns
    -------
    list of Case
    """

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
    return [Case(args=case, expected=_violations(*case)) for case in cases]


EXERCISES: list[GradedExercise] = [
    GradedExercise(id="04.ex1", name="hinge_loss", points=2, cases=_hinge_cases),
    GradedExercise(id="04.ex2", name="rbf_kernel", points=3, cases=_kernel_cases),
    GradedExercise(
        id="04.ex3",
        name="count_margin_violations",
        points=2,
        cases=_violation_cases,
        judge=_same_int,
    ),
]
