"""Every declared exercise, checked the same way: reference, examples, cases, mistakes, notebook.

The declarations (``labkit/lessons/lesson_NN.py``) are the single source of an exercise;
these tests prove, for every exercise of every lesson, that

- the reference passes its public examples (through :func:`labkit.check`) and every graded
  case of several students (through the real query code the grader sends to a kernel);
- every declared mistake fails both, and the self-check shows its hint;
- the source notebook's solution cell agrees: it passes the public examples and the cases;
- an untouched placeholder is "not attempted" for the self-check and for the grader;
- the graded cases are per student, deterministic, few and small, and judges reject junk;
- ids, points and names match the notebook's headings and solution cells.

Value and model exercises keep a check of their own; their lesson-specific tests live in
``test_exercises_custom.py``.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from graded_support import SECRET, STUDENTS, ask, headings_and_solutions, passes

from labkit.exercises.declare import Example, Exercise
from labkit.exercises.public import from_json, public_view, to_json
from labkit.grading.protocol import to_wire
from labkit.lessons import check_ids, exercises_for, find_exercise, lesson_numbers
from labkit.paths import lesson_sources
from labkit.selfcheck import check

SOURCES = {path.name[:2]: path for path in lesson_sources()}
ALL = [exercise for number in lesson_numbers() for exercise in exercises_for(number)]
FUNCTIONS = [exercise for exercise in ALL if exercise.kind == "function"]
MISTAKES = [(exercise, mistake) for exercise in FUNCTIONS for mistake in exercise.mistakes]


def _id(value: object) -> str:
    if isinstance(value, Exercise):
        return value.id
    return getattr(getattr(value, "answer", None), "__name__", str(value))


def _solution(exercise: Exercise):
    """The source notebook's solution of ``exercise``, defined as its cell defines it."""
    import torch
    from torch import nn

    _, solutions = headings_and_solutions(SOURCES[exercise.id[:2]])
    namespace = {"np": np, "torch": torch, "nn": nn}
    exec(solutions[exercise.id], namespace)
    return namespace[exercise.name]


def _placeholder(*args: object, **kwargs: object) -> None:
    raise NotImplementedError("Write your solution here.")


def test_every_lesson_has_declarations_and_every_declared_lesson_a_source():
    assert lesson_numbers() == sorted(SOURCES)


@pytest.mark.parametrize("number", sorted(SOURCES))
def test_ids_points_and_names_match_the_headings(number):
    headings, solutions = headings_and_solutions(SOURCES[number])
    exercises = exercises_for(number)
    assert [(exercise.id, exercise.points) for exercise in exercises] == headings
    assert set(solutions) == {exercise_id for exercise_id, _ in headings}
    for exercise in exercises:  # the name is what the solution cell defines
        assert re.search(rf"^(def )?{exercise.name}\b", solutions[exercise.id], re.MULTILINE)


def test_a_repeated_or_misplaced_id_is_an_error():
    [first, *_] = exercises_for("05")
    with pytest.raises(ValueError, match="declared twice"):
        check_ids({"05": [first, first]})
    with pytest.raises(ValueError, match="not lesson 06's"):
        check_ids({"06": [first]})
    assert find_exercise("05.ex9") is None and find_exercise("nonsense") is None


def test_a_declaration_missing_what_its_kind_needs_is_an_error():
    with pytest.raises(ValueError, match="needs reference, inputs, at least 3 examples"):
        Exercise(id="99.ex1", name="f", points=1)
    with pytest.raises(ValueError, match="judge must be one of labkit.exercises.judges"):
        Exercise(
            id="99.ex1",
            name="f",
            points=1,
            reference=abs,
            inputs=lambda rng: [(1,)],
            examples=[Example((1,))] * 3,
            judge=lambda got, expected: True,
        )
    with pytest.raises(ValueError, match="needs cases= and public_check="):
        Exercise(id="99.ex1", name="m", points=1, kind="model", model_input=(2, 3))
    model = {
        "id": "99.ex1",
        "name": "m",
        "points": 1,
        "kind": "model",
        "cases": lambda rng: [],
        "public_check": print,
    }
    with pytest.raises(ValueError, match="model_input="):
        Exercise(**model)
    with pytest.raises(ValueError, match="leave expression= out"):
        Exercise(**model, model_input=(2, 3), expression="m(args[0])")


@pytest.mark.parametrize("exercise", FUNCTIONS, ids=_id)
def test_the_reference_passes_the_public_examples(exercise, capsys):
    assert check(exercise.id, exercise.reference) is True, capsys.readouterr().out


@pytest.mark.parametrize("exercise", FUNCTIONS, ids=_id)
def test_the_reference_passes_every_graded_case(exercise):
    for student in STUDENTS:
        assert all(passes({exercise.name: exercise.reference}, exercise, student)), student


@pytest.mark.parametrize("exercise", FUNCTIONS, ids=_id)
def test_the_notebook_solution_agrees_with_the_reference(exercise, capsys):
    solution = _solution(exercise)
    assert check(exercise.id, solution) is True, capsys.readouterr().out
    for student in STUDENTS:
        assert all(passes({exercise.name: solution}, exercise, student)), student


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # e.g. a naive softmax overflows
@pytest.mark.parametrize(("exercise", "mistake"), MISTAKES, ids=_id)
def test_every_mistake_fails_the_public_examples_with_its_hint(exercise, mistake, capsys):
    assert check(exercise.id, mistake.answer) is False
    printed = capsys.readouterr().out
    assert "not yet right" in printed
    assert " ".join(mistake.hint.split()) in " ".join(printed.split())  # wrapped to a width


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(("exercise", "mistake"), MISTAKES, ids=_id)
def test_every_mistake_fails_a_graded_case_of_every_student(exercise, mistake):
    for student in STUDENTS:
        assert not all(passes({exercise.name: mistake.answer}, exercise, student)), student


@pytest.mark.parametrize("exercise", ALL, ids=_id)
def test_an_untouched_placeholder_is_not_attempted(exercise, capsys):
    placeholder = None if exercise.kind != "function" else _placeholder
    [case, *_] = exercise.make_cases(SECRET, "ada")
    assert ask({exercise.name: placeholder}, exercise, case.args) == ("not_attempted", None)
    assert check(exercise.id, placeholder) is False
    assert "not attempted yet" in capsys.readouterr().out


@pytest.mark.parametrize("exercise", ALL, ids=_id)
def test_cases_are_per_student_deterministic_few_and_small(exercise):
    def wire(student: str) -> list:
        cases = exercise.make_cases(SECRET, student)
        return [(to_wire(case.args), to_wire(case.expected)) for case in cases]

    ada = wire("ada")
    assert ada == wire("ada")
    if exercise.kind not in ("value", "questions"):  # the same for everyone (the device)
        assert ada != wire("grace")
    assert 1 <= len(ada) <= 8 and (exercise.kind != "function" or len(ada) >= 4)
    if exercise.kind != "model":  # a model's inputs go to the grader's judge, not the kernel
        assert all(len(args) < 20_000 for args, _ in ada)


@pytest.mark.parametrize("exercise", ALL, ids=_id)
def test_judges_say_false_to_junk(exercise):
    expected = exercise.make_cases(SECRET, "ada")[0].expected
    junk = ["3", None, True, {"a": 1}, [[["x"]]], [None, None], 1e300, "nan"]
    if exercise.kind == "model":  # the grader hands a model's judge (outputs, numbers)
        n = len(expected)
        junk = [
            (np.zeros((1, 1)), 100),
            (np.zeros(n), 100),
            (np.full((n, 10), np.nan), 100),
            (np.zeros((n, 10)), 0),
            (np.zeros((n, 10, 1)), 100),
        ]
    for answer in junk:
        assert exercise.judge(answer, expected) is False, answer


@pytest.mark.parametrize("exercise", ALL, ids=_id)
def test_the_public_view_survives_json(exercise):
    view = public_view(exercise)
    assert from_json(to_json([view])) == [view]
    assert len(view.examples) == len(exercise.examples)
