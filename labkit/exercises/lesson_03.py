"""Public checks for lesson 03 (tabular data).

Each check calls the learner's function on small inputs whose answer you can work out by
hand, and names the usual mistake when the answer matches it.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from labkit.selfcheck import CheckFailed, expect, expect_close

__all__ = ["PUBLIC_CHECKS"]


def _quietly(function, *args):
    """Call ``function(*args)`` without NumPy's warnings about nan (constant columns)."""
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return function(*args)


def _array(value: object, what: str) -> np.ndarray:
    """``value`` as a float array, or a failed check saying that numbers were expected."""
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise CheckFailed(f"{what}: expected an array of numbers, got {value!r}.") from None


# ---------------------------------------------------------------- 03.ex1: min_max_scale
# (X_train, X_test, low, high, expected train, expected test, what the case tests)
_SCALE_CASES = [
    (
        [[0.0, 10.0], [2.0, 30.0]],
        [[1.0, 40.0], [3.0, 20.0]],
        None,
        None,
        [[0.0, 0.0], [1.0, 1.0]],
        [[0.5, 1.5], [1.5, 0.5]],
        "default range [0, 1]; 40 is above the training maximum 30, so it lands above 1",
    ),
    (
        [[1.0], [3.0], [5.0]],
        [[4.0], [7.0], [0.0]],
        -1.0,
        1.0,
        [[-1.0], [0.0], [1.0]],
        [[0.5], [2.0], [-1.5]],
        "range [-1, 1]; test values outside the training range are not clipped",
    ),
    (
        [[0.0, -1.0], [10.0, 1.0]],
        [[5.0, 0.0]],
        2.0,
        4.0,
        [[2.0, 2.0], [4.0, 4.0]],
        [[3.0, 3.0]],
        "range [2, 4]: low + (x - min) * (high - low) / (max - min)",
    ),
    (
        [[5.0, 1.0], [5.0, 3.0]],
        [[6.0, 2.0]],
        0.0,
        1.0,
        [[0.0, 0.0], [0.0, 1.0]],
        [[1.0, 0.5]],
        "the first column is constant in X_train, so it is divided by 1 instead of 0",
    ),
]


def check_ex1(min_max_scale: object) -> None:
    """03.ex1: ``min_max_scale(X_train, X_test, low, high)`` with training statistics only."""
    expect(
        callable(min_max_scale),
        "expected a function min_max_scale(X_train, X_test, low=0.0, high=1.0).",
    )
    for X_train, X_test, low, high, want_train, want_test, why in _SCALE_CASES:
        train, test = np.array(X_train), np.array(X_test)
        if low is None:  # the defaults
            call = f"min_max_scale({X_train}, {X_test})"
            result = _quietly(min_max_scale, train, test)
        else:
            call = f"min_max_scale({X_train}, {X_test}, low={low:g}, high={high:g})"
            result = _quietly(min_max_scale, train, test, low, high)
        expect(
            isinstance(result, tuple | list) and len(result) == 2,
            f"{call} should return a pair (X_train_scaled, X_test_scaled); got {result!r}.",
        )
        got_train = _array(result[0], f"{call}: X_train_scaled")
        got_test = _array(result[1], f"{call}: X_test_scaled")
        expect(
            np.array_equal(train, X_train) and np.array_equal(test, X_test),
            f"{call} changed its inputs in place: compute new arrays instead.",
        )
        if got_test.shape == np.shape(want_test) and len(X_test) > 1:
            own = np.array(X_test)
            span = np.where(own.max(0) > own.min(0), own.max(0) - own.min(0), 1.0)
            own = (own - own.min(0)) / span
            if np.allclose(got_test, own) and not np.allclose(own, want_test):
                raise CheckFailed(
                    f"{call}: X_test was scaled with its own minimum and maximum. Use those of "
                    "X_train for both parts: the test part must not influence the scaling."
                )
        if not np.all(np.isfinite(got_train)) or not np.all(np.isfinite(got_test)):
            raise CheckFailed(
                f"{call} returned nan or inf ({_short(got_train)}, {_short(got_test)}). Here {why}."
            )
        bottom, top = (0.0, 1.0) if low is None else (low, high)
        clipped = np.clip(want_test, bottom, top)
        if (
            got_test.shape == clipped.shape
            and np.allclose(got_test, clipped)
            and not np.allclose(clipped, want_test)
        ):
            raise CheckFailed(
                f"{call}: your test values were clipped to [{bottom:g}, {top:g}]. Keep them as "
                f"the formula gives them ({_short(np.array(want_test))}): new data may lie "
                "outside the training range."
            )
        if (bottom, top) != (0.0, 1.0):
            unit = (np.array(want_train) - bottom) / (top - bottom)
            if got_train.shape == unit.shape and np.allclose(got_train, unit):
                raise CheckFailed(f"{call} scaled to [0, 1]: use low and high ({why}).")
        expect_close(got_train, want_train, what=f"{call}: X_train_scaled ({why})")
        expect_close(got_test, want_test, what=f"{call}: X_test_scaled ({why})")


def _short(value: np.ndarray) -> str:
    return np.array2string(np.asarray(value), precision=4, threshold=8)


# ---------------------------------------------------------------- 03.ex2: collinear_pairs
# (columns, threshold, expected pairs, what the case tests); X is the columns side by side.
_PAIR_CASES = [
    (
        [[1, 2, 3, 4], [2, 4, 6, 9], [4, 3, 2, 1], [1, 0, 0, 1]],
        0.9,
        [(0, 1), (0, 2), (1, 2)],
        "column 2 falls as column 0 rises (r = -1): a negative correlation counts too",
    ),
    (
        [[1, 2, 3], [5, 5, 5], [2, 4, 7]],
        0.5,
        [(0, 2)],
        "column 1 is constant: it has no correlation with anything and is never in a pair",
    ),
    (
        [[1, 2, 3, 4, 5], [2, 1, 4, 3, 5], [5, 3, 1, 2, 4]],
        0.95,
        [],
        "no pair is above 0.95: the answer is an empty list",
    ),
    (
        [[1, 5, 2, 8, 3], [0, 1, 0, 1, 1], [3, 1, 2, 4, 5], [2, 10, 4, 16, 6]],
        0.9,
        [(0, 3)],
        "column 3 is twice column 0",
    ),
]


def _pairs(value: object, call: str) -> list[tuple[int, int]]:
    """The learner's answer as a list of (int, int), or a failed check explaining the format."""
    expect(isinstance(value, list), f"{call} should return a list of pairs; got {value!r}.")
    pairs = []
    for pair in value:
        ok = isinstance(pair, tuple | list) and len(pair) == 2
        ok = ok and all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in pair)
        expect(ok, f"{call}: every pair should be a tuple of two ints (i, j); got {pair!r}.")
        pairs.append((int(pair[0]), int(pair[1])))
    return pairs


def check_ex2(collinear_pairs: object) -> None:
    """03.ex2: ``collinear_pairs(X, threshold)`` lists (i, j), i < j, with |r| > threshold."""
    expect(callable(collinear_pairs), "expected a function collinear_pairs(X, threshold).")
    for columns, threshold, expected, why in _PAIR_CASES:
        X = np.array(columns, dtype=float).T
        call = f"collinear_pairs(X with columns {columns}, {threshold})"
        got = _pairs(_quietly(collinear_pairs, X, threshold), call)
        if any(i == j for i, j in got):
            raise CheckFailed(
                f"{call} returned {got}: a column paired with itself (the diagonal of the "
                "correlation matrix, r = 1) is not a pair."
            )
        if any(i > j for i, j in got):
            raise CheckFailed(f"{call} returned {got}: list each pair once, as (i, j) with i < j.")
        if sorted(got) == expected and got != expected:
            raise CheckFailed(f"{call} returned {got}: sort the pairs by i, then by j.")
        if set(got) < set(expected):
            missing = sorted(set(expected) - set(got))
            raise CheckFailed(f"{call} missed {missing} ({why}). Compare |r|, not r.")
        expect(got == expected, f"{call}: expected {expected} ({why}), got {got}.")


# ---------------------------------------------------------------- 03.ex3: quadratic_features
def check_ex3(quadratic_features: object) -> None:
    """03.ex3: ``quadratic_features(X)``: the columns, then x_i * x_j for i <= j."""
    expect(callable(quadratic_features), "expected a function quadratic_features(X).")
    call = "quadratic_features([[2, 3]])"
    got = _array(quadratic_features(np.array([[2.0, 3.0]])), call)
    if got.shape == (1, 3) and np.allclose(got, [[4, 6, 9]]):
        raise CheckFailed(f"{call} returned {_short(got)}: start with the original columns, "
                          "then add the products.")  # fmt: skip
    if got.shape == (1, 3) and np.allclose(got, [[2, 3, 6]]):
        raise CheckFailed(f"{call} returned {_short(got)}: the squares are missing. Pair every "
                          "column with itself too (i <= j, not i < j).")  # fmt: skip
    expect_close(got, [[2, 3, 4, 6, 9]], what=f"{call} (columns a, b, a², ab, b²)")

    call = "quadratic_features([[1, 2, 3], [0, 1, -1]])"
    X = np.array([[1.0, 2.0, 3.0], [0.0, 1.0, -1.0]])
    got = _array(quadratic_features(X), call)
    expected = [[1, 2, 3, 1, 2, 3, 4, 6, 9], [0, 1, -1, 0, 0, 0, 1, -1, 1]]
    swapped = [[1, 2, 3, 1, 2, 4, 3, 6, 9], [0, 1, -1, 0, 0, 1, 0, -1, 1]]
    if got.shape == (2, 9) and np.allclose(got, swapped):
        raise CheckFailed(f"{call}: the products are in the wrong order. After a, b, c come "
                          "a², ab, ac (i = 0), then b², bc (i = 1), then c² (i = 2).")  # fmt: skip
    expect_close(got, expected, what=f"{call} (columns a, b, c, a², ab, ac, b², bc, c²)")
    expect(np.array_equal(X, [[1, 2, 3], [0, 1, -1]]), f"{call} changed X in place.")

    call = "quadratic_features([[3], [-2]])"
    got = _array(quadratic_features(np.array([[3.0], [-2.0]])), call)
    expect_close(got, [[3, 9], [-2, 4]], what=f"{call} (one column: x and x²)")


PUBLIC_CHECKS = {"03.ex1": check_ex1, "03.ex2": check_ex2, "03.ex3": check_ex3}
