"""The graded checks of lesson 04: the reference solutions pass, usual mistakes fail.

Answers travel as the grader sends them: each case becomes the real query code
(``protocol.query_code``), run here in a namespace holding the solution from the source
notebook, and the printed reply is read back with ``protocol.read_answer``. So the JSON round
trip and the exercise's expression are both exercised, without starting a kernel.
"""

import re
from pathlib import Path

import numpy as np
import pytest
from graded_support import SECRET, headings_and_solutions
from graded_support import ask as _ask
from graded_support import passes as _passes

from labkit.grading.exercise import GradedExercise
from labkit.grading.graded import exercises_for
from labkit.grading.protocol import to_wire

NOTEBOOK = (
    Path(__file__).resolve().parents[1]
    / "notebooks"
    / "solutions"
    / "04_support_vector_machines.ipynb"
)
EXERCISES = exercises_for("04")
STUDENTS = ["ada", "grace", "alan", "barbara"]


def _headings_and_solutions() -> tuple[list[tuple[str, int]], dict[str, str]]:
    return headings_and_solutions(NOTEBOOK)


def _solution_namespace(exercise: GradedExercise) -> dict:
    """A namespace where the notebook's reference solution cell has run."""
    _, solutions = _headings_and_solutions()
    namespace = {"np": np}
    exec(solutions[exercise.id], namespace)
    return namespace


# Deliberately wrong answers: the usual mistakes, several per exercise.
def _hinge_sum(scores, y):
    return float(np.sum(np.maximum(0, 1 - np.asarray(y) * np.asarray(scores))))  # sum, not mean


def _hinge_without_max(scores, y):
    return float(np.mean(1 - np.asarray(y) * np.asarray(scores)))  # beyond the street < 0


def _perceptron_loss(scores, y):
    return float(np.mean(np.maximum(0, -np.asarray(y) * np.asarray(scores))))  # hinge at 0


def _differences(X, Y):
    return np.asarray(X, dtype=float)[:, None, :] - np.asarray(Y, dtype=float)[None, :, :]


def _kernel_not_squared(X, Y, gamma):
    return np.exp(-gamma * np.sqrt((_differences(X, Y) ** 2).sum(axis=2)))


def _kernel_transposed(X, Y, gamma):
    return np.exp(-gamma * (_differences(X, Y) ** 2).sum(axis=2)).T


def _kernel_divided(X, Y, gamma):
    return np.exp(-(_differences(X, Y) ** 2).sum(axis=2) / gamma)


def _margin_values(X, y, w, b):
    return np.asarray(y) * (np.asarray(X, dtype=float) @ np.asarray(w, dtype=float) + b)


def _violations_or_equal(X, y, w, b):
    return int(np.sum(_margin_values(X, y, w, b) <= 1))  # counts samples on the edge


def _violations_wrong_side(X, y, w, b):
    return int(np.sum(_margin_values(X, y, w, b) < 0))  # misses samples inside the street


def _violations_as_float(X, y, w, b):
    return float(np.sum(_margin_values(X, y, w, b) < 1))  # right number, not an int


def _violations_minus_b(X, y, w, b):
    return int(np.sum(_margin_values(X, y, w, -b) < 1))  # w . x - b


WRONG = [
    ("04.ex1", _hinge_sum),
    ("04.ex1", _hinge_without_max),
    ("04.ex1", _perceptron_loss),
    ("04.ex2", _kernel_not_squared),
    ("04.ex2", _kernel_transposed),
    ("04.ex2", _kernel_divided),
    ("04.ex3", _violations_or_equal),
    ("04.ex3", _violations_wrong_side),
    ("04.ex3", _violations_as_float),
    ("04.ex3", _violations_minus_b),
]


def _exercise(exercise_id: str) -> GradedExercise:
    [exercise] = [e for e in EXERCISES if e.id == exercise_id]
    return exercise


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda exercise: exercise.id)
@pytest.mark.parametrize("student", STUDENTS)
def test_reference_solution_passes_every_case(exercise, student):
    assert all(_passes(_solution_namespace(exercise), exercise, student))


@pytest.mark.parametrize(
    ("exercise_id", "wrong"), WRONG, ids=[f"{i}-{f.__name__.strip('_')}" for i, f in WRONG]
)
@pytest.mark.parametrize("student", ["ada", "grace"])
def test_a_usual_mistake_fails_a_case(exercise_id, wrong, student):
    exercise = _exercise(exercise_id)
    namespace = {exercise.name: wrong, "np": np}
    assert not all(_passes(namespace, exercise, student))


def test_an_untouched_placeholder_is_not_attempted():
    def placeholder(*args):
        raise NotImplementedError("Write your solution here.")

    for exercise in EXERCISES:
        case = exercise.make_cases(SECRET, "ada")[0]
        namespace = {exercise.name: placeholder, "np": np}
        assert _ask(namespace, exercise, case.args) == ("not_attempted", None)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda exercise: exercise.id)
def test_cases_are_per_student_deterministic_small_and_valid(exercise):
    def wire(student):
        cases = exercise.make_cases(SECRET, student)
        return [(to_wire(case.args), to_wire(case.expected)) for case in cases]

    ada = wire("ada")
    assert ada == wire("ada")
    assert ada != wire("grace")
    assert 4 <= len(ada) <= 8
    assert all(len(args) < 20_000 for args, _ in ada)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda exercise: exercise.id)
def test_judges_say_false_to_junk(exercise):
    expected = exercise.make_cases(SECRET, "ada")[0].expected
    for junk in ["3", None, True, {"a": 1}, [[["x"]]], [None, None], 1e300, "nan"]:
        assert exercise.judge(junk, expected) is False


def test_hinge_cases_hold_the_edge_and_labels_are_plus_or_minus_one():
    for student in STUDENTS:
        cases = _exercise("04.ex1").make_cases(SECRET, student)
        for case in cases:
            scores, y = (np.asarray(a, dtype=float) for a in case.args)
            assert scores.shape == y.shape and len(y) >= 1 and set(np.unique(y)) <= {-1, 1}
        on_edge = [np.isclose(np.asarray(c.args[1]) * np.asarray(c.args[0]), 1) for c in cases]
        assert any(values.any() for values in on_edge)  # y * score = 1 costs 0
        assert any(len(c.args[0]) == 1 for c in cases)  # one sample


def test_kernel_cases_are_rectangular_and_match_the_formula():
    for student in STUDENTS:
        cases = _exercise("04.ex2").make_cases(SECRET, student)
        assert any(np.shape(c.args[0])[0] != np.shape(c.args[1])[0] for c in cases)
        assert any(isinstance(c.args[0], list) for c in cases)
        for case in cases:
            X, Y, gamma = case.args
            by_formula = np.exp(-gamma * (_differences(X, Y) ** 2).sum(axis=2))
            np.testing.assert_allclose(case.expected, by_formula, rtol=1e-9, atol=1e-12)


def test_violation_cases_put_samples_exactly_on_the_edge():
    for student in STUDENTS:
        cases = _exercise("04.ex3").make_cases(SECRET, student)
        values = [_margin_values(*case.args) for case in cases]
        assert any(np.any(v == 1) for v in values)  # exactly on the edge: not a violation
        assert all(type(case.expected) is int for case in cases)
        assert {0} < {case.expected for case in cases}  # a case without violations, and others
        assert any(np.any(v == 0) for v in values)  # on the boundary: a violation
        floats = values[2:]  # away from the edge, where rounding could decide the answer
        assert all(np.all(np.abs(v - 1) > 1e-6) for v in floats)


def test_ids_and_points_match_the_headings():
    headings, solutions = _headings_and_solutions()
    assert [(exercise.id, exercise.points) for exercise in EXERCISES] == headings
    assert set(solutions) == {exercise_id for exercise_id, _ in headings}
    for exercise in EXERCISES:  # the name is what the solution cell defines
        assert re.search(rf"^(def )?{exercise.name}\b", solutions[exercise.id], re.MULTILINE)
