"""Lesson 00 (welcome and setup): exercises and expected results.

- ``00.ex1``: ``MY_DEVICE``, the device labkit chose. It cannot depend on a secret: the
  right answer is what labkit chooses on the machine that grades.
- ``00.ex2``: ``my_accuracy(predictions, labels)`` on lists and arrays, including all right,
  none right, a single element and a list compared with an array.
- ``00.ex3``: ``matmul_gflops(m, k, n, seconds)`` on square, rectangular, outer-product
  (k = 1) and matrix-vector (n = 1) shapes, timed from microseconds to seconds.
- ``00.ex4``: ``playground_findings``, an experiment: the smallest training size at which the
  linear model of the playground reads 90 % of the validation digits (200, with 87.8 % at 100
  and 93.7 % at 200: clear of the line), the digits never read right with 10 images (4: the
  digits 1, 6, 7 and 9, which none of those 10 images shows) and why.
- ``00.ex5``: ``my_choices``, three judgements: which mode, which part, which fix.
- ``00.ex6``: the quiz.
"""

from __future__ import annotations

import numpy as np

from labkit.device import choose_device, read_capabilities
from labkit.exercises import custom_checks
from labkit.exercises.declare import CHANCE_10, Case, Example, Exercise, Expect, Mistake
from labkit.exercises.questions import Question

__all__ = ["EXERCISES", "EXPECTATIONS"]


# ---------------------------------------------------------------- 00.ex1: MY_DEVICE
def _device_cases(rng: np.random.Generator) -> list[Case]:
    """One case, no arguments: the device labkit chooses on the grading machine (``rng``
    is unused: the answer depends on the machine, not on the student)."""
    return [Case(args=(), expected=choose_device(read_capabilities()).device)]


# ---------------------------------------------------------------- 00.ex2: my_accuracy
def my_accuracy(predictions, labels):
    """The fraction of positions where ``predictions`` equals ``labels``."""
    right = sum(bool(p == t) for p, t in zip(list(predictions), list(labels), strict=True))
    return right / len(labels)


def _noisy_copy(rng: np.random.Generator, labels: np.ndarray, classes: int) -> np.ndarray:
    """``labels`` with about a third of the entries replaced by a different class."""
    # Adding 1 to classes - 1 (mod classes) always changes a label, so every flip is wrong.
    flips = rng.random(len(labels)) < 1 / 3
    shift = rng.integers(1, classes, size=len(labels))
    return np.where(flips, (labels + shift) % classes, labels)


def _accuracy_inputs(rng: np.random.Generator) -> list[tuple]:
    """Six (predictions, labels) pairs: lists, arrays and the edge cases of the task."""
    labels = rng.integers(0, 3, size=int(rng.integers(8, 30)))
    as_lists = (_noisy_copy(rng, labels, 3).tolist(), labels.tolist())
    labels = rng.integers(0, 10, size=int(rng.integers(30, 80)))
    as_arrays = (_noisy_copy(rng, labels, 10), labels)
    labels = rng.integers(0, 10, size=int(rng.integers(5, 20)))
    all_right = (labels.copy(), labels)
    labels = rng.integers(0, 4, size=int(rng.integers(5, 20)))
    none_right = ((labels + 1).tolist(), labels.tolist())  # every prediction is off by one
    label = int(rng.integers(0, 10))
    single = ([label], [int(rng.choice([label, (label + 1) % 10]))])
    labels = rng.integers(0, 5, size=int(rng.integers(10, 40)))
    mixed = (_noisy_copy(rng, labels, 5).tolist(), labels)  # a list against an array
    return [as_lists, as_arrays, all_right, none_right, single, mixed]


def _count_right(predictions, labels):
    return float(np.sum(np.asarray(predictions) == np.asarray(labels)))  # a count


# ---------------------------------------------------------------- 00.ex3: matmul_gflops
def matmul_gflops(m, k, n, seconds):
    """GFLOP/s of an (m × k) @ (k × n) product: m·n results, each k multiplications and
    k additions, so 2·m·k·n operations in ``seconds``."""
    return 2 * m * k * n / seconds / 1e9


def _gflops_inputs(rng: np.random.Generator) -> list[tuple]:
    """Five shapes: square, rectangular, k = 1, n = 1, m = 1; times from 1 µs to 10 s."""

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
    return [(m, k, n, seconds()) for m, k, n in shapes]


def _multiplications_only(m, k, n, seconds):
    return m * k * n / seconds / 1e9  # forgets the additions


EXERCISES = [
    Exercise(
        id="00.ex1",
        name="MY_DEVICE",
        points=1,
        kind="value",
        cases=_device_cases,
        public_check=custom_checks.device_string,
        # str() so that a torch.device works too; None stays None, which the grader
        # reports as "not attempted" (the learner's placeholder is MY_DEVICE = None).
        expression="None if MY_DEVICE is None else str(MY_DEVICE)",
    ),
    Exercise(
        id="00.ex2",
        name="my_accuracy",
        points=2,
        reference=my_accuracy,
        examples=[
            Example(([1, 2, 3], [1, 2, 0]), "2 of 3 predictions are right"),
            Example(([0, 0, 1, 1], [0, 0, 1, 1]), "every prediction is right"),
            Example(([5], [4]), "no prediction is right"),
            Example(
                (np.array([3, 1, 4, 1, 5]), np.array([3, 1, 4, 1, 9])), "4 of 5 are right (arrays)"
            ),
        ],
        inputs=_accuracy_inputs,
        mistakes=[Mistake(_count_right)],
    ),
    Exercise(
        id="00.ex3",
        name="matmul_gflops",
        points=2,
        reference=matmul_gflops,
        examples=[
            Example((2, 3, 4, 1e-9), "2·2·3·4 = 48 operations in one nanosecond"),
            Example((512, 512, 512, 0.001), "2·512³ = 268,435,456 operations in 1 ms"),
            Example((1000, 1, 1000, 0.001), "an outer product: 2·1000·1·1000 = 2 million in 1 ms"),
            Example((10, 100, 1, 2.0), "2·10·100·1 = 2000 operations in 2 seconds"),
        ],
        inputs=_gflops_inputs,
        mistakes=[Mistake(_multiplications_only)],
    ),
    Exercise(
        id="00.ex4",
        name="playground_findings",
        points=2,
        kind="questions",
        questions=[
            Question(
                200, hint="Try every size at 100 epochs: more images do not always score higher."
            ),
            Question(4, hint="Per digit: right[y_val == digit]; count the digits with none right."),
            Question(
                "a", choices="abcd", hint="Print y_train[first_images(10)]: which digits are there?"
            ),
        ],
    ),
    Exercise(
        id="00.ex5",
        name="my_choices",
        points=2,
        kind="questions",
        questions=[
            Question("b", choices="abc", hint="Section 4: which mode is the quick one?"),
            Question("b", choices="abc", hint="Choosing is a decision: which part is for them?"),
            Question("a", choices="abcd", hint="Section 5: where does the randomness come from?"),
        ],
    ),
    Exercise(
        id="00.ex6",
        name="quiz",
        points=4,
        kind="questions",
        questions=[
            Question("c", choices="abcd", hint="What does a restart forget, and what stays?"),
            Question(40, hint="The last, smaller batch is a step too."),
            Question("b", choices="abcd", hint="Section 3: what is fp16's weakness?"),
            Question("b", choices="abc", hint="Does a random generator start over by itself?"),
            Question("a", choices="abcd", hint="Rows are the true digits, columns the answers."),
            Question(0.16, decimals=2, hint="2·m·k·n operations; 1 ms is 10⁻³ s; giga is 10⁹."),
            Question("d", choices="abcd", hint="What does labkit do with a wish it cannot meet?"),
            Question("a", choices="abcd", hint="The grader's run: which mode, which sizes?"),
        ],
    ),
]


EXPECTATIONS = [
    Expect("test_accuracy", smoke=0.80, default=0.95, baseline=0.10, baseline_is=CHANCE_10),
]
