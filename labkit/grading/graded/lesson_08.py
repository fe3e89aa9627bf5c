"""Graded checks for lesson 08 (deep CNNs).

- ``08.ex1``: ``conv_params(in_channels, out_channels, kernel, bias)`` with and without bias,
  1 × 1 kernels, in and out channels that differ (so a bias per input channel fails), and
  layers the size of VGG's and ResNet's.
- ``08.ex2``: ``conv_macs(in_channels, out_channels, kernel, out_height, out_width)`` with
  non-square outputs, a 1 × 1 kernel, a single output pixel and a large layer.
- ``08.ex3``: ``count_model_params(layer_specs)``: lists of ``("conv", c_in, c_out, k)``,
  ``("linear", n_in, n_out)``, ``("pool",)`` and ``("relu",)``, including an empty list, one
  without parameters, a single linear layer and a small CNN. The specs arrive as lists (the
  JSON round trip turns tuples into lists), as the exercise says they may.

Every exercise asks for an ``int``, so the judge accepts only ints equal to the expected
count (a float 4.0 is not a count). The public checks (``labkit/exercises/lesson_08.py``) use
small fixed examples; these draw other inputs from ``rng``, a generator seeded by the course
secret and the student.
"""

from __future__ import annotations

import numpy as np

from labkit.grading.exercise import Case, GradedExercise

__all__ = ["EXERCISES"]


def _same_integer(got: object, expected: object) -> bool:
    """True if ``got`` is an int (not a bool, not a float) equal to ``expected``; never raises.

    Examples
    --------
    >>> _same_integer(4, 4), _same_integer(4.0, 4), _same_integer(True, 1), _same_integer("4", 4)
    (True, False, False, False)
    """
    return type(got) is int and got == int(expected)


# ---------------------------------------------------------------- 08.ex1: conv_params
def _conv_params(c_in: int, c_out: int, kernel: int, bias: bool) -> int:
    """Weights of c_in × c_out kernels of kernel × kernel, plus one bias per output channel."""
    return c_in * c_out * kernel * kernel + (c_out if bias else 0)


def _params_cases(rng: np.random.Generator) -> list[Case]:
    """Seven (in_channels, out_channels, kernel, bias) sets.

    Parameters
    ----------
    rng : np.random.Generator
        Seeded from the course secret, the student and the exercise.

    Returns
    -------
    list of Case
    """

    def n(low: int, high: int) -> int:
        return int(rng.integers(low, high + 1))

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
    sets.append((n(1, 4), n(5, 12), 2 * n(1, 3), True))  # an even kernel, more outputs than inputs
    return [Case(args=values, expected=_conv_params(*values)) for values in sets]


# ---------------------------------------------------------------- 08.ex2: conv_macs
def _conv_macs(c_in: int, c_out: int, kernel: int, height: int, width: int) -> int:
    """c_in × kernel² multiply-adds for each of the c_out × height × width outputs."""
    return c_in * kernel * kernel * c_out * height * width


def _macs_cases(rng: np.random.Generator) -> list[Case]:
    """Six (in_channels, out_channels, kernel, out_height, out_width) sets.

    Parameters
    ----------
    rng : np.random.Generator
        Seeded from the course secret, the student and the exercise.

    Returns
    -------
    list of Case
    """

    def n(low: int, high: int) -> int:
        return int(rng.integers(low, high + 1))

    sets = []
    sets.append((n(1, 8), n(2, 16), 3, n(4, 32), n(4, 32)))  # small, usually not square
    sets.append((n(2, 8), n(2, 8), 3, n(2, 9), n(10, 20)))  # certainly not square
    sets.append((n(16, 256), n(16, 256), 1, n(7, 28), n(7, 28)))  # a 1 × 1 convolution
    sets.append((n(1, 16), n(1, 16), 2 * n(1, 3) + 1, 1, 1))  # a single output pixel
    sets.append((3, n(16, 96), 2 * n(2, 5) + 1, n(50, 112), n(50, 112)))  # a first layer
    sets.append((n(64, 512), n(64, 512), 3, n(7, 56), n(7, 56)))  # a deep, large layer
    return [Case(args=values, expected=_conv_macs(*values)) for values in sets]


# ---------------------------------------------------------------- 08.ex3: count_model_params
def _model_params(specs: list) -> int:
    """The parameters of every conv and linear layer (each with a bias); others have none."""
    total = 0
    for kind, *sizes in specs:
        if kind == "conv":
            total += _conv_params(*sizes, True)
        elif kind == "linear":
            n_in, n_out = sizes
            total += n_in * n_out + n_out
    return total


def _model_cases(rng: np.random.Generator) -> list[Case]:
    """Six lists of layer specs: empty, parameter-free, one linear layer, small CNNs and MLPs.

    Parameters
    ----------
    rng : np.random.Generator
        Seeded from the course secret, the student and the exercise.

    Returns
    -------
    list of Case
    """

    def n(low: int, high: int) -> int:
        return int(rng.integers(low, high + 1))

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

    sets = [
        [],
        [("pool",), ("relu",)][: n(1, 2)],
        [("linear", n(1, 500), n(1, 20))],
        [("conv", n(1, 16), n(1, 16), 1)],
        cnn(),
        cnn(),
        mlp(),
    ]
    return [Case(args=(specs,), expected=_model_params(specs)) for specs in sets]


EXERCISES: list[GradedExercise] = [
    GradedExercise(
        id="08.ex1",
        name="conv_params",
        points=2,
        cases=_params_cases,
        expression="conv_params(args[0], args[1], args[2], bias=args[3])",
        judge=_same_integer,
    ),
    GradedExercise(id="08.ex2", name="conv_macs", points=2, cases=_macs_cases, judge=_same_integer),
    GradedExercise(
        id="08.ex3",
        name="count_model_params",
        points=3,
        cases=_model_cases,
        judge=_same_integer,
    ),
]
