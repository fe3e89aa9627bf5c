"""Lesson 05 (trees, random forests and gradient boosting): exercises and expected results.

- ``05.ex1``: ``gini_impurity(labels)`` = 1 - the sum of the squared shares of the labels.
  Graded on arrays and lists of integers (not starting at 0, with gaps), strings, a pure
  group, a single label and k equally frequent classes.
- ``05.ex2``: ``best_split(x, y)`` → ``(threshold, weighted Gini)`` of the best "x <= t",
  over midpoints of distinct values, ties to the smallest; ``(None, Gini of y)`` when x has
  no two distinct values. Graded on unsorted x with repeats, two and three classes, a
  perfect split, two patients, an exact tie and a constant x. The reference sums the
  impurities exactly (fractions); apart from the deliberate tie, each graded case's best
  threshold beats the others by far more than any rounding, so a learner's floating-point
  sums pick the same one. The tie is a mirror image (the same counts on swapped sides), so
  its two impurities are equal in floating point too.
- ``05.ex3``: ``shapley_values(values)`` with ``values[mask] = v(S)`` → the n Shapley values.
  Graded for 1 to 6 players: random payouts with v(∅) ≠ 0, a dummy player, two symmetric
  players and an additive game. The reference averages over every order of joining, not
  the subset formula the task gives.
- ``05.ex4``: ``permutation_drop(X_train, y_train, X_test, y_test, column, seed)``, an
  experiment: the test accuracy of ``DecisionTreeClassifier(max_depth=3, random_state=0)``
  minus its accuracy once ``X_test[:, column]`` is shuffled with
  ``np.random.default_rng(seed).permutation``. Graded on the deciding column (where every
  usual slip gives another number), the weaker second column as lists, a noise column
  (often a drop of exactly 0), one of two near-identical columns, three classes labelled
  1 to 3, and a small test part of integer measurements.
- ``05.ex5``: ``tree_remedies``, a judgement: the remedy for an overfitting tree, whether
  fewer trees help a forest, the learning rate and early stopping of a boosting model whose
  validation loss climbs, and what permutation importance says about two nearly identical
  columns.
- ``05.ex6``: the quiz.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np

from labkit.exercises.declare import BENIGN, Example, Exercise, Expect, Mistake
from labkit.exercises.questions import Question

__all__ = ["EXERCISES", "EXPECTATIONS"]


# ---------------------------------------------------------------- 05.ex1: gini_impurity
def gini_impurity(labels):
    """1 - sum of the squared shares of the distinct labels."""
    _, counts = np.unique(np.asarray(labels), return_counts=True)
    return float(1 - np.sum((counts / counts.sum()) ** 2))


def _gini_inputs(rng: np.random.Generator) -> list[tuple]:
    """Six groups of labels covering the edge cases of the task."""
    groups: list[object] = []
    k = int(rng.integers(2, 6))
    groups.append(rng.integers(0, k, size=int(rng.integers(5, 30))))  # an array of 0..k-1
    # Integers that do not start at 0 and leave gaps, as a list.
    values = rng.choice([3, 7, 42, 100, 2024], size=int(rng.integers(2, 5)), replace=False)
    groups.append(rng.choice(values, size=int(rng.integers(4, 20))).tolist())
    words = ["benign", "malignant", "unclear", "cat", "dog"]
    groups.append(rng.choice(words, size=int(rng.integers(3, 15))).tolist())  # strings
    groups.append([int(rng.integers(0, 9))] * int(rng.integers(2, 12)))  # pure: 0
    groups.append(rng.integers(0, 5, size=1))  # one label: 0
    k = int(rng.integers(2, 7))
    groups.append(rng.permutation(np.repeat(np.arange(k), int(rng.integers(1, 4)))))  # 1 - 1/k
    return [(group,) for group in groups]


def _counts(labels):
    return np.unique(np.asarray(labels), return_counts=True)[1]


def _sum_of_squares(labels):
    return float(np.sum((_counts(labels) / len(labels)) ** 2))  # forgets "1 -"


def _squared_counts(labels):
    return float(1 - np.sum(_counts(labels) ** 2))  # counts, not shares


def _unsquared_shares(labels):
    return float(1 - np.sum(_counts(labels) / len(labels)))  # always 0


def _bincount_gini(labels):
    counts = np.bincount(np.asarray(labels))  # right for 0, 1, 2, ...; fails on strings
    return float(1 - np.sum((counts / counts.sum()) ** 2))


# ---------------------------------------------------------------- 05.ex2: best_split
def _exact_split_ginis(x: np.ndarray, y: np.ndarray) -> list[tuple[float, Fraction]]:
    """(threshold, exact weighted Gini) for every midpoint between distinct sorted values."""
    values = np.unique(x)
    n, result = len(y), []
    for t in (values[:-1] + values[1:]) / 2:
        total = Fraction(0)
        for side in (y[x <= t], y[x > t]):
            _, counts = np.unique(side, return_counts=True)
            # n_side * Gini(side) = n_side - sum(c^2) / n_side
            total += len(side) - Fraction(int(np.sum(counts**2)), len(side))
        result.append((float(t), total / n))
    return result


def best_split(x, y):
    """The lowest weighted Gini of "x <= t"; exact ties go to the smallest threshold."""
    x, y = np.asarray(x, dtype=float), np.asarray(y)
    splits = _exact_split_ginis(x, y)
    if not splits:
        return None, gini_impurity(y)
    best = min(gini for _, gini in splits)
    return min(t for t, gini in splits if gini == best), float(best)


def _clear_winner(x: np.ndarray, y: np.ndarray) -> bool:
    """True if one threshold beats every other by far more than floating-point rounding."""
    ginis = sorted(gini for _, gini in _exact_split_ginis(np.asarray(x, float), np.asarray(y)))
    return len(ginis) == 1 or ginis[1] - ginis[0] > Fraction(1, 10**6)


def _draw_until_clear(draw) -> tuple[np.ndarray, np.ndarray]:
    """Call ``draw()`` until its (x, y) has a single best threshold (a few tries at most)."""
    while True:
        x, y = draw()
        if len(np.unique(x)) > 1 and _clear_winner(x, y):
            return x, y


def _split_inputs(rng: np.random.Generator) -> list[tuple]:
    """Six (x, y) pairs covering the edge cases of the task."""

    def noisy_two_classes():
        # Rounded measurements whose class depends on them, with label noise: floats, repeats.
        n = int(rng.integers(8, 25))
        x = np.round(rng.normal(0, 2, size=n), 1)
        flip = rng.random(n) < 0.2
        return x, np.where(flip, x < 0, x >= 0).astype(int)

    def three_classes_with_repeats():
        # Small integers, many repeated values; the class grows with x, with noise.
        n = int(rng.integers(10, 25))
        x = rng.integers(0, 8, size=n)
        return x, np.clip(x // 3 + rng.integers(-1, 2, size=n), 0, 2)

    def perfect():
        # Every x below a cut is class a, every x above it class b: weighted Gini 0.
        n = int(rng.integers(4, 15))
        x = np.round(rng.uniform(-5, 5, size=n), 2)
        a, b = rng.choice([0, 1, 2, 3], size=2, replace=False)
        return x, np.where(x <= np.median(x), a, b)

    pairs = [_draw_until_clear(noisy_two_classes)]
    xs, ys = _draw_until_clear(three_classes_with_repeats)
    pairs.append((xs.tolist(), ys.tolist()))  # as lists
    pairs.append(_draw_until_clear(perfect))
    # Two patients with different labels: one threshold, between them.
    x2 = np.round(rng.uniform(0, 10, size=2), 2)
    pairs.append((x2 if x2[0] != x2[1] else x2 + [0, 1], np.array([0, 1])))
    # A mirror-image tie: labels a..a b..b a..a on distinct x, in shuffled order. Cutting
    # off either run of a's scores the same; the smaller threshold must win.
    run, middle = int(rng.integers(1, 4)), int(rng.integers(2, 6))
    x = np.sort(rng.choice(np.arange(1, 60), size=2 * run + middle, replace=False)) / 2
    a, b = rng.choice([0, 1, 5], size=2, replace=False)
    y = np.array([a] * run + [b] * middle + [a] * run)
    order = rng.permutation(len(x))
    pairs.append((x[order], y[order]))
    # No threshold: every x is the same.
    n = int(rng.integers(2, 10))
    pairs.append(([float(rng.integers(0, 10))] * n, rng.integers(0, 3, size=n)))
    return pairs


def _float_splits(x, y, thresholds, weighted=True):
    """(threshold, Gini) of each threshold, summed in floating point as a learner would."""
    x, y = np.asarray(x, dtype=float), np.asarray(y)
    out = []
    for t in thresholds:
        sides = [side for side in (y[x <= t], y[x > t]) if len(side)]
        ginis = [gini_impurity(side) for side in sides]
        score = sum(len(s) * g for s, g in zip(sides, ginis, strict=True)) / len(y)
        out.append((float(t), float(score if weighted else np.mean(ginis))))
    return out


def _midpoints(x):
    values = np.unique(np.asarray(x, dtype=float))
    return (values[:-1] + values[1:]) / 2


def _split_at_values(x, y):
    scored = _float_splits(x, y, np.unique(np.asarray(x, dtype=float))[:-1])
    return min(scored, key=lambda pair: pair[1]) if scored else (None, gini_impurity(y))


def _largest_tie(x, y):
    scored = _float_splits(x, y, _midpoints(x))
    if not scored:
        return None, gini_impurity(y)
    best = min(score for _, score in scored)
    return max(t for t, score in scored if score == best), best  # ties: the largest wins


def _unweighted(x, y):
    scored = _float_splits(x, y, _midpoints(x), weighted=False)
    return min(scored, key=lambda pair: pair[1]) if scored else (None, gini_impurity(y))


def _no_constant_case(x, y):
    scored = _float_splits(x, y, _midpoints(x))
    return min(scored, key=lambda pair: pair[1]) if scored else (0.0, 0.0)


# ---------------------------------------------------------------- 05.ex3: shapley_values
def shapley_values(values):
    """Each player's contribution v(S ∪ {i}) - v(S), averaged over all n! orders of joining."""
    values = np.asarray(values, dtype=float)
    n = len(values).bit_length() - 1
    phi = np.zeros(n)
    for order in itertools.permutations(range(n)):
        mask = 0
        for i in order:
            phi[i] += values[mask | 1 << i] - values[mask]
            mask |= 1 << i
    return (phi / math.factorial(n)).tolist()


def _table(n: int, v) -> list[float]:
    """values[mask] = v(set of the players whose bit is 1 in mask)."""
    return [float(v({i for i in range(n) if mask >> i & 1})) for mask in range(2**n)]


def _shapley_inputs(rng: np.random.Generator) -> list[tuple]:
    """Six payout tables for 1 to 6 players."""

    def payouts(n: int) -> np.ndarray:
        return np.round(rng.normal(0, 3, size=2**n), 2)

    tables: list[object] = [payouts(1).tolist(), payouts(5)]  # a list, then an array
    # A dummy player d: v(S) depends only on the others, so d's value is 0.
    n, d = 3, int(rng.integers(0, 3))
    base = payouts(n)
    tables.append(np.array([base[mask & ~(1 << d)] for mask in range(2**n)]))
    # Two symmetric players s, t (swapping them never changes v): equal values.
    n = 4
    s, t = (int(i) for i in rng.choice(n, size=2, replace=False))
    base = payouts(n)

    def swap(mask: int) -> int:
        bit_s, bit_t = mask >> s & 1, mask >> t & 1
        return (mask & ~(1 << s) & ~(1 << t)) | bit_t << s | bit_s << t

    tables.append([float(min(base[mask], base[swap(mask)])) for mask in range(2**n)])
    # An additive game: each player adds a fixed amount; the values are those amounts.
    amounts, start = np.round(rng.uniform(-2, 5, size=4), 2), float(np.round(rng.uniform(5, 9), 2))
    tables.append(_table(4, lambda S: round(start + float(sum(amounts[sorted(S)])), 6)))
    tables.append(payouts(6))  # six players, as in the lesson
    return [(table,) for table in tables]


def _subset_weights(values, reverse=False, equal=False):
    """The subset formula, as a learner would write it (optionally with a usual slip)."""
    values = np.asarray(values, dtype=float)
    n = len(values).bit_length() - 1
    phi = np.zeros(n)
    for i in range(n):
        others = [m for m in range(2**n) if not m >> i & 1]
        for mask in others:
            size = bin(mask).count("1")
            weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            phi[i] += (1 / len(others) if equal else weight) * (
                values[mask | 1 << i] - values[mask]
            )
    return (phi[::-1] if reverse else phi).tolist()


def _equal_weights(values):
    return _subset_weights(values, equal=True)  # every subset counts the same


def _reversed_bits(values):
    return _subset_weights(values, reverse=True)  # player 0 taken as the highest bit


def _marginal_to_nobody(values):
    values = np.asarray(values, dtype=float)
    n = len(values).bit_length() - 1
    return [float(values[1 << i] - values[0]) for i in range(n)]  # only v({i}) - v({})


# ---------------------------------------------------------------- 05.ex4: permutation_drop
def _tree_accuracies(X_train, y_train, X_test, y_test, column, seed, how="column"):
    """(accuracy on the test part, accuracy with ``column`` shuffled) of a depth-3 tree;
    ``how`` makes the usual slips (training data, whole rows shuffled, the legacy generator)."""
    from sklearn.tree import DecisionTreeClassifier

    X_train, X_test = np.asarray(X_train, dtype=float), np.asarray(X_test, dtype=float)
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X_train, y_train)
    if how == "training":  # scored on the data it was fitted on
        X_test, y_test = X_train, y_train
    shuffled = X_test.copy()
    if how == "rows":
        shuffled = np.random.default_rng(seed).permutation(X_test)  # every column moves
    elif how == "legacy":
        shuffled[:, column] = np.random.RandomState(seed).permutation(X_test[:, column])
    else:
        shuffled[:, column] = np.random.default_rng(seed).permutation(X_test[:, column])
    return float(tree.score(X_test, y_test)), float(tree.score(shuffled, y_test))


def permutation_drop(X_train, y_train, X_test, y_test, column, seed):
    """Test accuracy of a depth-3 tree minus its accuracy once ``column`` is shuffled."""
    before, after = _tree_accuracies(X_train, y_train, X_test, y_test, column, seed)
    return before - after


def _drop_reversed(X_train, y_train, X_test, y_test, column, seed):
    before, after = _tree_accuracies(X_train, y_train, X_test, y_test, column, seed)
    return after - before


def _drop_on_training_data(X_train, y_train, X_test, y_test, column, seed):
    args = (X_train, y_train, X_test, y_test, column, seed)
    before, after = _tree_accuracies(*args, how="training")
    return before - after


def _drop_rows_shuffled(X_train, y_train, X_test, y_test, column, seed):
    before, after = _tree_accuracies(X_train, y_train, X_test, y_test, column, seed, how="rows")
    return before - after


def _drop_legacy_generator(X_train, y_train, X_test, y_test, column, seed):
    args = (X_train, y_train, X_test, y_test, column, seed)
    before, after = _tree_accuracies(*args, how="legacy")
    return before - after


def _drop_after_shuffling_in_place(X_train, y_train, X_test, y_test, column, seed):
    return 0.0  # X_test shuffled in place before the original was scored: both the same


_DROP_SLIPS = (
    _drop_reversed,
    _drop_on_training_data,
    _drop_rows_shuffled,
    _drop_legacy_generator,
    _drop_after_shuffling_in_place,
)


def _patients(rng: np.random.Generator, n: int, d: int, classes: int = 2) -> tuple:
    """``n`` rows of ``d`` measurements rounded to 2 decimals; the class depends on columns
    0 and 1 (column 1 a little less), with some label noise; the others are noise."""
    X = np.round(rng.normal(0, 1, size=(n, d)), 2)
    score = X[:, 0] + 0.6 * X[:, 1] + rng.normal(0, 0.4, size=n)
    edges = np.quantile(score, np.linspace(0, 1, classes + 1)[1:-1])
    return X, np.searchsorted(edges, score)


def _drop_inputs(rng: np.random.Generator) -> list[tuple]:
    """Six (X_train, y_train, X_test, y_test, column, seed) inputs."""

    def split(X, y, n_test):
        order = rng.permutation(len(y))
        test, train = order[:n_test], order[n_test:]
        return X[train], y[train], X[test], y[test]

    def seed() -> int:
        return int(rng.integers(0, 10_000))

    inputs = []
    # The column that decides the class: a clear drop, which every usual slip gets wrong.
    while True:
        d = int(rng.integers(3, 6))
        X, y = _patients(rng, int(rng.integers(120, 200)), d)
        case = (*split(X, y, int(rng.integers(40, 80))), 0, seed())
        right = permutation_drop(*case)
        if right > 0.05 and all(abs(slip(*case) - right) > 1e-9 for slip in _DROP_SLIPS):
            inputs.append(case)
            break
    # The same kind of data as lists, the second column (it matters less).
    X, y = _patients(rng, int(rng.integers(100, 160)), 3)
    X_train, y_train, X_test, y_test = split(X, y, int(rng.integers(40, 60)))
    inputs.append((X_train.tolist(), y_train.tolist(), X_test.tolist(), y_test.tolist(), 1, seed()))
    # A column of noise the tree may never ask about: often a drop of exactly 0.
    X, y = _patients(rng, int(rng.integers(120, 200)), 4)
    inputs.append((*split(X, y, int(rng.integers(40, 80))), int(rng.integers(2, 4)), seed()))
    # Twins: column 2 is column 0 plus a little noise; shuffling one of them costs little.
    X, y = _patients(rng, int(rng.integers(120, 200)), 3)
    X[:, 2] = np.round(X[:, 0] + rng.normal(0, 0.05, size=len(y)), 2)
    inputs.append((*split(X, y, int(rng.integers(40, 80))), int(rng.choice([0, 2])), seed()))
    # Three classes, labels 1, 2 and 3.
    X, y = _patients(rng, int(rng.integers(150, 250)), 4, classes=3)
    inputs.append((*split(X, y + 1, int(rng.integers(50, 90))), 0, seed()))
    # A small test part of integer measurements; the last column.
    X = rng.integers(0, 10, size=(int(rng.integers(60, 100)), 3))
    y = (X[:, 2] + rng.integers(-2, 3, size=len(X)) > 4).astype(int)
    inputs.append((*split(X, y, int(rng.integers(12, 25))), 2, seed()))
    return inputs


# Column 0 decides the class (at 5); the tree never asks about column 1.
_TRAIN_X = np.array([[1.0, 5], [2, 3], [3, 8], [4, 1], [6, 7], [7, 2], [8, 9], [9, 4]])
_TRAIN_Y = np.array([0, 0, 0, 0, 1, 1, 1, 1])
_TEST_X = np.array([[1.5, 2], [2.5, 9], [3.5, 4], [6.5, 6], [7.5, 3], [8.5, 8]])
_TEST_Y = np.array([0, 0, 0, 1, 1, 1])
_TOY = (_TRAIN_X, _TRAIN_Y, _TEST_X, _TEST_Y)


EXERCISES = [
    Exercise(
        id="05.ex1",
        name="gini_impurity",
        points=2,
        reference=gini_impurity,
        examples=[
            Example(([0, 0, 1, 1],), "two classes, half each: 1 - (0.25 + 0.25)"),
            Example(([3, 3, 3],), "a single class: a pure group"),
            Example((["a", "b", "c"],), "three classes, a third each: 1 - 3 × 1/9"),
            Example(
                (np.array([2, 5, 5, 5]),),
                "shares 1/4 and 3/4: 1 - (1/16 + 9/16); labels need not be 0, 1",
            ),
            Example(([1],), "one label: a pure group"),
            Example(([0, 1, 1, 2, 2, 2],), "shares 1/6, 2/6, 3/6"),
        ],
        inputs=_gini_inputs,
        mistakes=[
            Mistake(
                _sum_of_squares,
                "That is the sum of the squared shares: the Gini impurity is 1 minus that sum.",
            ),
            Mistake(
                _squared_counts,
                "You squared the counts. Divide each count by the "
                "number of labels first, to get the shares.",
            ),
            Mistake(
                _unsquared_shares,
                "Did you forget to square the shares (the shares themselves always add up to 1)?",
            ),
            Mistake(_bincount_gini),  # np.bincount: fails on strings and other labels
        ],
    ),
    Exercise(
        id="05.ex2",
        name="best_split",
        points=3,
        reference=best_split,
        examples=[
            Example(([1, 2, 3, 4], [0, 0, 1, 1]), "2.5 separates the classes perfectly"),
            Example(
                ([4, 1, 3, 2], [1, 0, 1, 0]), "the same patients in another order: sort x first"
            ),
            Example(([1, 2, 3, 4], [0, 1, 1, 0]), "1.5 and 3.5 tie at 1/3: the smaller one wins"),
            Example(
                ([1, 2, 2, 4, 5], [0, 0, 0, 1, 1]),
                "midpoints of distinct values only: 1.5, 3.0, 4.5",
            ),
            Example(
                ([1, 2, 3, 4, 5, 6], [0, 0, 1, 1, 2, 2]), "three classes: 2.5 and 4.5 tie at 1/3"
            ),
            Example(
                ([0.5, 0.5, 0.5], [0, 1, 0]), "all x equal: no threshold, so None and the Gini of y"
            ),
        ],
        inputs=_split_inputs,
        mistakes=[
            Mistake(
                _split_at_values,
                "The threshold is a value of x itself: use the midpoint "
                "between neighbouring distinct values.",
            ),
            Mistake(
                _largest_tie,
                "Two thresholds have the same weighted Gini, and ties go to "
                "the smallest threshold.",
            ),
            Mistake(
                _unweighted,
                "That is the plain average of the two sides' impurities: "
                "weight each side by its share of the patients (n_L/n and n_R/n).",
            ),
            Mistake(
                _no_constant_case,
                "When every x is equal there is no threshold: return "
                "None and the Gini impurity of y.",
            ),
        ],
    ),
    Exercise(
        id="05.ex3",
        name="shapley_values",
        points=3,
        reference=shapley_values,
        examples=[
            Example(([0.0, 1.0, 2.0, 5.0],), "the example of the exercise: [2, 3]"),
            Example(([0.5, 2.0],), "one player gets everything: v({0}) - v({}) = 1.5"),
            Example(
                (_table(3, lambda S: 10 + sum([1, 2, 4][i] for i in S)),),
                "each player adds a fixed amount (1, 2, 4) on top of v({}) = 10",
            ),
            Example(
                (_table(3, lambda S: 1.0 if {0, 1} <= S else 0.0),),
                "players 0 and 1 earn 1 together; player 2 never changes anything (0)",
            ),
            Example(
                (_table(3, lambda S: 1.0 if len(S) >= 2 else 0.0),),
                "any two players earn 1: the three are symmetric, a third each",
            ),
            Example(([0.0, 3.0, 1.0, 4.0, 2.0, 6.0, 2.0, 9.0],), "three players, no pattern"),
        ],
        inputs=_shapley_inputs,
        mistakes=[
            Mistake(
                _reversed_bits,
                "The players are in reverse order. Player i is bit i of "
                "the mask (mask >> i & 1): player 0 is the lowest bit.",
            ),
            Mistake(
                _equal_weights,
                "Every subset counted the same. Weight the contribution "
                "to a subset S by |S|! (n - |S| - 1)! / n!.",
            ),
            Mistake(
                _marginal_to_nobody,
                "Shapley values always add up to v(all players) - v(nobody): here they do not.",
            ),
        ],
    ),
    Exercise(
        id="05.ex4",
        name="permutation_drop",
        points=3,
        reference=permutation_drop,
        examples=[
            Example(
                (*_TOY, 0, 0),
                "column 0 shuffled to [6.5, 3.5, 8.5, 7.5, 1.5, 2.5]: accuracy 1.0 before, "
                "1/3 after",
            ),
            Example((*_TOY, 1, 0), "the tree never asks about column 1: no drop"),
            Example(
                (*_TOY, 0, 1),
                "another shuffle, [7.5, 1.5, 3.5, 2.5, 8.5, 6.5]: accuracy 1.0 before, 2/3 after",
            ),
            Example(
                (_TRAIN_X.tolist(), _TRAIN_Y.tolist(), _TEST_X.tolist(), _TEST_Y.tolist(), 0, 4),
                "as lists; this shuffle, [2.5, 3.5, 1.5, 8.5, 7.5, 6.5], keeps every patient on "
                "the same side of 5: no drop",
            ),
        ],
        inputs=_drop_inputs,
        mistakes=[
            Mistake(
                _drop_reversed,
                "That is the accuracy after the shuffle minus before: the drop is the accuracy "
                "before minus after (positive when the column matters).",
            ),
            Mistake(
                _drop_on_training_data,
                "You measured on the training part. Fit on X_train, but score and shuffle on "
                "X_test, the held-out part, as section 7 does.",
            ),
            Mistake(
                _drop_rows_shuffled,
                "You shuffled whole rows, so every column moved away from its label. Shuffle "
                "only X_test[:, column], on a copy of X_test.",
            ),
            Mistake(
                _drop_legacy_generator,
                "Your shuffle is not the task's. Draw it with "
                "np.random.default_rng(seed).permutation(X_test[:, column]) (np.random.seed "
                "and np.random.permutation draw other numbers).",
            ),
            Mistake(
                _drop_after_shuffling_in_place,
                "Your drop is 0: did you shuffle X_test itself before scoring the original? "
                "Shuffle a copy (X_test.copy()) and score both.",
            ),
        ],
    ),
    Exercise(
        id="05.ex5",
        name="tree_remedies",
        points=3,
        kind="questions",
        questions=[
            Question(
                "b",
                choices="abcd",
                hint="Section 3: which knobs stop a tree from memorising, and on which curve do "
                "you set them?",
            ),
            Question(
                "c",
                choices="abcd",
                hint="Section 4: what does adding trees do to a forest's validation accuracy, and "
                "is a gap a verdict?",
            ),
            Question(
                "d",
                choices="abcd",
                hint="Section 5: where is the validation loss lowest, what does the learning rate "
                "change, and what does accuracy hide?",
            ),
            Question(
                "a",
                choices="abcd",
                hint="Section 7, 'The correlated pair': what does the model still have when one "
                "twin is shuffled?",
            ),
        ],
    ),
    Exercise(
        id="05.ex6",
        name="quiz",
        points=4,
        kind="questions",
        questions=[
            Question(
                0.48,
                decimals=2,
                hint="G = 1 − Σ p_k², with p_k the share of each class in the box.",
            ),
            Question(
                3,
                hint="One standard error is the standard deviation divided by √(number of folds); "
                "take the simplest depth within it of the best.",
            ),
            Question(
                "b",
                choices="abcd",
                hint="Section 8: does a threshold question care about the scale of its column?",
            ),
            Question(
                "a",
                choices="abcd",
                hint="Section 4: a bootstrap sample draws as many patients as there are, with "
                "replacement.",
            ),
            Question(
                "c",
                choices="abcd",
                hint="Section 4: what does averaging do to mistakes that differ from tree to tree?",
            ),
            Question(
                "b",
                choices="abcd",
                hint="Section 5's 'Reading the curves': what does accuracy count, and what does "
                "the loss also see?",
            ),
            Question(
                -0.63,
                decimals=2,
                hint="The starting probability p of benign is the training share of benign; a "
                "malignant patient has y = 0.",
            ),
            Question(
                "d",
                choices="abcd",
                hint="Section 7, 'The noise column': how many thresholds can a two-valued column "
                "offer, and on which data is impurity importance counted?",
            ),
            Question(
                0.12,
                decimals=2,
                hint="Efficiency: the Shapley values add up to the prediction minus the "
                "background average.",
            ),
        ],
    ),
]


EXPECTATIONS = [
    Expect("tree_test_accuracy", smoke=0.80, default=0.85, baseline=0.624, baseline_is=BENIGN),
    Expect("forest_test_accuracy", smoke=0.85, default=0.90, baseline=0.624, baseline_is=BENIGN),
    Expect("boosting_test_accuracy", smoke=0.85, default=0.90, baseline=0.624, baseline_is=BENIGN),
    # XGBoost and LightGBM, same rows, same budget as scikit-learn's booster.
    Expect("xgboost_test_accuracy", smoke=0.85, default=0.90, baseline=0.624, baseline_is=BENIGN),
    Expect("lightgbm_test_accuracy", smoke=0.85, default=0.90, baseline=0.624, baseline_is=BENIGN),
    # An unlimited tree memorises: its train accuracy is clearly above its validation one.
    Expect(
        "deep_tree_gap",
        smoke=0.03,
        default=0.03,
        baseline=0.0,
        baseline_is="no memorisation: training accuracy = validation accuracy",
    ),
    Expect(
        "tuned_tree_gap",
        smoke=0.04,
        default=0.04,
        baseline=0.058,
        baseline_is="the gap of an unlimited tree (deep_tree_gap)",
        higher_is_better=False,
    ),
    # Impurity importance rewards a column of pure noise; permutation importance does not.
    Expect(
        "noise_impurity_importance",
        smoke=0.01,
        default=0.01,
        baseline=0.0,
        baseline_is="the importance a column of pure noise deserves",
    ),
    Expect(
        "noise_permutation_importance",
        smoke=0.03,
        default=0.02,
        baseline=0.024,
        baseline_is="the impurity importance of the same noise column",
        higher_is_better=False,
    ),
]
