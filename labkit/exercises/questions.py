"""Exercises answered as values to numbered questions: judgements and the lesson's quiz.

A judgement exercise ("which splitter suits each of these three datasets?") and the quiz
at the end of a lesson (6 to 10 short questions) are declared the same way: the questions
are written in the lesson's markdown, numbered from 1; the declaration holds, per
question, only the right answer, the letters offered (multiple choice) or how many
decimals count (a number), and a hint that says where to look. The learner answers in
one dict, ``quiz = {1: "b", 2: 12, ...}``; ``labkit.check`` says how many are right, with
the hints of the others; the grader gives each right answer its share of the points.

The student kit must not hold the answers, so the self-check compares digests: each
answer, put in one normal form (:func:`normal_form`), is hashed with the exercise id and
the question's number (:func:`digest`). The grader compares the normal forms themselves.

>>> questions = [Question("b", choices="abc", hint="Section 2's figure."),
...              Question(0.25, decimals=2, hint="One in four.")]
>>> [normal_form(q, a) for q, a in zip(questions, [" B", 0.2500001])]
['b', '0.25']
>>> print(mark(public_questions("99.ex1", questions), "99.ex1", {1: "b", 2: 0.3}))
1 of 2 right.
  Question 2: One in four.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

from labkit.validation import whole_number

__all__ = ["Question", "normal_form", "digest", "public_questions", "mark", "expression"]

LETTERS = "abcdefgh"
FEWEST, MOST = 1, 10  # questions in one exercise (a quiz has 6 or more)


@dataclass(frozen=True)
class Question:
    """One question's answer, how it is compared, and a hint for a wrong answer.

    Parameters
    ----------
    answer : str, int or float
        The right letter (multiple choice) or number.
    hint : str
        Shown when the answer is wrong: where to look or what to reconsider, never the
        answer itself.
    choices : str, default=""
        The letters offered, in order, e.g. ``"abcd"``; empty for a number.
    decimals : int, default=0
        A number counts as right when it equals the answer rounded to this many decimals
        (the question says how many).
    """

    answer: str | int | float
    hint: str
    choices: str = ""
    decimals: int = 0

    def __post_init__(self) -> None:
        if not self.hint.strip():
            raise ValueError("Every question needs a hint for a wrong answer.")
        if whole_number("decimals", self.decimals, minimum=0) > 6:
            raise ValueError(f"decimals must be at most 6. Received: decimals={self.decimals}")
        if self.choices:
            if self.choices != LETTERS[: len(self.choices)] or len(self.choices) < 2:
                raise ValueError(
                    f"choices must be the first letters in order, e.g. 'abcd'. "
                    f"Received: choices={self.choices!r}"
                )
            if self.answer not in tuple(self.choices):
                raise ValueError(f"The answer {self.answer!r} is not one of {self.choices!r}.")
        elif normal_form(self, self.answer) is None:
            raise ValueError(
                f"A question without choices needs a number. Received: {self.answer!r}"
            )


def normal_form(question: Question, value: object) -> str | None:
    """How an answer is compared: a letter in lower case, or a number rounded to the
    question's decimals; None if ``value`` cannot be an answer to ``question``.

    >>> normal_form(Question(3, hint="h"), 3.0), normal_form(Question(3, hint="h"), "3")
    ('3', None)
    """
    if question.choices:
        if isinstance(value, str) and value.strip().lower() in tuple(question.choices):
            return value.strip().lower()
        return None
    if type(value) not in (int, float) or not math.isfinite(value):  # type: ignore[arg-type]
        return None  # bools, strings and NaN are not numbers here
    text = f"{round(float(value), question.decimals):.{question.decimals}f}"  # type: ignore[arg-type]
    return text.lstrip("-") if float(text) == 0 else text  # -0.00 is 0.00


def digest(exercise_id: str, number: int, form: str) -> str:
    """A short digest of one answer in normal form, for the self-check.

    >>> digest("99.ex1", 1, "b") == digest("99.ex1", 2, "b")
    False
    """
    return hashlib.sha256(f"{exercise_id}/{number}/{form}".encode()).hexdigest()[:24]


def public_questions(exercise_id: str, questions: Sequence[Question]) -> list[dict]:
    """What the self-check needs of each question, without its answer."""
    return [
        {
            "choices": q.choices,
            "decimals": q.decimals,
            "hint": q.hint,
            "digest": digest(exercise_id, number, normal_form(q, q.answer) or ""),
        }
        for number, q in enumerate(questions, start=1)
    ]


def mark(public: list[dict], exercise_id: str, answers: object) -> str | None:
    """None if every answer in ``answers`` is right; else how many are, and the hint of
    each wrong or missing one. Raises NotImplementedError if nothing is answered yet."""
    from labkit.selfcheck import CheckFailed

    count = len(public)
    if type(answers) is not dict:
        raise CheckFailed(
            "The answers must be a dict from question number to answer, e.g. "
            f"{{1: 'b', 2: 12}}. Received: a {type(answers).__name__}."
        )
    unknown = [key for key in answers if key not in range(1, count + 1) or type(key) is not int]
    if unknown:
        raise CheckFailed(f"The questions are numbered 1 to {count}; the keys {unknown!r} are not.")
    if all(answers.get(number) is None for number in range(1, count + 1)):
        raise NotImplementedError
    notes, right = [], 0
    for number, question in enumerate(public, start=1):
        notes.append(_verdict(question, exercise_id, number, answers.get(number)))
        right += notes[-1] == ""
    if right == count:
        return None
    return f"{right} of {count} right." + "".join(f"\n  {note}" for note in notes if note)


def _verdict(question: dict, exercise_id: str, number: int, answer: object) -> str:
    """'' if right; else what to do about question ``number``."""
    if answer is None:
        return f"Question {number} is not answered yet."
    as_question = Question(
        "a" if question["choices"] else 0, "-", question["choices"], question["decimals"]
    )
    form = normal_form(as_question, answer)
    if form is None:
        wanted = (
            f"one of the letters {', '.join(question['choices'])}"
            if question["choices"]
            else "a number"
        )
        return f"Question {number} needs {wanted}; received {answer!r}."
    if digest(exercise_id, number, form) == question["digest"]:
        return ""
    return f"Question {number}: {question['hint']}"


def expression(name: str, count: int) -> str:
    """What the grader evaluates in the learner's kernel: the answers, in question order.

    >>> expression("quiz", 2)
    '[quiz.get(q) for q in range(1, 3)]'
    """
    return f"[{name}.get(q) for q in range(1, {count + 1})]"
