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

import functools
import inspect
import json
import reprlib
import sysconfig
import traceback
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from labkit.exercises import judges
from labkit.exercises.questions import public_questions

__all__ = [
    "PublicExample",
    "PublicExercise",
    "public_view",
    "run_examples",
    "to_json",
    "from_json",
    "crash_site",
    "NotAttempted",
]

LABKIT = Path(__file__).resolve().parent.parent  # frames in here are never the learner's
LIBRARIES = {  # nor are those of Python's and the installed packages' code
    Path(sysconfig.get_paths()[name]).resolve() for name in ("stdlib", "purelib", "platlib")
}


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
    questions: list[dict] = field(default_factory=list)  # a questions exercise's, without answers


def public_view(exercise) -> PublicExercise:
    """The public data of a declared exercise (computed by running its reference)."""
    from labkit.grading.protocol import to_wire

    if exercise.kind == "questions":
        return PublicExercise(
            exercise.id,
            exercise.name,
            exercise.kind,
            exercise.expression,
            questions=public_questions(exercise.id, exercise.questions),
        )
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
    crashes: list[BaseException] = []

    def watched(*args, **kwargs):  # the answer, keeping what it raised (for its line)
        try:
            return answer(*args, **kwargs)
        except Exception as error:
            crashes.append(error)
            raise

    for example in view.examples:
        crashes.clear()
        kind, got = evaluate(view.expression, example.payload, view.name, {view.name: watched})
        if kind == "not_attempted":
            raise NotAttempted
        why = f" ({example.why})" if example.why else ""
        if kind == "error":
            crash = crashes[-1] if crashes else None
            site = crash_site(crash, answer) if crash is not None else ""
            if crash is not None and not str(got).startswith(f"{type(crash).__name__}:"):
                site = ""  # what evaluate reports is not what the answer raised
            return f"{example.call}{why} raised {got}{site}"
        if judge(got, example.expected):
            continue
        hints = [hint for wrong, hint in example.mistakes if _same(got, wrong, judge)]
        hint = f" {hints[0]}" if hints else ""
        return (
            f"{example.call} returned {_shown(got)}; expected {_shown(example.expected)}"
            f"{why}.{hint}"
        )
    return None


def crash_site(error: BaseException, answer: object) -> str:
    """Where in the learner's own code ``error`` was raised, as the end of a sentence:
    the innermost frame of its traceback that runs code from the answer's file (or, for a
    notebook, from any cell of the same kernel), not from labkit, Python or an installed
    package. "" if there is none.

    >>> def halve(n):
    ...     return n / 0
    >>> try:
    ...     halve(4)
    ... except ZeroDivisionError as error:
    ...     crash_site(error, halve)
    ', at line 2, in halve: `return n / 0`'
    """
    files = _files_of(answer)
    if not files:
        return ""
    cells = {Path(f).parent for f in files if Path(f).parent.name.startswith("ipykernel_")}

    def theirs(frame: traceback.FrameSummary) -> bool:
        path = Path(frame.filename)
        return (
            frame.name != "<module>"  # e.g. the check's own eval of the call
            and (frame.filename in files or path.parent in cells)
            and not _not_theirs(frame.filename)
        )

    frames = [f for f in traceback.extract_tb(error.__traceback__) if theirs(f)]
    if not frames:
        return ""
    frame = frames[-1]
    line = " ".join((frame.line or "").split())
    line = line if len(line) <= 60 else f"{line[:59]}…"
    return f", at line {frame.lineno}, in {frame.name}" + (f": `{line}`" if line else "")


def _files_of(answer: object) -> set[str]:
    """The files that define ``answer``: a function's, a method's, a partial's function's,
    or, for an object (e.g. a model), those of the functions its class defines."""
    while isinstance(answer, functools.partial):
        answer = answer.func
    try:
        target = inspect.unwrap(answer) if callable(answer) else answer
    except ValueError:  # a wrapper loop
        target = answer
    target = getattr(target, "__func__", target)  # a bound method
    code = getattr(target, "__code__", None)
    if code is not None:
        codes = [code]
    else:
        kind = target if isinstance(target, type) else type(target)
        codes = [
            getattr(getattr(value, "__func__", value), "__code__", None)
            for klass in kind.__mro__
            for value in vars(klass).values()
        ]
    return {c.co_filename for c in codes if c is not None and not _not_theirs(c.co_filename)}


def _not_theirs(filename: str) -> bool:
    """True for a file of labkit, of Python or of an installed package."""
    try:
        path = Path(filename).resolve()
    except (OSError, ValueError):
        return False
    return any(path.is_relative_to(folder) for folder in (LABKIT, *LIBRARIES))


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


_BRIEF = reprlib.Repr()  # long lists, strings and nesting elided with "..."
_BRIEF.maxlevel = 3
_BRIEF.maxlist = _BRIEF.maxtuple = _BRIEF.maxset = 8
_BRIEF.maxdict = 6
_BRIEF.maxstring = _BRIEF.maxother = 60
SHOWN_CHARS = 120


def _shown(value: object) -> str:
    """A value printed briefly: floats rounded to 6 decimals (3.0 stays 3.0), long lists
    and text elided.

    >>> _shown([0.1 + 0.2, 3.0])
    '[0.3, 3.0]'
    >>> _shown(list(range(20)))
    '[0, 1, 2, 3, 4, 5, 6, 7, ...]'
    """

    def rounded(v: object) -> object:
        if isinstance(v, float):
            return round(v, 6)
        return [rounded(x) for x in v] if isinstance(v, list) else v

    text = _BRIEF.repr(rounded(value))
    return text if len(text) <= SHOWN_CHARS else f"{text[: SHOWN_CHARS - 1]}…"
