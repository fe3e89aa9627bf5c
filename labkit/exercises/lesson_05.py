"""Public checks for lesson 05 (trees, random forests and gradient boosting).

Every input here is small enough to work out on paper; the messages say which usual mistake
a wrong answer points to.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from labkit.selfcheck import CheckFailed, expect, expect_close

__all__ = ["PUBLIC_CHECKS"]


def _number(value: object, what: str) -> float:
    """``value`` as a float, or a failed check saying that one number was expected."""
    expect(np.ndim(value) == 0, f"{what}: expected one number, got {value!r}.")
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise CheckFailed(f"{what}: expected a number, got {value!r}.") from None


def _shares(labels: Sequence[object]) -> np.ndarray:
    """The share of each distinct label in ``labels``."""
    _, counts = np.unique(np.asarray(labels), return_counts=True)
    return counts / counts.sum()


# ---------------------------------------------------------------- 05.ex1: gini_impurity
def check_ex1(gini_impurity: object) -> None:
    """05.ex1: ``gini_impurity(labels)`` = 1 - sum of the squared shares of the labels."""
    expect(callable(gini_impurity), "expected a function gini_impurity(labels).")
    cases = [
        # (labels, how to see the answer)
        ([0, 0, 1, 1], "two classes, half each: 1 - (0.25 + 0.25)"),
        ([3, 3, 3], "a single class: a pure group"),
        (["a", "b", "c"], "three classes, a third each: 1 - 3 × 1/9"),
        (np.array([2, 5, 5, 5]), "shares 1/4 and 3/4: 1 - (1/16 + 9/16); labels need not be 0, 1"),
        ([1], "one label: a pure group"),
        ([0, 1, 1, 2, 2, 2], "shares 1/6, 2/6, 3/6"),
    ]
    for labels, why in cases:
        call = f"gini_impurity({labels!r})"
        got = _number(gini_impurity(labels), call)
        shares = _shares(labels)
        expected = 1 - float(np.sum(shares**2))
        if math.isclose(got, expected, abs_tol=1e-9):
            continue
        if math.isclose(got, 1 - expected, abs_tol=1e-9):
            raise CheckFailed(
                f"{call} returned {got:.6g}, the sum of the squared shares: the Gini "
                "impurity is 1 minus that sum."
            )
        counts = shares * len(labels)
        if math.isclose(got, 1 - float(np.sum(counts**2)), abs_tol=1e-9):
            raise CheckFailed(
                f"{call} returned {got:.6g}: you squared the counts. Divide each count by "
                "the number of labels first, to get the shares."
            )
        if math.isclose(got, 0.0, abs_tol=1e-9):
            raise CheckFailed(
                f"{call} returned 0, but the group is mixed. Did you forget to square the "
                "shares (the shares themselves always add up to 1)?"
            )
        expect_close(got, expected, what=f"{call} ({why})")


# ---------------------------------------------------------------- 05.ex2: best_split
def _split_gini(x: np.ndarray, y: np.ndarray, t: float) -> float:
    """Weighted Gini impurity of the split ``x <= t`` / ``x > t``."""
    total = 0.0
    for side in (x <= t, x > t):
        if side.any():
            total += side.sum() * (1 - float(np.sum(_shares(y[side]) ** 2)))
    return total / len(y)


def _best_split(x: Sequence[float], y: Sequence[int]) -> tuple[float | None, float]:
    """Reference: the lowest weighted Gini over midpoints; ties go to the smallest threshold."""
    x, y = np.asarray(x, dtype=float), np.asarray(y)
    values = np.unique(x)
    best: tuple[float | None, float] = (None, 1 - float(np.sum(_shares(y) ** 2)))
    for t in (values[:-1] + values[1:]) / 2:
        score = _split_gini(x, y, float(t))
        if best[0] is None or score < best[1] - 1e-12:
            best = (float(t), score)
    return best


def check_ex2(best_split: object) -> None:
    """05.ex2: ``best_split(x, y)`` → ``(threshold, weighted_gini)`` of the best "x <= t"."""
    expect(callable(best_split), "expected a function best_split(x, y).")
    cases = [
        # (x, y, how to see the answer)
        ([1, 2, 3, 4], [0, 0, 1, 1], "2.5 separates the classes perfectly"),
        ([4, 1, 3, 2], [1, 0, 1, 0], "the same patients in another order: sort x first"),
        ([1, 2, 3, 4], [0, 1, 1, 0], "1.5 and 3.5 tie at 1/3: the smaller one wins"),
        ([1, 2, 2, 4, 5], [0, 0, 0, 1, 1], "midpoints of distinct values only: 1.5, 3.0, 4.5"),
        ([1, 2, 3, 4, 5, 6], [0, 0, 1, 1, 2, 2], "three classes: 2.5 and 4.5 tie at 1/3"),
        ([0.5, 0.5, 0.5], [0, 1, 0], "all x equal: no threshold, so None and the Gini of y"),
    ]
    for x, y, why in cases:
        call = f"best_split({x}, {y})"
        got = best_split(list(x), list(y))
        expect(
            isinstance(got, tuple | list) and len(got) == 2,
            f"{call} should return a pair (threshold, weighted_gini); got {got!r}.",
        )
        threshold, expected_gini = _best_split(x, y)
        if threshold is None:
            expect(got[0] is None, f"{call}: all values of x are equal, so the threshold must "
                                   f"be None; got {got[0]!r}.")  # fmt: skip
            expect_close(_number(got[1], call), expected_gini, what=f"{call}: the Gini of y")
            continue
        expect(got[0] is not None, f"{call} returned no threshold, but x has distinct values.")
        got_t, got_gini = _number(got[0], f"{call}: threshold"), _number(got[1], call)
        if got_t in set(np.asarray(x, dtype=float).tolist()) and not math.isclose(got_t, threshold):
            raise CheckFailed(
                f"{call} returned the threshold {got_t:g}, a value of x itself: use the "
                f"midpoint between neighbouring distinct values ({why})."
            )
        x_arr, y_arr = np.asarray(x, dtype=float), np.asarray(y)
        if math.isclose(got_gini, expected_gini, abs_tol=1e-9) and got_t > threshold:
            raise CheckFailed(
                f"{call} returned the threshold {got_t:g}; {threshold:g} has the same "
                f"weighted Gini ({expected_gini:.4g}), and ties go to the smallest threshold."
            )
        sides = [y_arr[x_arr <= threshold], y_arr[x_arr > threshold]]
        unweighted = np.mean([1 - float(np.sum(_shares(s) ** 2)) for s in sides])
        if not math.isclose(unweighted, expected_gini) and math.isclose(got_gini, unweighted):
            raise CheckFailed(
                f"{call} returned {got_gini:.6g}, the plain average of the two sides' "
                "impurities: weight each side by its share of the patients (n_L/n and n_R/n)."
            )
        expect_close(got_t, threshold, what=f"{call}: threshold ({why})")
        expect_close(got_gini, expected_gini, what=f"{call}: weighted Gini ({why})")


# ---------------------------------------------------------------- 05.ex3: shapley_values
def _shapley(values: Sequence[float]) -> np.ndarray:
    """Reference: average each player's contribution over every order of joining."""
    values = np.asarray(values, dtype=float)
    n = len(values).bit_length() - 1
    phi = np.zeros(n)
    for order in itertools.permutations(range(n)):
        mask = 0
        for i in order:
            phi[i] += values[mask | 1 << i] - values[mask]
            mask |= 1 << i
    return phi / math.factorial(n)


def _equal_weights(values: Sequence[float]) -> np.ndarray:
    """The usual mistake: every subset S without i counts the same."""
    values = np.asarray(values, dtype=float)
    n = len(values).bit_length() - 1
    return np.array([
        np.mean([values[m | 1 << i] - values[m] for m in range(len(values)) if not m >> i & 1])
        for i in range(n)
    ])  # fmt: skip


def _table(n: int, v) -> list[float]:
    """values[mask] = v(set of the players whose bit is 1 in mask)."""
    return [float(v({i for i in range(n) if mask >> i & 1})) for mask in range(2**n)]


def check_ex3(shapley_values: object) -> None:
    """05.ex3: ``shapley_values(values)`` with ``values[mask] = v(S)`` → the n Shapley values."""
    expect(callable(shapley_values), "expected a function shapley_values(values).")
    cases = [
        # (values, how to see the answer)
        ([0.0, 1.0, 2.0, 5.0], "the example of the exercise: [2, 3]"),
        ([0.5, 2.0], "one player gets everything: v({0}) - v({}) = 1.5"),
        (_table(3, lambda S: 10 + sum([1, 2, 4][i] for i in S)),
         "each player adds a fixed amount (1, 2, 4) on top of v({}) = 10"),
        (_table(3, lambda S: 1.0 if {0, 1} <= S else 0.0),
         "players 0 and 1 earn 1 together; player 2 never changes anything (a dummy: 0)"),
        (_table(3, lambda S: 1.0 if len(S) >= 2 else 0.0),
         "any two players earn 1: the three are symmetric, a third each"),
        ([0.0, 3.0, 1.0, 4.0, 2.0, 6.0, 2.0, 9.0], "three players, no pattern"),
    ]  # fmt: skip
    for values, why in cases:
        n = len(values).bit_length() - 1
        call = f"shapley_values({values})"
        got = shapley_values(list(values))
        expect(
            np.ndim(got) == 1 and len(got) == n,
            f"{call} should return {n} value(s), one per player; got {got!r}.",
        )
        got = np.asarray(got, dtype=float)
        expected = _shapley(values)
        if np.allclose(got, expected[::-1]) and not np.allclose(got, expected):
            raise CheckFailed(
                f"{call} returned {got.tolist()}: the players are in reverse order. Player i "
                "is bit i of the mask (mask >> i & 1): player 0 is the lowest bit."
            )
        if np.allclose(got, _equal_weights(values)) and not np.allclose(got, expected):
            raise CheckFailed(
                f"{call} returned {got.tolist()}: every subset counted the same. Weight the "
                "contribution to a subset S by |S|! (n - |S| - 1)! / n!."
            )
        total = values[-1] - values[0]
        if not math.isclose(got.sum(), total, abs_tol=1e-9):
            raise CheckFailed(
                f"{call} returned values that add up to {got.sum():.6g}; Shapley values "
                f"always add up to v(all players) - v(nobody) = {total:.6g}."
            )
        expect_close(got, expected, what=f"{call} ({why})")


PUBLIC_CHECKS = {"05.ex1": check_ex1, "05.ex2": check_ex2, "05.ex3": check_ex3}
