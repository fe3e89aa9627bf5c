"""Tests for labkit.selfcheck: kind verdicts that never raise, from declarations or kit data."""

import numpy as np
import pytest

from labkit import selfcheck
from labkit.exercises import Example, Exercise, Mistake
from labkit.exercises.public import public_view, to_json
from labkit.selfcheck import CheckFailed, check, expect, expect_close, is_finite_number

SQUARE = Exercise(
    id="99.ex1",
    name="square",
    points=1,
    reference=lambda x: x * x,
    examples=[Example((3,), why="3 × 3"), Example((0,)), Example((-2,))],
    inputs=lambda rng: [(int(x),) for x in rng.integers(-9, 9, 4)],
    mistakes=[Mistake(lambda x: x + x, hint="Multiply x by itself, don't add it.")],
)


@pytest.fixture
def fake_lesson(monkeypatch):
    monkeypatch.setattr(
        selfcheck, "_public_view", lambda i: public_view(SQUARE) if i == "99.ex1" else None
    )


def test_verdicts(fake_lesson, capsys):
    assert check("99.ex1", lambda x: x * x) is True
    assert "all public checks passed" in capsys.readouterr().out
    assert check("99.ex1", lambda x: x + x) is False
    assert capsys.readouterr().out == (
        "99.ex1: not yet right. square(3) returned 6; expected 9 (3 × 3). Multiply x by "
        "itself, don't add it.\n"
    )
    assert check("99.ex1", lambda x: x * x + (x < 0)) is False
    assert "square(-2) returned 5; expected 4.\n" in capsys.readouterr().out
    assert check("99.ex1", None) is False
    assert "not attempted yet" in capsys.readouterr().out

    def placeholder(x):
        raise NotImplementedError("Write your solution here.")

    assert check("99.ex1", placeholder) is False
    assert "not attempted yet" in capsys.readouterr().out
    assert check("99.ex1", lambda x: 1 / 0) is False
    assert "square(3) (3 × 3) raised ZeroDivisionError" in capsys.readouterr().out
    assert check("99.ex1", 9) is False
    assert "expected a function square(...), got 9" in capsys.readouterr().out
    assert check("42.ex9", None) is False
    assert "There is no exercise '42.ex9'" in capsys.readouterr().out


def test_a_student_kit_reads_the_same_checks_from_json(tmp_path, monkeypatch, capsys):
    (tmp_path / "lesson_99.json").write_text(to_json([public_view(SQUARE)]), encoding="utf-8")
    monkeypatch.setattr(selfcheck, "KIT_DATA", tmp_path)
    assert check("99.ex1", lambda x: x * x) is True
    assert check("99.ex1", lambda x: x + x) is False
    assert "Multiply x by itself" in capsys.readouterr().out
    assert check("05.ex1", None) is False  # the kit holds only its own data
    assert "There is no exercise '05.ex1'" in capsys.readouterr().out


def test_without_declarations_the_check_says_so(monkeypatch, capsys):
    def hidden(exercise_id):
        raise ImportError("labkit.lessons is hidden while grading")

    monkeypatch.setattr(selfcheck, "_public_view", hidden)
    assert check("05.ex1", abs) is False
    assert "the self-checks are not available here" in capsys.readouterr().out


def test_expect_helpers():
    expect_close([1.0, 2.0], np.array([1.0, 2.0 + 1e-9]), what="v")
    with pytest.raises(CheckFailed, match=r"v: expected shape \(2,\), got shape \(3,\)"):
        expect_close([1, 2, 3], [1, 2], what="v")
    with pytest.raises(CheckFailed, match="expected a number or array, got 'x'"):
        expect_close("x", 1.0, what="v")
    with pytest.raises(CheckFailed, match="because"):
        expect(False, "because")
    assert is_finite_number(1.5) and not is_finite_number(True) and not is_finite_number(np.inf)
