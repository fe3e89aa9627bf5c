"""Graded checks for lesson 09 (transfer learning).

- ``09.ex1``: ``count_trainable(layer_sizes, frozen)`` for MLPs of 2 to 6 layers with nothing
  frozen, everything frozen, the body frozen (all but the head), only the head frozen, and a
  scattered set of frozen layers; widths include 1 (a single output).
- ``09.ex2``: ``layer_learning_rates(n_layers, head_lr, decay)`` with one layer, decay 1,
  typical fine-tuning values and a long network (so a reversed or shifted list fails).

``09.ex1`` asks for an ``int``: its judge accepts only ints (not floats, not bools).
``09.ex2`` is judged with the default (numbers within a relative 1e-6, element by element, so
a list of the wrong length fails). The public checks (``labkit/exercises/lesson_09.py``) use
small fixed examples; these draw other inputs from ``rng``, seeded by the course secret and the
student.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from labkit.grading.exercise import Case, GradedExercise

__all__ = ["EXERCISES"]


def _same_integer(got: object, expected: object) -> bool:
    """True if ``got`` is an int (not a bool, not a float) equal to ``expected``; never raises.

    Examples
    --------
    >>> _same_integer(4, 4), _same_integer(4.0, 4), _same_integer(True, 1)
    (True, False, False)
    """
    return type(got) is int and got == int(expected)


# ---------------------------------------------------------------- 09.ex1: count_trainable
def _trainable(layer_sizes: list[int], frozen: list[int]) -> int:
    """Weights and biases of the layers whose index is not in ``frozen``."""
    return sum(a * b + b for i, (a, b) in enumerate(pairwise(layer_sizes)) if i not in frozen)


def _count_cases(rng: np.random.Generator) -> list[Case]:
    """Seven (layer_sizes, frozen) sets covering the edge cases of the task."""

    def sizes(n_layers: int) -> list[int]:
        return [int(v) for v in rng.integers(2, 200, size=n_layers + 1)]

    sets = []
    net = sizes(int(rng.integers(2, 5)))
    sets.append((net, []))  # nothing frozen
    sets.append((net, list(range(len(net) - 1))))  # everything frozen: 0
    net = sizes(int(rng.integers(3, 7)))
    sets.append((net, list(range(len(net) - 2))))  # the body frozen, the head trained
    sets.append((net, [len(net) - 2]))  # only the head frozen
    net = sizes(6)
    chosen = rng.choice(6, size=3, replace=False)
    sets.append((net, sorted(int(i) for i in chosen)[::-1]))  # scattered, in reverse order
    sets.append((sizes(1), []))  # a single layer
    net = sizes(3)
    net[-1] = 1  # one output
    sets.append((net, [0]))
    return [Case(args=(s, f), expected=_trainable(s, f)) for s, f in sets]


# ---------------------------------------------------------------- 09.ex2: layer_learning_rates
def _rates(n_layers: int, head_lr: float, decay: float) -> list[float]:
    return [head_lr * decay ** (n_layers - 1 - i) for i in range(n_layers)]


def _rates_cases(rng: np.random.Generator) -> list[Case]:
    """Six (n_layers, head_lr, decay) sets: one layer, decay 1, typical and long networks."""

    def lr() -> float:
        return float(np.round(10 ** rng.uniform(-4, -1), 6))

    def decay() -> float:
        return float(np.round(rng.uniform(0.1, 0.9), 3))

    sets = [
        (1, lr(), decay()),  # the head only
        (int(rng.integers(2, 6)), lr(), 1.0),  # no decay
        (int(rng.integers(2, 5)), lr(), decay()),
        (int(rng.integers(4, 8)), lr(), decay()),
        (int(rng.integers(8, 13)), lr(), decay()),  # a long network
        (2, lr(), decay()),
    ]
    return [Case(args=values, expected=_rates(*values)) for values in sets]


EXERCISES: list[GradedExercise] = [
    GradedExercise(
        id="09.ex1", name="count_trainable", points=2, cases=_count_cases, judge=_same_integer
    ),
    GradedExercise(id="09.ex2", name="layer_learning_rates", points=2, cases=_rates_cases),
]
