"""Lesson 01: what the graded cases of binary_cross_entropy and stable_learning_rates must hold."""

import numpy as np
from graded_support import SECRET, STUDENTS

from labkit.lessons import exercises_for, find_exercise


def test_cross_entropy_probabilities_are_strictly_inside_0_1():
    for student in STUDENTS:
        for case in exercises_for("01")[0].make_cases(SECRET, student):
            p, y = case.args
            assert np.all((p > 0) & (p < 1)) and set(np.unique(y)) <= {0, 1}


def _final_loss(X, y, lr, steps):
    """Full-batch gradient descent on the mean squared error from w = 0, b = 0."""
    w, b = np.zeros(X.shape[1]), 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            error = X @ w + b - y
            w, b = w - lr * 2 * X.T @ error / len(y), b - lr * 2 * error.mean()
        return np.mean((X @ w + b - y) ** 2)


def test_learning_rate_cases_cover_the_edge_cases_and_keep_away_from_the_start():
    exercise = find_exercise("01.ex4")
    for student in STUDENTS:
        cases = exercise.make_cases(SECRET, student)
        kept = [case.expected for case in cases]
        assert [] in kept  # no rate trains
        assert any(k == list(case.args[2]) for k, case in zip(kept, cases, strict=True))
        assert any(case.args[3] == 1 for case in cases)  # a single step
        assert any(len(k) >= 2 and k != sorted(k) for k in kept)  # the order given counts
        for case in cases:
            X, y, rates, steps = case.args
            start = np.mean(y**2)
            for lr in rates:  # no final loss close enough to the start for rounding to matter
                loss = _final_loss(X, y, lr, steps)
                assert not np.isfinite(loss) or abs(loss - start) > 0.1 * start
