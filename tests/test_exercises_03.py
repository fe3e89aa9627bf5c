"""Lesson 03: properties of the graded cases that the shared tests do not cover."""

import numpy as np
from graded_support import SECRET, STUDENTS

from labkit.lessons import exercises_for, find_exercise

SCALE, PAIRS, *_ = exercises_for("03")  # then the products, the k-NN experiment, questions


def test_min_max_cases_cover_the_edge_cases():
    for student in STUDENTS:
        cases = SCALE.make_cases(SECRET, student)
        ranges = {(case.args[2], case.args[3]) for case in cases}
        assert {(0.0, 1.0), (-1.0, 1.0)} < ranges  # and at least one other range
        assert any(np.ptp(np.asarray(c.args[0], dtype=float), axis=0).min() == 0 for c in cases)
        assert any(isinstance(case.args[0], list) for case in cases)
        for case in cases[:-1]:  # test values below and above the training range
            test = np.asarray(case.expected[1])
            assert test.min() < case.args[2] and test.max() > case.args[3]
        assert np.shape(cases[-1].args[1]) == (1, 1)  # one test row, one column


def test_collinear_cases_cover_the_edge_cases_and_keep_away_from_the_threshold():
    for student in STUDENTS:
        cases = PAIRS.make_cases(SECRET, student)
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


def test_knn_cases_have_no_near_ties_and_no_tied_votes():
    exercise = find_exercise("03.ex4")
    for student in STUDENTS:
        cases = exercise.make_cases(SECRET, student)
        assert {case.args[4] for case in cases} <= {1, 3, 7, 9}  # never the default 5
        assert any(raw < scaled for raw, scaled in (case.expected for case in cases))
        assert any(raw > scaled for raw, scaled in (case.expected for case in cases))
        for case in cases:
            X_train, y_train, X_test, _, k = case.args
            assert k == 1 or (len(np.unique(y_train)) == 2 and k % 2 == 1)
            mean, std = X_train.mean(axis=0), X_train.std(axis=0)
            for A, B in [(X_train, X_test), ((X_train - mean) / std, (X_test - mean) / std)]:
                d = np.sort(np.linalg.norm(B[:, None, :] - A[None, :, :], axis=-1), axis=1)
                assert np.all(d[:, k] - d[:, k - 1] > 1e-7 * d[:, k])
