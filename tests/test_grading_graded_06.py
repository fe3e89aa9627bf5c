"""The graded checks of lesson 06: the reference solutions pass, wrong answers fail.

As in ``test_grading_graded.py``, answers travel as the grader sends them: each case becomes
the real query code (``protocol.query_code``), run here in a namespace holding the solution
from the source notebook, and the printed reply is read back with ``protocol.read_answer``.
The model exercise (06.ex3) trains the notebook's reference network once, on the lesson's
split, in a namespace that holds what the notebook defined before it.
"""

import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from graded_support import SECRET, headings_and_solutions
from graded_support import ask as _ask
from graded_support import passes as _passes
from torch import nn

import labkit
from labkit.grading.graded import lesson_06
from labkit.grading.protocol import to_wire

NOTEBOOK = (
    Path(__file__).resolve().parents[1]
    / "notebooks"
    / "solutions"
    / "06_feed_forward_networks.ipynb"
)
EXERCISES = {exercise.id: exercise for exercise in lesson_06.EXERCISES}
STUDENTS = ["ada", "grace", "alan"]


def _headings_and_solutions() -> tuple[list[tuple[str, int]], dict[str, str]]:
    return headings_and_solutions(NOTEBOOK)


def _function_namespace(exercise_id: str) -> dict:
    """A namespace where the notebook's reference solution cell has run."""
    _, solutions = _headings_and_solutions()
    namespace = {"np": np}
    exec(solutions[exercise_id], namespace)
    return namespace


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
    _, solutions = _headings_and_solutions()
    with contextlib.redirect_stdout(io.StringIO()):
        exec(solutions["06.ex3"], namespace)
    return namespace


# Deliberately wrong answers, each a usual mistake.
def _weights_only(layer_sizes):
    return sum(a * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:], strict=True))


def _float_count(layer_sizes):
    return float(sum(a * b + b for a, b in zip(layer_sizes[:-1], layer_sizes[1:], strict=True)))


def _naive_softmax(z):
    exps = np.exp(z)  # overflows for large scores
    return exps / exps.sum(axis=1, keepdims=True)


def _softmax_over_columns(z):
    exps = np.exp(z - z.max(axis=0, keepdims=True))
    return exps / exps.sum(axis=0, keepdims=True)


WRONG = {
    "06.ex1": [_weights_only, _float_count],
    "06.ex2": [_naive_softmax, _softmax_over_columns],
}


@pytest.mark.parametrize("exercise_id", ["06.ex1", "06.ex2"])
@pytest.mark.parametrize("student", STUDENTS)
def test_reference_function_passes_every_case(exercise_id, student):
    exercise = EXERCISES[exercise_id]
    assert all(_passes(_function_namespace(exercise_id), exercise, student))


@pytest.mark.parametrize("exercise_id", ["06.ex1", "06.ex2"])
def test_a_wrong_function_fails_a_case(exercise_id):
    exercise = EXERCISES[exercise_id]
    for wrong in WRONG[exercise_id]:
        for student in ["ada", "grace"]:
            with np.errstate(all="ignore"):  # the naive softmax overflows: that is the point
                assert not all(_passes({exercise.name: wrong, "np": np}, exercise, student))


@pytest.mark.parametrize("student", STUDENTS)
def test_reference_model_passes_every_case(model_namespace, student):
    exercise = EXERCISES["06.ex3"]
    assert all(_passes(model_namespace, exercise, student))


class _Padded(nn.Module):
    """The trained model plus a layer it never uses: right answers, too many parameters."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model, self.unused = model, nn.Linear(100, 100)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)


def test_wrong_models_fail(model_namespace):
    exercise = EXERCISES["06.ex3"]
    torch.manual_seed(0)
    untrained = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    padded = _Padded(model_namespace["digits_model"])
    for model in (untrained, padded):
        assert not any(_passes({"digits_model": model}, exercise, "ada"))
    # An untouched placeholder is "not attempted", not an error.
    placeholder = _ask({"digits_model": None}, exercise, (np.zeros((2, 64), np.uint8),))
    assert placeholder == ("not_attempted", None)


def test_model_cases_hold_six_images_of_each_digit_never_twice():
    exercise = EXERCISES["06.ex3"]
    cases = exercise.make_cases(SECRET, "ada")
    rows = np.concatenate([case.args[0] for case in cases])
    assert rows.dtype == np.uint8 and rows.shape == (300, 64) and rows.max() <= 16
    assert len(np.unique(rows, axis=0)) >= 295  # a few digits images are exact copies
    for case in cases:
        assert np.bincount(case.expected, minlength=10).tolist() == [6] * 10


@pytest.mark.parametrize("exercise", lesson_06.EXERCISES, ids=lambda exercise: exercise.id)
def test_cases_are_per_student_deterministic_small_and_valid(exercise):
    def wire(student):
        cases = exercise.make_cases(SECRET, student)
        return [(to_wire(case.args), to_wire(case.expected)) for case in cases]

    ada = wire("ada")
    assert ada == wire("ada")
    assert ada != wire("grace")
    assert 4 <= len(ada) <= 8
    assert all(len(args) < 20_000 for args, _ in ada)


def test_softmax_cases_include_scores_that_overflow_a_naive_softmax():
    cases = EXERCISES["06.ex2"].make_cases(SECRET, "ada")
    assert any(np.min(case.args[0]) > 900 for case in cases)
    assert any(np.max(case.args[0]) < -900 for case in cases)
    assert any(case.args[0].shape[1] == 1 for case in cases)
    assert any(case.args[0].dtype.kind == "i" for case in cases)
    for case in cases:
        assert np.all(np.isfinite(case.expected))
        assert np.allclose(np.sum(case.expected, axis=1), 1.0)


@pytest.mark.parametrize("exercise", lesson_06.EXERCISES, ids=lambda exercise: exercise.id)
def test_judges_say_false_to_junk(exercise):
    expected = exercise.make_cases(SECRET, "ada")[0].expected
    for junk in ["3", None, True, {"a": 1}, [[["x"]]], [None, None], 1e300, "nan"]:
        assert exercise.judge(junk, expected) is False


def test_ids_points_and_names_match_the_notebook():
    headings, solutions = _headings_and_solutions()
    assert [(exercise.id, exercise.points) for exercise in lesson_06.EXERCISES] == headings
    assert set(solutions) == {exercise_id for exercise_id, _ in headings}
    for exercise in lesson_06.EXERCISES:  # the name is what the solution cell defines
        assert re.search(rf"^(def )?{exercise.name}\b", solutions[exercise.id], re.MULTILINE)


def test_public_checks_accept_the_reference_and_explain_mistakes(model_namespace, capsys):
    from labkit.exercises import lesson_06 as public
    from labkit.selfcheck import CheckFailed

    public.check_ex1(_function_namespace("06.ex1")["count_parameters"])
    public.check_ex2(_function_namespace("06.ex2")["softmax"])
    public.check_ex3(model_namespace["digits_model"])
    mistakes = [
        (public.check_ex1, _weights_only, "bias"),
        (public.check_ex1, _float_count, "whole number"),
        (public.check_ex2, _naive_softmax, "largest score"),
        (public.check_ex2, _softmax_over_columns, "ROW"),
        (public.check_ex3, _Padded(model_namespace["digits_model"]), "at most 3000"),
    ]
    for check, answer, words in mistakes:
        with pytest.raises(CheckFailed, match=words):
            check(answer)
