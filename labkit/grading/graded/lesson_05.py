"""Graded checks for lesson 05 (trees, random forests and gradient boosting).

- ``05.ex1``: ``gini_impurity(labels)`` on arrays and lists of integers (not starting at 0,
  with gaps), a list of strings, a pure group, a single label, and k equally frequent classes.
- ``05.ex2``: ``best_split(x, y)`` on unsorted x with repeated values, two and three classes,
  a perfect split, two patients, an exact tie (which the smallest threshold wins) and x
  without two distinct values (no threshold: ``(None, Gini of y)``). The reference computes
  every weighted impurity exactly (fractions): apart from the deliberate tie, each case's best
  threshold beats the others by far more than any rounding, so a learner's floating-point
  sums pick the same one. The tie is a mirror image (the same counts on swapped sides), so
  its two impurities are equal in floating point too, whatever the order of the sums.
- ``05.ex3``: ``shapley_values(values)`` for 1 to 6 players: random payouts with v(∅) ≠ 0,
  a dummy player, two symmetric players, an additive game, as lists and arrays. The reference
  averages over every order of joining, not the subset formula the task gives.

The public checks (``labkit/exercises/lesson_05.py``) use small fixed examples; these draw
other inputs from ``rng``, a generator seeded by the course secret and the student.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np

from labkit.grading.exercise import Case, GradedExercise

__all__ = ["EXERCISES"]


# ---------------------------------------------------------------- 05.ex1: gini_impurity
def _gini(labels: object) -> float:
    """1 - sum of the squared shares of the distinct labels."""
    _, counts = np.unique(np.asarray(labels), return_counts=True)
    return float(1 - np.sum((counts / counts.sum()) ** 2))


def _gini_cases(rng: np.random.Generator) -> list[Case]:
    """Six groups of labels covering the edge cases of the task.

    Parameters
    ----------
    rng : np.random.Generator
        Seeded from the course secret, the student and the exercise.

    Returns
    -------
    list of Case
    """
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
    return [Case(args=(group,), expected=_gini(group)) for group in groups]


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


def _best_split(x: object, y: object) -> tuple[float | None, float]:
    """The lowest weighted Gini of "x <= t"; exact ties go to the smallest threshold."""
    x, y = np.asarray(x, dtype=float), np.asarray(y)
    splits = _exact_split_ginis(x, y)
    if not splits:
        return None, _gini(y)
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


def _split_cases(rng: np.random.Generator) -> list[Case]:
    """Seven (x, y) pairs covering the edge cases of the task.

    Parameters
    ----------
    rng : np.random.Generator
        Seeded from the course secret, the student and the exercise.

    Returns
    -------
    list of Case
    """

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
    return [Case(args=pair, expected=_best_split(*pair)) for pair in pairs]


# ---------------------------------------------------------------- 05.ex3: shapley_values
def _shapley(values: object) -> list[float]:
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


def _shapley_cases(rng: np.random.Generator) -> list[Case]:
    """Six payout tables for 1 to 6 players.

    Parameters
    ----------
    rng : np.random.Generator
        Seeded from the course secret, the student and the exercise.

    Returns
    -------
    list of Case
    """

    def payouts(n: int) -> np.ndarray:
        return np.round(rng.normal(0, 3, size=2**n), 2)

    def members(mask: int, n: int) -> list[int]:
        return [i for i in range(n) if mask >> i & 1]

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
    n = 4
    amounts, start = np.round(rng.uniform(-2, 5, size=n), 2), float(np.round(rng.uniform(5, 9), 2))
    tables.append(
        [round(start + float(sum(amounts[members(m, n)])), 6) for m in range(2**n)]
    )  # fmt: skip
    tables.append(payouts(6))  # six players, as in the lesson
    return [Case(args=(table,), expected=_shapley(table)) for table in tables]


EXERCISES: list[GradedExercise] = [
    GradedExercise(id="05.ex1", name="gini_impurity", points=2, cases=_gini_cases),
    GradedExercise(id="05.ex2", name="best_split", points=3, cases=_split_cases),
    GradedExercise(id="05.ex3", name="shapley_values", points=3, cases=_shapley_cases),
]
