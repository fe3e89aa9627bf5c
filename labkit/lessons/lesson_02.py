"""Lesson 02 (dividing your data): exercises and expected results.

- ``02.ex1``: ``contiguous_folds(n, k)`` with n % k == 0, n % k == 1, a larger remainder,
  k = 1 and k = n.
- ``02.ex2``: ``count_leaked_rows(X_train, X_test)`` on lists and arrays of integers and
  floats, with rows repeated in the training set, test rows repeated, rows that differ in
  one column or only in their order, no leak at all, and every test row leaked.
- ``02.ex3``: ``windows_by_hand(series, input_length)`` on lists and arrays, with windows of
  length 1 and of length ``len(series) - 1`` (a single window).
- ``02.ex4``: ``leaky_and_honest_cv(X, y, k)``, an experiment: the 5-fold accuracy of a
  logistic regression on k columns chosen with every row's label, and with the choice
  inside a Pipeline. Graded on pure noise with random labels (balanced and not, many more
  columns than rows), on a real signal that any selection finds, and with k equal to the
  number of columns (nothing to choose, nothing leaks). The columns are small integers, so
  a case stays a few thousand characters on its way to the kernel.
- ``02.ex5``: ``split_choices``, a judgement: the splitter for three described datasets
  (several images per patient, a rare class, a daily series) and the cause of a drop
  in accuracy after release (drift).
- ``02.ex6``: the quiz.

The first two tasks ask for integers (index arrays, a count), so their judge accepts only
ints: 3.0 is not an index. The third and fourth accept any numbers, as their tasks do.
"""

from __future__ import annotations

import numpy as np
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline

from labkit.exercises import judges
from labkit.exercises.declare import CHANCE_10, INT_HINT, Example, Exercise, Expect, Mistake
from labkit.exercises.questions import Question

__all__ = ["EXERCISES", "EXPECTATIONS"]


# ---------------------------------------------------------------- 02.ex1: contiguous_folds
def contiguous_folds(n, k):
    """The k contiguous folds of range(n); the first n % k of them hold one index more."""
    folds, start = [], 0
    for fold in range(k):
        size = n // k + (1 if fold < n % k else 0)
        folds.append(np.arange(start, start + size))
        start += size
    return folds


def _fold_inputs(rng: np.random.Generator) -> list[tuple]:
    """Six (n, k) pairs: every remainder that matters, one fold, one index per fold."""
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
    return pairs


def _last_takes_the_rest(n, k):
    sizes = [n // k] * (k - 1) + [n - (k - 1) * (n // k)]
    ends = np.cumsum(sizes)
    return [np.arange(end - size, end) for size, end in zip(sizes, ends, strict=True)]


# ---------------------------------------------------------------- 02.ex2: count_leaked_rows
def count_leaked_rows(X_train, X_test):
    """How many rows of X_test (repeats counted) also occur, exactly, in X_train."""
    train_rows = {tuple(row) for row in np.asarray(X_train).tolist()}
    return sum(1 for row in np.asarray(X_test).tolist() if tuple(row) in train_rows)


def _with_leaks(rng: np.random.Generator, train: np.ndarray, fresh: np.ndarray) -> np.ndarray:
    """Test rows: ``fresh`` rows, plus copies of some training rows (one of them twice)."""
    copies = train[rng.choice(len(train), size=int(rng.integers(2, 5)), replace=False)]
    test = np.concatenate([fresh, copies, copies[:1]])  # the first copy is in the test set twice
    return test[rng.permutation(len(test))]


def _leak_inputs(rng: np.random.Generator) -> list[tuple]:
    """Six (X_train, X_test) pairs of lists or arrays covering the edge cases of the task."""
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
    return pairs


def _float_folds(n, k):
    return [fold.astype(float) for fold in contiguous_folds(n, k)]


def _float_count(X_train, X_test):
    return float(count_leaked_rows(X_train, X_test))


def _distinct_only(X_train, X_test):
    train = {tuple(row) for row in np.asarray(X_train).tolist()}
    return len(train & {tuple(row) for row in np.asarray(X_test).tolist()})


# ---------------------------------------------------------------- 02.ex3: windows_by_hand
def windows_by_hand(series, input_length):
    """X[i] = series[i : i + input_length] and y[i] = series[i + input_length]."""
    values = list(np.asarray(series))
    starts = range(len(values) - input_length)
    X = np.array([values[i : i + input_length] for i in starts])
    y = np.array([values[i + input_length] for i in starts])
    return X, y


def _window_inputs(rng: np.random.Generator) -> list[tuple]:
    """Five (series, input_length) pairs: lists and arrays, windows of length 1 to n - 1."""

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
    return pairs


def _last_input_as_target(series, input_length):
    X, _ = windows_by_hand(series, input_length)
    return X, X[:, -1]  # the last input, not the next value


def _one_window_short(series, input_length):
    X, y = windows_by_hand(series, input_length)
    return X[:-1], y[:-1]  # range(len(series) - input_length - 1)


def _y_as_column(series, input_length):
    X, y = windows_by_hand(series, input_length)
    return X, y[:, None]


# ---------------------------------------------------------------- 02.ex4: leaky_and_honest_cv
def _selection_cv(X, y, k, folds):
    """(leaky, honest): mean accuracies over ``folds`` of a logistic regression on k columns
    chosen with all rows' labels, and with the choice refitted inside each training fold."""
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    chosen = SelectKBest(f_classif, k=k).fit_transform(X, y)  # saw every row's label
    leaky = cross_val_score(LogisticRegression(max_iter=1000), chosen, y, cv=folds)
    pipeline = make_pipeline(SelectKBest(f_classif, k=k), LogisticRegression(max_iter=1000))
    honest = cross_val_score(pipeline, X, y, cv=folds)
    return leaky, honest


def leaky_and_honest_cv(X, y, k):
    """Mean 5-fold accuracy with the columns chosen on all rows, then inside a Pipeline."""
    leaky, honest = _selection_cv(X, y, k, StratifiedKFold(n_splits=5))
    return float(leaky.mean()), float(honest.mean())


def _selection_inputs(rng: np.random.Generator) -> list[tuple]:
    """Five (X, y, k) inputs: noise with balanced and unbalanced random labels, a real
    signal, and k = every column. Integers 0 to 9 keep each case small on the wire."""

    def noise(p: int, counts: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        y = rng.permutation(np.repeat([0, 1], counts))
        return rng.integers(0, 10, size=(len(y), p)), y

    inputs = []
    # Pure noise and random labels, many more columns than rows.
    inputs.append((*noise(int(rng.integers(120, 160)), (15, 15)), int(rng.integers(5, 16))))
    inputs.append((*noise(int(rng.integers(150, 220)), (10, 10)), int(rng.integers(5, 16))))
    # Unbalanced random labels: the folds keep their mix.
    minority = int(rng.integers(10, 14))
    X, y = noise(int(rng.integers(100, 150)), (minority, 30 - minority))
    inputs.append((X, y, int(rng.integers(3, 10))))
    # A real signal: three columns move with the label, and every selection finds them.
    X, y = noise(int(rng.integers(40, 80)), (20, 20))
    X[:, rng.choice(X.shape[1], size=3, replace=False)] += 6 * y[:, None]
    inputs.append((X, y, 3))
    # k = every column: nothing is chosen, so nothing leaks.
    X, y = noise(int(rng.integers(4, 9)), (10, 10))
    inputs.append((X, y, X.shape[1]))
    return inputs


def _honest_first(X, y, k):
    leaky, honest = leaky_and_honest_cv(X, y, k)
    return honest, leaky


def _shuffled_folds(X, y, k):
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    return tuple(float(scores.mean()) for scores in _selection_cv(X, y, k, folds))


def _unstratified_folds(X, y, k):
    return tuple(float(scores.mean()) for scores in _selection_cv(X, y, k, KFold(n_splits=5)))


def _fold_scores(X, y, k):
    return tuple(scores.tolist() for scores in _selection_cv(X, y, k, StratifiedKFold(5)))


EXERCISES = [
    Exercise(
        id="02.ex1",
        name="contiguous_folds",
        points=3,
        reference=contiguous_folds,
        examples=[
            Example(
                (10, 3),
                "sizes differ by at most one; the first 10 % 3 = 1 fold gets the extra index",
            ),
            Example((6, 2), "6 % 2 = 0: equal folds"),
            Example((11, 4), "the first 11 % 4 = 3 folds get the extra index"),
            Example((4, 4), "one index per fold"),
            Example((5, 1), "one fold holds everything"),
        ],
        inputs=_fold_inputs,
        mistakes=[
            Mistake(_last_takes_the_rest),
            Mistake(
                _float_folds,
                "Every fold should be a 1-D array of integer indices "
                "(np.arange gives them), not of floats.",
            ),
        ],
        judge=judges.same_integers,
    ),
    Exercise(
        id="02.ex2",
        name="count_leaked_rows",
        points=3,
        reference=count_leaked_rows,
        examples=[
            Example(
                ([[1, 2], [3, 4]], [[3, 4], [5, 6], [3, 4]]),
                "a test row that appears twice counts twice",
            ),
            Example(
                ([[1, 2], [1, 2]], [[1, 2]]),
                "a test row counts once, however often X_train holds it",
            ),
            Example(([[1, 2], [3, 4]], [[5, 6], [7, 8]]), "no test row is in X_train"),
            Example(
                ([[1, 2, 3]], [[1, 2, 4], [3, 2, 1]]), "rows must match in every column, in order"
            ),
            Example(
                (
                    np.array([[0.5, 1.5], [2.0, 2.5]]),
                    np.array([[2.0, 2.5], [0.5, 1.5], [0.5, 0.0]]),
                ),
                "NumPy arrays of floats",
            ),
        ],
        inputs=_leak_inputs,
        mistakes=[Mistake(_distinct_only), Mistake(_float_count, INT_HINT)],
        judge=judges.same_integers,
    ),
    Exercise(
        id="02.ex3",
        name="windows_by_hand",
        points=4,
        reference=windows_by_hand,
        examples=[
            Example(([0, 1, 2, 3, 4], 3), "windows [0, 1, 2] and [1, 2, 3], followed by 3 and 4"),
            Example(
                (np.array([5.0, 6.0, 7.0, 8.0]), 1),
                "windows of one value: y is the series shifted by one",
            ),
            Example(([1, 2, 3], 2), "a single window, [1, 2], followed by 3"),
        ],
        inputs=_window_inputs,
        mistakes=[
            Mistake(_last_input_as_target),
            Mistake(
                _one_window_short,
                "A window is missing: X should have one row per "
                "window, len(series) - input_length of them (the last one ends just "
                "before the last value).",
            ),
            Mistake(_y_as_column, "y should be 1-D, one next value per window, not a column."),
        ],
    ),
    Exercise(
        id="02.ex4",
        name="leaky_and_honest_cv",
        points=3,
        reference=leaky_and_honest_cv,
        examples=[
            Example(
                (
                    np.array([[1, 7, 2], [0, 3, 5], [1, 4, 4], [0, 8, 1], [1, 2, 7]] * 2)
                    + np.array([[0, 0, 0]] * 5 + [[5, 0, 0]] * 5),
                    np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]),
                    1,
                ),
                "column 0 carries the label: every fold chooses it too, so both estimates agree",
            ),
            Example(
                (
                    np.array(
                        [
                            [2, 0, 7, 1, 7, 1],
                            [4, 6, 7, 4, 0, 9],
                            [9, 4, 2, 1, 3, 0],
                            [6, 7, 3, 4, 0, 6],
                            [7, 2, 0, 1, 0, 2],
                            [9, 7, 2, 8, 0, 7],
                            [8, 2, 6, 9, 2, 8],
                            [5, 1, 1, 9, 1, 7],
                            [8, 2, 2, 0, 3, 4],
                            [4, 6, 2, 5, 1, 9],
                        ]
                    ),
                    np.array([0, 0, 0, 1, 1, 0, 1, 1, 1, 0]),
                    1,
                ),
                "random numbers and labels: the column chosen with every label looks "
                "predictive, the one chosen inside each fold does not",
            ),
            Example(
                (np.array([[3, 1], [0, 4], [2, 2], [4, 0], [1, 3]] * 2), np.array([0, 1] * 5), 2),
                "k = every column: nothing is chosen, so both estimates are the same",
            ),
        ],
        inputs=_selection_inputs,
        mistakes=[
            Mistake(
                _honest_first,
                "The pair is in the wrong order: first the estimate with the columns chosen "
                "on all rows, then the Pipeline's.",
            ),
            Mistake(
                _shuffled_folds,
                "Those are shuffled folds: use StratifiedKFold(n_splits=5) without shuffling, "
                "as the task says, so that your folds are the grader's.",
            ),
            Mistake(
                _unstratified_folds,
                "Those are KFold's folds: use StratifiedKFold(n_splits=5), which keeps the "
                "class mix in every fold (cross_val_score(..., cv=5) does the same for a "
                "classifier).",
            ),
            Mistake(
                _fold_scores,
                "Return two numbers, each the mean of the five fold accuracies, not the "
                "lists of fold scores.",
            ),
        ],
    ),
    Exercise(
        id="02.ex5",
        name="split_choices",
        points=3,
        kind="questions",
        questions=[
            Question(
                "c",
                choices="abcd",
                hint="Section 2 and Going further: what happens when several rows of one "
                "patient land on both sides of a split?",
            ),
            Question(
                "b",
                choices="abcd",
                hint="Section 4: what can a random split do to a class with 3 % of the samples?",
            ),
            Question(
                "d", choices="abcd", hint="Section 6: what must a forecasting model never train on?"
            ),
            Question(
                "a",
                choices="abcd",
                hint="Section 7: what can no split of the old data warn you about?",
            ),
        ],
    ),
    Exercise(
        id="02.ex6",
        name="quiz",
        points=4,
        kind="questions",
        questions=[
            Question(9, hint="Section 4: stratifying takes the same share of every class."),
            Question(
                10, hint="Section 2: the rough formula for the size of the illusion, in points."
            ),
            Question(
                "d",
                choices="abcd",
                hint="Section 3: which ratings are left for the last 15 % of a sorted file, "
                "and which ones did the first 70 % hold?",
            ),
            Question(16, hint="Each setting trains once per fold; then add the final training."),
            Question(
                10,
                hint="Section 6's picture of windows 0 to 5: which windows' input days include "
                "day i + 10?",
            ),
            Question(
                "b",
                choices="abcd",
                hint="Section 5's last part: which rows' labels did each selection see?",
            ),
            Question(
                "d",
                choices="abcd",
                hint="Section 5: how far does one split's score move with the seed, and which "
                "part must stay sealed?",
            ),
            Question(
                "a",
                choices="abcd",
                hint="Section 1: what does a part become once its score guides your choices?",
            ),
            Question("c", choices="abcd", hint="Section 7: which figure needs no labels?"),
        ],
    ),
]


EXPECTATIONS = [
    Expect("test_accuracy", smoke=0.75, default=0.80, baseline=0.10, baseline_is=CHANCE_10),
    Expect("clean_test_accuracy", smoke=0.75, default=0.75, baseline=0.10, baseline_is=CHANCE_10),
    # The demonstration: duplicates across the split inflate the score by at least 3 points.
    Expect(
        "contamination_gap",
        smoke=0.03,
        default=0.03,
        baseline=0.0,
        baseline_is="no inflation without duplicates",
    ),
    # Cutting a label-sorted file without shuffling tests on classes never trained on.
    Expect(
        "unshuffled_test_accuracy",
        smoke=0.05,
        default=0.05,
        baseline=0.10,
        baseline_is=CHANCE_10,
        higher_is_better=False,
    ),
    Expect("cv_mean_accuracy", smoke=0.78, default=0.78, baseline=0.10, baseline_is=CHANCE_10),
    # Leakage through feature selection (pure noise, random labels, mean over the seeds):
    # selecting on all rows looks far above chance, selecting inside each fold does not.
    Expect(
        "leaky_selection_cv_accuracy",
        smoke=0.85,
        default=0.85,
        baseline=0.5,
        baseline_is="chance: the labels are random",
    ),
    Expect(
        "pipeline_cv_accuracy",
        smoke=0.65,
        default=0.60,
        baseline=0.5,
        baseline_is="chance: the labels are random",
        higher_is_better=False,
    ),
    Expect(
        "selection_leak_gap",
        smoke=0.25,
        default=0.30,
        baseline=0.0,
        baseline_is="no gap when the selection is refitted in each fold",
    ),
    # Drift: fainter ink must visibly hurt a model trained on the original images.
    Expect(
        "drift_accuracy",
        smoke=0.70,
        default=0.70,
        baseline=0.867,
        baseline_is="the same tree's accuracy on the same 300 new images without drift",
        higher_is_better=False,
    ),
]
