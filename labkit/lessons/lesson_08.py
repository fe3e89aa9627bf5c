"""Lesson 08 (deep CNNs): exercises and expected results.

Every exercise asks for an ``int`` (a count), so the judge accepts only ints equal to the
expected count: a float 4.0 is not a count.

- ``08.ex1``: ``conv_params(in_channels, out_channels, kernel, bias)``. Graded with and
  without bias, on 1 × 1 kernels, an even kernel, in and out channels that differ (so a
  bias per input channel fails), a first layer on RGB images and layers the size of VGG's
  and ResNet's.
- ``08.ex2``: ``conv_macs(in_channels, out_channels, kernel, out_height, out_width)``.
  Graded on non-square outputs, a 1 × 1 kernel, a single output pixel and large layers.
- ``08.ex3``: ``count_model_params(layer_specs)`` for ``("conv", c_in, c_out, k)``,
  ``("linear", n_in, n_out)``, ``("pool",)`` and ``("relu",)``. Graded on an empty list,
  specs without parameters, one linear layer, one 1 × 1 convolution, small CNNs and an MLP.
  The specs arrive as lists (the JSON round trip turns tuples into lists), as the exercise
  says they may.
"""

from __future__ import annotations

import numpy as np

from labkit.exercises import judges
from labkit.exercises.declare import INT_HINT, Example, Exercise, Expect, Mistake

__all__ = ["EXERCISES", "EXPECTATIONS"]


def _draw(rng: np.random.Generator):
    """``n(low, high)``: an int from low to high, both included."""
    return lambda low, high: int(rng.integers(low, high + 1))


# ---------------------------------------------------------------- 08.ex1: conv_params
def conv_params(in_channels, out_channels, kernel, bias=True):
    """Weights of c_in × c_out kernels of kernel × kernel, plus one bias per output channel."""
    return in_channels * out_channels * kernel * kernel + (out_channels if bias else 0)


def _params_inputs(rng: np.random.Generator) -> list[tuple]:
    """Seven (in_channels, out_channels, kernel, bias) sets."""
    n = _draw(rng)

    def different(low: int, high: int, other: int) -> int:
        value = n(low, high)
        return value + 1 if value == other else value

    sets = []
    c_in = n(1, 8)
    sets.append((c_in, different(2, 16, c_in), 3, True))  # a small 3 × 3 layer
    c_in = n(2, 8)
    sets.append((c_in, different(2, 16, c_in), 3, False))  # no bias
    c_in = n(16, 512)
    sets.append((c_in, different(16, 512, c_in), 1, True))  # 1 × 1 with bias
    sets.append((n(64, 1024), n(16, 256), 1, False))  # 1 × 1 without bias, as in ResNet-50
    sets.append((3, n(16, 96), 2 * n(2, 5) + 1, True))  # a first layer on RGB images
    sets.append((n(64, 512), n(64, 512), 3, True))  # a VGG-sized layer
    sets.append((n(1, 4), n(5, 12), 2 * n(1, 3), True))  # an even kernel, more outputs
    return sets


def _params_without_bias(c_in, c_out, kernel, bias=True):
    return c_in * c_out * kernel * kernel


def _params_bias_per_input(c_in, c_out, kernel, bias=True):
    return c_in * c_out * kernel * kernel + (c_in if bias else 0)


def _params_bias_always(c_in, c_out, kernel, bias=True):
    return c_in * c_out * kernel * kernel + c_out


def _params_kernel_not_squared(c_in, c_out, kernel, bias=True):
    return c_in * c_out * kernel + (c_out if bias else 0)


def _params_as_float(c_in, c_out, kernel, bias=True):
    return float(c_in * c_out * kernel**2 + (c_out if bias else 0))


# ---------------------------------------------------------------- 08.ex2: conv_macs
def conv_macs(in_channels, out_channels, kernel, out_height, out_width):
    """c_in × kernel² multiply-adds for each of the c_out × height × width outputs."""
    return in_channels * kernel * kernel * out_channels * out_height * out_width


def _macs_inputs(rng: np.random.Generator) -> list[tuple]:
    """Six (in_channels, out_channels, kernel, out_height, out_width) sets."""
    n = _draw(rng)
    return [
        (n(1, 8), n(2, 16), 3, n(4, 32), n(4, 32)),  # small, usually not square
        (n(2, 8), n(2, 8), 3, n(2, 9), n(10, 20)),  # certainly not square
        (n(16, 256), n(16, 256), 1, n(7, 28), n(7, 28)),  # a 1 × 1 convolution
        (n(1, 16), n(1, 16), 2 * n(1, 3) + 1, 1, 1),  # a single output pixel
        (3, n(16, 96), 2 * n(2, 5) + 1, n(50, 112), n(50, 112)),  # a first layer
        (n(64, 512), n(64, 512), 3, n(7, 56), n(7, 56)),  # a deep, large layer
    ]


def _macs_with_bias(c_in, c_out, kernel, height, width):
    return (c_in * kernel * kernel + 1) * c_out * height * width


def _macs_one_pixel(c_in, c_out, kernel, height, width):
    return c_in * kernel * kernel * c_out


def _macs_as_flops(c_in, c_out, kernel, height, width):
    return 2 * c_in * kernel * kernel * c_out * height * width


def _macs_as_params(c_in, c_out, kernel, height, width):
    return c_in * c_out * kernel * kernel + c_out


def _macs_as_float(c_in, c_out, kernel, height, width):
    return c_in * kernel**2 * c_out * height * width / 1.0


# ---------------------------------------------------------------- 08.ex3: count_model_params
def count_model_params(layer_specs):
    """The parameters of every conv and linear layer (each with a bias); others have none."""
    total = 0
    for kind, *sizes in layer_specs:
        if kind == "conv":
            total += conv_params(*sizes, True)
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


def _model_as_float(specs):
    return float(count_model_params(specs))


LENET = [("conv", 1, 6, 5), ("relu",), ("pool",), ("linear", 96, 10)]

EXERCISES = [
    Exercise(
        id="08.ex1",
        name="conv_params",
        points=2,
        reference=conv_params,
        examples=[
            Example((3, 64, 11, True), "AlexNet's first layer: 3 × 64 × 11 × 11 + 64"),
            Example((1, 1, 3, True), "one 3 × 3 kernel and one bias"),
            Example((1, 1, 3, False), "one 3 × 3 kernel, no bias"),
            Example((64, 128, 3, True), "a VGG layer: 64 × 128 × 3 × 3 + 128"),
            Example((256, 64, 1, False), "a 1 × 1 convolution without bias, as in ResNet-50"),
            Example((2, 3, 5, True), "2 × 3 × 5 × 5 + 3: one bias per *output* channel"),
        ],
        inputs=_params_inputs,
        mistakes=[
            Mistake(_params_without_bias, "You forgot the biases: one per output channel."),
            Mistake(
                _params_bias_per_input,
                "There is one bias per *output* channel, not per input channel.",
            ),
            Mistake(
                _params_bias_always,
                "With bias=False there is no bias term: count only the kernels.",
            ),
            Mistake(
                _params_kernel_not_squared,
                "A kernel of size k is k × k: square the kernel size once.",
            ),
            Mistake(_params_as_float, INT_HINT),
        ],
        judge=judges.same_integers,
        expression="conv_params(args[0], args[1], args[2], bias=args[3])",
    ),
    Exercise(
        id="08.ex2",
        name="conv_macs",
        points=2,
        reference=conv_macs,
        examples=[
            Example((3, 64, 11, 55, 55), "AlexNet's first layer: 3 × 11² × 64 × 55 × 55"),
            Example((1, 1, 3, 1, 1), "one 3 × 3 kernel, one output pixel: 9 multiply-adds"),
            Example((1, 1, 3, 2, 3), "the same kernel at 2 × 3 output pixels"),
            Example((2, 4, 1, 3, 3), "a 1 × 1 convolution: 2 inputs × 4 outputs × 9 pixels"),
            Example((64, 64, 3, 56, 56), "a ResNet-18 layer: 64 × 3² × 64 × 56 × 56"),
        ],
        inputs=_macs_inputs,
        mistakes=[
            Mistake(_macs_with_bias, "The bias additions do not count as multiply-adds."),
            Mistake(
                _macs_one_pixel, "That is for one output pixel: multiply by out_height × out_width."
            ),
            Mistake(
                _macs_as_flops,
                "That counts FLOPs (a multiply and an add): count each multiply-add once.",
            ),
            Mistake(
                _macs_as_params,
                "That is the number of parameters; every kernel is used at every pixel.",
            ),
            Mistake(_macs_as_float, INT_HINT),
        ],
        judge=judges.same_integers,
    ),
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
            Mistake(_model_as_float, INT_HINT),
        ],
        judge=judges.same_integers,
    ),
]

MOST_FREQUENT = "always the most frequent digit"

EXPECTATIONS = [
    Expect(
        "resnet18_params",
        smoke=11689512,
        default=11689512,
        baseline=0,
        baseline_is="exact count (torchvision resnet18, 11 689 512)",
    ),
    Expect(
        "residual_test_accuracy", smoke=0.30, default=0.90, baseline=0.10, baseline_is=MOST_FREQUENT
    ),
    # The 20-layer plain net does not learn in the same budget: that is the point.
    Expect(
        "plain_test_accuracy",
        smoke=0.20,
        default=0.20,
        baseline=0.10,
        baseline_is=MOST_FREQUENT,
        higher_is_better=False,
    ),
    Expect(
        "plain_grad_ratio",
        smoke=1e-4,
        default=1e-4,
        baseline=1.0,
        baseline_is="no vanishing: first-layer gradient as large as the last",
        higher_is_better=False,
    ),
    Expect(
        "residual_grad_ratio",
        smoke=0.05,
        default=0.05,
        baseline=1e-4,
        baseline_is="the plain net's vanishing gradient (about 5e-7)",
    ),
]
