"""Tests for labkit.splits.checks.check_split and SplitReport."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from labkit.splits import (
    GroupKFold,
    KFold,
    SplitReport,
    StratifiedKFold,
    TimeSeriesSplit,
    check_split,
    train_val_test_split,
)


def test_clean_split_passes():
    report = check_split([0, 2, 4], [1, 3], n=5)
    assert report == SplitReport(ok=True, problems=[])
    assert str(report) == "Split check passed: no overlap or leakage found."


def test_report_is_frozen():
    report = check_split([0], [1])
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.ok = False


# ---------------------------------------------------------------- real splitters pass


@pytest.mark.parametrize("kwargs", [{}, {"fractions": (0.8, 0.1, 0.1)}, {"seed": 11}])
def test_train_val_test_split_passes(kwargs):
    check_split(*train_val_test_split(101, **kwargs), n=101)


def test_stratified_and_grouped_holdout_pass():
    y = np.repeat([0, 1, 2], [40, 30, 30])
    check_split(*train_val_test_split(y, stratify=True), n=100)
    groups = np.arange(100) // 5
    check_split(*train_val_test_split(100, groups=groups), n=100, groups=groups)


@pytest.mark.parametrize(
    "cv",
    [KFold(4), KFold(3, shuffle=True, random_state=0), StratifiedKFold(5), GroupKFold(3)],
    ids=repr,
)
def test_k_fold_splitters_pass(cv):
    n = 60
    y = np.arange(n) % 3
    groups = np.arange(n) // 4
    for train, test in cv.split(np.zeros(n), y, groups):
        check_split(train, test, n=n)
        if isinstance(cv, GroupKFold):
            check_split(train, test, n=n, groups=groups)


@pytest.mark.parametrize("gap", [0, 2])
def test_time_series_split_passes_order_check(gap):
    n = 50
    for train, test in TimeSeriesSplit(4, gap=gap, max_train_size=20).split(np.zeros(n)):
        check_split(train, test, order=np.arange(n), gap=gap)


def test_time_series_split_with_gap_fails_a_stricter_gap():
    train, test = next(TimeSeriesSplit(3, gap=2).split(np.zeros(20)))  # train 0..2, test 5..
    report = check_split(train, test, order=np.arange(20), gap=3, raise_error=False)
    assert not report.ok
    assert "too late: 1 index of train [2]" in report.problems[0]


# ---------------------------------------------------------------- broken splits are caught


def test_overlap_names_the_shared_indices():
    report = check_split([0, 1, 2, 3], [3, 4], [1, 5], raise_error=False)
    assert report.problems == [
        "train and val share 1 index: [3]",
        "train and test share 1 index: [1]",
    ]
    assert not report.ok


def test_missing_samples_are_named():
    report = check_split([0, 1], [3], n=6, raise_error=False)
    assert report.problems == ["no part holds 3 of the n=6 samples: [2, 4, 5]"]


def test_out_of_range_indices_are_named():
    report = check_split([0, 1, -1], [2, 7, 9, 7], n=5, raise_error=False)
    assert "train has indices not in [0, 5): [-1]" in report.problems
    assert "test has indices not in [0, 5): [7, 9]" in report.problems


def test_negative_indices_are_caught_without_n():
    report = check_split([0, -3], [1], raise_error=False)
    assert report.problems == ["train has indices not >= 0: [-3]"]


def test_groups_in_two_parts_are_named_with_the_parts():
    groups = np.array(["a", "a", "b", "b", "c", "c", "d"])
    report = check_split([0, 2, 4], [1, 5], [3, 6], groups=groups, raise_error=False)
    assert report.problems == [
        "train and val share 2 groups: ['a', 'c']",
        "train and test share 1 group: ['b']",
    ]


def test_order_violation_names_the_late_training_samples():
    order = np.arange(10)
    report = check_split([0, 1, 6, 8], [4, 5], order=order, raise_error=False)
    assert report.problems == [
        "train must end more than gap=0 positions before the first test sample (at 4); "
        "too late: 2 indices of train [6, 8]"
    ]


def test_order_uses_the_order_values_not_the_indices():
    times = np.array([30, 10, 20, 0])  # sample 3 is the oldest
    assert check_split([3, 1], [2, 0], order=times).ok
    report = check_split([0, 1], [2, 3], order=times, raise_error=False)
    assert "too late: 2 indices of train [0, 1]" in report.problems[0]


def test_gap_is_enforced():
    order = np.arange(10)
    assert check_split([0, 1, 2], [5, 6], order=order, gap=2).ok
    report = check_split([0, 1, 2, 3, 4], [5, 6], order=order, gap=2, raise_error=False)
    assert "too late: 2 indices of train [3, 4]" in report.problems[0]


def test_three_parts_are_checked_in_order():
    order = np.arange(9)
    assert check_split([0, 1, 2], [3, 4], [5, 6, 7, 8], order=order).ok
    report = check_split([0, 1, 2], [6, 7], [3, 4, 5, 8], order=order, raise_error=False)
    assert report.problems == [
        "val must end more than gap=0 positions before the first test sample (at 3); "
        "too late: 2 indices of val [6, 7]"
    ]


def test_long_lists_are_shortened():
    report = check_split(np.arange(30), np.arange(5, 30), raise_error=False)
    assert report.problems == [
        "train and test share 25 indices: [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, ... (25 in total)]"
    ]


def test_raise_error_raises_with_the_report_as_message():
    with pytest.raises(ValueError, match=r"Split check found 2 problems:\n  - train and test"):
        check_split([0, 1], [1, 2, 7], n=8)


def test_out_of_range_indices_do_not_break_group_and_order_checks():
    groups = np.array([0, 0, 1, 1])
    report = check_split([0, 5], [2, 3], groups=groups, order=np.arange(4), raise_error=False)
    assert report.problems == ["train has indices not in [0, 4): [5]"]


def test_empty_part_is_allowed():
    train, val, test = train_val_test_split(10, (0.8, 0.0, 0.2))
    assert check_split(train, val, test, n=10, order=None).ok
    assert check_split([0, 1], [], n=2).ok


# ---------------------------------------------------------------- bad arguments


@pytest.mark.parametrize("parts", [([0, 1],), ([0], [1], [2], [3])])
def test_wrong_number_of_parts_raises(parts):
    with pytest.raises(TypeError, match=r"takes 2 or 3 index arrays.*Received: \d arrays"):
        check_split(*parts)


@pytest.mark.parametrize(
    ("part", "error", "match"),
    [
        (np.array([True, False]), TypeError, r"boolean mask.*np.flatnonzero\(mask\)"),
        (np.array([0.0, 1.5]), TypeError, "must hold integer indices.*float64"),
        (np.zeros((2, 2), dtype=int), ValueError, r"1-D index array.*\(2, 2\)"),
    ],
)
def test_bad_parts_raise(part, error, match):
    with pytest.raises(error, match=f"train.*{match}" if error is TypeError else match):
        check_split(part, [3])


def test_bad_keyword_arguments_raise():
    with pytest.raises(ValueError, match=r"groups must be 1-D with one entry per sample \(n=4\)"):
        check_split([0, 1], [2, 3], n=4, groups=[0, 1, 2])
    with pytest.raises(ValueError, match=r"order must be 1-D with one entry per sample \(n=3\)"):
        check_split([0], [1], groups=[0, 1, 2], order=[0, 1])
    with pytest.raises(ValueError, match=r"n must be a whole number >= 1.*Received: n=0"):
        check_split([0], [1], n=0)
    with pytest.raises(ValueError, match=r"gap must be a whole number >= 0.*Received: gap=-1"):
        check_split([0], [1], order=[0, 1], gap=-1)
    with pytest.raises(TypeError, match=r"n must be a whole number.*Received: n=2.0"):
        check_split([0], [1], n=2.0)
