"""Lesson 01: what the graded cases of binary_cross_entropy must hold."""

import numpy as np
from graded_support import SECRET, STUDENTS

from labkit.lessons import exercises_for


def test_cross_entropy_probabilities_are_strictly_inside_0_1():
    for student in STUDENTS:
        for case in exercises_for("01")[0].make_cases(SECRET, student):
            p, y = case.args
            assert np.all((p > 0) & (p < 1)) and set(np.unique(y)) <= {0, 1}
