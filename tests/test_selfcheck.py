"""Tests for labkit.selfcheck: kind verdicts that never raise, from declarations or kit data."""

import linecache
import math
import re

import numpy as np
import pytest

from labkit import selfcheck
from labkit.exercises import Example, Exercise, Mistake, custom_checks
from labkit.exercises.public import PublicExercise, public_view, run_examples, to_json
from labkit.selfcheck import CheckFailed, check, expect, expect_close, is_finite_number, wrap

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
        "99.ex1: not yet right. square(3) returned 6; expected 9 (3 × 3). Multiply x by itself,\n"
        "  don't add it.\n"
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


def _words(text: str) -> list[str]:
    return text.split()


LONG_HINT = (
    "Each fold must be a contiguous run of indices: start where the previous fold ended, "
    "and give the first n % k folds one index more than the others, so that the sizes "
    "differ by at most one (np.arange(start, start + size) makes one such fold)."
)
RANGE = Exercise(
    id="99.ex2",
    name="first_numbers",
    points=1,
    reference=lambda n: list(range(n)),
    examples=[
        Example((12,), why="12 numbers from 0, each one more than the one before"),
        Example((1,)),
        Example((0,)),
    ],
    inputs=lambda rng: [(int(n),) for n in rng.integers(5, 30, 4)],
    mistakes=[Mistake(lambda n: list(range(1, n + 1)), hint=LONG_HINT)],
)


def test_a_long_verdict_is_wrapped_at_word_boundaries(monkeypatch, capsys):
    monkeypatch.setattr(selfcheck, "_public_view", lambda i: public_view(RANGE))
    wrong = lambda n: list(range(1, n + 1))  # noqa: E731
    assert check("99.ex2", wrong) is False
    printed = capsys.readouterr().out
    message = run_examples(public_view(RANGE), wrong)
    assert message is not None and LONG_HINT in message
    lines = printed.rstrip("\n").split("\n")
    assert len(lines) > 2
    assert all(len(line) <= selfcheck.WIDTH for line in lines), lines
    assert all(line.startswith("  ") for line in lines[1:])  # continuation lines indented
    # Wrapped only between words: the same words, none of them cut in two.
    assert _words(printed) == _words(f"99.ex2: not yet right. {message}")
    # A short value stays on one line: "expected [0, 1, ...]" is not broken inside.
    assert any("[0, 1, 2, 3, 4, 5, 6, 7, ...]" in line for line in lines)

    long_list = lambda n: list(range(10_000, 10_000 + 50 * n))  # noqa: E731
    assert check("99.ex2", long_list) is False
    printed = capsys.readouterr().out
    assert "10007, ...]" in printed and "10599" not in printed  # shortened, not wrapped
    assert all(len(line) <= selfcheck.WIDTH for line in printed.splitlines())


def test_wrap_keeps_words_numbers_and_short_values_whole():
    text = (
        "  - train and test share 25 indices: [5, 6, 7, 8, 9] and a well-known "
        "very-long-hyphenated-word, then 0.000123456789 and (1, 2) and np.array([1, 2, 3]) "
        "and the_single_token_that_is_longer_than_the_width_of_twenty_columns end"
    )
    wrapped = wrap(text, width=40)
    lines = wrapped.split("\n")
    assert _words(wrapped) == _words(text)
    assert lines[0].startswith("  - train") and all(x.startswith("    ") for x in lines[1:])
    for whole in ["[5, 6, 7, 8, 9]", "very-long-hyphenated-word", "np.array([1, 2, 3])"]:
        assert any(whole in line for line in lines), whole
    assert all(len(line) <= 40 for line in lines if "_single_token_" not in line)
    assert wrap("first\n\n  second") == "first\n\n  second"  # blank lines kept


# The function's 2nd line raises.
def crashing_square(x):
    return x / (x - x)


def _singular(x):
    return np.linalg.inv(np.zeros((x, x)))  # raises inside numpy's own Python code


def calls_a_helper(x):
    return _singular(2)


class Squarer:
    def __call__(self, x):
        return x**2 / 0


def test_a_crash_says_where_in_the_learners_function(fake_lesson, capsys):
    assert check("99.ex1", crashing_square) is False
    line = crashing_square.__code__.co_firstlineno + 1
    assert " ".join(_words(capsys.readouterr().out)) == (
        "99.ex1: not yet right. square(3) (3 × 3) raised ZeroDivisionError: division by "
        f"zero, at line {line}, in crashing_square: `return x / (x - x)`"
    )
    # The innermost frame of the learner's file: the helper's, not numpy's or labkit's.
    assert check("99.ex1", calls_a_helper) is False
    line = _singular.__code__.co_firstlineno + 1
    printed = " ".join(_words(capsys.readouterr().out))
    assert f"raised LinAlgError: Singular matrix, at line {line}, in _singular: `return" in printed
    # An object whose class the learner wrote (a model, say): a line of that class.
    assert check("99.ex1", Squarer()) is False
    line = Squarer.__call__.__code__.co_firstlineno + 1
    printed = " ".join(_words(capsys.readouterr().out))
    assert f"at line {line}, in __call__: `return x**2 / 0`" in printed


def _cell(monkeypatch, name: str, source: str, namespace: dict) -> None:
    """Run ``source`` as Jupyter runs a cell: from a file name that linecache knows."""
    filename = f"/tmp/ipykernel_4242/{name}.py"
    lines = source.splitlines(keepends=True)
    monkeypatch.setitem(linecache.cache, filename, (len(source), None, lines, filename))
    exec(compile(source, filename, "exec"), namespace)


def test_a_crash_in_a_notebook_cell_says_the_cells_line(fake_lesson, monkeypatch, capsys):
    namespace: dict = {}
    _cell(monkeypatch, "1111", "def half(x):\n    return x / 0\n", namespace)
    _cell(
        monkeypatch,
        "2222",
        "import math\n\ndef square(x):\n    y = x * x\n    return half(y) + y\n",
        namespace,
    )
    assert check("99.ex1", namespace["square"]) is False
    printed = " ".join(_words(capsys.readouterr().out))
    # The innermost frame from any cell of the kernel: half's, in the other cell.
    assert printed.endswith(
        "raised ZeroDivisionError: division by zero, at line 2, in half: `return x / 0`"
    )

    _cell(monkeypatch, "3333", "def square(x):\n    n = len(x)\n    return n\n", namespace)
    assert check("99.ex1", namespace["square"]) is False
    printed = " ".join(_words(capsys.readouterr().out))
    assert re.search(r"raised TypeError: .*, at line 2, in square: `n = len\(x\)`$", printed)


def test_a_crash_in_a_custom_check_says_where_too(monkeypatch, capsys):
    view = PublicExercise("99.ex3", "ANSWER", "value", "ANSWER", custom="call_it")
    monkeypatch.setattr(selfcheck, "_public_view", lambda i: view)
    monkeypatch.setattr(custom_checks, "call_it", lambda answer: answer(3), raising=False)
    assert check("99.ex3", crashing_square) is False
    line = crashing_square.__code__.co_firstlineno + 1
    assert " ".join(_words(capsys.readouterr().out)).endswith(
        f"your answer raised ZeroDivisionError: division by zero, at line {line}, in "
        "crashing_square: `return x / (x - x)`"
    )
    # A crash in code that is not the learner's (here a builtin) names no line.
    monkeypatch.setattr(custom_checks, "call_it", lambda answer: answer(-1), raising=False)
    assert check("99.ex3", math.sqrt) is False
    printed = capsys.readouterr().out
    assert "raised ValueError: math domain error" in printed and "at line" not in printed
