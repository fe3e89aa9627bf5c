"""Lesson 06's own tests: the model exercise (06.ex3) and the softmax cases' edge cases.

The model tests train the notebook's reference network once, on the lesson's split, in a
namespace that holds what the notebook defined before its solution cell.
"""

import contextlib
import io

import numpy as np
import pytest
import torch
from graded_support import SECRET, STUDENTS, headings_and_solutions, padded, passes
from torch import nn

import labkit
from labkit.lessons import exercises_for
from labkit.paths import lesson_sources
from labkit.selfcheck import check

EXERCISES = {exercise.id: exercise for exercise in exercises_for("06")}
MODEL = EXERCISES["06.ex3"]


@pytest.fixture(scope="module")
def model_namespace() -> dict:
    """The notebook's names that 06.ex3 uses, then its reference solution cell, run."""
    digits = labkit.datasets.load("digits")
    images = torch.as_tensor(digits.X.reshape(-1, 8, 8) / 16, dtype=torch.float32)
    labels = torch.as_tensor(digits.y)
    train, val, _ = labkit.train_val_test_split(digits.y, stratify=True, seed=0)
    namespace = {"np": np, "torch": torch, "nn": nn, "labkit": labkit, "SEED": 0, "SMOKE": True}
    namespace |= {"DEVICE": "cpu", "X_train": images[train], "y_train": labels[train]}
    namespace |= {"X_val": images[val], "y_val": labels[val]}
    [notebook] = [path for path in lesson_sources() if path.name.startswith("06")]
    _, solutions = headings_and_solutions(notebook)
    with contextlib.redirect_stdout(io.StringIO()):
        exec(solutions["06.ex3"], namespace)
    return namespace


@pytest.mark.parametrize("student", STUDENTS)
def test_the_reference_model_passes_every_case(model_namespace, student):
    assert all(passes(model_namespace, MODEL, student))


def test_wrong_models_fail(model_namespace):
    torch.manual_seed(0)
    untrained = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    for model in (untrained, padded(model_namespace["digits_model"])):
        assert not any(passes({"digits_model": model}, MODEL, "ada"))


def test_the_public_check_accepts_the_model_and_explains_mistakes(model_namespace, capsys):
    assert check("06.ex3", model_namespace["digits_model"]) is True, capsys.readouterr().out
    assert check("06.ex3", padded(model_namespace["digits_model"])) is False
    assert "at most 3000" in " ".join(capsys.readouterr().out.split())  # wrapped
    untrained = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    assert check("06.ex3", untrained) is False
    assert "is it trained?" in " ".join(capsys.readouterr().out.split())  # wrapped
    images_only = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.LazyLinear(10))
    assert check("06.ex3", images_only) is False
    assert "shape (n, 64)" in " ".join(capsys.readouterr().out.split())  # wrapped


def test_model_cases_hold_30_noisy_images_of_each_digit_never_twice():
    [case] = MODEL.make_cases(SECRET, "ada")
    images = case.args[0]
    assert images.dtype == np.float32 and images.shape == MODEL.model_input == (300, 64)
    assert images.min() >= 0 and images.max() <= 1
    assert np.bincount(case.expected, minlength=10).tolist() == [30] * 10
    digits = labkit.datasets.load("digits")
    # Noise makes every image new: none is a bundled image, nor a bundled image / 16.
    distances = np.abs(images[:, None, :] - digits.X[None, :, :] / 16).max(axis=2)
    assert distances.min() > 0.01
    [other] = MODEL.make_cases(SECRET, "grace")
    assert not np.array_equal(other.args[0], images)


def test_softmax_cases_include_scores_that_overflow_a_naive_softmax():
    cases = EXERCISES["06.ex2"].make_cases(SECRET, "ada")
    assert any(np.min(case.args[0]) > 900 for case in cases)
    assert any(np.max(case.args[0]) < -900 for case in cases)
    assert any(case.args[0].shape[1] == 1 for case in cases)
    assert any(case.args[0].dtype.kind == "i" for case in cases)
    for case in cases:
        assert np.all(np.isfinite(case.expected))
        assert np.allclose(np.sum(case.expected, axis=1), 1.0)
