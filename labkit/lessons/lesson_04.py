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
- ``04.ex4``: ``choose_c_and_gamma(X, y, Cs, gammas)``, an experiment: the (C, gamma) of
  ``SVC(kernel="rbf")`` with the highest mean accuracy over unshuffled
  ``StratifiedKFold(5)``, ties to the first with C outer and gamma inner. Graded on noisy
  moons (where the training accuracy prefers another pair), rings as lists, two far-apart
  clusters where several pairs tie at 1.0, labels 3 and 7 sorted by class (where a plain
  KFold picks another pair), three classes and a single C. Every input is redrawn until
  the pairs tied with the best have exactly the same five fold accuracies, so that any way
  of averaging them finds the same ties.
- ``04.ex5``: ``svm_moves``, a judgement: which way to move C and gamma for described
  training and validation scores and boundary pictures (islands, an almost straight
  boundary, one outlier that tilts a linear SVM) and what to do first when the columns have
  very different scales.
- ``04.ex6``: the quiz.
"""

from __future__ import annotations

import numpy as np

from labkit.exercises import judges
from labkit.exercises.declare import Example, Exercise, Expect, Mistake
from labkit.exercises.questions import Question

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


# ---------------------------------------------------------------- 04.ex4: choose_c_and_gamma
def _fold_accuracies(X, y, Cs, gammas, folds: str = "stratified") -> np.ndarray:
    """Accuracy of SVC(kernel="rbf", C=C, gamma=gamma) on each of 5 held-out folds, as an
    array (len(Cs), len(gammas), 5). ``folds``: the exercise's unshuffled StratifiedKFold(5),
    or a usual slip (plain KFold, shuffled folds)."""
    from sklearn.model_selection import KFold
    from sklearn.model_selection import StratifiedKFold as SklearnStratifiedKFold
    from sklearn.svm import SVC

    from labkit.splits import StratifiedKFold

    X, y = np.asarray(X, dtype=float), np.asarray(y)
    splitter = {
        "stratified": SklearnStratifiedKFold(n_splits=5),
        "plain": KFold(n_splits=5),
        "shuffled": StratifiedKFold(n_splits=5, shuffle=True, random_state=0),  # as section 6
    }[folds]
    splits = list(splitter.split(X, y))
    scores = np.zeros((len(Cs), len(gammas), len(splits)))
    for i, C in enumerate(Cs):
        for j, gamma in enumerate(gammas):
            for k, (fit, held) in enumerate(splits):
                model = SVC(kernel="rbf", C=float(C), gamma=float(gamma)).fit(X[fit], y[fit])
                scores[i, j, k] = model.score(X[held], y[held])
    return scores


def _first_best(means: np.ndarray, Cs, gammas, last=False) -> tuple:
    """The (C, gamma) of the highest mean; ties (within 1e-9) to the first in the order
    C outer, gamma inner (or, a usual slip, to the last)."""
    order = [(i, j) for i in range(len(Cs)) for j in range(len(gammas))]
    tied = [(i, j) for i, j in order if means[i, j] >= means.max() - 1e-9]
    i, j = tied[-1] if last else tied[0]
    return float(Cs[i]), float(gammas[j])


def choose_c_and_gamma(X, y, Cs, gammas):
    """The (C, gamma) with the highest mean 5-fold accuracy; ties to the first, C outer."""
    return _first_best(_fold_accuracies(X, y, Cs, gammas).mean(axis=2), Cs, gammas)


def _ties_are_exact(scores: np.ndarray) -> bool:
    """True if every setting within 1e-6 of the best mean has exactly the best setting's fold
    accuracies: then any way of averaging five numbers finds the same ties."""
    means = scores.mean(axis=2)
    best = scores.reshape(-1, scores.shape[2])[int(np.argmax(means))]
    near = scores[means >= means.max() - 1e-6]
    return bool(np.all(near == best))


def _choice_by_training_accuracy(X, y, Cs, gammas):
    from sklearn.svm import SVC

    X, y = np.asarray(X, dtype=float), np.asarray(y)
    means = np.array(
        [[SVC(kernel="rbf", C=C, gamma=g).fit(X, y).score(X, y) for g in gammas] for C in Cs]
    )
    return _first_best(means, Cs, gammas)


def _choice_last_tie(X, y, Cs, gammas):
    return _first_best(_fold_accuracies(X, y, Cs, gammas).mean(axis=2), Cs, gammas, last=True)


def _choice_plain_kfold(X, y, Cs, gammas):
    return _first_best(_fold_accuracies(X, y, Cs, gammas, "plain").mean(axis=2), Cs, gammas)


def _choice_shuffled_folds(X, y, Cs, gammas):
    return _first_best(_fold_accuracies(X, y, Cs, gammas, "shuffled").mean(axis=2), Cs, gammas)


def _choice_swapped(X, y, Cs, gammas):
    C, gamma = choose_c_and_gamma(X, y, Cs, gammas)
    return gamma, C


def _grid_inputs(rng: np.random.Generator) -> list[tuple]:
    """Six (X, y, Cs, gammas) inputs; each is redrawn until its ties are exact (see
    ``_ties_are_exact``) and, where it tests a slip, until that slip picks another pair."""
    from sklearn.datasets import make_blobs, make_circles, make_moons

    def seed() -> int:
        return int(rng.integers(2**31))

    def draw(make, Cs, gammas, slips=()) -> tuple:
        for _ in range(50):
            X, y = make()
            scores = _fold_accuracies(X, y, Cs, gammas)
            if not _ties_are_exact(scores):
                continue
            right = _first_best(scores.mean(axis=2), Cs, gammas)
            if all(slip(X, y, Cs, gammas) != right for slip in slips):
                return X, y, Cs, gammas
        raise RuntimeError("no input clear of ties")  # never seen

    def moons(n, noise):
        X, y = make_moons(n, noise=noise, random_state=seed())
        return np.round(X, 2), y

    def swapped(X, y, Cs, gammas):  # C and gamma differ: a swapped answer shows
        return _choice_swapped(X, y, Cs, gammas)

    inputs = []
    # Noisy moons: the training accuracy prefers the largest C and gamma, CV does not.
    n = int(rng.integers(50, 80))
    inputs.append(
        draw(
            lambda: moons(n, 0.35),
            [0.1, 1.0, 10.0, 100.0],
            [0.1, 1.0, 10.0],
            slips=(_choice_by_training_accuracy, swapped),
        )
    )
    # Rings, as lists.
    n = int(rng.integers(50, 80))

    def rings():
        X, y = make_circles(n, noise=0.1, factor=0.5, random_state=seed())
        return np.round(X, 2).tolist(), y.tolist()

    inputs.append(
        draw(rings, [0.1, 1.0, 10.0], [0.01, 0.1, 1.0, 10.0], slips=(_choice_shuffled_folds,))
    )
    # Two clusters far apart: several settings score 1.0 on every fold, and the first wins.
    n = int(rng.integers(30, 50))

    def clusters():
        X, y = make_blobs(n, centers=[[-2, 0], [2, 0]], cluster_std=0.7, random_state=seed())
        return np.round(X, 2), y

    inputs.append(
        draw(
            clusters,
            [0.01, 1.0, 100.0],
            [0.01, 1.0, 100.0],
            slips=(_choice_last_tie,),
        )
    )
    # Labels 3 and 7, sorted: plain KFold puts one class in most folds; shuffled folds differ.
    n = int(rng.integers(50, 80))

    def sorted_labels():
        X, y = moons(n, 0.3)
        order = np.argsort(y, kind="stable")
        return X[order], np.where(y[order] == 1, 7, 3)

    inputs.append(
        draw(
            sorted_labels,
            [0.3, 3.0, 30.0],
            [0.3, 3.0, 30.0],
            slips=(_choice_plain_kfold,),
        )
    )
    # Three classes.
    n = int(rng.integers(45, 75))

    def three():
        X, y = make_blobs(n, centers=3, cluster_std=2.0, center_box=(-5, 5), random_state=seed())
        return np.round(X, 2), y

    inputs.append(draw(three, [0.1, 1.0, 10.0], [0.05, 0.5, 5.0]))
    # A single C and five gammas.
    gammas = sorted(float(f"{g:.2g}") for g in 10 ** rng.uniform(-2, 2, size=5))
    n = int(rng.integers(50, 80))
    inputs.append(draw(lambda: moons(n, 0.25), [1.0], gammas))
    return inputs


_BAND_X = np.arange(12.0).reshape(-1, 1)  # 12 points on a line: class 1 in the middle
_BAND_Y = np.array([0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0])
_CLUSTERS_X = np.array([0.0, 1, 2, 3, 4, 10, 11, 12, 13, 14]).reshape(-1, 1)  # far apart
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
    Exercise(
        id="04.ex4",
        name="choose_c_and_gamma",
        points=3,
        reference=choose_c_and_gamma,
        examples=[
            Example(
                (_BAND_X, _BAND_Y, [1.0, 100.0], [0.1, 1.0, 10.0]),
                "mean fold accuracies 0.9, 0.7, 0.533 at C = 1 and 0.833, 0.7, 0.533 at C = 100",
            ),
            Example(
                (_CLUSTERS_X, np.repeat([0, 1], 5), [1.0, 100.0], [0.01, 1.0, 100.0]),
                "two clusters far apart: all six pairs score 1.0 on every fold, and the first wins",
            ),
            Example(
                (_BAND_X, _BAND_Y, [1.0, 100.0], [0.01, 1.0, 100.0]),
                "mean fold accuracies 0.533, 0.7, 0.633 at C = 1 and 0.833, 0.7, 0.633 at C = 100",
            ),
            Example(
                (_BAND_X, np.array([0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1]), [1.0, 100.0], [0.01]),
                "mean fold accuracies 0.833 at C = 1 and 0.767 at C = 100",
            ),
        ],
        inputs=_grid_inputs,
        mistakes=[
            Mistake(
                _choice_shuffled_folds,
                "Your folds are shuffled. Use StratifiedKFold(n_splits=5) without shuffling, "
                "so that everyone gets the same folds (section 6 shuffled its folds; this "
                "exercise does not).",
            ),
            Mistake(
                _choice_plain_kfold,
                "Your folds do not keep the share of each class (a plain KFold?). Use "
                "StratifiedKFold(n_splits=5), which cross_val_score(model, X, y, cv=5) also "
                "uses for a classifier.",
            ),
            Mistake(
                _choice_by_training_accuracy,
                "That pair scores best on the very points it was trained on. Score each pair "
                "on held-out folds: train on four folds, score on the fifth, and average the "
                "five accuracies.",
            ),
            Mistake(
                _choice_last_tie,
                "Several pairs tie for the best mean, and the first of them must win (C outer, "
                "gamma inner): replace a kept pair only by a strictly better one (>, not >=).",
            ),
            Mistake(_choice_swapped, "The pair is (C, gamma), in that order: C first."),
        ],
    ),
    Exercise(
        id="04.ex5",
        name="svm_moves",
        points=3,
        kind="questions",
        questions=[
            Question(
                "c",
                choices="abcd",
                hint="Section 5: which knob sets the reach of each support vector's bump, and "
                "what do islands say about it?",
            ),
            Question(
                "b",
                choices="abcd",
                hint="Section 5's underfitting pictures: both scores low, a nearly straight "
                "boundary. Does a small gap mean nothing can improve?",
            ),
            Question(
                "a",
                choices="abcd",
                hint="Section 3's troublemaker: what did C = 1000 do to the street, and what did "
                "C = 1 do?",
            ),
            Question(
                "d",
                choices="abcd",
                hint="Section 7: why scale, and where may the scaler's means and standard "
                "deviations come from (lesson 03)?",
            ),
        ],
    ),
    Exercise(
        id="04.ex6",
        name="quiz",
        points=4,
        kind="questions",
        questions=[
            Question(0.4, decimals=2, hint="The margin is 2 / ‖w‖, with ‖w‖ = √(w₁² + w₂²)."),
            Question(
                1.7,
                decimals=1,
                hint="Each point pays max(0, 1 − y·f); a point at or beyond 1 pays nothing.",
            ),
            Question(
                "c",
                choices="abcd",
                hint="Section 3's three panels: how wide was the street at C = 0.05, and which "
                "points are support vectors?",
            ),
            Question(
                "a",
                choices="abcd",
                hint="Section 4: which training points appear in the sum that makes the score?",
            ),
            Question(
                0.61,
                decimals=2,
                hint="‖x − x′‖² is the sum of the squared differences of the coordinates; then "
                "exp(−γ · that).",
            ),
            Question(
                "b",
                choices="abcd",
                hint="Section 4's middle picture, the points against x₁ and r²: where does each "
                "ring lie?",
            ),
            Question(
                "b",
                choices="abcd",
                hint="Section 6's reading of the map: what do a tiny C and a short reach do to "
                "each vote?",
            ),
            Question(
                "a",
                choices="abcd",
                hint="Section 7's table of ranges: which column's differences run into the "
                "hundreds?",
            ),
            Question(
                "b",
                choices="abcd",
                hint="Sections 6 and 7: compare the linear and the RBF SVM's test accuracies on "
                "each dataset.",
            ),
        ],
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
