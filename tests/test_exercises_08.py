"""Lesson 08's own tests: the counting exercise against PyTorch, the deep plain model
(08.ex4) and the judgements (08.ex5).

The model tests train the notebook's reference solution once, in a namespace that holds
what the notebook defined before it (``make_net`` and its helpers, run from their cells).
"""

import contextlib
import io
import json

import numpy as np
import pytest
import torch
from graded_support import SECRET, STUDENTS, headings_and_solutions, passes
from torch import nn

import labkit
from labkit.lessons import exercises_for
from labkit.paths import lesson_sources
from labkit.selfcheck import check

EXERCISES = {exercise.id: exercise for exercise in exercises_for("08")}
MODEL, DEEP, FIXES = EXERCISES["08.ex3"], EXERCISES["08.ex4"], EXERCISES["08.ex5"]
[NOTEBOOK] = [path for path in lesson_sources() if path.name.startswith("08")]
DEFINITIONS = ("l08-23", "l08-c0", "l08-c1")  # Residual, hidden_layer, he_init, make_net


def _layer(spec):
    kind, *sizes = spec
    if kind == "conv":
        return nn.Conv2d(*sizes, device="meta")
    return nn.Linear(*sizes, device="meta") if kind == "linear" else nn.ReLU()


@pytest.mark.parametrize("student", STUDENTS)
def test_parameter_counts_match_pytorch(student):
    for case in MODEL.make_cases(SECRET, student):
        model = nn.Sequential(*[_layer(spec) for spec in case.args[0]])
        assert case.expected == sum(p.numel() for p in model.parameters())


def _linear_as_conv_of_kernel_1(specs):  # another right answer
    return sum(
        s[1] * s[2] * (s[3] ** 2 if s[0] == "conv" else 1) + s[2]
        for s in specs
        if s[0] in ("conv", "linear")
    )


@pytest.mark.parametrize("student", STUDENTS)
def test_another_correct_answer_passes(student):
    assert all(passes({MODEL.name: _linear_as_conv_of_kernel_1}, MODEL, student))


def _notebook_namespace() -> dict:
    """The notebook's definitions of make_net and its helpers, at the default sizes."""
    cells = {c["id"]: "".join(c["source"]) for c in json.loads(NOTEBOOK.read_text())["cells"]}
    namespace = {"np": np, "torch": torch, "nn": nn, "labkit": labkit}
    namespace |= {
        "SEED": 0,
        "SMOKE": True,
        "DEPTH": 20,
        "WIDTH": 64,
        "DEVICE": "cpu",
        "SMALL": "cpu",
    }
    for cell_id in DEFINITIONS:
        exec(cells[cell_id], namespace)
    return namespace


@pytest.fixture(scope="module")
def model_namespace() -> dict:
    """The notebook's names that 08.ex4 uses, then its reference solution cell, run."""
    namespace = _notebook_namespace()
    _, solutions = headings_and_solutions(NOTEBOOK)
    with contextlib.redirect_stdout(io.StringIO()):
        exec(solutions["08.ex4"], namespace)
    return namespace


@pytest.mark.parametrize("student", STUDENTS)
def test_the_reference_model_passes_every_case(model_namespace, student):
    assert all(passes(model_namespace, DEEP, student))


def test_the_default_initialisation_and_a_shallow_network_fail(model_namespace):
    make_net = model_namespace["make_net"]
    untrained = make_net(20)  # PyTorch's default init: chance
    torch.manual_seed(0)
    shallow = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    for model in (untrained, shallow):
        assert not any(passes({"deep_plain_model": model}, DEEP, "ada"))


def _said(capsys) -> str:
    return " ".join(capsys.readouterr().out.split())  # the verdicts are wrapped


def test_the_public_check_accepts_the_model_and_explains_mistakes(model_namespace, capsys):
    make_net = model_namespace["make_net"]
    assert check("08.ex4", model_namespace["deep_plain_model"]) is True, capsys.readouterr().out
    assert check("08.ex4", make_net(20, residual=True)) is False
    assert "A skip connection (Residual) is not allowed" in _said(capsys)
    assert check("08.ex4", make_net(5, init="he")) is False
    assert "at least 22 are needed" in _said(capsys)
    assert check("08.ex4", make_net(20)) is False
    assert "does its initialisation let the signal through?" in _said(capsys)
    assert check("08.ex4", lambda x: x) is False
    assert "nn.Sequential" in _said(capsys)


def test_model_cases_are_noisy_test_images_of_every_digit():
    [case] = DEEP.make_cases(SECRET, "ada")
    images = case.args[0]
    assert images.dtype == np.float32 and images.shape == DEEP.model_input == (300, 64)
    assert np.bincount(case.expected, minlength=10).tolist() == [30] * 10
    test_part = labkit.datasets.load("digits", split="test")
    nearest = np.abs(images[:, None, :] - test_part.X[None, :, :] / 16).max(axis=2).min(axis=1)
    assert nearest.max() < 0.5  # each one a noisy copy of a test image


def test_the_judgements_solution_answers_every_symptom():
    answers = [question.answer for question in FIXES.questions]
    assert len(answers) == 5 and len(set(answers)) >= 3  # not one letter for everything
    _, solutions = headings_and_solutions(NOTEBOOK)
    namespace: dict = {}
    exec(solutions["08.ex5"], namespace)
    assert namespace["fixes"] == dict(enumerate(answers, start=1))
