"""The graded checks of lesson 09: the reference solutions pass, usual mistakes fail.

As in ``test_grading_graded.py``, answers travel as the grader sends them: each case becomes
the real query code (``protocol.query_code``), run here in a namespace holding the solution
cell of the source notebook, and the printed reply is read back with
``protocol.read_answer``. So the JSON round trip and each exercise's expression are both
exercised, without starting a kernel.
"""

from itertools import pairwise
from pathlib import Path

import pytest
from graded_support import SECRET, LessonChecks
from torch import nn

from labkit.exercises import lesson_09 as public
from labkit.grading.graded import lesson_09

NOTEBOOK = (
    Path(__file__).resolve().parents[1] / "notebooks" / "solutions" / "09_transfer_learning.ipynb"
)
EXERCISES = lesson_09.EXERCISES
BY_ID = {exercise.id: exercise for exercise in EXERCISES}
STUDENTS = ["ada", "grace", "alan"]


# Usual mistakes, several per exercise; each must fail at least one graded case.
def _count_without_biases(layer_sizes, frozen):
    return sum(a * b for i, (a, b) in enumerate(pairwise(layer_sizes)) if i not in frozen)


def _count_the_frozen_ones(layer_sizes, frozen):
    return sum(a * b + b for i, (a, b) in enumerate(pairwise(layer_sizes)) if i in frozen)


def _count_as_float(layer_sizes, frozen):
    return float(lesson_09._trainable(layer_sizes, frozen))


def _count_bias_of_inputs(layer_sizes, frozen):
    return sum(a * b + a for i, (a, b) in enumerate(pairwise(layer_sizes)) if i not in frozen)


def _rates_reversed(n_layers, head_lr, decay):
    return [head_lr * decay**i for i in range(n_layers)]


def _rates_off_by_one(n_layers, head_lr, decay):
    return [head_lr * decay ** (n_layers - i) for i in range(n_layers)]


def _rates_linear(n_layers, head_lr, decay):
    return [head_lr * (1 - (1 - decay) * (n_layers - 1 - i)) for i in range(n_layers)]


WRONG = {
    "09.ex1": [
        _count_without_biases,
        _count_the_frozen_ones,
        _count_as_float,
        _count_bias_of_inputs,
    ],
    "09.ex2": [_rates_reversed, _rates_off_by_one, _rates_linear],
}


class TestLesson09(LessonChecks):
    notebook = NOTEBOOK
    exercises = EXERCISES
    public_checks = public.PUBLIC_CHECKS
    wrong = WRONG


@pytest.mark.parametrize("student", STUDENTS)
def test_count_reference_matches_pytorch(student):
    for case in BY_ID["09.ex1"].make_cases(SECRET, student):
        sizes, frozen = case.args
        model = nn.Sequential(*[nn.Linear(a, b) for a, b in pairwise(sizes)])
        for i in frozen:
            model[i].requires_grad_(False)
        assert case.expected == sum(p.numel() for p in model.parameters() if p.requires_grad)
