"""Lesson 08 (deep CNNs): exercises and expected results.

The ids 08.ex1 and 08.ex2 (a convolution's parameters and multiply-adds, two
transcriptions of section 3's formulas) were retired; the ids that remain keep their
meaning.

- ``08.ex3``: ``count_model_params(layer_specs)`` for ``("conv", c_in, c_out, k)``,
  ``("linear", n_in, n_out)``, ``("pool",)`` and ``("relu",)``, as an ``int``. Graded on an
  empty list, specs without parameters, one linear layer, one 1 × 1 convolution, small
  CNNs and an MLP. The specs arrive as lists (the JSON round trip turns tuples into
  lists), as the exercise says they may.
- ``08.ex4``: ``deep_plain_model``, a model: a plain network (an ``nn.Sequential`` of
  linear, batch-norm, ReLU and dropout layers only, at least 22 linear layers) trained on
  the digits' fixed training part. The grader runs the exported graph on 300 noisy images
  of the fixed test part (:func:`~labkit.exercises.custom_checks.noisy_digits`, as
  06.ex3): at least 85 % must be right, and the model must hold at least 80 000 numbers
  (the lesson's 20-layer networks of width 64 hold about 88 000), which a shallow
  network of the usual size does not. Its structure (no skip connection) is checked by the
  public check only: the exported graph does not say which additions are skips.
- ``08.ex5``: ``fixes``, five judgements: which change removes the cause of a symptom met
  in sections 7 to 11 (a learning rate too large, overfitting, a bad initialisation, a
  residual network that trains as it should, degradation).
- ``08.ex6``: the quiz.
"""

from __future__ import annotations

import math

import numpy as np

from labkit.exercises import custom_checks, judges
from labkit.exercises.declare import INT_HINT, Case, Example, Exercise, Expect, Mistake
from labkit.exercises.questions import Question

__all__ = ["EXERCISES", "EXPECTATIONS"]


def _draw(rng: np.random.Generator):
    """``n(low, high)``: an int from low to high, both included."""
    return lambda low, high: int(rng.integers(low, high + 1))


# ---------------------------------------------------------------- 08.ex3: count_model_params
def count_model_params(layer_specs):
    """The parameters of every conv and linear layer (each with a bias); others have none."""
    total = 0
    for kind, *sizes in layer_specs:
        if kind == "conv":
            c_in, c_out, k = sizes
            total += c_in * c_out * k * k + c_out
        elif kind == "linear":
            n_in, n_out = sizes
            total += n_in * n_out + n_out
    return total


def _model_inputs(rng: np.random.Generator) -> list[tuple]:
    """Seven lists of layer specs: empty, parameter-free, one layer, small CNNs, an MLP."""
    n = _draw(rng)

    def cnn() -> list:
        specs, channels = [], n(1, 3)
        for _ in range(n(2, 4)):
            out = n(4, 64)
            specs += [("conv", channels, out, 2 * n(1, 2) + 1), ("relu",)]
            if rng.random() < 0.5:
                specs.append(("pool",))
            channels = out
        return [*specs, ("linear", channels * n(1, 16), n(2, 10))]

    def mlp() -> list:
        sizes = [int(v) for v in rng.integers(2, 300, size=n(2, 5))]
        specs = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
            specs += [("linear", n_in, n_out), ("relu",)]
        return specs[:-1]

    no_parameters = [("pool",), ("relu",)][: n(1, 2)]
    one_linear, one_conv = [("linear", n(1, 500), n(1, 20))], [("conv", n(1, 16), n(1, 16), 1)]
    return [([],), (no_parameters,), (one_linear,), (one_conv,), (cnn(),), (cnn(),), (mlp(),)]


def _model_without_biases(specs):
    return count_model_params(specs) - sum(s[2] for s in specs if s[0] in ("conv", "linear"))


def _model_only_convs(specs):
    return sum(s[1] * s[2] * s[3] ** 2 + s[2] for s in specs if s[0] == "conv")


def _model_kernel_not_squared(specs):
    convs = sum(s[1] * s[2] * (s[3] - s[3] ** 2) for s in specs if s[0] == "conv")
    return count_model_params(specs) + convs


def _model_as_float(specs):
    return float(count_model_params(specs))


LENET = [("conv", 1, 6, 5), ("relu",), ("pool",), ("linear", 96, 10)]


# ---------------------------------------------------------------- 08.ex4: deep_plain_model
_PER_DIGIT = 30


def _deep_cases(rng: np.random.Generator) -> list[Case]:
    """300 noisy images of the digits' fixed test part, rows of 64; the labels stay here."""
    return custom_checks.noisy_digit_cases(rng)


def _deep_and_accurate(got: object, labels: object) -> bool:
    """True if the model's ``(outputs, numbers)`` are ≥ 85 % right with ≥ 80 000 numbers.

    >>> labels = [1, 2, 3, 4, 5, 6, 7, 8, 9, 9]
    >>> scores = np.eye(10)[[1, 2, 3, 4, 5, 6, 7, 8, 9, 0]]  # 9 of 10 right
    >>> _deep_and_accurate((scores, 88010), labels), _deep_and_accurate((scores, 2410), labels)
    (True, False)
    """
    accuracy, numbers = custom_checks.graded_accuracy(got, labels)
    enough = numbers >= custom_checks.MIN_DEEP_NUMBERS
    return enough and accuracy >= custom_checks.MIN_DEEP_ACCURACY


EXERCISES = [
    Exercise(
        id="08.ex3",
        name="count_model_params",
        points=3,
        reference=count_model_params,
        examples=[
            Example(
                (LENET,),
                "156 for the convolution + 970 for the linear layer; relu and pool have none",
            ),
            Example(([],), "an empty network has no parameters"),
            Example(([("linear", 4, 3)],), "4 × 3 weights + 3 biases"),
            Example(([("conv", 3, 8, 3)],), "3 × 8 × 3 × 3 + 8"),
            Example(([("pool",), ("relu",)],), "no layer with parameters"),
            Example(
                ([["conv", 1, 2, 3], ["conv", 2, 2, 3], ["linear", 8, 2]],),
                "specs given as lists: 20 + 38 + 18",
            ),
        ],
        inputs=_model_inputs,
        mistakes=[
            Mistake(
                _model_without_biases,
                "Every conv and linear layer here has a bias: one per output.",
            ),
            Mistake(_model_only_convs),  # forgets the linear layers
            Mistake(
                _model_kernel_not_squared,
                "A kernel of size k is k × k: a convolution has c_in × c_out × k² weights.",
            ),
            Mistake(_model_as_float, INT_HINT),
        ],
        judge=judges.same_integers,
    ),
    Exercise(
        id="08.ex4",
        name="deep_plain_model",
        points=4,
        kind="model",
        cases=_deep_cases,
        model_input=(_PER_DIGIT * 10, 64),
        judge=_deep_and_accurate,
        public_check=custom_checks.deep_plain_model,
    ),
    Exercise(
        id="08.ex5",
        name="fixes",
        points=3,
        kind="questions",
        questions=[
            Question(
                "b",
                choices="abcd",
                hint="Section 9: the same initialisation trained well with Adam's small steps. "
                "What made this run's steps too large?",
            ),
            Question(
                "d",
                choices="abcd",
                hint="Which of the two losses goes the wrong way, and what does section 2 say "
                "dropout is for?",
            ),
            Question(
                "a",
                choices="abcd",
                hint="Section 7: what happens to the spread of the activations, layer after "
                "layer, with these weights, and what keeps it constant?",
            ),
            Question(
                "c",
                choices="abcd",
                hint="Section 11: what do deeper residual networks do to the training loss, "
                "compared with shallower ones?",
            ),
            Question(
                "b",
                choices="abcd",
                hint="Section 11: the initialisation and batch norm are already sound, and the "
                "learning rate was tuned. What did ResNet add?",
            ),
        ],
    ),
    Exercise(
        id="08.ex6",
        name="quiz",
        points=4,
        kind="questions",
        questions=[
            Question(1.18, decimals=2, hint="c_in · k² · c_out · H · W; padding=1 keeps 16 × 16."),
            Question(1296, hint="1/6 at each of 4 layers: (1/6)⁴."),
            Question(0.088, decimals=3, hint="Variance 2/n; the deviation is its square root."),
            Question(1.25, decimals=2, hint="Kept numbers are multiplied by 1 / (1 − p)."),
            Question("b", choices="abcd", hint="Section 2: what does BN keep while training?"),
            Question("c", choices="abcd", hint="Section 4: where are VGG-11's parameters?"),
            Question("d", choices="abcd", hint="Section 7, arm (d): differentiate x + f(x)."),
            Question("a", choices="abcd", hint="Section 4: what makes the first run slow?"),
        ],
    ),
]


MOST_FREQUENT = "always the most frequent digit of the test part (10 about balanced)"
VANISHED = "the default init's vanishing gradient (first layer / last, about 4e-7)"

EXPECTATIONS = [
    Expect(
        "resnet18_params",
        smoke=11689512,
        default=11689512,
        baseline=0,
        baseline_is="exact count (torchvision resnet18, 11 689 512)",
    ),
    Expect(
        "batchnorm_max_abs_difference",
        smoke=1e-5,
        default=1e-5,
        baseline=1.0,
        baseline_is="a normalisation computed differently: differences as large as the outputs",
        higher_is_better=False,
    ),
    Expect(
        "basic_block_max_abs_difference",
        smoke=1e-5,
        default=1e-5,
        baseline=1.0,
        baseline_is="a block built differently: differences as large as its outputs",
        higher_is_better=False,
    ),
    Expect(
        "default_spread_ratio",
        smoke=1e-4,
        default=1e-4,
        baseline=1.0,
        baseline_is="the last hidden layer varying across inputs as much as the first",
        higher_is_better=False,
    ),
    Expect(
        "default_grad_ratio",
        smoke=1e-4,
        default=1e-4,
        baseline=1.0,
        baseline_is="no vanishing: the first layer's gradient as large as the last one's",
        higher_is_better=False,
    ),
    Expect("he_grad_ratio", smoke=0.1, default=0.1, baseline=1e-4, baseline_is=VANISHED),
    Expect("residual_grad_ratio", smoke=0.05, default=0.05, baseline=1e-4, baseline_is=VANISHED),
    # The arms: the same 20-layer network, data, epochs and optimizer; only the cause varies.
    Expect(
        "he_plain_test_accuracy", smoke=None, default=0.85, baseline=0.10, baseline_is=MOST_FREQUENT
    ),
    Expect(
        "he_minus_default_gain",
        smoke=0.10,
        default=0.60,
        baseline=0.0,
        baseline_is="no gain: He initialisation no better than PyTorch's default",
    ),
    Expect(
        "batchnorm_test_accuracy",
        smoke=None,
        default=0.75,
        baseline=0.10,
        baseline_is=MOST_FREQUENT,
    ),
    Expect(
        "residual_test_accuracy", smoke=0.30, default=0.92, baseline=0.10, baseline_is=MOST_FREQUENT
    ),
    Expect(
        "exploding_stop_step",
        smoke=20,
        default=20,
        baseline=math.inf,
        baseline_is="no guard: the run goes on with NaN weights to its last step",
        higher_is_better=False,
    ),
    # Degradation (He init + batch norm, 8 against 16 hidden layers, 3 seeds): the deeper plain
    # net ends with a higher training loss at every seed; residual nets do not degrade.
    Expect(
        "plain_degradation_gap_min",
        smoke=None,
        default=0.03,
        baseline=0.0,
        baseline_is="no degradation: the deeper plain net trains as well as the shallower",
    ),
    Expect(
        "plain_degradation_gap_mean",
        smoke=None,
        default=0.08,
        baseline=0.0,
        baseline_is="no degradation: the deeper plain net trains as well as the shallower",
    ),
    Expect(
        "residual_depth_gap_mean",
        smoke=None,
        default=0.02,
        baseline=0.08,
        baseline_is="the plain nets' degradation (their mean gap must reach 0.08)",
        higher_is_better=False,
    ),
]
