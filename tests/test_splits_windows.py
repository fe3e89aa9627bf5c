"""Tests for labkit.splits.windows.make_windows, against a plain Python loop."""

from __future__ import annotations

import numpy as np
import pytest

from labkit.splits import make_windows


def _windows_by_loop(series, input_length, target_length, gap, stride):
    """The obvious loop that make_windows must agree with."""
    X, y = [], []
    start = 0
    while start + input_length + gap + target_length <= len(series):
        target_start = start + input_length + gap
        X.append(series[start : start + input_length])
        y.append(series[target_start : target_start + target_length])
        start += stride
    return np.array(X), np.array(y)


@pytest.mark.parametrize("n_features", [None, 1, 3])
@pytest.mark.parametrize(
    ("input_length", "target_length", "gap", "stride"),
    [
        (1, 1, 0, 1),
        (4, 1, 0, 1),
        (5, 3, 0, 1),
        (3, 2, 4, 1),
        (6, 1, 0, 6),
        (4, 2, 1, 3),
        (7, 5, 2, 4),
    ],
)
def test_matches_loop(n_features, input_length, target_length, gap, stride):
    shape = (29,) if n_features is None else (29, n_features)
    series = np.random.default_rng(0).normal(size=shape)
    X, y = make_windows(
        series, input_length=input_length, target_length=target_length, gap=gap, stride=stride
    )
    X_loop, y_loop = _windows_by_loop(series, input_length, target_length, gap, stride)
    assert X.shape == X_loop.shape and y.shape == y_loop.shape
    np.testing.assert_array_equal(X, X_loop)
    np.testing.assert_array_equal(y, y_loop)
    n_windows = (29 - input_length - gap - target_length) // stride + 1
    feature_shape = () if n_features is None else (n_features,)
    assert X.shape == (n_windows, input_length, *feature_shape)
    assert y.shape == (n_windows, target_length, *feature_shape)


def test_series_exactly_one_window_long():
    X, y = make_windows([1, 2, 3, 4], input_length=2, target_length=1, gap=1)
    assert X.tolist() == [[1, 2]] and y.tolist() == [[4]]


def test_returns_copies_not_views():
    series = np.arange(10.0)
    X, y = make_windows(series, input_length=3)
    assert not np.shares_memory(X, series) and not np.shares_memory(y, series)
    X[0, 1] = -1.0
    assert series[1] == 1.0
    assert X[1, 0] == 1.0  # with overlapping views this would have become -1 too
    assert X.flags.writeable and X.flags.c_contiguous


def test_keeps_dtype_and_accepts_lists():
    X, y = make_windows([1, 2, 3, 4, 5], input_length=2)
    assert X.dtype == y.dtype == np.asarray([1]).dtype
    X, _ = make_windows(np.arange(5, dtype=np.float32), input_length=2)
    assert X.dtype == np.float32


def test_too_short_series_raises():
    with pytest.raises(ValueError, match=r"only 5 steps.*3 \+ 1 \+ 2 = 6"):
        make_windows(np.arange(5), input_length=3, target_length=2, gap=1)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"input_length": 0},
            ValueError,
            "input_length must be a whole number >= 1 .*Received: input_length=0",
        ),
        ({"input_length": -2}, ValueError, ">= 1 .*Received: input_length=-2"),
        (
            {"input_length": 3, "target_length": 0},
            ValueError,
            "target_length must be a whole number >= 1 .*Received: target_length=0",
        ),
        (
            {"input_length": 3, "gap": -1},
            ValueError,
            "gap must be a whole number >= 0 .*Received: gap=-1",
        ),
        (
            {"input_length": 3, "stride": 0},
            ValueError,
            "stride must be a whole number >= 1 .*Received: stride=0",
        ),
        (
            {"input_length": 2.5},
            TypeError,
            "input_length must be a whole number .*Received: input_length=2.5",
        ),
        (
            {"input_length": 3, "stride": None},
            TypeError,
            "stride must be a whole number .*Received: stride=None",
        ),
    ],
)
def test_bad_lengths_raise(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_windows(np.arange(20), **kwargs)


def test_input_length_is_required():
    with pytest.raises(TypeError):
        make_windows(np.arange(20))


@pytest.mark.parametrize("shape", [(), (4, 3, 2)])
def test_bad_series_shape_raises(shape):
    with pytest.raises(ValueError, match=r"shape \(T,\) or \(T, n_features\)"):
        make_windows(np.zeros(shape), input_length=1)
