"""Tests for labkit.selfcheck: kind verdicts that never raise."""

import numpy as np
import pytest

from labkit import selfcheck
from labkit.selfcheck import CheckFailed, check, expect, expect_close, is_finite_number


@pytest.fixture
def fake_registry(monkeypatch):
    def square_check(answer):
        expect_close(answer(3), 9, what="square(3)")

    monkeypatch.setattr(selfcheck, "_registry", lambda: {"99.ex1": square_check})


def test_verdicts(fake_registry, capsys):
    assert check("99.ex1", lambda x: x * x) is True
    assert "all public checks passed" in capsys.readouterr().out
    assert check("99.ex1", lambda x: x + x) is False
    assert "not yet right. square(3): expected 9, got 6." in capsys.readouterr().out
    assert check("99.ex1", None) is False
    assert "not attempted yet" in capsys.readouterr().out

    def placeholder(x):
        raise NotImplementedError("Write your solution here.")

    assert check("99.ex1", placeholder) is False
    assert "not attempted yet" in capsys.readouterr().out
    assert check("99.ex1", lambda x: 1 / 0) is False
    assert "your answer raised ZeroDivisionError" in capsys.readouterr().out
    assert check("42.ex9", None) is False
    assert "There is no exercise '42.ex9'" in capsys.readouterr().out


def test_expect_helpers():
    expect_close([1.0, 2.0], np.array([1.0, 2.0 + 1e-9]), what="v")
    with pytest.raises(CheckFailed, match=r"v: expected shape \(2,\), got shape \(3,\)"):
        expect_close([1, 2, 3], [1, 2], what="v")
    with pytest.raises(CheckFailed, match="expected a number or array, got 'x'"):
        expect_close("x", 1.0, what="v")
    with pytest.raises(CheckFailed, match="because"):
        expect(False, "because")
    assert is_finite_number(1.5) and not is_finite_number(True) and not is_finite_number(np.inf)


def test_every_registered_exercise_id_is_well_formed():
    from labkit.exercises import PUBLIC_CHECKS

    assert PUBLIC_CHECKS, "no public checks are registered"
    for exercise_id in PUBLIC_CHECKS:
        lesson, _, number = exercise_id.partition(".ex")
        assert len(lesson) == 2 and lesson.isdigit() and number.isdigit(), exercise_id
