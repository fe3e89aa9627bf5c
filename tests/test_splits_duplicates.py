"""Tests for labkit.splits.duplicates.find_duplicates and DuplicateReport."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from labkit.splits import DuplicateReport, find_duplicates


def _planted(seed: int = 0):
    """Random uint8-like data with known exact and near copies of rows of a in b."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 256, size=(300, 20)).astype(np.float32)
    b = rng.integers(0, 256, size=(120, 20)).astype(np.float32)
    exact = [(7, 3), (7, 50), (120, 0), (299, 119)]  # row 7 of a appears twice in b
    near = [(15, 10), (200, 60), (42, 77)]
    for i, j in exact:
        b[j] = a[i]
    for i, j in near:
        b[j] = a[i] + rng.normal(0, 0.5, size=20).astype(np.float32)
    return a, b, sorted(exact), sorted(near)


def test_finds_exactly_the_planted_exact_duplicates():
    a, b, exact, _ = _planted()
    report = find_duplicates(a, b)
    assert report.exact_pairs.tolist() == [list(pair) for pair in exact]
    assert report.exact_pairs.shape == (4, 2) and report.exact_pairs.dtype == np.intp
    assert report.n_exact == 4
    assert report.rows_in_a.tolist() == [7, 120, 299]
    assert report.near_pairs.shape == (0, 2) and report.near_distances.shape == (0,)
    assert report.near_threshold is None


def test_finds_exactly_the_planted_near_duplicates_with_brute_force_distances():
    a, b, exact, near = _planted()
    report = find_duplicates(a, b, near_threshold=10.0)
    assert report.exact_pairs.tolist() == [list(pair) for pair in exact]
    assert report.near_pairs.tolist() == [list(pair) for pair in near]
    distances = cdist(a.astype(np.float64), b.astype(np.float64))
    expected = [distances[i, j] for i, j in near]
    np.testing.assert_allclose(report.near_distances, expected, rtol=1e-5)
    assert np.all(report.near_distances <= 10.0)
    assert report.n_near == 3
    assert report.rows_in_a.tolist() == [7, 15, 42, 120, 200, 299]


def test_near_pairs_match_a_brute_force_oracle():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(80, 3))
    b = rng.normal(size=(60, 3))
    threshold = 0.4
    report = find_duplicates(a, b, near_threshold=threshold)
    distances = cdist(a, b)
    expected = np.argwhere(distances <= threshold)  # row-major order: sorted by i, then j
    assert len(expected) > 5  # the oracle must have something to compare
    assert report.near_pairs.tolist() == expected.tolist()
    np.testing.assert_allclose(report.near_distances, distances[distances <= threshold])


def test_duplicates_within_a_are_all_reported():
    a = np.array([[1.0, 2.0], [1.0, 2.0], [3.0, 4.0]])
    b = np.array([[3.0, 4.0], [1.0, 2.0]])
    assert find_duplicates(a, b).exact_pairs.tolist() == [[0, 1], [1, 1], [2, 0]]


def test_negative_zero_equals_zero():
    a = np.array([[0.0, 1.0], [-0.0, -0.0]])
    b = np.array([[-0.0, 1.0], [0.0, 0.0]])
    assert find_duplicates(a, b).exact_pairs.tolist() == [[0, 0], [1, 1]]


def test_tiny_negative_that_rounds_to_zero_equals_zero():
    a = np.array([[-1e-9, 5.0]])  # rounds to -0.0, which must still match 0.0
    b = np.array([[0.0, 5.0]])
    assert find_duplicates(a, b).n_exact == 1


def test_rounding_uses_decimals():
    a = np.array([[1.0, 2.0]])
    b = np.array([[1.0000001, 2.0]])
    assert find_duplicates(a, b).n_exact == 1  # decimals=6
    assert find_duplicates(a, b, decimals=8).n_exact == 0
    assert find_duplicates([[1.4]], [[1.2]], decimals=0).n_exact == 1


def test_float32_and_float64_copies_match():
    a = np.array([[0.1, 0.2, 0.3]], dtype=np.float32)
    b = np.array([[0.1, 0.2, 0.3]], dtype=np.float64)
    assert find_duplicates(a, b).n_exact == 1


def test_nan_equals_nan_whatever_its_bits():
    a = np.array([[np.nan, 1.0], [2.0, 3.0]])
    b = np.array([[-np.nan, 1.0], [np.nan, 3.0]])  # -nan has the sign bit set
    assert np.signbit(b[0, 0]) != np.signbit(a[0, 0])
    assert find_duplicates(a, b).exact_pairs.tolist() == [[0, 0]]


def test_integer_and_bool_inputs():
    a = np.array([[1, 2], [3, 4]], dtype=np.uint8)
    b = np.array([[3, 4]], dtype=np.int64)
    assert find_duplicates(a, b).exact_pairs.tolist() == [[1, 0]]
    assert find_duplicates([[True, False]], [[True, False]]).n_exact == 1


def test_inputs_are_not_modified():
    a = np.array([[-0.0, 1.23456789]])
    before = a.copy()
    find_duplicates(a, a)
    assert np.array_equal(a, before) and np.signbit(a[0, 0])


def test_report_text_explains_the_contamination():
    a, b, _, _ = _planted()
    text = str(find_duplicates(a, b, near_threshold=10.0))
    assert text.startswith("6 of the 300 rows of a (2.00%) also appear in b")
    assert "exact pairs: 4, near pairs (distance <= 10): 3" in text
    assert "inflates its test score" in text
    clean = str(find_duplicates([[1.0]], [[2.0]]))
    assert clean == "0 of the 1 rows of a (0.00%) also appear in b (exact pairs: 0)."


def test_report_is_frozen():
    report = find_duplicates([[1.0]], [[1.0]])
    assert isinstance(report, DuplicateReport)
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.n_a = 3


@pytest.mark.parametrize(
    ("a", "b", "error", "match"),
    [
        (np.zeros((3, 2)), np.zeros((3, 4)), ValueError, r"same number of columns.*\(3, 4\)"),
        (np.zeros(5), np.zeros((3, 5)), ValueError, r"a must be 2-D.*a.reshape\(len\(a\), -1\)"),
        (np.zeros((2, 5)), np.zeros((3, 28, 28)), ValueError, r"b.reshape\(len\(b\), -1\)"),
        (np.zeros((0, 5)), np.zeros((3, 5)), ValueError, "a has no rows"),
        (np.array([["x"]]), np.array([["x"]]), TypeError, "a must hold numbers"),
    ],
)
def test_bad_arrays_raise(a, b, error, match):
    with pytest.raises(error, match=match):
        find_duplicates(a, b)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"decimals": -1},
            ValueError,
            "decimals must be a whole number >= 0 .*Received: decimals=-1",
        ),
        ({"decimals": 2.0}, TypeError, "decimals must be a whole number .*Received: decimals=2.0"),
        ({"near_threshold": -0.5}, ValueError, ">= 0. Received: near_threshold=-0.5"),
        ({"near_threshold": float("nan")}, ValueError, ">= 0. Received: near_threshold=nan"),
        (
            {"near_threshold": "1"},
            TypeError,
            "near_threshold must be a number. Received: near_threshold='1'",
        ),
        (
            {"near_threshold": True},
            TypeError,
            "near_threshold must be a number. Received: near_threshold=True",
        ),
    ],
)
def test_bad_options_raise(kwargs, error, match):
    with pytest.raises(error, match=match):
        find_duplicates(np.zeros((2, 2)), np.zeros((2, 2)), **kwargs)


def test_near_search_rejects_nan():
    a = np.array([[np.nan, 1.0]])
    assert find_duplicates(a, a).n_exact == 1  # fine without near search
    with pytest.raises(ValueError, match="cannot be used with NaN"):
        find_duplicates(a, a, near_threshold=1.0)
