"""Tests for labkit.splits.cv, with scikit-learn's splitters as the oracle."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn import model_selection as skms

from labkit.splits import (
    BaseCrossValidator,
    GroupKFold,
    KFold,
    StratifiedKFold,
    TimeSeriesSplit,
    check_split,
)


def _folds(cv, X, y=None, groups=None) -> list[tuple[list[int], list[int]]]:
    """Folds as plain lists, sorted within each fold, so that they compare with ==."""
    return [(sorted(tr.tolist()), sorted(te.tolist())) for tr, te in cv.split(X, y, groups)]


def _assert_partition(folds, n_samples: int) -> None:
    """Every index is tested exactly once and train is the complement of test."""
    tested = np.concatenate([np.asarray(test) for _, test in folds])
    assert np.array_equal(np.sort(tested), np.arange(n_samples))
    for train, test in folds:
        assert sorted(train + test) == list(range(n_samples))


# ---------------------------------------------------------------- KFold


@pytest.mark.parametrize("n_samples", [10, 11, 17, 50])
@pytest.mark.parametrize("n_splits", [2, 3, 5, 10])
def test_kfold_matches_sklearn_without_shuffle(n_samples, n_splits):
    X = np.zeros((n_samples, 2))
    ours = _folds(KFold(n_splits), X)
    theirs = _folds(skms.KFold(n_splits), X)
    assert ours == theirs


@pytest.mark.parametrize("n_splits", [2, 3, 7])
@pytest.mark.parametrize("shuffle", [False, True])
def test_kfold_properties(n_splits, shuffle):
    n_samples = 23
    random_state = 0 if shuffle else None
    folds = _folds(KFold(n_splits, shuffle=shuffle, random_state=random_state), np.zeros(23))
    _assert_partition(folds, n_samples)
    sizes = [len(test) for _, test in folds]
    expected = [len(test) for _, test in skms.KFold(n_splits).split(np.zeros(n_samples))]
    assert sizes == expected  # the first n % k folds hold one extra sample
    # The raw arrays are sorted integer arrays.
    for train, test in KFold(n_splits, shuffle=shuffle, random_state=random_state).split(
        np.zeros(n_samples)
    ):
        assert np.issubdtype(train.dtype, np.integer) and np.issubdtype(test.dtype, np.integer)
        assert np.all(np.diff(train) > 0) and np.all(np.diff(test) > 0)


def test_kfold_shuffle_is_reproducible_and_depends_on_seed():
    X = np.zeros(40)
    first = _folds(KFold(4, shuffle=True, random_state=1), X)
    assert first == _folds(KFold(4, shuffle=True, random_state=1), X)
    assert first != _folds(KFold(4, shuffle=True, random_state=2), X)
    assert first != _folds(KFold(4), X)
    cv = KFold(4, shuffle=True, random_state=1)
    assert _folds(cv, X) == _folds(cv, X)  # an int seed gives the same folds on every call


def test_kfold_shuffle_without_seed_varies():
    X = np.zeros(100)
    cv = KFold(2, shuffle=True)
    assert _folds(cv, X) != _folds(cv, X)


def test_split_ignores_unused_y_and_groups():
    X = np.zeros(9)
    assert _folds(KFold(3), X, y=np.arange(9), groups=np.arange(9)) == _folds(KFold(3), X)


# ---------------------------------------------------------------- StratifiedKFold

_LABELS = {
    "balanced": np.array([0, 1] * 15),
    "imbalanced": np.array([0] * 20 + [1] * 7 + [2] * 5),
    "unsorted": np.random.default_rng(0).integers(0, 4, 61),
    "strings": np.array(list("bacabcbbacaacbcbaabcbbcaa")),
}


@pytest.mark.parametrize("name", list(_LABELS))
@pytest.mark.parametrize("n_splits", [2, 3, 5])
def test_stratified_kfold_matches_sklearn_without_shuffle(name, n_splits):
    y = _LABELS[name]
    X = np.zeros((len(y), 1))
    assert _folds(StratifiedKFold(n_splits), X, y) == _folds(skms.StratifiedKFold(n_splits), X, y)


@pytest.mark.parametrize("name", list(_LABELS))
@pytest.mark.parametrize("n_splits", [2, 3, 5])
@pytest.mark.parametrize("shuffle", [False, True])
def test_stratified_kfold_class_counts_match_sklearn(name, n_splits, shuffle):
    y = _LABELS[name]
    X = np.zeros(len(y))
    classes = np.unique(y)
    seed = 0 if shuffle else None
    ours = list(StratifiedKFold(n_splits, shuffle=shuffle, random_state=seed).split(X, y))
    theirs = list(skms.StratifiedKFold(n_splits, shuffle=shuffle, random_state=seed).split(X, y))
    for (_, our_test), (_, their_test) in zip(ours, theirs, strict=True):
        our_counts = [np.sum(y[our_test] == c) for c in classes]
        their_counts = [np.sum(y[their_test] == c) for c in classes]
        assert np.all(np.abs(np.subtract(our_counts, their_counts)) <= 1)
        assert our_counts == their_counts  # same allocation algorithm, so in fact equal
    _assert_partition([(tr.tolist(), te.tolist()) for tr, te in ours], len(y))
    sizes = [len(test) for _, test in ours]
    assert max(sizes) - min(sizes) <= 1


@pytest.mark.parametrize("shuffle", [False, True])
def test_stratified_kfold_is_invariant_to_relabelling(shuffle):
    y = _LABELS["unsorted"]
    renamed = np.array(["zebra", "ant", "moose", "bee"])[y]  # a different sort order
    shifted = 10 - 3 * y
    seed = 5 if shuffle else None
    X = np.zeros(len(y))
    folds = _folds(StratifiedKFold(4, shuffle=shuffle, random_state=seed), X, y)
    assert folds == _folds(StratifiedKFold(4, shuffle=shuffle, random_state=seed), X, renamed)
    assert folds == _folds(StratifiedKFold(4, shuffle=shuffle, random_state=seed), X, shifted)


def test_stratified_kfold_shuffle_changes_folds_but_not_counts():
    y = _LABELS["imbalanced"]
    X = np.zeros(len(y))
    plain = _folds(StratifiedKFold(3), X, y)
    shuffled = _folds(StratifiedKFold(3, shuffle=True, random_state=0), X, y)
    assert plain != shuffled
    assert shuffled == _folds(StratifiedKFold(3, shuffle=True, random_state=0), X, y)


def test_stratified_kfold_warns_on_small_class_like_sklearn():
    y = np.array([0] * 10 + [1] * 2)
    X = np.zeros(len(y))
    with pytest.warns(UserWarning, match="only 2 members, fewer than n_splits=3"):
        ours = _folds(StratifiedKFold(3), X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert ours == _folds(skms.StratifiedKFold(3), X, y)


def test_stratified_kfold_raises_when_every_class_is_too_small():
    y = np.array([0, 0, 1, 1, 2, 2])
    with pytest.raises(ValueError, match="n_splits=3 is more than .* every class"):
        StratifiedKFold(3).split(np.zeros(6), y)


def test_stratified_kfold_needs_class_labels():
    with pytest.raises(ValueError, match="needs the labels.*y=None"):
        StratifiedKFold(2).split(np.zeros(6))
    with pytest.raises(ValueError, match="non-integer values"):
        StratifiedKFold(2).split(np.zeros(4), np.array([0.1, 0.5, 0.2, 0.9]))


def test_stratified_kfold_accepts_integer_valued_floats():
    y = np.array([0.0, 1.0] * 5)
    assert _folds(StratifiedKFold(2), np.zeros(10), y) == _folds(
        StratifiedKFold(2), np.zeros(10), y.astype(int)
    )


# ---------------------------------------------------------------- GroupKFold


@pytest.mark.parametrize("n_splits", [2, 3, 4])
def test_group_kfold_matches_sklearn_when_group_sizes_differ(n_splits):
    sizes = [9, 1, 7, 3, 5, 2, 8, 4, 6]  # all distinct, so no ties in the greedy order
    groups = np.random.default_rng(0).permutation(np.repeat(np.arange(9), sizes))
    X = np.zeros(len(groups))
    assert _folds(GroupKFold(n_splits), X, groups=groups) == _folds(
        skms.GroupKFold(n_splits), X, groups=groups
    )


@pytest.mark.parametrize("n_splits", [2, 3, 5])
def test_group_kfold_properties_with_tied_sizes(n_splits):
    rng = np.random.default_rng(1)
    groups = rng.choice(np.array(list("abcdefghijkl")), size=80)
    X = np.zeros(len(groups))
    folds = _folds(GroupKFold(n_splits), X, groups=groups)
    _assert_partition(folds, len(groups))
    test_groups = [set(groups[test]) for _, test in folds]
    for i in range(n_splits):
        for j in range(i + 1, n_splits):
            assert not test_groups[i] & test_groups[j]
    for train, test in folds:
        assert not set(groups[train]) & set(groups[test])
    sizes = [len(test) for _, test in folds]
    assert max(sizes) - min(sizes) <= np.bincount(np.unique(groups, return_inverse=True)[1]).max()


def test_group_kfold_biggest_group_goes_first():
    groups = np.array(["s"] + ["b"] * 5 + ["m"] * 3)
    folds = _folds(GroupKFold(2), np.zeros(9), groups=groups)
    assert folds[0][1] == [1, 2, 3, 4, 5]  # b (biggest) into fold 0
    assert folds[1][1] == [0, 6, 7, 8]  # m, then s, into the smaller fold 1


def test_group_kfold_errors():
    with pytest.raises(ValueError, match="needs the group of each sample"):
        GroupKFold(2).split(np.zeros(4))
    with pytest.raises(ValueError, match="at least 3 distinct groups, but groups has only 2"):
        GroupKFold(3).split(np.zeros(4), groups=[0, 0, 1, 1])


# ---------------------------------------------------------------- TimeSeriesSplit


@pytest.mark.parametrize(
    ("n_samples", "n_splits", "max_train_size", "test_size", "gap"),
    [
        (12, 3, None, None, 0),
        (13, 5, None, None, 0),
        (20, 4, None, None, 2),
        (20, 3, 5, None, 0),
        (20, 3, 4, 3, 1),
        (30, 2, None, 7, 3),
        (30, 5, 100, 2, 5),
        (10, 9, None, None, 0),
    ],
)
def test_time_series_split_matches_sklearn(n_samples, n_splits, max_train_size, test_size, gap):
    kwargs = {"max_train_size": max_train_size, "test_size": test_size, "gap": gap}
    X = np.zeros((n_samples, 3))
    ours = _folds(TimeSeriesSplit(n_splits, **kwargs), X)
    theirs = _folds(skms.TimeSeriesSplit(n_splits, **kwargs), X)
    assert ours == theirs
    for train, test in ours:
        assert max(train) + gap < min(test)


def test_time_series_split_errors():
    with pytest.raises(ValueError, match=r"at least n_splits \+ 1 = 6 samples.*n_samples=5"):
        TimeSeriesSplit(5).split(np.zeros(5))
    with pytest.raises(ValueError, match="leave no training samples out of n_samples=10"):
        TimeSeriesSplit(3, test_size=4).split(np.zeros(10))
    with pytest.raises(ValueError, match="gap=2 leave no training samples"):
        TimeSeriesSplit(4, gap=2).split(np.zeros(10))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"max_train_size": 0},
            ValueError,
            r"max_train_size must be a whole number >= 1 .*"
            r"Received: max_train_size=0",
        ),
        (
            {"test_size": 0},
            ValueError,
            "test_size must be a whole number >= 1 .*Received: test_size=0",
        ),
        ({"gap": -1}, ValueError, r"gap must be a whole number >= 0 .*Received: gap=-1"),
        ({"gap": 1.0}, TypeError, r"gap must be a whole number .*Received: gap=1.0"),
    ],
)
def test_time_series_split_constructor_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        TimeSeriesSplit(3, **kwargs)


# ---------------------------------------------------------------- shared behaviour


@pytest.mark.parametrize(
    ("cv", "text"),
    [
        (KFold(), "KFold(n_splits=5, shuffle=False, random_state=None)"),
        (KFold(3, shuffle=True, random_state=4), "KFold(n_splits=3, shuffle=True, random_state=4)"),
        (StratifiedKFold(4), "StratifiedKFold(n_splits=4, shuffle=False, random_state=None)"),
        (GroupKFold(), "GroupKFold(n_splits=5)"),
        (
            TimeSeriesSplit(3, max_train_size=10, test_size=2, gap=1),
            "TimeSeriesSplit(n_splits=3, max_train_size=10, test_size=2, gap=1)",
        ),
    ],
)
def test_repr_shows_every_parameter(cv, text):
    assert repr(cv) == text


@pytest.mark.parametrize(
    "cv", [KFold(4), StratifiedKFold(4), GroupKFold(4), TimeSeriesSplit(4)], ids=repr
)
def test_get_n_splits_and_all_splitters_accept_the_same_call(cv):
    y = np.array([0, 1] * 10)
    groups = np.repeat(np.arange(10), 2)
    X = np.zeros((20, 2))
    assert cv.get_n_splits() == cv.get_n_splits(X, y, groups) == 4
    folds = list(cv.split(X, y, groups))
    assert len(folds) == 4
    for train, test in folds:
        check_split(train, test)


@pytest.mark.parametrize("cls", [KFold, StratifiedKFold, GroupKFold, TimeSeriesSplit])
@pytest.mark.parametrize(
    ("n_splits", "error", "match"),
    [
        (1, ValueError, "n_splits must be a whole number >= 2 .*Received: n_splits=1"),
        (2.0, TypeError, "n_splits must be a whole number .*Received: n_splits=2.0"),
        (True, TypeError, "n_splits must be a whole number .*Received: n_splits=True"),
    ],
)
def test_n_splits_is_validated(cls, n_splits, error, match):
    with pytest.raises(error, match=match):
        cls(n_splits)


@pytest.mark.parametrize("cls", [KFold, StratifiedKFold])
def test_shuffle_arguments_are_validated(cls):
    with pytest.raises(ValueError, match="random_state=3 has no effect because shuffle=False"):
        cls(3, random_state=3)
    with pytest.raises(TypeError, match="shuffle must be True or False. Received: shuffle='yes'"):
        cls(3, shuffle="yes")
    with pytest.raises(
        ValueError, match="random_state must be a whole number >= 0 .*Received: random_state=-1"
    ):
        cls(3, shuffle=True, random_state=-1)
    with pytest.raises(
        TypeError, match="random_state must be a whole number .*Received: random_state=0.5"
    ):
        cls(3, shuffle=True, random_state=0.5)


def test_more_folds_than_samples_raises_on_the_split_call():
    splits = None
    with pytest.raises(ValueError, match="n_splits=5 is more than the number of samples.*=3"):
        splits = KFold(5).split(np.zeros(3))  # raises here, before any iteration
    assert splits is None


def test_bad_data_arguments_raise():
    with pytest.raises(TypeError, match="X must be array-like"):
        KFold(2).split(7)
    with pytest.raises(ValueError, match=r"y must be 1-D .*n_samples=6.*shape \(5,\)"):
        KFold(2).split(np.zeros(6), y=np.zeros(5))
    with pytest.raises(ValueError, match=r"groups must be 1-D .*shape \(6, 1\)"):
        GroupKFold(2).split(np.zeros(6), groups=np.zeros((6, 1)))


def test_lists_and_torch_tensors_are_accepted():
    torch = pytest.importorskip("torch")
    expected = _folds(StratifiedKFold(2), np.zeros(8), np.array([0, 1] * 4))
    assert _folds(StratifiedKFold(2), [[0.0]] * 8, [0, 1] * 4) == expected
    assert _folds(StratifiedKFold(2), torch.zeros(8, 3), torch.tensor([0, 1] * 4)) == expected


def test_base_class_is_abstract():
    with pytest.raises(TypeError):
        BaseCrossValidator(3)
