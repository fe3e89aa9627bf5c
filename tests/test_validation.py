"""Tests for labkit.validation: one rule per check, one message shape everywhere."""

import math
import re

import numpy as np
import pytest

from labkit.validation import flag, one_of, real_number, whole_number

# --- whole_number -------------------------------------------------------------------------


@pytest.mark.parametrize("value", [2.5, True, np.bool_(True), "3", None, 3.0])
def test_whole_number_rejects_what_is_not_a_whole_number(value):
    expected = re.escape(f"epochs must be a whole number. Received: epochs={value!r}")
    with pytest.raises(TypeError, match=expected):
        whole_number("epochs", value, minimum=1)


@pytest.mark.parametrize("value", [0, -1])
def test_whole_number_rejects_a_value_under_the_minimum(value):
    expected = re.escape(f"epochs must be a whole number >= 1. Received: epochs={value}")
    with pytest.raises(ValueError, match=expected):
        whole_number("epochs", value, minimum=1)


def test_whole_number_says_why_the_minimum_exists():
    with pytest.raises(ValueError, match=r">= 2 \(one part to hold out\)\. Received: n_splits=1"):
        whole_number("n_splits", 1, minimum=2, why="one part to hold out")


@pytest.mark.parametrize("value", [1, 32, 10**9, np.int64(64), np.int32(3)])
def test_whole_number_accepts_whole_numbers_and_returns_plain_ints(value):
    accepted = whole_number("batch_size", value, minimum=1)
    assert accepted == value and type(accepted) is int


def test_whole_number_without_a_minimum_accepts_negatives():
    assert whole_number("offset", -3) == -3


# --- real_number --------------------------------------------------------------------------


@pytest.mark.parametrize("value", [True, "0.1", None, [0.1]])
def test_real_number_rejects_what_is_not_a_number(value):
    with pytest.raises(TypeError, match=re.escape(f"Received: lr={value!r}")):
        real_number("lr", value)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_real_number_rejects_what_is_not_finite(value):
    expected = re.escape(f"lr must be a finite number. Received: lr={value}")
    with pytest.raises(ValueError, match=expected):
        real_number("lr", value)


@pytest.mark.parametrize(
    ("bounds", "value", "wanted"),
    [
        ({"minimum": 0}, -0.5, ">= 0"),
        ({"above": 0}, 0, "> 0"),
        ({"maximum": 1}, 1.5, "<= 1"),
        ({"minimum": 0, "maximum": 1}, 2, ">= 0 and <= 1"),
    ],
)
def test_real_number_names_the_bounds_it_wants(bounds, value, wanted):
    expected = re.escape(f"p must be a finite number {wanted}. Received: p={value}")
    with pytest.raises(ValueError, match=expected):
        real_number("p", value, **bounds)


def test_real_number_accepts_numbers_in_bounds_and_returns_floats():
    assert real_number("p", np.float32(0.5), minimum=0, maximum=1) == 0.5
    assert type(real_number("p", 1, above=0)) is float
    assert real_number("p", 0, minimum=0) == 0.0


# --- flag and one_of ----------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 1, "True", None])
def test_flag_accepts_only_true_or_false(value):
    expected = re.escape(f"shuffle must be True or False. Received: shuffle={value!r}")
    with pytest.raises(TypeError, match=expected):
        flag("shuffle", value)


def test_flag_returns_plain_bools():
    assert flag("shuffle", np.bool_(True)) is True


@pytest.mark.parametrize("value", ["week", 1, None])
def test_one_of_lists_the_choices(value):
    expected = re.escape(f"interval must be one of 'epoch', 'step'. Received: interval={value!r}")
    with pytest.raises(ValueError, match=expected):
        one_of("interval", value, ("epoch", "step"))


def test_one_of_returns_the_choice():
    assert one_of("interval", "step", ("epoch", "step")) == "step"
