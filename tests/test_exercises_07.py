"""Lesson 07's own tests: the graded cases agree with PyTorch, a flipped kernel shows, and
the model exercise (07.ex4) passes its reference CNN and fails wrong models.

The model tests train the notebook's reference CNN once, in a namespace that holds what the
notebook defined before its solution cell.
"""

import contextlib
import io
import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from graded_support import SECRET, STUDENTS, headings_and_solutions, padded, passes
from torch import nn

import labkit
from labkit.lessons import exercises_for
from labkit.paths import lesson_sources
from labkit.selfcheck import check

EXERCISES = {exercise.id: exercise for exercise in exercises_for("07")}
MODEL = EXERCISES["07.ex4"]


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


@pytest.fixture(scope="module")
def model_namespace() -> dict:
    """The notebook's names that 07.ex4 uses, then its reference solution cell, run."""
    namespace = {"np": np, "torch": torch, "nn": nn, "labkit": labkit, "SEED": 0, "SMOKE": True}
    namespace["DEVICE"] = "cpu"
    [notebook] = [path for path in lesson_sources() if path.name.startswith("07")]
    _, solutions = headings_and_solutions(notebook)
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
    solution = code.index(solutions["07.ex4"])
    with contextlib.redirect_stdout(io.StringIO()):
        exec(code[solution - 1], namespace)  # the fixed training part it trains on
        exec(solutions["07.ex4"], namespace)
    return namespace


def _untrained() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 4, 5, padding=2), nn.ReLU(), nn.MaxPool2d(4), nn.Flatten(), nn.Linear(16, 10)
    )


@pytest.mark.parametrize("student", STUDENTS)
def test_the_reference_cnn_passes_every_case(model_namespace, student):
    assert all(passes(model_namespace, MODEL, student))


def test_wrong_models_fail(model_namespace):
    for model in (_untrained(), padded(model_namespace["digits_cnn"], 10)):
        assert not any(passes({"digits_cnn": model}, MODEL, "ada"))


def test_the_public_check_accepts_the_cnn_and_explains_mistakes(model_namespace, capsys):
    assert check("07.ex4", model_namespace["digits_cnn"]) is True, capsys.readouterr().out
    assert check("07.ex4", padded(model_namespace["digits_cnn"], 10)) is False
    assert "at most 300" in " ".join(capsys.readouterr().out.split())  # wrapped
    assert check("07.ex4", _untrained()) is False
    assert "is it trained?" in " ".join(capsys.readouterr().out.split())
    flat_only = nn.Sequential(nn.Linear(64, 3), nn.ReLU(), nn.Linear(3, 10))  # wants (n, 64)
    assert check("07.ex4", flat_only) is False
    assert "shape (n, 1, 8, 8)" in " ".join(capsys.readouterr().out.split())


def test_cnn_cases_hold_30_noisy_test_images_of_each_digit_never_twice():
    [case] = MODEL.make_cases(SECRET, "ada")
    images = case.args[0]
    assert images.dtype == np.float32 and images.shape == MODEL.model_input == (300, 1, 8, 8)
    assert images.min() >= 0 and images.max() <= 1
    assert np.bincount(case.expected, minlength=10).tolist() == [30] * 10
    test_part = labkit.datasets.load("digits", split="test")
    # Each image is a noisy test image: nearest (within the noise) to a test image of its label.
    flat = images.reshape(len(images), 64)
    distances = np.abs(flat[:, None, :] - test_part.X[None, :, :] / 16).mean(axis=2)
    assert np.array_equal(test_part.y[distances.argmin(axis=1)], np.asarray(case.expected))
    assert len(set(distances.argmin(axis=1).tolist())) == 300  # none twice
    [other] = MODEL.make_cases(SECRET, "grace")
    assert not np.array_equal(other.args[0], images)
