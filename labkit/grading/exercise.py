"""A graded exercise: what the learner must produce, the graded inputs, and how to judge.

Graded checks live in ``labkit/grading/graded/lesson_NN.py`` (a list ``EXERCISES`` per
lesson). The grader hides that folder from the learner's kernel; the checks are public
in the repository all the same, because the inputs they generate depend on the course
secret, which is not (see ``docs/GRADING.md``).

>>> double = GradedExercise(
...     id="99.ex1", name="double", points=1,
...     cases=lambda rng: [Case(args=(x,), expected=2 * x) for x in rng.integers(0, 9, 3)])
>>> double.expression
'double(*args)'
>>> len(double.make_cases(b"a course secret!", "ada"))
3
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from labkit.grading.protocol import same_answer

__all__ = ["Case", "GradedExercise", "case_generator"]

KINDS = ("function", "value", "model")
_ID = re.compile(r"\d\d\.ex\d+")


@dataclass(frozen=True)
class Case:
    """One graded input and what the grader expects for it (never sent to the kernel).

    Parameters
    ----------
    args : tuple
        Sent to the kernel: numbers, str, bool, None, lists, tuples, NumPy arrays.
    expected : object
        Kept by the grader: what a right answer equals (see ``GradedExercise.judge``).
    """

    args: tuple = ()
    expected: object = None


def _default_judge(got: object, expected: object) -> bool:
    return same_answer(got, expected)


@dataclass(frozen=True)
class GradedExercise:
    """An exercise as the grader sees it.

    Parameters
    ----------
    id : str
        ``"NN.exK"``, unique across the course; matches the lesson's heading.
    name : str
        The name the learner's notebook defines: a function, a variable or a model.
    points : float
        What a right answer earns (the same as the heading says).
    cases : callable
        ``cases(rng) -> list[Case]``: graded inputs drawn from ``rng``, a generator
        seeded from the course secret, the student and the exercise.
    kind : str, default="function"
        ``"function"`` (called with each case's args), ``"value"`` (read once) or
        ``"model"`` (a trained model, queried with features; labels stay here).
    expression : str or None, default=None
        Python run in the kernel to get the answer for one case, with the case's args as
        ``args``. None: ``name(*args)`` for a function, ``name`` for a value; a model
        must say how to predict, e.g. ``"predict(model, args[0])"``.
    judge : callable, default=same_answer
        ``judge(answer, expected) -> bool`` for one case. Every case must pass.
    """

    id: str
    name: str
    points: float
    cases: Callable[[np.random.Generator], Sequence[Case]]
    kind: str = "function"
    expression: str | None = field(default=None)
    judge: Callable[[object, object], bool] = _default_judge

    def __post_init__(self) -> None:
        if not _ID.fullmatch(str(self.id)):
            raise ValueError(f"id must look like '03.ex2'. Received: id={self.id!r}")
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}. Received: kind={self.kind!r}")
        if not str(self.name).isidentifier():
            raise ValueError(f"name must be a Python name. Received: name={self.name!r}")
        if not self.points > 0:
            raise ValueError(f"points must be positive. Received: points={self.points!r}")
        if self.expression is None:
            if self.kind == "model":
                raise ValueError(f"{self.id}: a model exercise needs an expression that "
                                 "predicts, e.g. 'predict(model, args[0])'.")  # fmt: skip
            default = f"{self.name}(*args)" if self.kind == "function" else self.name
            object.__setattr__(self, "expression", default)

    def make_cases(self, secret: bytes, student: str) -> list[Case]:
        """This student's graded cases: the same on every regrade, different per student."""
        return list(self.cases(case_generator(secret, student, self.id)))


def case_generator(secret: bytes, student: str, exercise_id: str) -> np.random.Generator:
    """A random generator seeded by HMAC-SHA256(secret, student and exercise id).

    Without the secret nobody can tell which inputs a student will get; with it the
    grader gets the same ones on every run.

    Examples
    --------
    >>> KEY = b"a course secret!"
    >>> a = int(case_generator(KEY, "ada", "01.ex1").integers(0, 10**9))
    >>> a == int(case_generator(KEY, "ada", "01.ex1").integers(0, 10**9))
    True
    >>> a == int(case_generator(KEY, "bob", "01.ex1").integers(0, 10**9))
    False
    """
    if not isinstance(secret, bytes) or len(secret) < 16:
        raise ValueError("The course secret must be at least 16 bytes.")
    message = f"{student}\0{exercise_id}".encode()
    digest = hmac.digest(secret, message, "sha256")
    return np.random.default_rng(int.from_bytes(digest, "big"))
