"""Lesson 08: the references' counts agree with PyTorch on the graded cases."""

import pytest
import torch
from graded_support import SECRET, STUDENTS, passes
from torch import nn

from labkit.lessons import exercises_for

PARAMS, MACS, MODEL = exercises_for("08")


def _layer(spec):
    kind, *sizes = spec
    if kind == "conv":
        return nn.Conv2d(*sizes, device="meta")
    return nn.Linear(*sizes, device="meta") if kind == "linear" else nn.ReLU()


@pytest.mark.parametrize("student", STUDENTS)
def test_parameter_counts_match_pytorch(student):
    for case in PARAMS.make_cases(SECRET, student):
        c_in, c_out, kernel, bias = case.args
        layer = nn.Conv2d(c_in, c_out, kernel, bias=bias, device="meta")
        assert case.expected == sum(p.numel() for p in layer.parameters())
    for case in MODEL.make_cases(SECRET, student):
        model = nn.Sequential(*[_layer(spec) for spec in case.args[0]])
        assert case.expected == sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("student", STUDENTS)
def test_macs_match_pytorch_on_the_small_cases(student):
    from torch.utils.flop_counter import FlopCounterMode

    small = [case for case in MACS.make_cases(SECRET, student) if case.expected <= 5e7]
    assert len(small) >= 2
    for case in small:
        c_in, c_out, kernel, height, width = case.args
        x = torch.zeros(1, c_in, height + kernel - 1, width + kernel - 1)
        with FlopCounterMode(display=False) as counter, torch.inference_mode():
            assert nn.Conv2d(c_in, c_out, kernel)(x).shape[2:] == (height, width)
        assert counter.get_total_flops() == 2 * case.expected


def _linear_as_conv_of_kernel_1(specs):  # another right answer
    return sum(
        s[1] * s[2] * (s[3] ** 2 if s[0] == "conv" else 1) + s[2]
        for s in specs
        if s[0] in ("conv", "linear")
    )


@pytest.mark.parametrize("student", STUDENTS)
def test_another_correct_answer_passes(student):
    assert all(passes({MODEL.name: _linear_as_conv_of_kernel_1}, MODEL, student))
