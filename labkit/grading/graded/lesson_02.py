"""Graded checks for lesson 02 (dividing your data).

- ``02.ex1``: ``contiguous_folds(n, k)`` with n % k == 0, n % k == 1, a larger remainder,
  k = 1 and k = n.
- ``02.ex2``: ``count_leaked_rows(X_train, X_test)`` on lists and arrays of integers and
  floats, with rows repeated in the training set, test rows repeated, rows that differ in
  one column or only in their order, no leak at all, and every test row leaked.
- ``02.ex3``: ``windows_by_hand(series, input_length)`` on lists and arrays, with windows of
  length 1 and of length ``len(series) - 1`` (a single window).

Both of the first two tasks ask for integers (index arrays, a count), and an answer comes
back from the kernel with its numbers as Python ints or floats, so their judge accepts only
ints: 3.0 is not an index. The third accepts any numbers, as its task does.
"""

from __future__ import annotations

import numpy as np

from labkit.grading.exercise import Case, GradedExercise

__all__ = ["EXERCISES"]


def _same_integers(got: object, expected: object) -> bool:
    """True if ``got`` holds exactly the integers of ``expected``, nested in the same lists.

    ``expected`` is an int or a list, tuple or array of them (as the grader made it);
    ``got`` is whatever came back from the kernel. A float, a bool or anything else where
    an int is expected makes it False; it never raises.

    Examples
    --------
    >>> _same_integers([[0, 1], [2]], [np.array([0, 1]), np.array([2])])
    True
    >>> _same_integers([0.0, 1.0], np.array([0, 1])), _same_integers("2", 2)
    (False, False)
    """
    if isinstance(expected, np.ndarray):
        expected = expected.tolist()
    if isinstance(expected, list | tuple):
        return (
            type(got) is list
            and len(got) == len(expected)
            and all(_same_integers(g, e) for g, e in zip(got, expected, strict=True))
        )
    # type() rather than isinstance(): True is an instance of int, but not a count.
    return type(got) is int and got == int(expected)


# ---------------------------------------------------------------- 02.ex1: contiguous_folds
def _folds(n: int, k: int) -> list[np.ndarray]:
    """The k contiguous folds of range(n); the first n % k of them hold one index more."""
    folds, start = [], 0
    for fold in range(k):
        size = n // k + (1 if fold < n % k else 0)
        folds.append(np.arange(start, start + size))
        start += size
    return folds


def _fold_cases(rng: np.random.Generator) -> list[Case]:
    """Six (n, k) pairs: every remainder that matters, one fold, one index per fold.

    Parameters
    ----------
    rng : np.random.Generator
        Seeded from the course secret, the student and the exercise.

    Returns
    -------
    list of Case
    """
    pairs = []
    k = int(rng.integers(2, 8))
    pairs.append((k * int(rng.integers(2, 10)), k))  # n % k == 0: equal folds
    k = int(rng.integers(2, 8))
    pairs.append((k * int(rng.integers(2, 10)) + 1, k))  # n % k == 1: the first fold is larger
    # 2 <= n % k <= k - 2: more than one larger fold, and more than one smaller fold, so
    # neither "the last fold takes the rest" nor "all folds but the last are larger" works.
    k = int(rng.integers(5, 10))
    pairs.append((k * int(rng.integers(2, 10)) + int(rng.integers(2, k - 1)), k))
    n = int(rng.integers(5, 60))
    pairs.append((n, int(rng.integers(2, n // 2 + 1))))  # any k up to n / 2
    pairs.append((int(rng.integers(2, 30)), 1))  # one fold holds everything
    n = int(rng.integers(2, 15))
    pairs.append((n, n))  # one index per fold
    return [Case(args=pair, expected=_folds(*pair)) for pair in pairs]


# ---------------------------------------------------------------- 02.ex2: count_leaked_rows
def _leaked(X_train: object, X_test: object) -> int:
    """How many rows of X_test (repeats counted) also occur, exactly, in X_train."""
    train_rows = {tuple(row) for row in np.asarray(X_train).tolist()}
    return sum(1 for row in np.asarray(X_test).tolist() if tuple(row) in train_rows)


def _with_leaks(rng: np.random.Generator, train: np.ndarray, fresh: np.ndarray) -> np.ndarray:
    """Test rows: ``fresh`` rows, plus copies of some training rows (one of them twice)."""
    copies = train[rng.choice(len(train), size=int(rng.integers(2, 5)), replace=False)]
    test = np.concatenate([fresh, copies, copies[:1]])  # the first copy is in the test set twice
    return test[rng.permutation(len(test))]


def _leak_cases(rng: np.random.Generator) -> list[Case]:
    """Six (X_train, X_test) pairs of lists or arrays covering the edge cases of the task.

    Parameters
    ----------
    rng : np.random.Generator
        Seeded from the course secret, the student and the exercise.

    Returns
    -------
    list of Case
    """
    pairs = []
    # Integers, as arrays; every training row is there twice (a leaked row counts once).
    train = rng.integers(0, 10, size=(int(rng.integers(4, 10)), 3))
    test = _with_leaks(rng, train, rng.integers(10, 20, size=(int(rng.integers(2, 6)), 3)))
    pairs.append((np.concatenate([train, train]), test))
    # Floats, as arrays.
    train = np.round(rng.normal(0, 1, size=(int(rng.integers(5, 12)), 4)), 2)
    test = _with_leaks(rng, train, np.round(rng.normal(5, 1, size=(3, 4)), 2))
    pairs.append((train, test))
    # Lists of lists, with near misses: one column changed, or the columns reversed.
    train = rng.integers(0, 100, size=(6, 2))
    near = np.concatenate([train[:2] + [0, 1], train[2:4, ::-1]])
    near = near[(near[:, 0] != near[:, 1])]  # a reversed row [a, a] would be a real copy
    pairs.append((train.tolist(), _with_leaks(rng, train, near).tolist()))
    # No leak at all: the test rows come from another range of values.
    train = rng.integers(0, 50, size=(int(rng.integers(3, 8)), 2))
    pairs.append((train, rng.integers(50, 99, size=(int(rng.integers(2, 6)), 2))))
    # Every test row leaked; a list against an array.
    train = rng.integers(0, 1000, size=(int(rng.integers(4, 8)), 5))
    pairs.append((train.tolist(), train[rng.integers(0, len(train), size=7)]))
    # One column only.
    train = rng.integers(0, 6, size=(5, 1))
    pairs.append((train, rng.integers(0, 12, size=(int(rng.integers(4, 9)), 1))))
    return [Case(args=pair, expected=_leaked(*pair)) for pair in pairs]


# ---------------------------------------------------------------- 02.ex3: windows_by_hand
def _windows(series: object, input_length: int) -> tuple[np.ndarray, np.ndarray]:
    """X[i] = series[i : i + input_length] and y[i] = series[i + input_length]."""
    values = list(np.asarray(series))
    starts = range(len(values) - input_length)
    X = np.array([values[i : i + input_length] for i in starts])
    y = np.array([values[i + input_length] for i in starts])
    return X, y


def _window_cases(rng: np.random.Generator) -> list[Case]:
    """Five (series, input_length) pairs: lists and arrays, windows of length 1 to n - 1.

    Parameters
    ----------
    rng : np.random.Generator
        Seeded from the course secret, the student and the exercise.

    Returns
    -------
    list of Case
    """

    def series(size: int) -> np.ndarray:
        return np.round(np.cumsum(rng.normal(0, 1, size=size)), 2)  # a random walk

    pairs = []
    values = series(int(rng.integers(6, 25)))
    pairs.append((values, int(rng.integers(2, len(values) - 1))))  # an array of floats
    values = rng.integers(-20, 20, size=int(rng.integers(5, 20)))
    pairs.append((values.tolist(), int(rng.integers(2, len(values) - 1))))  # a list of ints
    values = series(int(rng.integers(4, 15)))
    pairs.append((values.tolist(), 1))  # windows of one value: y is the series shifted
    values = rng.integers(0, 100, size=int(rng.integers(3, 12)))
    pairs.append((values, len(values) - 1))  # a single window
    values = series(int(rng.integers(20, 40)))
    pairs.append((values, int(rng.integers(3, 8))))
    return [Case(args=pair, expected=_windows(*pair)) for pair in pairs]


EXERCISES: list[GradedExercise] = [
    GradedExercise(
        id="02.ex1", name="contiguous_folds", points=3, cases=_fold_cases, judge=_same_integers
    ),
    GradedExercise(
        id="02.ex2", name="count_leaked_rows", points=3, cases=_leak_cases, judge=_same_integers
    ),
    GradedExercise(id="02.ex3", name="windows_by_hand", points=4, cases=_window_cases),
]
