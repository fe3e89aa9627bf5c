"""Public checks for lesson 02 (dividing your data).

Each check calls the learner's function on small inputs whose answer you can work out by
hand, and says which input went wrong and why.
"""

from __future__ import annotations

import numbers

import numpy as np

from labkit.selfcheck import expect, expect_close

__all__ = ["PUBLIC_CHECKS"]

# (n, k) -> the k contiguous folds of range(n); the first n % k folds hold one extra index.
_FOLD_CASES = {
    (10, 3): [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]],
    (6, 2): [[0, 1, 2], [3, 4, 5]],
    (11, 4): [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10]],
    (4, 4): [[0], [1], [2], [3]],
    (5, 1): [[0, 1, 2, 3, 4]],
}

# (X_train, X_test, expected count, what the case tests)
_LEAK_CASES = [
    ([[1, 2], [3, 4]], [[3, 4], [5, 6], [3, 4]], 2, "a test row that appears twice counts twice"),
    ([[1, 2], [1, 2]], [[1, 2]], 1, "a test row counts once, however often X_train holds it"),
    ([[1, 2], [3, 4]], [[5, 6], [7, 8]], 0, "no test row is in X_train"),
    ([[1, 2, 3]], [[1, 2, 4], [3, 2, 1]], 0, "rows must match in every column, in order"),
    (
        np.array([[0.5, 1.5], [2.0, 2.5]]),
        np.array([[2.0, 2.5], [0.5, 1.5], [0.5, 0.0]]),
        2,
        "NumPy arrays of floats",
    ),
]

# (series, input_length, expected X, expected y)
_WINDOW_CASES = [
    ([0, 1, 2, 3, 4], 3, [[0, 1, 2], [1, 2, 3]], [3, 4]),
    (np.array([5.0, 6.0, 7.0, 8.0]), 1, [[5.0], [6.0], [7.0]], [6.0, 7.0, 8.0]),
    ([1, 2, 3], 2, [[1, 2]], [3]),
]


def check_ex1(answer: object) -> None:
    """02.ex1: contiguous_folds(n, k) splits range(n) into k contiguous folds."""
    expect(callable(answer), f"expected a function contiguous_folds(n, k), got {answer!r}.")
    for (n, k), expected in _FOLD_CASES.items():
        folds = answer(n, k)
        call = f"contiguous_folds({n}, {k})"
        expect(
            isinstance(folds, list | tuple) and len(folds) == k,
            f"{call} should return a list of {k} folds, got {folds!r}.",
        )
        arrays = [np.asarray(fold) for fold in folds]
        expect(
            all(a.ndim == 1 and (a.dtype.kind in "iu" or a.size == 0) for a in arrays),
            f"{call}: every fold should be a 1-D array of integer indices, got {folds!r}.",
        )
        got = [a.tolist() for a in arrays]
        expect(
            got == expected,
            f"{call} should return the folds {expected} (sizes differ by at most one, the "
            f"first n % k = {n % k} folds get the extra index), got {got}.",
        )


def check_ex2(answer: object) -> None:
    """02.ex2: count_leaked_rows(X_train, X_test) counts test rows that also occur in train."""
    expect(
        callable(answer),
        f"expected a function count_leaked_rows(X_train, X_test), got {answer!r}.",
    )
    for X_train, X_test, expected, why in _LEAK_CASES:
        count = answer(X_train, X_test)
        call = f"count_leaked_rows({_rows(X_train)}, {_rows(X_test)})"
        expect(
            isinstance(count, numbers.Integral) and not isinstance(count, bool),
            f"{call} should return an int, got {count!r} ({type(count).__name__}).",
        )
        expect(count == expected, f"{call} should return {expected} ({why}), got {count}.")


def check_ex3(answer: object) -> None:
    """02.ex3: windows_by_hand(series, input_length) returns input windows and next values."""
    expect(
        callable(answer),
        f"expected a function windows_by_hand(series, input_length), got {answer!r}.",
    )
    for series, input_length, expected_X, expected_y in _WINDOW_CASES:
        result = answer(series, input_length)
        call = f"windows_by_hand({_rows(series)}, {input_length})"
        expect(
            isinstance(result, tuple | list) and len(result) == 2,
            f"{call} should return a pair (X, y), got {result!r}.",
        )
        X, y = np.asarray(result[0]), np.asarray(result[1])
        n_windows = len(expected_y)
        expect(
            X.shape == (n_windows, input_length),
            f"{call}: X should have shape {(n_windows, input_length)} (one row per window), "
            f"got shape {X.shape}.",
        )
        expect(
            y.shape == (n_windows,),
            f"{call}: y should be 1-D with shape {(n_windows,)} (one next value per window), "
            f"got shape {y.shape}.",
        )
        expect_close(X, expected_X, what=f"{call}, X")
        expect_close(y, expected_y, what=f"{call}, y")


def _rows(values: object) -> str:
    """A short readable form of a small list or array, as a learner would type it."""
    return repr(np.asarray(values).tolist())


PUBLIC_CHECKS = {"02.ex1": check_ex1, "02.ex2": check_ex2, "02.ex3": check_ex3}
