"""Judges: does one answer, as it came back from the learner's code, match what was expected?

A judge is ``judge(got, expected) -> bool``. ``got`` is plain JSON (numbers, strings, None,
lists: tuples and arrays arrive as lists, see :mod:`labkit.grading.protocol`); ``expected``
is what the exercise's reference returned, read back the same way. A judge never raises:
junk is simply False. The self-checks and the grader use the same judges, named in an
exercise's declaration (``judge=judges.same_integers``).

>>> same_answer([1, 2.0000000001], [1.0, 2.0]), same_integers([3, 4], [3, 4])
(True, True)
>>> same_integers([3.0, 4], [3, 4])  # a count is an int, not a float
False
"""

from __future__ import annotations

import numpy as np

__all__ = ["model_outputs_within", "same_answer", "same_integers"]


def same_integers(got: object, expected: object) -> bool:
    """True if ``got`` holds exactly the integers of ``expected``, nested in the same lists.

    ``expected`` is an int or a list, tuple or array of them; a float, a bool or anything
    else where an int is expected makes it False.

    Examples
    --------
    >>> same_integers([[0, 1], [2]], [np.array([0, 1]), np.array([2])])
    True
    >>> same_integers([0.0, 1.0], np.array([0, 1])), same_integers("2", 2), same_integers(True, 1)
    (False, False, False)
    """
    if isinstance(expected, np.ndarray):
        expected = expected.tolist()
    if isinstance(expected, list | tuple):
        return (
            type(got) is list
            and len(got) == len(expected)
            and all(same_integers(g, e) for g, e in zip(got, expected, strict=True))
        )
    # type() rather than isinstance(): True is an instance of int, but not a count.
    return type(got) is int and type(expected) is not bool and got == int(expected)  # type: ignore[call-overload]


def same_answer(got: object, expected: object, *, rel: float = 1e-6, abs_: float = 1e-9) -> bool:
    """True if a decoded answer ``got`` matches ``expected``: numbers within tolerance,
    lists (and tuples, arrays) of the same length element by element, str and None exact.

    A bool matches only a bool; a number given as a string ("nan") never matches.

    Examples
    --------
    >>> same_answer([1, 2.0000000001], np.array([1.0, 2.0]))
    True
    >>> same_answer(True, 1)
    False
    """
    if isinstance(expected, np.ndarray | tuple):
        expected = expected.tolist() if isinstance(expected, np.ndarray) else list(expected)
    if isinstance(expected, np.generic):
        expected = expected.item()
    if isinstance(expected, bool) or isinstance(got, bool):
        return type(got) is bool and type(expected) is bool and got == expected
    if isinstance(expected, int | float):
        if type(got) not in (int, float):
            return False
        diff = abs(float(got) - float(expected))
        return diff <= max(abs_, rel * abs(float(expected)))
    if isinstance(expected, list):
        return (
            type(got) is list
            and len(got) == len(expected)
            and all(
                same_answer(g, e, rel=rel, abs_=abs_) for g, e in zip(got, expected, strict=True)
            )
        )
    if expected is None or isinstance(expected, str):
        return type(got) is type(expected) and got == expected
    raise TypeError(f"Cannot compare with an expected {type(expected).__name__}: {expected!r}")


def model_outputs_within(got: object, max_numbers: int) -> object | None:
    """The outputs of a graded model answer ``(outputs, numbers)``, or None if the answer is
    not such a pair or the model holds no numbers or more than ``max_numbers``.

    The grader runs an exported model and hands its judge this pair; what the outputs must
    reach is the judge's own business.

    >>> model_outputs_within(([1.0], 30), max_numbers=100)
    [1.0]
    >>> model_outputs_within(([1.0], 300), max_numbers=100) is None
    True
    >>> model_outputs_within("junk", max_numbers=100) is None
    True
    """
    try:
        outputs, numbers = got  # type: ignore[misc]
    except (TypeError, ValueError):
        return None
    if type(numbers) is not int or not 0 < numbers <= max_numbers:
        return None
    return outputs
