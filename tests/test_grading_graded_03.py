"""The graded checks of lesson 03: the reference solutions pass, usual wrong answers fail.

As in ``test_grading_graded.py``, answers travel as the grader sends them: each case becomes
the real query code (``protocol.query_code``), run here in a namespace holding the solution
from the source notebook, and the printed reply is read back with ``protocol.read_answer``.
The public checks are tested the same way: the reference passes them, the wrong answers don't.
"""

import re
from pathlib import Path

import numpy as np
import pytest
from graded_support import SECRET, headings_and_solutions
from graded_support import ask as _ask

from labkit.exercises import PUBLIC_CHECKS
from labkit.grading.exercise import GradedExercise
from labkit.grading.graded import exercises_for
from labkit.grading.protocol import to_wire
from labkit.selfcheck import check

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "solutions" / "03_tabular_data.ipynb"
EXERCISES = exercises_for("03")
STUDENTS = ["ada", "grace", "alan", "emmy"]


def _headings_and_solutions() -> tuple[list[tuple[str, int]], dict[str, str]]:
    return headings_and_solutions(NOTEBOOK)


def _solution(exercise: GradedExercise):
    """The notebook's reference solution of ``exercise``, as a function."""
    namespace = {"np": np}
    exec(_headings_and_solutions()[1][exercise.id], namespace)
    return namespace[exercise.name]


def _passes(function, exercise: GradedExercise, student: str) -> list[bool]:
    """For each of the student's cases: did the answer come back and satisfy the judge?"""
    namespace = {exercise.name: function, "np": np}
    results = []
    for case in exercise.make_cases(SECRET, student):
        kind, answer = _ask(namespace, exercise, case.args)
        results.append(kind == "answer" and exercise.judge(answer, case.expected) is True)
    return results


# ---------------------------------------------------------------- usual wrong answers
def _scaled_with_own_statistics(X_train, X_test, low=0.0, high=1.0):
    def scale(X):
        X = np.asarray(X, dtype=float)
        span = np.where(X.max(0) > X.min(0), X.max(0) - X.min(0), 1.0)
        return low + (X - X.min(0)) * (high - low) / span

    return scale(X_train), scale(X_test)  # the test part fitted on itself: leakage of a kind


def _clipped(X_train, X_test, low=0.0, high=1.0):
    X_train, X_test = np.asarray(X_train, dtype=float), np.asarray(X_test, dtype=float)
    lo, span = X_train.min(0), np.ptp(X_train, axis=0)
    span = np.where(span > 0, span, 1.0)
    scale = (high - low) / span
    return low + (X_train - lo) * scale, np.clip(low + (X_test - lo) * scale, low, high)


def _zero_division(X_train, X_test, low=0.0, high=1.0):
    X_train, X_test = np.asarray(X_train, dtype=float), np.asarray(X_test, dtype=float)
    lo, hi = X_train.min(0), X_train.max(0)
    with np.errstate(divide="ignore", invalid="ignore"):  # constant column: nan and inf
        return low + (X_train - lo) / (hi - lo) * (high - low), low + (X_test - lo) / (hi - lo) * (
            high - low
        )


def _unit_range_only(X_train, X_test, low=0.0, high=1.0):
    X_train, X_test = np.asarray(X_train, dtype=float), np.asarray(X_test, dtype=float)
    lo, span = X_train.min(0), np.ptp(X_train, axis=0)
    span = np.where(span > 0, span, 1.0)
    return (X_train - lo) / span, (X_test - lo) / span  # ignores low and high


def _signed(X, threshold):
    corr = np.corrcoef(np.asarray(X, dtype=float), rowvar=False)
    d = corr.shape[0]
    return [(i, j) for i in range(d) for j in range(i + 1, d) if corr[i, j] > threshold]


def _both_orders(X, threshold):
    corr = np.abs(np.corrcoef(np.asarray(X, dtype=float), rowvar=False))
    d = corr.shape[0]
    return [(i, j) for i in range(d) for j in range(d) if i != j and corr[i, j] > threshold]


def _with_diagonal(X, threshold):
    corr = np.abs(np.corrcoef(np.asarray(X, dtype=float), rowvar=False))
    d = corr.shape[0]
    return [(i, j) for i in range(d) for j in range(i, d) if corr[i, j] > threshold]


def _no_squares(X):
    X = np.asarray(X, dtype=float)
    d = X.shape[1]
    return np.column_stack([X, *[X[:, i] * X[:, j] for i in range(d) for j in range(i + 1, d)]])


def _column_major(X):
    X = np.asarray(X, dtype=float)
    d = X.shape[1]
    return np.column_stack([X, *[X[:, i] * X[:, j] for j in range(d) for i in range(j + 1)]])


def _products_only(X):
    X = np.asarray(X, dtype=float)
    d = X.shape[1]
    return np.column_stack([X[:, i] * X[:, j] for i in range(d) for j in range(i, d)])


WRONG = {
    "03.ex1": [_scaled_with_own_statistics, _clipped, _zero_division, _unit_range_only],
    "03.ex2": [_signed, _both_orders, _with_diagonal],
    "03.ex3": [_no_squares, _column_major, _products_only],
}
WRONG_CASES = [(e, wrong) for e in EXERCISES for wrong in WRONG[e.id]]


def _name(value):
    return getattr(value, "id", None) or getattr(value, "__name__", str(value))


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda exercise: exercise.id)
@pytest.mark.parametrize("student", STUDENTS)
def test_reference_solution_passes_every_case(exercise, student):
    assert all(_passes(_solution(exercise), exercise, student))


@pytest.mark.parametrize(("exercise", "wrong"), WRONG_CASES, ids=_name)
def test_a_usual_wrong_answer_fails_a_case_for_every_student(exercise, wrong):
    for student in STUDENTS:
        assert not all(_passes(wrong, exercise, student)), student


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda exercise: exercise.id)
def test_reference_solution_passes_the_public_checks(exercise, capsys):
    assert check(exercise.id, _solution(exercise)) is True
    assert "all public checks passed" in capsys.readouterr().out


@pytest.mark.parametrize(("exercise", "wrong"), WRONG_CASES, ids=_name)
def test_a_usual_wrong_answer_fails_the_public_checks(exercise, wrong, capsys):
    assert check(exercise.id, wrong) is False
    assert "not yet right" in capsys.readouterr().out


def test_public_checks_say_not_attempted_for_placeholders(capsys):
    def placeholder(*args):
        raise NotImplementedError("Write your solution here.")

    for exercise in EXERCISES:
        assert exercise.id in PUBLIC_CHECKS
        assert check(exercise.id, placeholder) is False
        assert "not attempted yet" in capsys.readouterr().out


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


def test_min_max_cases_cover_the_edge_cases():
    [exercise] = [e for e in EXERCISES if e.id == "03.ex1"]
    for student in STUDENTS:
        cases = exercise.make_cases(SECRET, student)
        ranges = {(case.args[2], case.args[3]) for case in cases}
        assert {(0.0, 1.0), (-1.0, 1.0)} < ranges  # and at least one other range
        constant = [np.ptp(np.asarray(c.args[0], dtype=float), axis=0).min() == 0 for c in cases]
        assert any(constant)
        assert any(isinstance(case.args[0], list) for case in cases)
        for case in cases[:-1]:  # test values below and above the training range
            low, high = case.args[2], case.args[3]
            test = np.asarray(case.expected[1])
            assert test.min() < low and test.max() > high
        assert np.shape(cases[-1].args[1]) == (1, 1)  # one test row, one column


def test_collinear_cases_cover_the_edge_cases_and_keep_away_from_the_threshold():
    [exercise] = [e for e in EXERCISES if e.id == "03.ex2"]
    for student in STUDENTS:
        cases = exercise.make_cases(SECRET, student)
        assert any(case.expected == [] for case in cases)
        assert any(len(case.expected) >= 3 for case in cases)
        negative = False
        for case in cases:
            X, threshold = np.asarray(case.args[0], dtype=float), case.args[1]
            assert 0 <= threshold < 1
            with np.errstate(divide="ignore", invalid="ignore"):
                corr = np.corrcoef(X, rowvar=False)
            values = corr[np.triu_indices_from(corr, k=1)]
            finite = values[np.isfinite(values)]
            assert np.all(np.abs(np.abs(finite) - threshold) >= 0.01)
            constant = np.ptp(X, axis=0) == 0  # a constant column: r is nan, as the task says
            assert np.all(np.isnan(corr[constant])) and np.all(np.isnan(corr[:, constant]))
            negative |= bool(np.any(finite < -threshold))
        assert negative  # a pair that only |r| finds
        assert any(np.ptp(np.asarray(c.args[0], float), axis=0).min() == 0 for c in cases)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda exercise: exercise.id)
def test_judges_say_false_to_junk(exercise):
    expected = exercise.make_cases(SECRET, "ada")[0].expected
    for junk in ["3", None, True, {"a": 1}, [[["x"]]], [None, None], 1e300, "nan"]:
        assert exercise.judge(junk, expected) is False


def test_pairs_judge_wants_ints_in_order():
    [exercise] = [e for e in EXERCISES if e.id == "03.ex2"]
    assert exercise.judge([[0, 1], [2, 3]], [(0, 1), (2, 3)]) is True
    assert exercise.judge([], []) is True
    for wrong in [[[2, 3], [0, 1]], [[0.0, 1.0], [2, 3]], [[0, 1]], [[0, 1, 2], [2, 3]],
                  [[True, 1], [2, 3]], [(0, 1), (2, 3)]]:  # fmt: skip
        assert exercise.judge(wrong, [(0, 1), (2, 3)]) is False


def test_ids_points_and_names_match_the_headings():
    headings, solutions = _headings_and_solutions()
    assert [(exercise.id, exercise.points) for exercise in EXERCISES] == headings
    assert set(solutions) == {exercise_id for exercise_id, _ in headings}
    for exercise in EXERCISES:  # the name is what the solution cell defines
        assert re.search(rf"^(def )?{exercise.name}\b", solutions[exercise.id], re.MULTILINE)
