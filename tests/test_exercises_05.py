"""Lesson 05: properties of the graded cases that the shared tests do not cover."""

import numpy as np
from graded_support import SECRET, STUDENTS

from labkit.lessons import exercises_for
from labkit.lessons.lesson_05 import _exact_split_ginis

_, SPLIT, SHAPLEY, DROP = exercises_for("05")[:4]  # then the judgement and the quiz


def test_best_split_cases_hold_exactly_one_tie_and_a_constant_x():
    for student in STUDENTS:
        cases = SPLIT.make_cases(SECRET, student)
        assert [case.expected[0] for case in cases].count(None) == 1  # every x equal
        ties = 0
        for case in cases:
            x, y = np.asarray(case.args[0], dtype=float), np.asarray(case.args[1])
            scored = _exact_split_ginis(x, y)
            best = min((gini for _, gini in scored), default=None)
            tied = [t for t, gini in scored if gini == best]
            if len(tied) > 1:
                ties += 1
                assert case.expected[0] == min(tied)  # the smallest threshold wins
        assert ties == 1


def test_shapley_cases_go_from_one_to_six_players():
    for student in STUDENTS:
        sizes = [len(case.expected) for case in SHAPLEY.make_cases(SECRET, student)]
        assert min(sizes) == 1 and max(sizes) == 6


def test_drop_cases_hold_a_clear_drop_lists_and_three_classes():
    for student in STUDENTS:
        cases = DROP.make_cases(SECRET, student)
        assert cases[0].expected > 0.05  # the deciding column: every usual slip differs
        assert any(isinstance(case.args[0], list) for case in cases)
        assert any(len(np.unique(case.args[1])) == 3 for case in cases)
        for case in cases:
            X_train, y_train, X_test, y_test, column, seed = case.args
            assert np.shape(X_train)[1] == np.shape(X_test)[1] > column >= 0
            assert len(y_train) == len(X_train) and len(y_test) == len(X_test)
            assert type(column) is int and type(seed) is int
