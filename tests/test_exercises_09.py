"""Lesson 09: the reference's trainable counts agree with PyTorch on the graded cases."""

from itertools import pairwise

import pytest
from graded_support import SECRET, STUDENTS
from torch import nn

from labkit.lessons import exercises_for

COUNT, _ = exercises_for("09")


@pytest.mark.parametrize("student", STUDENTS)
def test_trainable_counts_match_pytorch(student):
    for case in COUNT.make_cases(SECRET, student):
        sizes, frozen = case.args
        model = nn.Sequential(*[nn.Linear(a, b, device="meta") for a, b in pairwise(sizes)])
        for i in frozen:
            model[i].requires_grad_(False)
        assert case.expected == sum(p.numel() for p in model.parameters() if p.requires_grad)
