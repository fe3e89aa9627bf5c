"""Lesson 07's own tests: the graded cases agree with PyTorch, and a flipped kernel shows."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from graded_support import SECRET, STUDENTS

from labkit.lessons import exercises_for

EXERCISES = {exercise.id: exercise for exercise in exercises_for("07")}


@pytest.mark.parametrize("student", STUDENTS)
def test_output_size_cases_match_pytorch(student):
    for case in EXERCISES["07.ex1"].make_cases(SECRET, student):
        size, kernel, padding, stride = case.args
        out = F.conv2d(
            torch.zeros(1, 1, size, 1),
            torch.zeros(1, 1, kernel, 1),
            padding=(padding, 0),
            stride=(stride, 1),
        )
        assert case.expected == out.shape[2]


@pytest.mark.parametrize("student", STUDENTS)
def test_convolution_cases_match_pytorch(student):
    for case in EXERCISES["07.ex2"].make_cases(SECRET, student):
        image, kernel, padding, stride = case.args
        x = torch.as_tensor(np.asarray(image, dtype=float))[None, None]
        w = torch.as_tensor(np.asarray(kernel, dtype=float))[None, None]
        expected = F.conv2d(x, w, padding=padding, stride=stride)[0, 0].numpy()
        np.testing.assert_allclose(np.asarray(case.expected), expected, rtol=1e-12, atol=1e-12)


def test_every_kernel_is_asymmetric_so_a_flip_shows():
    for student in STUDENTS:
        for case in EXERCISES["07.ex2"].make_cases(SECRET, student):
            kernel = np.asarray(case.args[1])
            if kernel.size > 1:
                assert not np.allclose(kernel, np.flip(kernel))
