"""Lesson 06 (feed-forward networks): exercises and expected results.

- ``06.ex1``: ``count_parameters(layer_sizes)``, weights plus biases of a fully connected
  net, as an int. Graded on one layer (two sizes), a hidden layer of one unit, sizes of 1,
  nets of two to six layers and a large MNIST-sized net.
- ``06.ex2``: ``softmax(z)`` row by row on 2-D arrays: ordinary scores, scores near +1000
  and -1000 (without the max-shift: inf or nan), one row, one class, equal scores, rows
  spanning hundreds (probabilities that underflow to 0) and integer scores.
- ``06.ex3``: ``digits_model``, a model: the kernel exports it for inputs of shape
  (300, 64); the grader runs the exported graph itself on 300 digit images (30 of each
  digit, none twice) that the kernel never sees, each with its ink scaled by 0.9-1.1 and
  noise added (:func:`~labkit.exercises.custom_checks.noisy_digits`). At least 90 % must be
  right, with at most 3 000 numbers held (parameters, buffers and constants, all counted).
  The images come from the digits' fixed test part (``load("digits", split="test")``); the
  exercise tells the learner to train on the fixed training part only, and the noise makes
  every graded input new besides.
- ``06.ex4``: ``network_choices``, a judgement: the output layer and loss for three classes,
  a linear stack that does no better than logistic regression, a deep sigmoid network stuck
  at ln 10, and which model to try first on a small table.
- ``06.ex5``: the quiz.
"""

from __future__ import annotations

import numpy as np

from labkit.exercises import custom_checks, judges
from labkit.exercises.custom_checks import MAX_PARAMETERS, MIN_ACCURACY
from labkit.exercises.declare import (
    BENIGN,
    CHANCE_10,
    INT_HINT,
    Case,
    Example,
    Exercise,
    Expect,
    Mistake,
)
from labkit.exercises.questions import Question

__all__ = ["EXERCISES", "EXPECTATIONS"]


# ---------------------------------------------------------------- 06.ex1: count_parameters
def count_parameters(layer_sizes):
    """Weights (n_in * n_out) plus biases (n_out) of every layer."""
    pairs = zip(layer_sizes[:-1], layer_sizes[1:], strict=True)
    return int(sum(n_in * n_out + n_out for n_in, n_out in pairs))


def _count_inputs(rng: np.random.Generator) -> list[tuple]:
    """Six layer-size lists: one layer, sizes of 1, deeper nets, a large net."""

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
    return [(run,) for run in runs]


def _weights_only(layer_sizes):
    return sum(a * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:], strict=True))


def _input_biases(layer_sizes):
    return _weights_only(layer_sizes) + sum(layer_sizes)  # a bias for the inputs too


def _float_count(layer_sizes):
    return float(count_parameters(layer_sizes))


# ---------------------------------------------------------------- 06.ex2: softmax
def softmax(z):
    """Row-wise softmax in float64, shifted by each row's maximum (never overflows)."""
    z = np.asarray(z, dtype=float)
    shifted = np.exp(z - z.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _softmax_inputs(rng: np.random.Generator) -> list[tuple]:
    """Seven 2-D score arrays covering the edge cases of the task."""

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
    return [(z,) for z in arrays]


def _naive_softmax(z):
    exps = np.exp(z)  # overflows for large scores
    return exps / exps.sum(axis=1, keepdims=True)


def _softmax_over_columns(z):
    exps = np.exp(z - z.max(axis=0, keepdims=True))
    return exps / exps.sum(axis=0, keepdims=True)


def _softmax_over_everything(z):
    exps = np.exp(z - z.max())
    return exps / exps.sum()  # the whole array sums to 1


# ---------------------------------------------------------------- 06.ex3: digits_model
_PER_DIGIT = 30


def _digit_cases(rng: np.random.Generator) -> list[Case]:
    """300 noisy test-part digit images, rows of 64; the labels stay here."""
    return custom_checks.noisy_digit_cases(rng)


def _accurate_and_small(got: object, labels: object) -> bool:
    """True if the model's ``(outputs, numbers)`` are ≥ 90 % right with ≤ 3 000 numbers.

    >>> labels = [1, 2, 3, 4, 5, 6, 7, 8, 9, 9]
    >>> scores = np.eye(10)[[1, 2, 3, 4, 5, 6, 7, 8, 9, 0]]  # 9 of 10 right
    >>> _accurate_and_small((scores, 2410), labels), _accurate_and_small((scores, 26122), labels)
    (True, False)
    """
    accuracy, numbers = custom_checks.graded_accuracy(got, labels)
    return 0 < numbers <= MAX_PARAMETERS and accuracy >= MIN_ACCURACY


EXERCISES = [
    Exercise(
        id="06.ex1",
        name="count_parameters",
        points=2,
        reference=count_parameters,
        examples=[
            Example(([64, 10],), "one layer: 64 * 10 weights + 10 biases"),
            Example(([2, 3, 1],), "(2 * 3 + 3) + (3 * 1 + 1)"),
            Example(([3, 1],), "3 weights + 1 bias"),
            Example(([64, 128, 128, 10],), "the lesson's digits network: 8320 + 16512 + 1290"),
            Example(([1, 1, 1, 1],), "three layers of one weight and one bias each"),
        ],
        inputs=_count_inputs,
        mistakes=[
            Mistake(
                _weights_only,
                "That is the weights alone: every layer also has one bias "
                "per output unit (nn.Linear(n_in, n_out) has n_in * n_out + n_out "
                "parameters).",
            ),
            Mistake(
                _input_biases,
                "You gave the input layer biases too. The inputs are just "
                "numbers; only the layers that compute (hidden and output) have biases.",
            ),
            Mistake(_float_count, INT_HINT),
        ],
        judge=judges.same_integers,
    ),
    Exercise(
        id="06.ex2",
        name="softmax",
        points=3,
        reference=softmax,
        examples=[
            Example((np.array([[1.0, 2.0, 3.0]]),), "one row of three scores"),
            Example((np.array([[0.0, 0.0], [5.0, 5.0]]),), "equal scores give equal probabilities"),
            Example(
                (np.array([[2.0, 0.0, -1.0], [0.0, 3.0, 1.0]]),), "two rows: each row on its own"
            ),
            Example(
                (np.array([[1000.0, 1001.0, 1002.0]]),),
                "large scores: np.exp(1000) overflows to inf",
            ),
            Example(
                (np.array([[-1000.0, -1001.0]]),),
                "very negative scores: np.exp(-1000) underflows to 0",
            ),
            Example((np.array([[7.0], [-3.0]]),), "a single class: its probability is 1"),
        ],
        inputs=_softmax_inputs,
        mistakes=[
            Mistake(
                _naive_softmax,
                "Subtract each row's largest score before np.exp: the "
                "probabilities do not change, and no exp overflows.",
            ),
            Mistake(
                _softmax_over_columns,
                "Each column sums to 1, but each ROW should (one "
                "row per sample). Use axis=1 with keepdims=True.",
            ),
            Mistake(
                _softmax_over_everything,
                "The whole array sums to 1; each row should. "
                "Divide each row by its own sum (axis=1, keepdims=True).",
            ),
        ],
    ),
    Exercise(
        id="06.ex3",
        name="digits_model",
        points=3,
        kind="model",
        cases=_digit_cases,
        model_input=(_PER_DIGIT * 10, 64),
        judge=_accurate_and_small,
        public_check=custom_checks.digits_model,
    ),
    Exercise(
        id="06.ex4",
        name="network_choices",
        points=3,
        kind="questions",
        questions=[
            Question(
                "c",
                choices="abcd",
                hint="Section 3: what does the output layer give, and what does "
                "nn.CrossEntropyLoss already include?",
            ),
            Question(
                "a",
                choices="abcd",
                hint="Section 4: what is a stack of linear layers with nothing between them?",
            ),
            Question(
                "b",
                choices="abcd",
                hint="Section 8's playground notes: what is ln 10, and what do sigmoid's slopes "
                "do to gradients (section 4)?",
            ),
            Question(
                "d",
                choices="abcd",
                hint="Section 6's honest reading: which models are hard to beat on small tables, "
                "and how are models compared?",
            ),
        ],
    ),
    Exercise(
        id="06.ex5",
        name="quiz",
        points=4,
        kind="questions",
        questions=[
            Question(
                499,
                hint="Each nn.Linear(n_in, n_out) holds n_in × n_out weights and n_out biases; "
                "add up the three layers.",
            ),
            Question(
                21,
                hint="Flattening lays the rows end to end: how many positions do rows 0 and 1 "
                "fill before row 2 starts?",
            ),
            Question(
                "c",
                choices="abcd",
                hint="Section 2: how many numbers does nn.Linear(64, 10) accept per sample?",
            ),
            Question(
                "a",
                choices="abcd",
                hint="Section 4: multiply the layers out, W = W₃W₂W₁. What kind of function is "
                "the result?",
            ),
            Question(
                "c",
                choices="abcd",
                hint="Section 4: sigmoid's slope is at most 0.25, and each layer multiplies the "
                "gradient by a slope.",
            ),
            Question(
                "a",
                choices="abcd",
                hint="Section 4: what is ReLU's slope for negative inputs, and what does "
                "backpropagation multiply by it?",
            ),
            Question(
                "b",
                choices="abcd",
                hint="Section 7's 'Reading the curves': when is each of the two accuracies "
                "measured?",
            ),
            Question(
                1.1, decimals=2, hint="ln(number of classes), with the number of wine cultivars."
            ),
            Question(
                "b",
                choices="abcd",
                hint="Section 6's 'Reading the result honestly': how does the spread between "
                "folds compare with the gap?",
            ),
        ],
    ),
]


EXPECTATIONS = [
    Expect(
        "mlp_digits_test_accuracy", smoke=0.90, default=0.95, baseline=0.10, baseline_is=CHANCE_10
    ),
    Expect(
        "baseline_digits_test_accuracy",
        smoke=0.90,
        default=0.90,
        baseline=0.10,
        baseline_is=CHANCE_10,
    ),
    Expect(
        "forest_digits_test_accuracy",
        smoke=0.88,
        default=0.93,
        baseline=0.10,
        baseline_is=CHANCE_10,
    ),
    # The digits comparison is a tie: over the seeds SEED to SEED + 2 (a new split, new starting
    # weights and a new forest each), the network, logistic regression and the random forest
    # stay within 3 points of each other (8 of the 268 test images).
    Expect(
        "digits_models_gap_max",
        smoke=None,
        default=0.03,
        baseline=0.86,
        baseline_is="the gap between a model that learned nothing (10 %) and one that learned",
        higher_is_better=False,
    ),
    Expect(
        "mlp_tabular_test_accuracy", smoke=0.90, default=0.93, baseline=0.624, baseline_is=BENIGN
    ),
    Expect(
        "baseline_tabular_test_accuracy",
        smoke=0.93,
        default=0.93,
        baseline=0.624,
        baseline_is=BENIGN,
    ),
    Expect(
        "moons_relu_test_accuracy",
        smoke=0.90,
        default=0.92,
        baseline=0.84,
        baseline_is="the same network without activations",
    ),
    # Without activations the network stays linear: it cannot bend around the moons.
    Expect(
        "moons_linear_stack_test_accuracy",
        smoke=0.90,
        default=0.90,
        baseline=0.964,
        baseline_is="the same network with ReLU",
        higher_is_better=False,
    ),
]
