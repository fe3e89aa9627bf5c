"""Graded checks for lesson 00 (welcome and setup).

- ``00.ex1``: ``MY_DEVICE``, the device labkit chose. It cannot depend on a secret: the
  right answer is what labkit chooses on the machine that grades.
- ``00.ex2``: ``my_accuracy(predictions, labels)`` on lists and arrays, including all right,
  none right, a single element and a list compared with an array.
- ``00.ex3``: ``matmul_gflops(m, k, n, seconds)`` on square, rectangular, outer-product
  (k = 1) and matrix-vector (n = 1) shapes, timed from microseconds to seconds.

The public checks (``labkit/exercises/lesson_00.py``) use small fixed examples; these draw
other inputs from ``rng``, a generator seeded by the course secret and the student.
"""

from __future__ import annotations

import numpy as np

from labkit.device import choose_device, read_capabilities
from labkit.grading.exercise import Case, GradedExercise

__all__ = ["EXERCISES"]


# ---------------------------------------------------------------- 00.ex1: MY_DEVICE
def _device_cases(rng: np.random.Generator) -> list[Case]:
    """One case, no arguments: the device labkit chooses on the grading machine.

    Parameters
    ----------
    rng : np.random.Generator
        Unused: the answer depends on the machine, not on the student.

    Returns
    -------
    list of Case
    """
    return [Case(args=(), expected=choose_device(read_capabilities()).device)]


# ---------------------------------------------------------------- 00.ex2: my_accuracy
def _accuracy(predictions: object, labels: object) -> float:
    """The fraction of positions where ``predictions`` equals ``labels``.

    Parameters
    ----------
    predictions, labels : list or np.ndarray
        Sequences of the same length, at least one element.

    Returns
    -------
    float
    """
    right = sum(bool(p == t) for p, t in zip(list(predictions), list(labels), strict=True))
    return right / len(labels)


def _labels(rng: np.random.Generator, size: int, classes: int) -> np.ndarray:
    """``size`` integer class labels from 0 to ``classes - 1``."""
    return rng.integers(0, classes, size=size)


def _noisy_copy(rng: np.random.Generator, labels: np.ndarray, classes: int) -> np.ndarray:
    """``labels`` with about a third of the entries replaced by a different class."""
    # Adding 1 to classes - 1 (mod classes) always changes a label, so every flip is wrong.
    flips = rng.random(len(labels)) < 1 / 3
    shift = rng.integers(1, classes, size=len(labels))
    return np.where(flips, (labels + shift) % classes, labels)


def _accuracy_cases(rng: np.random.Generator) -> list[Case]:
    """Six (predictions, labels) pairs: lists, arrays and the edge cases of the task.

    Parameters
    ----------
    rng : np.random.Generator
        Seeded from the course secret, the student and the exercise.

    Returns
    -------
    list of Case
    """
    labels = _labels(rng, int(rng.integers(8, 30)), 3)
    as_lists = (_noisy_copy(rng, labels, 3).tolist(), labels.tolist())
    labels = _labels(rng, int(rng.integers(30, 80)), 10)
    as_arrays = (_noisy_copy(rng, labels, 10), labels)
    labels = _labels(rng, int(rng.integers(5, 20)), 10)
    all_right = (labels.copy(), labels)
    labels = _labels(rng, int(rng.integers(5, 20)), 4)
    none_right = ((labels + 1).tolist(), labels.tolist())  # every prediction is off by one
    label = int(rng.integers(0, 10))
    single = ([label], [int(rng.choice([label, (label + 1) % 10]))])
    labels = _labels(rng, int(rng.integers(10, 40)), 5)
    mixed = (_noisy_copy(rng, labels, 5).tolist(), labels)  # a list against an array
    pairs = [as_lists, as_arrays, all_right, none_right, single, mixed]
    return [Case(args=pair, expected=_accuracy(*pair)) for pair in pairs]


# ---------------------------------------------------------------- 00.ex3: matmul_gflops
def _gflops(m: int, k: int, n: int, seconds: float) -> float:
    """GFLOP/s of an (m × k) @ (k × n) product: m·n results, each k multiplications and
    k additions, so 2·m·k·n operations in ``seconds``."""
    return 2 * m * k * n / seconds / 1e9


def _gflops_cases(rng: np.random.Generator) -> list[Case]:
    """Five shapes: square, rectangular, k = 1, n = 1, m = 1; times from 1 µs to 10 s.

    Parameters
    ----------
    rng : np.random.Generator
        Seeded from the course secret, the student and the exercise.

    Returns
    -------
    list of Case
    """

    def size() -> int:
        return int(rng.integers(2, 2049))

    def seconds() -> float:
        return float(10 ** rng.uniform(-6, 1))  # log-uniform: microseconds to seconds

    square = size()
    shapes = [
        (square, square, square),
        (size(), size(), size()),
        (size(), 1, size()),  # an outer product
        (size(), size(), 1),  # a matrix times a vector
        (1, size(), size()),  # one input row times a weight matrix
    ]
    cases = []
    for m, k, n in shapes:
        args = (m, k, n, seconds())
        cases.append(Case(args=args, expected=_gflops(*args)))
    return cases


EXERCISES: list[GradedExercise] = [
    GradedExercise(
        id="00.ex1",
        name="MY_DEVICE",
        points=1,
        cases=_device_cases,
        kind="value",
        # str() so that a torch.device works too; None stays None, which the grader
        # reports as "not attempted" (the learner's placeholder is MY_DEVICE = None).
        expression="None if MY_DEVICE is None else str(MY_DEVICE)",
    ),
    GradedExercise(id="00.ex2", name="my_accuracy", points=2, cases=_accuracy_cases),
    GradedExercise(id="00.ex3", name="matmul_gflops", points=2, cases=_gflops_cases),
]
