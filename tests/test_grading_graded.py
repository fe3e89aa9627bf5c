"""The graded checks of lessons 00-02: the reference solutions pass, wrong answers fail.

Answers travel as the grader sends them: each case becomes the real query code
(``protocol.query_code``), run here in a namespace holding the solution, and the printed
reply is read back with ``protocol.read_answer``. So the JSON round trip and the
exercise's expression are both exercised, without starting a kernel.
"""

import re
from pathlib import Path

import numpy as np
import pytest
import torch
from graded_support import SECRET, headings_and_solutions
from graded_support import ask as _ask
from graded_support import passes as _passes

from labkit.device import choose_device, read_capabilities
from labkit.grading.exercise import GradedExercise
from labkit.grading.graded import LESSONS, exercises_for
from labkit.grading.protocol import to_wire

SOLUTIONS = Path(__file__).resolve().parents[1] / "notebooks" / "solutions"
NOTEBOOKS = {
    "00": "00_welcome.ipynb",
    "01": "01_models_weights_loss.ipynb",
    "02": "02_dividing_data.ipynb",
}
# Lessons 00-02 here; every later lesson has its own tests/test_grading_graded_NN.py.
EVERY = [exercise for lesson in NOTEBOOKS for exercise in LESSONS[lesson]]


def _headings_and_solutions(lesson: str) -> tuple[list[tuple[str, int]], dict[str, str]]:
    return headings_and_solutions(SOLUTIONS / NOTEBOOKS[lesson])


def _solution_namespace(exercise: GradedExercise) -> dict:
    """A namespace where the notebook's reference solution cell has run."""
    _, solutions = _headings_and_solutions(exercise.id[:2])
    namespace = {"np": np}
    exec(solutions[exercise.id], namespace)
    return namespace


# Deliberately wrong answers, one per function exercise, each a usual mistake.
def _wrong_accuracy(predictions, labels):
    return float(np.sum(np.asarray(predictions) == np.asarray(labels)))  # a count


def _wrong_gflops(m, k, n, seconds):
    return m * k * n / seconds / 1e9  # forgets the additions


def _wrong_cross_entropy(p, y):
    return float(np.sum(-(y * np.log(p) + (1 - y) * np.log(1 - p))))  # sum, not mean


def _wrong_gradient_step(X, y, w, b, lr):
    error = X @ w + b - y
    w -= lr * 2 * X.T @ error / len(y)  # right numbers, but w changes in place
    return w, b - lr * 2 * np.mean(error)


def _wrong_early_stopping(val_losses, patience):
    best, best_epoch, waited = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss <= best:  # counts an equal loss as an improvement
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if waited >= patience:
                return epoch, best_epoch
    return len(val_losses), best_epoch


def _wrong_folds(n, k):
    sizes = [n // k] * (k - 1) + [n - (k - 1) * (n // k)]  # the last fold takes the rest
    ends = np.cumsum(sizes)
    return [np.arange(end - size, end) for size, end in zip(sizes, ends, strict=True)]


def _wrong_leaked(X_train, X_test):
    train = {tuple(row) for row in np.asarray(X_train).tolist()}
    return len(train & {tuple(row) for row in np.asarray(X_test).tolist()})  # distinct only


def _wrong_windows(series, input_length):
    series = np.asarray(series)
    starts = range(len(series) - input_length)
    X = np.array([series[i : i + input_length] for i in starts])
    return X, np.array([series[i + input_length - 1] for i in starts])  # last input, not next


WRONG = {
    "00.ex2": _wrong_accuracy,
    "00.ex3": _wrong_gflops,
    "01.ex1": _wrong_cross_entropy,
    "01.ex2": _wrong_gradient_step,
    "01.ex3": _wrong_early_stopping,
    "02.ex1": _wrong_folds,
    "02.ex2": _wrong_leaked,
    "02.ex3": _wrong_windows,
}
FUNCTIONS = [exercise for exercise in EVERY if exercise.kind == "function"]


@pytest.mark.parametrize("exercise", FUNCTIONS, ids=lambda exercise: exercise.id)
@pytest.mark.parametrize("student", ["ada", "grace"])
def test_reference_solution_passes_every_case(exercise, student):
    assert all(_passes(_solution_namespace(exercise), exercise, student))


@pytest.mark.parametrize("exercise", FUNCTIONS, ids=lambda exercise: exercise.id)
def test_a_wrong_answer_fails_a_case(exercise):
    namespace = {exercise.name: WRONG[exercise.id], "np": np}
    assert not all(_passes(namespace, exercise, "ada"))


def test_device_answer_is_the_grading_machines_choice():
    exercise = exercises_for("00")[0]
    chosen = choose_device(read_capabilities()).device
    [case] = exercise.make_cases(SECRET, "ada")
    assert case.args == () and case.expected == chosen
    # A string, a torch.device or a wrong device; the placeholder None is "not attempted".
    for answer, right in [(chosen, True), (torch.device(chosen), True), ("mps!", False)]:
        assert _passes({"MY_DEVICE": answer}, exercise, "ada") == [right]
    assert _ask({"MY_DEVICE": None}, exercise, ()) == ("not_attempted", None)


@pytest.mark.parametrize("exercise", EVERY, ids=lambda exercise: exercise.id)
def test_cases_are_per_student_deterministic_small_and_valid(exercise):
    def wire(student):
        cases = exercise.make_cases(SECRET, student)
        return [(to_wire(case.args), to_wire(case.expected)) for case in cases]

    ada = wire("ada")
    assert ada == wire("ada")
    if exercise.kind == "value":
        assert len(ada) == 1
        return
    assert ada != wire("grace")
    assert 4 <= len(ada) <= 8
    assert all(len(args) < 20_000 for args, _ in ada)


def test_cross_entropy_probabilities_are_strictly_inside_0_1():
    for student in ["ada", "grace", "alan"]:
        for case in exercises_for("01")[0].make_cases(SECRET, student):
            p, y = case.args
            assert np.all((p > 0) & (p < 1)) and set(np.unique(y)) <= {0, 1}


@pytest.mark.parametrize("exercise", EVERY, ids=lambda exercise: exercise.id)
def test_judges_say_false_to_junk(exercise):
    expected = exercise.make_cases(SECRET, "ada")[0].expected
    for junk in ["3", None, True, {"a": 1}, [[["x"]]], [None, None], 1e300, "nan"]:
        assert exercise.judge(junk, expected) is False


@pytest.mark.parametrize("lesson", sorted(NOTEBOOKS))
def test_ids_and_points_match_the_headings(lesson):
    headings, solutions = _headings_and_solutions(lesson)
    assert [(exercise.id, exercise.points) for exercise in exercises_for(lesson)] == headings
    assert set(solutions) == {exercise_id for exercise_id, _ in headings}
    for exercise in exercises_for(lesson):  # the name is what the solution cell defines
        assert re.search(rf"^(def )?{exercise.name}\b", solutions[exercise.id], re.MULTILINE)


def test_unknown_lesson_is_an_error_naming_the_known_ones():
    with pytest.raises(ValueError, match="00, 01, 02"):
        exercises_for("42")
