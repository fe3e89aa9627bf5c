"""The graded checks of lesson 08: the reference solutions pass, usual mistakes fail.

As in ``test_grading_graded.py``, answers travel as the grader sends them: each case becomes
the real query code (``protocol.query_code``), run here in a namespace holding the solution
cell of the source notebook, and the printed reply is read back with
``protocol.read_answer``. So the JSON round trip and each exercise's expression are both
exercised, without starting a kernel.
"""

from pathlib import Path

import pytest
import torch
from graded_support import SECRET, LessonChecks
from graded_support import passes as _passes
from torch import nn

from labkit.exercises import lesson_08 as public
from labkit.grading.graded import lesson_08

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "solutions" / "08_deep_cnns.ipynb"
EXERCISES = lesson_08.EXERCISES
BY_ID = {exercise.id: exercise for exercise in EXERCISES}
STUDENTS = ["ada", "grace", "alan"]


# Usual mistakes, several per exercise; each must fail at least one graded case.
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


def _macs_with_bias(c_in, c_out, kernel, height, width):
    return (c_in * kernel * kernel + 1) * c_out * height * width


def _macs_as_flops(c_in, c_out, kernel, height, width):
    return 2 * c_in * kernel * kernel * c_out * height * width


def _macs_one_pixel(c_in, c_out, kernel, height, width):
    return c_in * kernel * kernel * c_out


def _macs_as_float(c_in, c_out, kernel, height, width):
    return c_in * kernel**2 * c_out * height * width / 1.0


def _model_without_biases(specs):
    return sum(s[1] * s[2] * (s[3] ** 2 if s[0] == "conv" else 1)
               for s in specs if s[0] in ("conv", "linear"))  # fmt: skip


def _model_only_convs(specs):
    return sum(s[1] * s[2] * s[3] ** 2 + s[2] for s in specs if s[0] == "conv")


def _model_linear_as_conv_of_kernel_1(specs):  # right, a cross-check that the judge accepts it
    return sum(s[1] * s[2] * (s[3] ** 2 if s[0] == "conv" else 1) + s[2]
               for s in specs if s[0] in ("conv", "linear"))  # fmt: skip


def _model_as_float(specs):
    return float(_model_linear_as_conv_of_kernel_1(specs))


WRONG = {
    "08.ex1": [_params_without_bias, _params_bias_per_input, _params_bias_always,
               _params_kernel_not_squared, _params_as_float],
    "08.ex2": [_macs_with_bias, _macs_as_flops, _macs_one_pixel, _macs_as_float],
    "08.ex3": [_model_without_biases, _model_only_convs, _model_as_float],
}  # fmt: skip


class TestLesson08(LessonChecks):
    notebook = NOTEBOOK
    exercises = EXERCISES
    public_checks = public.PUBLIC_CHECKS
    wrong = WRONG


@pytest.mark.parametrize("student", STUDENTS)
def test_parameter_references_match_pytorch(student):
    for case in BY_ID["08.ex1"].make_cases(SECRET, student):
        c_in, c_out, kernel, bias = case.args
        layer = nn.Conv2d(c_in, c_out, kernel, bias=bias, device="meta")
        assert case.expected == sum(p.numel() for p in layer.parameters())
    for case in BY_ID["08.ex3"].make_cases(SECRET, student):
        [specs] = case.args
        layers = [nn.Conv2d(*s[1:3], s[3], device="meta") if s[0] == "conv"
                  else nn.Linear(*s[1:], device="meta") if s[0] == "linear" else nn.ReLU()
                  for s in specs]  # fmt: skip
        assert case.expected == sum(p.numel() for p in nn.Sequential(*layers).parameters())


@pytest.mark.parametrize("student", STUDENTS)
def test_macs_reference_matches_pytorch_on_the_small_cases(student):
    from torch.utils.flop_counter import FlopCounterMode

    checked = 0
    for case in BY_ID["08.ex2"].make_cases(SECRET, student):
        c_in, c_out, kernel, height, width = case.args
        if case.expected > 5e7:
            continue
        layer = nn.Conv2d(c_in, c_out, kernel)
        x = torch.zeros(1, c_in, height + kernel - 1, width + kernel - 1)
        with FlopCounterMode(display=False) as counter, torch.inference_mode():
            assert layer(x).shape[2:] == (height, width)
        assert counter.get_total_flops() == 2 * case.expected
        checked += 1
    assert checked >= 2


@pytest.mark.parametrize("student", STUDENTS)
def test_another_correct_answer_passes(student):
    namespace = {"count_model_params": _model_linear_as_conv_of_kernel_1}
    assert all(_passes(namespace, BY_ID["08.ex3"], student))
