"""Lesson 04: properties of the graded cases that the shared tests do not cover."""

import numpy as np
from graded_support import SECRET, STUDENTS

from labkit.lessons import exercises_for
from labkit.lessons.lesson_04 import _fold_accuracies, _ties_are_exact

# Then the judgement and the quiz.
HINGE, KERNEL, VIOLATIONS, GRID = exercises_for("04")[:4]


def _margins(X, y, w, b):
    return np.asarray(y) * (np.asarray(X, dtype=float) @ np.asarray(w, dtype=float) + b)


def test_hinge_cases_hold_the_edge_and_labels_are_plus_or_minus_one():
    for student in STUDENTS:
        cases = HINGE.make_cases(SECRET, student)
        for case in cases:
            scores, y = (np.asarray(a, dtype=float) for a in case.args)
            assert scores.shape == y.shape and len(y) >= 1 and set(np.unique(y)) <= {-1, 1}
        on_edge = [np.isclose(np.asarray(c.args[1]) * np.asarray(c.args[0]), 1) for c in cases]
        assert any(values.any() for values in on_edge)  # y * score = 1 costs 0
        assert any(len(c.args[0]) == 1 for c in cases)  # one sample


def test_kernel_cases_are_rectangular_and_match_the_formula():
    for student in STUDENTS:
        cases = KERNEL.make_cases(SECRET, student)
        assert any(np.shape(c.args[0])[0] != np.shape(c.args[1])[0] for c in cases)
        assert any(isinstance(c.args[0], list) for c in cases)
        for case in cases:
            X, Y, gamma = (np.asarray(a, dtype=float) for a in case.args)
            by_formula = np.exp(-gamma * ((X[:, None, :] - Y[None, :, :]) ** 2).sum(axis=2))
            np.testing.assert_allclose(case.expected, by_formula, rtol=1e-9, atol=1e-12)


def test_violation_cases_put_samples_exactly_on_the_edge():
    for student in STUDENTS:
        cases = VIOLATIONS.make_cases(SECRET, student)
        values = [_margins(*case.args) for case in cases]
        assert any(np.any(v == 1) for v in values)  # exactly on the edge: not a violation
        assert all(type(case.expected) is int for case in cases)
        assert {0} < {case.expected for case in cases}  # a case without violations, and others
        assert any(np.any(v == 0) for v in values)  # on the boundary: a violation
        floats = values[2:]  # away from the edge, where rounding could decide the answer
        assert all(np.all(np.abs(v - 1) > 1e-6) for v in floats)


def test_grid_cases_tie_exactly_and_hold_a_tie_lists_and_three_classes():
    for student in STUDENTS:
        cases = GRID.make_cases(SECRET, student)
        ties = 0
        for case in cases:
            X, y, Cs, gammas = case.args
            scores = _fold_accuracies(X, y, Cs, gammas)
            assert _ties_are_exact(scores)  # any way of averaging finds the same best pair
            means = scores.mean(axis=2)
            ties += int(np.sum(means == means.max()) > 1)
            assert min(np.unique(y, return_counts=True)[1]) >= 5  # 5 points of each class
        assert ties >= 1  # the first pair of a tie must win
        assert any(isinstance(case.args[0], list) for case in cases)
        assert any(len(np.unique(case.args[1])) == 3 for case in cases)
