"""The public side of an exercise: its examples, expected answers and hints, as plain data.

:func:`public_view` turns a declared :class:`~labkit.exercises.declare.Exercise` into a
:class:`PublicExercise`: each example's call as a learner would type it, the inputs as
they travel to a kernel, the reference's answer, and the answers of the usual mistakes
with their hints. Nothing in it can solve the exercise, so the student kit ships these as
JSON files (``labkit/exercises/public/lesson_NN.json``) instead of the declarations.
:func:`run_examples` is the self-check itself.

>>> from labkit.exercises.declare import Example, Exercise, Mistake
>>> exercise = Exercise(
...     id="99.ex1", name="double", points=1, reference=lambda x: 2 * x,
...     examples=[Example((3,), why="2 × 3"), Example((0,)), Example((-1.5,))],
...     inputs=lambda rng: [(1,)] * 4,
...     mistakes=[Mistake(lambda x: x**2, hint="Double it, don't square it.")])
>>> view = public_view(exercise)
>>> view.examples[0].call, view.examples[0].expected
('double(3)', 6)
>>> run_examples(view, lambda x: x * x)
"double(3) returned 9; expected 6 (2 × 3). Double it, don't square it."
>>> run_examples(view, lambda x: x + x) is None
True
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np

from labkit.exercises import judges

__all__ = [
    "PublicExample",
    "PublicExercise",
    "public_view",
    "run_examples",
    "to_json",
    "from_json",
    "NotAttempted",
]


class NotAttempted(Exception):
    """The answer is still the placeholder (it raised NotImplementedError)."""


@dataclass(frozen=True)
class PublicExample:
    """One public example: the call as typed, the inputs as sent, the expected answer."""

    call: str
    payload: str
    expected: object
    why: str = ""
    mistakes: list[tuple[object, str]] = field(default_factory=list)  # (answer, hint)


@dataclass(frozen=True)
class PublicExercise:
    """What the self-check needs of one exercise; ``custom`` exercises run their own check."""

    id: str
    name: str
    kind: str
    expression: str
    judge: str = "same_answer"
    examples: list[PublicExample] = field(default_factory=list)
    custom: str | None = None  # the name of a check in labkit.exercises.custom_checks


def public_view(exercise) -> PublicExercise:
    """The public data of a declared exercise (computed by running its reference)."""
    from labkit.grading.protocol import to_wire

    if exercise.kind != "function":
        return PublicExercise(
            exercise.id,
            exercise.name,
            exercise.kind,
            exercise.expression,
            custom=exercise.public_check.__name__,
        )
    examples = []
    for example in exercise.examples:
        expected = exercise.answer_of(exercise.reference, example.args)
        with warnings.catch_warnings(), np.errstate(all="ignore"):  # a naive softmax overflows
            warnings.simplefilter("ignore")
            mistakes = [
                (exercise.answer_of(m.answer, example.args), m.hint)
                for m in exercise.mistakes
                if m.hint
            ]
        examples.append(
            PublicExample(
                call=f"{exercise.name}({', '.join(_typed(a) for a in example.args)})",
                payload=to_wire(list(example.args)),
                expected=expected,
                why=example.why,
                mistakes=[
                    (answer, hint)
                    for answer, hint in mistakes
                    if answer is not None and not exercise.judge(answer, expected)
                ],
            )
        )
    return PublicExercise(
        exercise.id,
        exercise.name,
        exercise.kind,
        exercise.expression,
        judge=exercise.judge.__name__,
        examples=examples,
    )


def run_examples(view: PublicExercise, answer: Callable) -> str | None:
    """Run ``answer`` on every public example: None if all pass, else what went wrong.

    Raises :class:`NotAttempted` for an untouched placeholder.
    """
    from labkit.grading.protocol import evaluate

    if not callable(answer):
        return f"expected a function {view.name}(...), got {_shown(answer)}."
    judge: Callable[[object, object], bool] = getattr(judges, view.judge)
    for example in view.examples:
        kind, got = evaluate(view.expression, example.payload, view.name, {view.name: answer})
        if kind == "not_attempted":
            raise NotAttempted
        why = f" ({example.why})" if example.why else ""
        if kind == "error":
            return f"{example.call}{why} raised {got}"
        if judge(got, example.expected):
            continue
        hints = [hint for wrong, hint in example.mistakes if _same(got, wrong, judge)]
        hint = f" {hints[0]}" if hints else ""
        return (
            f"{example.call} returned {_shown(got)}; expected {_shown(example.expected)}"
            f"{why}.{hint}"
        )
    return None


def _same(got: object, wrong: object, judge: Callable[[object, object], bool]) -> bool:
    """Does ``got`` look like a mistake's answer: exactly (a float where an int was due is
    a mistake too), or by the exercise's judge (within its tolerance)?"""
    return json.dumps(got) == json.dumps(wrong) or judge(got, wrong)


def to_json(views: list[PublicExercise]) -> str:
    """The views as JSON text, for the student kit."""
    return json.dumps([asdict(view) for view in views], indent=1, ensure_ascii=False)


def from_json(text: str) -> list[PublicExercise]:
    """The views written by :func:`to_json`."""
    views = []
    for item in json.loads(text):
        examples = [
            PublicExample(**{**e, "mistakes": [tuple(m) for m in e["mistakes"]]})
            for e in item.pop("examples")
        ]
        views.append(PublicExercise(**item, examples=examples))
    return views


def _typed(value: object) -> str:
    """An argument as a learner would type it: ``np.array([...])`` for arrays."""
    if isinstance(value, np.ndarray):
        return f"np.array({value.tolist()})"
    return repr(value)


def _shown(value: object) -> str:
    """A value printed briefly: floats rounded to 6 decimals (3.0 stays 3.0), long text cut."""

    def rounded(v: object) -> object:
        if isinstance(v, float):
            return round(v, 6)
        return [rounded(x) for x in v] if isinstance(v, list) else v

    text = repr(rounded(value))
    return text if len(text) <= 200 else f"{text[:200]}…"
