"""The graded checks of lesson 07: the reference solutions pass, usual mistakes fail.

As in ``test_grading_graded.py``, answers travel as the grader sends them: each case becomes
the real query code (``protocol.query_code``), run here in a namespace holding the solution
cell of the source notebook, and the printed reply is read back with
``protocol.read_answer``. So the JSON round trip and each exercise's expression are both
exercised, without starting a kernel.
"""

from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from graded_support import SECRET, LessonChecks

from labkit.exercises import lesson_07 as public
from labkit.grading.graded import lesson_07

NOTEBOOK = (
    Path(__file__).resolve().parents[1]
    / "notebooks"
    / "solutions"
    / "07_images_and_convolutions.ipynb"
)
EXERCISES = lesson_07.EXERCISES
BY_ID = {exercise.id: exercise for exercise in EXERCISES}
STUDENTS = ["ada", "grace", "alan"]


# Usual mistakes, several per exercise; each must fail at least one graded case.
def _size_padding_once(size, kernel, padding=0, stride=1):
    return (size + padding - kernel) // stride + 1


def _size_rounded_up(size, kernel, padding=0, stride=1):
    return -(-(size + 2 * padding - kernel) // stride) + 1


def _size_as_float(size, kernel, padding=0, stride=1):
    return (size + 2 * padding - kernel) // stride + 1.0


def _size_without_plus_one(size, kernel, padding=0, stride=1):
    return (size + 2 * padding - kernel) // stride


def _true_convolution(image, kernel, padding=0, stride=1):  # flips the kernel
    return lesson_07._convolve(image, np.flip(np.asarray(kernel)), padding, stride)


def _convolve_without_padding(image, kernel, padding=0, stride=1):
    return lesson_07._convolve(image, kernel, 0, stride)


def _convolve_integer_output(image, kernel, padding=0, stride=1):
    out = lesson_07._convolve(image, kernel, padding, stride)
    return out.astype(np.asarray(image).dtype)  # np.zeros_like(image) truncates int images


def _convolve_stride_on_one_axis(image, kernel, padding=0, stride=1):
    padded = np.pad(np.asarray(image, dtype=float), padding)
    windows = np.lib.stride_tricks.sliding_window_view(padded, np.shape(kernel))
    return np.einsum("ijkl,kl->ij", windows[::stride, :], kernel)


def _bytes_rounded_down(width, height, channels, bits):
    return width * height * channels * bits // 8


def _bytes_as_float(width, height, channels, bits):
    return width * height * channels * bits / 8


def _bytes_in_bits(width, height, channels, bits):
    return width * height * channels * bits


WRONG = {
    "07.ex1": [_size_padding_once, _size_rounded_up, _size_as_float, _size_without_plus_one],
    "07.ex2": [
        _true_convolution,
        _convolve_without_padding,
        _convolve_integer_output,
        _convolve_stride_on_one_axis,
    ],
    "07.ex3": [_bytes_rounded_down, _bytes_as_float, _bytes_in_bits],
}


class TestLesson07(LessonChecks):
    notebook = NOTEBOOK
    exercises = EXERCISES
    public_checks = public.PUBLIC_CHECKS
    wrong = WRONG


@pytest.mark.parametrize("student", STUDENTS)
def test_convolution_reference_matches_pytorch(student):
    for case in BY_ID["07.ex2"].make_cases(SECRET, student):
        image, kernel, padding, stride = case.args
        x = torch.as_tensor(np.asarray(image, dtype=float))[None, None]
        w = torch.as_tensor(np.asarray(kernel, dtype=float))[None, None]
        expected = F.conv2d(x, w, padding=padding, stride=stride)[0, 0].numpy()
        assert case.expected.shape == expected.shape
        np.testing.assert_allclose(case.expected, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("student", STUDENTS)
def test_output_size_reference_matches_pytorch(student):
    for case in BY_ID["07.ex1"].make_cases(SECRET, student):
        size, kernel, padding, stride = case.args
        out = F.conv2d(torch.zeros(1, 1, size, 1), torch.zeros(1, 1, kernel, 1),
                       padding=(padding, 0), stride=(stride, 1))  # fmt: skip
        assert case.expected == out.shape[2]


def test_every_kernel_is_asymmetric_so_a_flip_shows():
    for student in STUDENTS:
        for case in BY_ID["07.ex2"].make_cases(SECRET, student):
            kernel = np.asarray(case.args[1])
            if kernel.size > 1:
                assert not np.allclose(kernel, np.flip(kernel))
