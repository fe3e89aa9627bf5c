"""Self-checks for exercises: ``labkit.check("01.ex1", my_answer)``.

A check runs an exercise's *public* checks on the learner's answer and explains the result
kindly: what was tried, what was expected, what came back. It never raises, so a notebook
with unfinished exercises still runs to the end, and it says "not attempted yet" for an
untouched placeholder (a value left as None, or a function that raises NotImplementedError).

The public checks of each lesson live in ``labkit/exercises/lesson_NN.py``. Each is a plain
function that receives the answer and calls :func:`expect` / :func:`expect_close`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

__all__ = ["check", "expect", "expect_close", "is_finite_number", "CheckFailed"]


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
    """A value printed briefly (long arrays elided)."""
    if isinstance(value, float):
        return f"{value:.6g}"
    text = (
        np.array2string(np.asarray(value), precision=4, threshold=8)
        if np.ndim(value)
        else repr(value)
    )
    return text


def _registry() -> dict[str, Callable[[object], None]]:
    """Every exercise's public check, by exercise id."""
    from labkit.exercises import PUBLIC_CHECKS

    return PUBLIC_CHECKS


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
    00.ex1: not attempted yet. Replace the placeholder with your answer and run this cell again.
    False
    """
    checks = _registry()
    if exercise_id not in checks:
        print(f"There is no exercise {exercise_id!r}. Known exercises: {sorted(checks)}.")
        return False
    if answer is None:
        print(f"{exercise_id}: not attempted yet. Replace the placeholder with your answer and "
              "run this cell again.")  # fmt: skip
        return False
    try:
        checks[exercise_id](answer)
    except NotImplementedError:
        print(f"{exercise_id}: not attempted yet. Write your solution where the exercise says, "
              "then run this cell again.")  # fmt: skip
        return False
    except CheckFailed as failure:
        print(f"{exercise_id}: not yet right. {failure}")
        return False
    except Exception as error:  # the learner's code crashed: explain, don't raise
        print(f"{exercise_id}: your answer raised {type(error).__name__}: {error}")
        return False
    print(f"{exercise_id}: all public checks passed. Well done!")
    return True


def is_finite_number(value: object) -> bool:
    """True for a real, finite number (not bool)."""
    return (
        isinstance(value, int | float | np.number)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )
