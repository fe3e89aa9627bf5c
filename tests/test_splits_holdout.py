"""Tests for labkit.splits.holdout.train_val_test_split."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from labkit.splits import check_split, train_val_test_split


def _sizes(parts: tuple[np.ndarray, ...]) -> list[int]:
    return [len(part) for part in parts]


@pytest.mark.parametrize(
    ("n", "fractions", "expected"),
    [
        (100, (0.7, 0.15, 0.15), [70, 15, 15]),
        (10, (0.7, 0.15, 0.15), [7, 2, 1]),  # remainders 0.5 / 0.5: val wins the tie
        (7, (0.5, 0.25, 0.25), [3, 2, 2]),  # 3.5, 1.75, 1.75: the two largest remainders
        (3, (0.8, 0.1, 0.1), [1, 1, 1]),  # every requested part gets at least one sample
        (4, (0.8, 0.1, 0.1), [2, 1, 1]),
        (10, (0.8, 0.0, 0.2), [8, 0, 2]),  # val fraction 0: no val part
        (1001, (0.6, 0.2, 0.2), [601, 200, 200]),
    ],
)
def test_sizes_follow_rounding_rule(n, fractions, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (0.8, 0.1, 0.1) etc. are fine; keep the test focused
        parts = train_val_test_split(n, fractions)
    assert _sizes(parts) == expected


@pytest.mark.parametrize("n", [3, 4, 5, 9, 13, 50, 97, 1000])
@pytest.mark.parametrize("fractions", [(0.7, 0.15, 0.15), (0.6, 0.2, 0.2), (0.9, 0.05, 0.05)])
def test_parts_are_sorted_disjoint_and_cover_everything(n, fractions):
    train, val, test = train_val_test_split(n, fractions, seed=3)
    everything = np.concatenate([train, val, test])
    assert np.array_equal(np.sort(everything), np.arange(n))
    for part in (train, val, test):
        assert np.array_equal(part, np.sort(part))
        assert np.issubdtype(part.dtype, np.integer)
        assert len(part) >= 1


def test_same_seed_same_split_and_other_seed_other_split():
    first = train_val_test_split(200, seed=7)
    again = train_val_test_split(200, seed=7)
    other = train_val_test_split(200, seed=8)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not np.array_equal(first[0], other[0])


def test_seed_none_still_gives_a_valid_split():
    train, val, test = train_val_test_split(50, seed=None)
    assert _sizes((train, val, test)) == [35, 8, 7]


def test_shuffles_the_indices():
    train, _, _ = train_val_test_split(100)
    assert not np.array_equal(train, np.arange(70))


def test_labels_give_n():
    y = np.array(["cat", "dog"] * 10)
    parts = train_val_test_split(y)
    assert sum(_sizes(parts)) == 20


def test_stratify_keeps_class_counts_in_every_part():
    y = np.array([0] * 100 + [1] * 50 + [2] * 10)
    train, val, test = train_val_test_split(y, (0.6, 0.2, 0.2), stratify=True, seed=1)
    assert np.bincount(y[train]).tolist() == [60, 30, 6]
    assert np.bincount(y[val]).tolist() == [20, 10, 2]
    assert np.bincount(y[test]).tolist() == [20, 10, 2]
    check_split(train, val, test, n=len(y))


def test_stratify_with_string_labels_and_small_class():
    y = np.array(["a"] * 20 + ["b"] * 3)
    train, val, test = train_val_test_split(y, stratify=True)
    for part in (train, val, test):
        assert set(y[part]) == {"a", "b"}  # the 3 b's go one to each part


def test_stratify_class_too_small_raises():
    y = np.array([0] * 20 + [1] * 2)
    with pytest.raises(ValueError, match=r"at least 3 samples of every class.*1 \(2\)"):
        train_val_test_split(y, stratify=True)


def test_stratify_needs_labels():
    with pytest.raises(TypeError, match="stratify=True needs the labels y"):
        train_val_test_split(100, stratify=True)


def test_stratify_and_groups_together_raise():
    y = np.zeros(10)
    with pytest.raises(ValueError, match="choose one"):
        train_val_test_split(y, stratify=True, groups=np.arange(10))


def test_groups_stay_together_and_sizes_are_close():
    groups = np.repeat(np.arange(50), 4)  # 50 groups of 4 samples
    train, val, test = train_val_test_split(200, groups=groups, seed=2)
    check_split(train, val, test, n=200, groups=groups)
    assert _sizes((train, val, test)) == [140, 32, 28]


def test_groups_split_is_deterministic_and_uses_seed():
    groups = np.repeat(np.arange(30), 3)
    first = train_val_test_split(90, groups=groups, seed=0)
    again = train_val_test_split(90, groups=groups, seed=0)
    other = train_val_test_split(90, groups=groups, seed=1)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not np.array_equal(first[2], other[2])


def test_groups_with_unequal_sizes_fill_parts_in_order():
    # One group of 6 and four single samples; the shares are 7, 2 and 1 samples. Train takes
    # groups until it has 7 or more (7, or 8 if the big group comes last), then val, then test.
    groups = np.array(["big"] * 6 + ["a", "b", "c", "d"])
    n_ok = 0
    for seed in range(20):
        try:
            train, val, test = train_val_test_split(10, groups=groups, seed=seed)
        except ValueError as error:  # e.g. three singles, then the big group: val gets none
            assert "part received no group" in str(error)
            continue
        n_ok += 1
        check_split(train, val, test, n=10, groups=groups)
        assert len(train) in (7, 8) and len(val) >= 1 and len(test) == 1
    assert n_ok >= 10


def test_groups_part_left_empty_raises():
    groups = np.array([0] * 9 + [1])  # one big group cannot feed both val and test
    with pytest.raises(ValueError, match="part received no group"):
        train_val_test_split(10, groups=groups)


def test_groups_length_must_match():
    with pytest.raises(ValueError, match=r"one entry per sample \(n=10\).*shape \(9,\)"):
        train_val_test_split(10, groups=np.arange(9))


@pytest.mark.parametrize(
    ("fractions", "match"),
    [
        ((0.8, 0.2), "three numbers"),
        (0.7, "three numbers"),
        ((0.5, 0.3, 0.3), "sum to 1, but they sum to 1.1"),
        ((1.0, 0.0, 0.0), r"in \[0, 1\)"),
        ((1.2, -0.1, -0.1), r"in \[0, 1\)"),
        ((0.7, float("nan"), 0.3), r"in \[0, 1\)"),
    ],
)
def test_bad_fractions_raise(fractions, match):
    with pytest.raises(ValueError, match=match):
        train_val_test_split(100, fractions)


def test_fractions_within_tolerance_are_accepted():
    parts = train_val_test_split(100, (0.7, 0.15, 0.1500005))
    assert sum(_sizes(parts)) == 100


@pytest.mark.parametrize(
    ("fractions", "parts_warned"),
    [
        ((0.4, 0.3, 0.3), ["train", "val", "test"]),
        ((0.95, 0.02, 0.03), ["train", "val", "test"]),
        ((0.7, 0.05, 0.25), ["test"]),
        ((0.75, 0.22, 0.03), ["val", "test"]),
    ],
)
def test_unusual_fractions_warn(fractions, parts_warned):
    with pytest.warns(UserWarning) as record:
        train_val_test_split(100, fractions)
    messages = [str(warning.message) for warning in record]
    assert [message.split()[0] for message in messages] == parts_warned
    assert all("outside the usual" in message for message in messages)
    if "train" in parts_warned:
        assert "50%-90%" in messages[0]


def test_usual_fractions_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        train_val_test_split(100, (0.9, 0.05, 0.05))
        train_val_test_split(100, (0.6, 0.2, 0.2))
        train_val_test_split(100, (0.8, 0.0, 0.2))  # a deliberate "no val part"


def test_too_few_samples_for_parts_raises():
    with pytest.raises(ValueError, match="n=2 samples cannot fill the 3 parts"):
        train_val_test_split(2)


@pytest.mark.parametrize(
    ("n_or_y", "error", "match"),
    [
        (0, ValueError, "at least 1 sample"),
        (True, TypeError, "n_or_y must be an int"),
        (10.0, TypeError, "n_or_y must be an int"),
        (np.zeros((5, 2)), ValueError, "y must be 1-D"),
        ([], ValueError, "y is empty"),
    ],
)
def test_bad_n_or_y_raises(n_or_y, error, match):
    with pytest.raises(error, match=match):
        train_val_test_split(n_or_y)


def test_numpy_integer_n_is_accepted():
    parts = train_val_test_split(np.int64(20))
    assert sum(_sizes(parts)) == 20


def test_bad_seed_and_stratify_types_raise():
    with pytest.raises(
        TypeError, match=r"seed must be a whole number \(or None\). Received: seed=1.5"
    ):
        train_val_test_split(10, seed=1.5)
    with pytest.raises(ValueError, match="seed must be a whole number >= 0 .*Received: seed=-1"):
        train_val_test_split(10, seed=-1)
    with pytest.raises(TypeError, match="stratify must be True or False. Received: stratify='yes'"):
        train_val_test_split(np.zeros(10), stratify="yes")
