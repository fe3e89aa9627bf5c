"""Self-checks for exercises: ``labkit.check("01.ex1", my_answer)``.

A check runs an exercise's *public* examples on the learner's answer and explains the
result kindly: what was tried, what was expected, what came back, and a hint when the
answer looks like a usual mistake. It never raises, so a notebook with unfinished
exercises still runs to the end, and it says "not attempted yet" for an untouched
placeholder (a value left as None, or a function that raises NotImplementedError).

The examples, expected answers and hints come from each exercise's declaration
(``labkit/lessons/lesson_NN.py``), or, in a student kit, from the JSON files that
``labkit kit`` wrote in their place (``labkit/exercises/public/``). Value and model
exercises have a check of their own in ``labkit/exercises/custom_checks.py``, written with
:func:`expect` and :func:`expect_close`.
"""

from __future__ import annotations

import math
import re
import reprlib
import textwrap
from pathlib import Path

import numpy as np

__all__ = ["check", "expect", "expect_close", "is_finite_number", "CheckFailed"]

KIT_DATA = Path(__file__).parent / "exercises" / "public"
WIDTH = 88  # verdicts are wrapped at word boundaries to this many columns
# JupyterLab shows printed text with ``word-break: break-all``, so a line wider than the
# output area is cut anywhere, mid-word or mid-number: hence lines wrapped here.
_KEEP = "\ue000"  # a space inside a short value, which the wrapping must not break at


class CheckFailed(Exception):
    """A public check found a wrong answer; the message says what and why."""


def expect(condition: bool, message: str) -> None:
    """Fail the check with ``message`` unless ``condition`` holds.

    >>> expect(1 + 1 == 2, "arithmetic")
    """
    if not condition:
        raise CheckFailed(message)


def expect_close(got: object, expected: object, *, what: str, tol: float = 1e-6) -> None:
    """Fail unless ``got`` equals ``expected`` to within ``tol`` (numbers or arrays).

    >>> expect_close(0.1 + 0.2, 0.3, what="the sum")
    """
    try:
        got_array = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise CheckFailed(f"{what}: expected a number or array, got {got!r}.") from None
    expected_array = np.asarray(expected, dtype=float)
    if got_array.shape != expected_array.shape:
        raise CheckFailed(
            f"{what}: expected shape {expected_array.shape}, got shape {got_array.shape}."
        )
    if not np.allclose(got_array, expected_array, rtol=tol, atol=tol, equal_nan=False):
        raise CheckFailed(f"{what}: expected {_short(expected)}, got {_short(got)}.")


def _short(value: object) -> str:
    """A value printed briefly, on one line (long arrays elided).

    >>> _short(np.arange(12.0).reshape(3, 4))
    '[[ 0.  1.  2.  3.] [ 4.  5.  6.  7.] [ 8.  9. 10. 11.]]'
    >>> _short(np.arange(100))
    '[ 0  1  2 ... 97 98 99]'
    """
    if isinstance(value, float):
        return f"{value:.6g}"
    if not np.ndim(value):
        return reprlib.repr(value)
    text = np.array2string(np.asarray(value), precision=4, threshold=8, edgeitems=3)
    return re.sub(r"\n\s*", " ", text)


def wrap(text: str, width: int = WIDTH) -> str:
    """``text`` with each line wrapped at word boundaries to ``width`` columns; the
    continuation lines indented two spaces more than their line.

    Never breaks a word or a number (a longer one stays whole), nor a short value in
    brackets such as ``[0, 1, 2]`` or ``square(3)``; hyphens are not break points.

    >>> print(wrap("f(3) returned [1, 2, 3]; expected [1, 2] because the last one is spare",
    ...            width=40))
    f(3) returned [1, 2, 3]; expected [1, 2]
      because the last one is spare
    """
    lines: list[str] = []
    for line in text.split("\n"):
        indent = line[: len(line) - len(line.lstrip())]
        wrapped = textwrap.wrap(
            _keep_values_whole(line.strip(), width // 2),
            width=width,
            initial_indent=indent,
            subsequent_indent=indent + "  ",
            break_long_words=False,
            break_on_hyphens=False,
        )
        lines.extend(w.replace(_KEEP, " ") for w in wrapped or [indent])
    return "\n".join(lines)


def _keep_values_whole(text: str, longest: int) -> str:
    """``text`` with the spaces inside each bracketed group marked unbreakable, where the
    group is at most ``longest`` characters and looks like code, not words in brackets; and
    the spaces of "at line 3"."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    out, opened = list(text), []  # opened: (closing bracket, where it opened)
    for i, char in enumerate(text):
        if char in pairs:
            opened.append((pairs[char], i))
        elif opened and char == opened[-1][0]:
            start = opened.pop()[1]
            group = text[start : i + 1]
            if len(group) <= longest and not re.search(r"[^\W\d_]{2} \w", group):
                out[start : i + 1] = group.replace(" ", _KEEP)
    return re.sub(r"\bat line (\d)", f"at{_KEEP}line{_KEEP}\\1", "".join(out))


def _say(text: str) -> None:
    print(wrap(text))


def public_exercises() -> dict:
    """Every exercise's public view, by id: from the kit's JSON files if this is a student
    kit, else computed from the lessons' declarations (only the lesson asked for)."""
    from labkit.exercises.public import from_json

    views = {}
    for path in sorted(KIT_DATA.glob("lesson_*.json")):
        views |= {view.id: view for view in from_json(path.read_text(encoding="utf-8"))}
    return views


def _public_view(exercise_id: str):
    """The public view of one exercise, or None if there is no such exercise."""
    if KIT_DATA.is_dir():
        return public_exercises().get(exercise_id)
    from labkit.exercises.public import public_view
    from labkit.lessons import find_exercise

    exercise = find_exercise(exercise_id)
    return None if exercise is None else public_view(exercise)


def check(exercise_id: str, answer: object) -> bool:
    """Run the public checks of ``exercise_id`` on ``answer``; print a friendly verdict.

    Parameters
    ----------
    exercise_id : str
        The id shown in the exercise's heading, e.g. ``"01.ex1"``.
    answer : object
        What the exercise asks for: a function, a value, a trained model.

    Returns
    -------
    bool
        True when every public check passed. (Passing them is a good sign, not a grade:
        the graded checks use other inputs.)

    Examples
    --------
    >>> check("00.ex1", None)
    00.ex1: not attempted yet. Replace the placeholder with your answer and run this cell
      again.
    False
    """
    try:
        view = _public_view(exercise_id)
    except ImportError:  # e.g. inside the grader's sandbox, which hides the declarations
        _say(f"{exercise_id}: the self-checks are not available here.")
        return False
    if view is None:
        _say(
            f"There is no exercise {exercise_id!r}. Exercise ids look like '01.ex2', as "
            "in the exercise's heading."
        )
        return False
    if answer is None:
        _say(
            f"{exercise_id}: not attempted yet. Replace the placeholder with your answer and "
            "run this cell again."
        )
        return False
    try:
        problem = _run(view, answer)
    except NotImplementedError:
        _say(
            f"{exercise_id}: not attempted yet. Write your solution where the exercise says, "
            "then run this cell again."
        )
        return False
    except CheckFailed as failure:
        problem = str(failure)
    except Exception as error:  # the learner's code crashed: explain, don't raise
        from labkit.exercises.public import crash_site

        site = crash_site(error, answer)
        problem = f"your answer raised {type(error).__name__}: {str(error)[:300]}{site}"
    if problem is not None:
        _say(f"{exercise_id}: not yet right. {problem}")
        return False
    if view.kind == "questions":
        _say(f"{exercise_id}: all {len(view.questions)} answers are right. Well done!")
    else:
        _say(f"{exercise_id}: all public checks passed. Well done!")
    return True


def _run(view, answer: object) -> str | None:
    """None if ``answer`` passes; else the problem. Raises NotImplementedError for a
    placeholder."""
    from labkit.exercises import custom_checks
    from labkit.exercises.public import NotAttempted, run_examples
    from labkit.exercises.questions import mark

    if view.kind == "questions":
        return mark(view.questions, view.id, answer)
    if view.custom is not None:
        getattr(custom_checks, view.custom)(answer)
        return None
    try:
        return run_examples(view, answer)
    except NotAttempted:
        raise NotImplementedError from None


def is_finite_number(value: object) -> bool:
    """True for a real, finite number (not bool)."""
    return (
        isinstance(value, int | float | np.number)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )
