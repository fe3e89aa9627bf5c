"""Graded checks for lesson 06 (feed-forward networks).

- ``06.ex1``: ``count_parameters(layer_sizes)`` for one layer (two sizes), a size of 1,
  nets of two to six layers, and a large MNIST-sized net. The answer must be an int.
- ``06.ex2``: ``softmax(z)`` on 2-D arrays: ordinary scores, scores near +1000 and -1000
  (a softmax without the max-shift gives inf or nan there), one row, one class, equal
  scores, rows spanning hundreds (probabilities that underflow to 0), and integer scores.
- ``06.ex3``: ``digits_model``, a model exercise: the grader sends five batches of 60 digit
  images (raw ink values 0-16 as uint8, six of each digit); the kernel divides them by 16,
  predicts with ``labkit.predict`` and also returns the model's parameter count. Each batch
  must be at least 90 % right, and the model must have at most 3 000 parameters. The images
  come from the 1 797 bundled digits, of which the learner trained on some: this checks that
  a working small network was trained, not how well it generalises (a working one scores
  about 97 % on images it never saw, well above the threshold).

The public checks (``labkit/exercises/lesson_06.py``) use small fixed examples; these draw
other inputs from ``rng``, a generator seeded by the course secret and the student.
"""

from __future__ import annotations

import numpy as np

from labkit.grading.exercise import Case, GradedExercise

__all__ = ["EXERCISES", "MAX_PARAMETERS", "MIN_ACCURACY"]

MAX_PARAMETERS = 3000
MIN_ACCURACY = 0.9


# ---------------------------------------------------------------- 06.ex1: count_parameters
def _count(sizes: list[int]) -> int:
    """Weights (n_in * n_out) plus biases (n_out) of every layer of a fully connected net."""
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes, sizes[1:], strict=False))


def _same_int(got: object, expected: object) -> bool:
    """True if ``got`` is an int (not a bool, not a float) equal to ``expected``.

    >>> _same_int(650, 650), _same_int(650.0, 650), _same_int(True, 1)
    (True, False, False)
    """
    return type(got) is int and got == int(expected)  # type: ignore[arg-type]


def _count_cases(rng: np.random.Generator) -> list[Case]:
    """Six layer-size lists: one layer, sizes of 1, deeper nets, a large net.

    Parameters
    ----------
    rng : np.random.Generator
        Seeded from the course secret, the student and the exercise.

    Returns
    -------
    list of Case
    """

    def sizes(n: int, low: int = 2, high: int = 200) -> list[int]:
        return [int(s) for s in rng.integers(low, high, size=n)]

    runs = [
        sizes(2),  # one layer: no hidden layer at all
        sizes(3, 2, 50),  # one hidden layer
        [int(rng.integers(2, 30)), 1, int(rng.integers(2, 10))],  # a hidden layer of one unit
        [int(rng.integers(2, 20)), *sizes(int(rng.integers(2, 5)), 2, 64), 1],  # one output
        sizes(int(rng.integers(5, 8)), 1, 40),  # deep and narrow, sizes from 1
        [784, int(rng.choice([256, 512, 1024])), int(rng.choice([64, 128, 256])), 10],
    ]
    return [Case(args=(run,), expected=_count(run)) for run in runs]


# ---------------------------------------------------------------- 06.ex2: softmax
def _softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax in float64, shifted by each row's maximum (never overflows)."""
    z = np.asarray(z, dtype=float)
    shifted = np.exp(z - z.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _softmax_cases(rng: np.random.Generator) -> list[Case]:
    """Seven 2-D score arrays covering the edge cases of the task.

    Parameters
    ----------
    rng : np.random.Generator
        Seeded from the course secret, the student and the exercise.

    Returns
    -------
    list of Case
    """

    def scores(n: int, k: int, scale: float = 2.0) -> np.ndarray:
        return np.round(rng.normal(0, scale, size=(n, k)), 3)

    arrays = [
        scores(int(rng.integers(3, 9)), int(rng.integers(3, 11))),  # ordinary scores
        1000 + scores(int(rng.integers(2, 6)), int(rng.integers(2, 6))),  # exp overflows
        -1000 + scores(int(rng.integers(2, 6)), int(rng.integers(2, 6))),  # exp underflows
        scores(1, int(rng.integers(2, 12))),  # one row
        scores(int(rng.integers(2, 6)), 1),  # one class: every probability is 1
    ]
    # Equal scores in one row (uniform), and a row spanning hundreds (some exp(...) are 0).
    mixed = scores(3, int(rng.integers(3, 7)))
    mixed[0] = round(float(rng.normal(0, 5)), 3)
    mixed[1, 0], mixed[1, -1] = 300 + float(rng.uniform(0, 500)), -300 - float(rng.uniform(0, 500))
    arrays.append(mixed)
    arrays.append(rng.integers(-20, 20, size=(int(rng.integers(2, 6)), int(rng.integers(2, 6)))))
    return [Case(args=(z,), expected=_softmax(z)) for z in arrays]


# ---------------------------------------------------------------- 06.ex3: digits_model
_BATCHES, _PER_DIGIT = 5, 6

# Runs in the kernel: the predicted digits of the batch (inputs divided by 16, as the lesson
# trains), then the model's parameter count.
PREDICT = (
    "[__import__('labkit').predict(digits_model, __import__('torch').as_tensor(args[0], "
    "dtype=__import__('torch').float32) / 16).argmax(1), "
    "sum(p.numel() for p in digits_model.parameters())]"
)


def _digit_cases(rng: np.random.Generator) -> list[Case]:
    """Five batches of 60 digit images (6 of each digit, none twice); labels stay here.

    Parameters
    ----------
    rng : np.random.Generator
        Seeded from the course secret, the student and the exercise.

    Returns
    -------
    list of Case
    """
    from labkit.datasets import load

    digits = load("digits")
    chosen = [  # per digit, distinct images for all the batches
        rng.choice(np.flatnonzero(digits.y == d), size=_BATCHES * _PER_DIGIT, replace=False)
        for d in range(10)
    ]
    cases = []
    for b in range(_BATCHES):
        rows = np.concatenate([c[b * _PER_DIGIT : (b + 1) * _PER_DIGIT] for c in chosen])
        rows = rng.permutation(rows)
        images = digits.X[rows].astype(np.uint8)  # ink 0..16: small on the wire
        cases.append(Case(args=(images,), expected=digits.y[rows].tolist()))
    return cases


def _accurate_and_small(got: object, labels: object) -> bool:
    """True if ``got`` is ``[predicted digits, parameter count]``, ≥ 90 % right, ≤ 3 000.

    >>> labels = [1, 2, 3, 4, 5, 6, 7, 8, 9, 9]
    >>> _accurate_and_small([[1, 2, 3, 4, 5, 6, 7, 8, 9, 0], 2410], labels)  # 9 of 10 right
    True
    >>> _accurate_and_small([labels, 26122], labels)  # all right, but too many parameters
    False
    """
    if not isinstance(labels, list) or type(got) is not list or len(got) != 2:
        return False
    predicted, n_parameters = got
    if type(n_parameters) is not int or not 0 < n_parameters <= MAX_PARAMETERS:
        return False
    if type(predicted) is not list or len(predicted) != len(labels) or not labels:
        return False
    if not all(type(p) is int for p in predicted):
        return False
    right = sum(p == label for p, label in zip(predicted, labels, strict=True))
    return right / len(labels) >= MIN_ACCURACY


EXERCISES: list[GradedExercise] = [
    GradedExercise(
        id="06.ex1", name="count_parameters", points=2, cases=_count_cases, judge=_same_int
    ),
    GradedExercise(id="06.ex2", name="softmax", points=3, cases=_softmax_cases),
    GradedExercise(
        id="06.ex3",
        name="digits_model",
        points=3,
        cases=_digit_cases,
        kind="model",
        expression=PREDICT,
        judge=_accurate_and_small,
    ),
]
