"""The graded checks of lesson 05: the reference solutions pass, usual wrong answers fail.

As in ``test_grading_graded.py``, answers travel as the grader sends them: each case becomes
the real query code (``protocol.query_code``), run here in a namespace holding the solution
from the source notebook, and the printed reply is read back with ``protocol.read_answer``.
The public checks are tested the same way: the reference passes them, the wrong answers don't.
"""

import math
import re
from fractions import Fraction
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

NOTEBOOK = (
    Path(__file__).resolve().parents[1]
    / "notebooks"
    / "solutions"
    / "05_trees_forests_boosting.ipynb"
)
EXERCISES = exercises_for("05")
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
def _sum_of_squares(labels):
    _, counts = np.unique(np.asarray(labels), return_counts=True)
    return float(np.sum((counts / counts.sum()) ** 2))  # forgets "1 -"


def _bincount_gini(labels):
    counts = np.bincount(np.asarray(labels))  # right for 0, 1, 2, ...; fails on strings
    return float(1 - np.sum((counts / counts.sum()) ** 2))


def _splits(x, y, thresholds):
    """(threshold, weighted Gini) for each threshold, the way a learner would compute them."""
    x, y = np.asarray(x, dtype=float), np.asarray(y)
    out = []
    for t in thresholds:
        score = 0.0
        for side in (y[x <= t], y[x > t]):
            if len(side):
                _, counts = np.unique(side, return_counts=True)
                score += len(side) * (1 - np.sum((counts / len(side)) ** 2))
        out.append((float(t), float(score / len(y))))
    return out


def _split_at_values(x, y):
    values = np.unique(np.asarray(x, dtype=float))
    scored = _splits(x, y, values[:-1])  # thresholds at the values, not the midpoints
    return min(scored, key=lambda pair: pair[1]) if scored else (None, _gini(y))


def _largest_tie(x, y):
    values = np.unique(np.asarray(x, dtype=float))
    scored = _splits(x, y, (values[:-1] + values[1:]) / 2)
    if not scored:
        return None, _gini(y)
    best = min(score for _, score in scored)
    return max(t for t, score in scored if score == best), best  # ties: the largest wins


def _no_constant_case(x, y):
    values = np.unique(np.asarray(x, dtype=float))
    scored = _splits(x, y, (values[:-1] + values[1:]) / 2)
    return min(scored, key=lambda pair: pair[1]) if scored else (0.0, 0.0)


def _gini(labels):
    _, counts = np.unique(np.asarray(labels), return_counts=True)
    return float(1 - np.sum((counts / counts.sum()) ** 2))


def _equal_weights(values):
    values = np.asarray(values, dtype=float)
    n = len(values).bit_length() - 1
    return [
        float(np.mean([values[m | 1 << i] - values[m] for m in range(2**n) if not m >> i & 1]))
        for i in range(n)
    ]


def _marginal_to_nobody(values):
    values = np.asarray(values, dtype=float)
    n = len(values).bit_length() - 1
    return [float(values[1 << i] - values[0]) for i in range(n)]  # only v({i}) - v({})


def _reversed_bits(values):
    values = np.asarray(values, dtype=float)
    n = len(values).bit_length() - 1
    phi = np.zeros(n)
    for i in range(n):
        for mask in range(2**n):
            if mask >> i & 1:
                continue
            size = bin(mask).count("1")
            weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            phi[i] += weight * (values[mask | 1 << i] - values[mask])
    return phi[::-1].tolist()  # player 0 taken as the highest bit


WRONG = {
    "05.ex1": [_sum_of_squares, _bincount_gini],
    "05.ex2": [_split_at_values, _largest_tie, _no_constant_case],
    "05.ex3": [_equal_weights, _marginal_to_nobody, _reversed_bits],
}


# ---------------------------------------------------------------- graded checks
@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda exercise: exercise.id)
@pytest.mark.parametrize("student", STUDENTS)
def test_reference_solution_passes_every_case(exercise, student):
    assert all(_passes(_solution(exercise), exercise, student))


@pytest.mark.parametrize(
    ("exercise_id", "wrong"),
    [(exercise_id, wrong) for exercise_id, wrongs in WRONG.items() for wrong in wrongs],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_a_usual_wrong_answer_fails_a_case(exercise_id, wrong):
    exercise = next(e for e in EXERCISES if e.id == exercise_id)
    for student in STUDENTS:
        assert not all(_passes(wrong, exercise, student))


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


def test_best_split_cases_hold_a_tie_and_a_constant_x():
    exercise = EXERCISES[1]
    for student in STUDENTS:
        thresholds = [case.expected[0] for case in exercise.make_cases(SECRET, student)]
        assert None in thresholds  # every x equal: no threshold
        # Exactly one case has two thresholds with the same exact weighted Gini.
        ties = 0
        for case in exercise.make_cases(SECRET, student):
            x, y = np.asarray(case.args[0], dtype=float), np.asarray(case.args[1])
            values = np.unique(x)
            exact = []
            for t in (values[:-1] + values[1:]) / 2:
                total = Fraction(0)
                for side in (y[x <= t], y[x > t]):
                    _, counts = np.unique(side, return_counts=True)
                    total += len(side) - Fraction(int(np.sum(counts**2)), len(side))
                exact.append(total)
            if exact and exact.count(min(exact)) > 1:
                ties += 1
                assert case.expected[0] == min(
                    float(t) for t, g in zip((values[:-1] + values[1:]) / 2, exact, strict=True)
                    if g == min(exact)
                )  # fmt: skip
        assert ties == 1


def test_ids_points_and_names_match_the_headings():
    headings, solutions = _headings_and_solutions()
    assert [(exercise.id, exercise.points) for exercise in EXERCISES] == headings
    assert set(solutions) == {exercise_id for exercise_id, _ in headings}
    for exercise in EXERCISES:  # the name is what the solution cell defines
        assert re.search(rf"^(def )?{exercise.name}\b", solutions[exercise.id], re.MULTILINE)


# ---------------------------------------------------------------- public checks
@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda exercise: exercise.id)
def test_reference_passes_the_public_checks(exercise, capsys):
    assert exercise.id in PUBLIC_CHECKS
    assert check(exercise.id, _solution(exercise)) is True
    assert "all public checks passed" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("exercise_id", "wrong", "hint"),
    [
        ("05.ex1", _sum_of_squares, "1 minus that sum"),
        ("05.ex1", _bincount_gini, "raised"),
        ("05.ex2", _split_at_values, "midpoint"),
        ("05.ex2", _largest_tie, "ties go to the smallest threshold"),
        ("05.ex2", _no_constant_case, "None"),
        ("05.ex3", _equal_weights, "|S|!"),
        ("05.ex3", _marginal_to_nobody, "add up to"),
        ("05.ex3", _reversed_bits, "reverse order"),
    ],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_public_checks_name_the_usual_mistake(exercise_id, wrong, hint, capsys):
    assert check(exercise_id, wrong) is False
    assert hint in capsys.readouterr().out


def test_public_checks_say_not_attempted_for_placeholders(capsys):
    def placeholder(*args):
        raise NotImplementedError("Write your solution here.")

    for exercise_id in ["05.ex1", "05.ex2", "05.ex3"]:
        assert check(exercise_id, placeholder) is False
        assert check(exercise_id, None) is False
    assert capsys.readouterr().out.count("not attempted yet") == 6
