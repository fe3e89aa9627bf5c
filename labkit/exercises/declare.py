"""How a lesson declares an exercise, once: reference, public examples, graded inputs, mistakes.

Each lesson's module ``labkit/lessons/lesson_NN.py`` holds a list ``EXERCISES`` of
:class:`Exercise` and a list ``EXPECTATIONS`` of :class:`Expect`. Everything else reads
these declarations: the learner's self-check (:func:`labkit.check`), the grader and one
shared set of tests. A function exercise needs no hand-written check at all:

>>> def double(x):
...     return 2 * x
>>> exercise = Exercise(
...     id="99.ex1", name="double", points=1, reference=double,
...     examples=[Example((3,), why="2 × 3"), Example((0,)), Example((-1.5,))],
...     inputs=lambda rng: [(float(x),) for x in rng.normal(size=4)],
...     mistakes=[Mistake(lambda x: x**2, hint="Double it, don't square it.")],
... )
>>> [case.expected for case in exercise.make_cases(b"a course secret!", "ada")][:2]
[3.17107..., -0.70608...]
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from labkit.exercises import judges, questions
from labkit.exercises.questions import Question
from labkit.validation import one_of, real_number

__all__ = [
    "Case",
    "Example",
    "Exercise",
    "Expect",
    "Mistake",
    "case_generator",
    "INT_HINT",
    "CHANCE_10",
    "BENIGN",
]

KINDS = ("function", "value", "model", "questions")
_ID = re.compile(r"\d\d\.ex\d+")

Judge = Callable[[object, object], bool]

# The hint of the usual mistake of every counting exercise: a float where an int is due.
# Baselines several lessons' metrics must beat (Expect's baseline_is).
CHANCE_10 = "chance with 10 balanced classes (always the most common digit: 0.101)"
BENIGN = "always answering 'benign' on the test set"

INT_HINT = (
    "A count is a whole number: return an int, not a float (a // b divides and "
    "rounds down; int(x) or math.ceil(x) turn a float into an int)."
)


@dataclass(frozen=True)
class Example:
    """A public example: arguments a learner may read, and how to see the answer.

    Parameters
    ----------
    args : tuple
        Numbers, str, bool, None, lists, tuples, NumPy arrays.
    why : str, default=""
        Shown when the answer is wrong, e.g. ``"two classes, half each: 1 - (0.25 + 0.25)"``.
    """

    args: tuple
    why: str = ""


@dataclass(frozen=True)
class Mistake:
    """A usual wrong answer, written as a learner would, and the hint it deserves.

    The self-check shows ``hint`` when a learner's answer gives the same result as
    ``answer`` on a public example. The tests prove that every mistake fails both the
    public examples and the graded cases. ``hint=""``: fails, with the plain message.
    """

    answer: Callable
    hint: str = ""


@dataclass(frozen=True)
class Case:
    """One graded input and what the grader expects for it (never sent to the kernel).

    Parameters
    ----------
    args : tuple
        Sent to the kernel: numbers, str, bool, None, lists, tuples, NumPy arrays.
    expected : object
        Kept by the grader: what a right answer equals (see ``Exercise.judge``).
    """

    args: tuple = ()
    expected: object = None


@dataclass(frozen=True)
class Exercise:
    """One exercise, declared once.

    Parameters
    ----------
    id : str
        ``"NN.exK"``, unique across the course; matches the lesson's heading.
    name : str
        The name the learner's notebook defines: a function, a variable or a model.
    points : float
        What a right answer earns (the same as the heading says).
    reference : callable or None
        A function exercise's reference solution. It computes the expected answer of
        every public example and graded input, in the grader's process.
    examples : sequence of Example
        The public examples of a function exercise (the self-check runs them).
    inputs : callable or None
        ``inputs(rng) -> list of args tuples``: a function exercise's graded inputs, drawn
        from ``rng``, a generator seeded from the course secret, the student and the id.
    mistakes : sequence of Mistake
        Usual wrong answers of a function exercise, with their hints.
    judge : callable, default=judges.same_answer
        ``judge(answer, expected) -> bool`` for one case. Every case must pass. A function
        exercise's judge comes from :mod:`labkit.exercises.judges`.
    kind : str, default="function"
        ``"function"``, ``"value"`` (a variable, read once), ``"model"`` (a trained
        ``nn.Module``: exported as a graph and run by the grader, never by the kernel; see
        :mod:`labkit.exercises.model_graph`) or ``"questions"`` (a dict of answers to
        ``questions``, e.g. a quiz; each right answer earns its share of the points).
    cases : callable or None
        For value and model exercises: ``cases(rng) -> list of Case``, inputs and expected.
        A model's case holds one input tensor (an array of shape ``model_input``), and its
        judge gets ``(outputs, numbers)``: the model's outputs as an array and how many
        numbers the model holds.
    public_check : callable or None
        For value and model exercises: a check from :mod:`labkit.exercises.custom_checks`.
    expression : str or None
        Python run in the kernel to get the answer for one case, with the case's args as
        ``args``. None: ``name(*args)`` for a function, ``name`` for a value, and for a
        model the export into the file named by the grader.
    model_input : tuple of int or None
        A model exercise's input shape: the model is exported for exactly this shape.
    model_dtype : str, default="float32"
        The type of a model's input.
    questions : sequence of Question
        A questions exercise's answers (see :mod:`labkit.exercises.questions`), numbered
        from 1 as in the lesson's text.
    """

    id: str
    name: str
    points: float
    reference: Callable | None = None
    examples: Sequence[Example] = ()
    inputs: Callable[[np.random.Generator], Sequence[tuple]] | None = None
    mistakes: Sequence[Mistake] = ()
    judge: Judge = judges.same_answer
    kind: str = "function"
    cases: Callable[[np.random.Generator], Sequence[Case]] | None = None
    public_check: Callable[[object], None] | None = None
    expression: str | None = field(default=None)
    model_input: tuple[int, ...] | None = None
    model_dtype: str = "float32"
    questions: Sequence[Question] = ()

    def __post_init__(self) -> None:
        if not _ID.fullmatch(str(self.id)):
            raise ValueError(f"id must look like '03.ex2'. Received: id={self.id!r}")
        one_of("kind", self.kind, KINDS)
        if not str(self.name).isidentifier():
            raise ValueError(f"name must be a Python name. Received: name={self.name!r}")
        real_number("points", self.points, above=0)
        if self.kind != "questions" and self.questions:
            raise ValueError(f"{self.id}: questions= are for a questions exercise.")
        if self.kind == "function":
            self._check_function_fields()
        elif self.kind == "questions":
            self._check_question_fields()
        else:
            self._check_custom_fields()
        if (self.kind == "model") != (self.model_input is not None):
            raise ValueError(
                f"{self.id}: model_input= (the shape the model takes) is needed "
                "by a model exercise, and only by one."
            )
        if self.kind == "model" and self.expression is not None:
            raise ValueError(
                f"{self.id}: a model is exported and run by the grader, the same "
                "way for every model exercise: leave expression= out."
            )
        if self.expression is None:
            expression = (
                questions.expression(self.name, len(self.questions))
                if self.kind == "questions"
                else _default_expression(self.kind, self.name)
            )
            object.__setattr__(self, "expression", expression)

    def _check_function_fields(self) -> None:
        missing = [name for name in ("reference", "inputs") if getattr(self, name) is None] + (
            [] if len(self.examples) >= 3 else ["at least 3 examples"]
        )
        if missing:
            raise ValueError(f"{self.id}: a function exercise needs {', '.join(missing)}.")
        if self.cases is not None or self.public_check is not None:
            raise ValueError(
                f"{self.id}: a function exercise is checked from its reference, "
                "examples and inputs; cases= and public_check= are for value "
                "and model exercises."
            )
        if getattr(judges, getattr(self.judge, "__name__", ""), None) is not self.judge:
            raise ValueError(
                f"{self.id}: the judge must be one of labkit.exercises.judges (the self-check "
                f"names it). Received: judge={self.judge!r}"
            )

    def _check_custom_fields(self) -> None:
        if self.cases is None or self.public_check is None:
            raise ValueError(f"{self.id}: a {self.kind} exercise needs cases= and public_check=.")
        if self.reference is not None or self.inputs is not None or self.examples:
            raise ValueError(
                f"{self.id}: reference=, examples= and inputs= are for function exercises."
            )

    def _check_question_fields(self) -> None:
        if not questions.FEWEST <= len(self.questions) <= questions.MOST:
            raise ValueError(
                f"{self.id}: a questions exercise has {questions.FEWEST} to "
                f"{questions.MOST} questions. Received: {len(self.questions)}."
            )
        others = ("reference", "inputs", "cases", "public_check", "expression")
        if self.examples or any(getattr(self, name) is not None for name in others):
            raise ValueError(f"{self.id}: a questions exercise is declared by questions= only.")

    def make_cases(self, secret: bytes, student: str) -> list[Case]:
        """This student's graded cases: the same on every regrade, different per student."""
        if self.kind == "questions":  # one case: every answer, in normal form
            return [Case(expected=[questions.normal_form(q, q.answer) for q in self.questions])]
        rng = case_generator(secret, student, self.id)
        if self.cases is not None:
            return list(self.cases(rng))
        return [
            Case(args=tuple(args), expected=self.answer_of(self.reference, args))
            for args in self.inputs(rng)  # type: ignore[misc]
        ]

    def answer_of(self, function: Callable | None, args: Sequence[object]) -> object:
        """What ``function`` answers for ``args``, read back exactly as the grader reads a
        learner's answer; ``None`` if it raises (only a mistake may)."""
        from labkit.grading.protocol import evaluate, to_wire

        kind, answer = evaluate(
            self.expression or "", to_wire(list(args)), self.name, {self.name: function}
        )
        if kind == "answer":
            return answer
        if function is self.reference:
            raise RuntimeError(f"{self.id}: the reference failed on {args!r}: {answer}")
        return None


def _default_expression(kind: str, name: str) -> str:
    """How the kernel answers one case: call the function, read the value, or export the
    model (``args``: shape, dtype and file name, from the grader)."""
    if kind == "function":
        return f"{name}(*args)"
    if kind == "value":
        return name
    return f"__import__('labkit.exercises.model_graph', fromlist=['_']).save_model({name}, *args)"


@dataclass(frozen=True)
class Expect:
    """What a recorded metric must reach, next to the score it must beat.

    ``smoke`` is the threshold for the test suite's tiny runs (None: not checked there,
    too small to show the effect); ``default`` for the default run. ``baseline`` is chance
    or a trivial model: a threshold only means something when it is clearly better.

    >>> accuracy = Expect("test_accuracy", smoke=0.8, default=0.95, baseline=0.1,
    ...                   baseline_is="chance")
    >>> accuracy.passes(0.97, accuracy.default), accuracy.passes(0.9, accuracy.default)
    (True, False)
    """

    metric: str
    smoke: float | None
    default: float
    baseline: float
    baseline_is: str
    higher_is_better: bool = True

    def passes(self, value: float, threshold: float | None) -> bool:
        """True if ``value`` reaches ``threshold`` (always, when there is none)."""
        if threshold is None:
            return True
        return value >= threshold if self.higher_is_better else value <= threshold

    def describe(self, value: float, threshold: float | None) -> str:
        """Why ``value`` fails ``threshold``, in words."""
        word = "at least" if self.higher_is_better else "at most"
        return (
            f"{self.metric} = {value:.4g}, but it must be {word} {threshold} "
            f"(baseline: {self.baseline} = {self.baseline_is})"
        )


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
