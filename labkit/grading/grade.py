"""Grade one submitted notebook: run it in a sandboxed kernel, then score it outside.

1. The submission's code cells run in order in a fresh :class:`SandboxedKernel`, with
   ``SMOKE = True`` injected after the ``parameters`` cell. Errors do not stop the run
   (as "Run All" would), so one broken cell costs only what depends on it.
2. For each exercise, the grader sends this student's graded inputs (drawn from the
   course secret) and reads back plain JSON answers.
3. The grader judges the answers in its own process. Nothing the kernel prints or
   claims counts, only the answers.

Exercises are found by the name the learner defines, not by cell position: moving,
copying or adding cells does not matter; as in Jupyter, the last definition run wins.
"""

from __future__ import annotations

import builtins
import re
import secrets
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import nbformat

from labkit.exercises.declare import Exercise
from labkit.exercises.questions import normal_form
from labkit.grading.files import FileTooLarge, UntrustedFileError, read_untrusted
from labkit.grading.isolation import Isolation
from labkit.grading.kernel import CellOutcome, SandboxedKernel
from labkit.grading.limits import Limits
from labkit.grading.model_exercise import ModelNotJudged, judge_model
from labkit.grading.protocol import PROTOCOL_ERRORS, query_code, read_answer
from labkit.grading.sandbox import Sandbox
from labkit.runner import inject_parameters

__all__ = ["ExerciseResult", "GradingOptions", "SubmissionResult", "grade_submission"]

# The kernel computes on one thread, so that parallel graders share the cores fairly;
# figures are drawn off-screen and never sent.
KERNEL_ENV = {"LABKIT_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MPLBACKEND": "agg"}
# A cell that stops the kernel (os._exit, a flood, an ignored interrupt) is skipped in a
# fresh kernel, so that it costs only what depends on it; at most this many kernels.
MAX_KERNELS = 3
# A lesson notebook without outputs is well under 1 MB; a larger one is refused unread.
MAX_NOTEBOOK_BYTES = 16 * 2**20
# Failed cells named in the feedback: enough to act on, and a bounded feedback file.
MAX_PROBLEMS = 20


@dataclass(frozen=True)
class GradingOptions:
    """How submissions are run.

    Parameters
    ----------
    cell_timeout : float, default=60.0
        Seconds one cell (or one graded call) may run before it is interrupted.
    notebook_seconds : float, default=600.0
        Seconds the whole submission may take; later cells are not run.
    limits : Limits, default=Limits()
        Memory, CPU, processes and file limits of the kernel.
    isolation : Isolation or None, default=None
        None: what the machine can enforce (``detect_isolation()``).
    hidden : tuple of str, default=()
        Paths the kernel must not read: checks, the secret, other submissions, results.
        (With namespaces the kernel sees nothing of the machine but its system folders,
        this Python and labkit anyway; these are covered inside what it sees.)
    shared : tuple of str, default=()
        Folders the kernel may read and write besides its workdir: none when grading a
        class; the tests give attacks one to leave evidence in.
    parameters : dict, default={"SMOKE": True}
        Values injected after the notebook's ``parameters`` cell.
    """

    cell_timeout: float = 60.0
    notebook_seconds: float = 600.0
    limits: Limits = field(default_factory=Limits)
    isolation: Isolation | None = None
    hidden: tuple[str, ...] = ()
    shared: tuple[str, ...] = ()
    parameters: dict = field(default_factory=lambda: {"SMOKE": True})


@dataclass(frozen=True)
class ExerciseResult:
    """The grade of one exercise. ``status`` is one of ``correct``, ``partly right`` (a
    questions), ``wrong``, ``not attempted``, ``error``, ``timeout`` or ``not run``; ``reason``
    says why in words a learner can act on (it never shows graded inputs)."""

    id: str
    points: float
    max_points: float
    status: str
    reason: str


@dataclass(frozen=True)
class SubmissionResult:
    """The grade of one submission, as the feedback file shows it.

    ``problems`` lists cells that failed (``"cell 12: ZeroDivisionError: ..."``);
    ``seconds`` is left out of :meth:`to_dict` so that a regrade gives the same file.
    """

    student: str
    lesson: str
    submission: str
    score: float
    max_score: float
    exercises: list[ExerciseResult]
    problems: list[str]
    seconds: float = 0.0

    def to_dict(self) -> dict:
        """The feedback as plain data (for JSON)."""
        data = asdict(self)
        del data["seconds"]
        return data


def grade_submission(
    path: str | Path,
    exercises: list[Exercise],
    *,
    student: str,
    lesson: str,
    secret: bytes,
    options: GradingOptions | None = None,
) -> SubmissionResult:
    """Run the notebook at ``path`` in a sandboxed kernel and grade ``exercises``.

    Never raises for anything the submission does: an unreadable file, a crash, a
    timeout or an output flood becomes 0 points with a reason.

    Parameters
    ----------
    path : str or Path
        The submitted ``.ipynb``.
    exercises : list of Exercise
        The lesson's graded exercises.
    student : str
        The student's id: it seeds the graded inputs.
    lesson : str
        The lesson number, e.g. ``"01"`` (for the report).
    secret : bytes
        The course secret.
    options : GradingOptions or None, default=None
        None: ``GradingOptions()``.

    Returns
    -------
    SubmissionResult
    """
    options = GradingOptions() if options is None else options
    start = time.monotonic()
    path = Path(path)
    try:
        cells = _code_cells(read_submission(path), options.parameters)
    except UnreadableSubmission as refused:  # the student's problem, not ours
        results = [_zero(exercise, "error", str(refused)) for exercise in exercises]
        return _result(student, lesson, path, results, [str(refused)], start)
    deadline = start + options.notebook_seconds
    graded: dict[str, ExerciseResult] = {}
    skipped: dict[int, CellOutcome] = {}  # cells that stopped a kernel: not run again
    outcomes: dict[int, CellOutcome] = {}
    for _ in range(MAX_KERNELS):
        with (
            Sandbox(
                options.limits,
                isolation=options.isolation,
                hidden=options.hidden,
                shared=options.shared,
            ) as box,
            SandboxedKernel(box, cell_timeout=options.cell_timeout, env=KERNEL_ENV) as kernel,
        ):
            outcomes = _run_cells(kernel, cells, skipped, deadline)
            for exercise in exercises:
                if kernel.dead_reason is not None or time.monotonic() > deadline:
                    break
                if exercise.id not in graded:
                    graded[exercise.id] = _grade(
                        kernel, exercise, secret, student, cells, outcomes, deadline
                    )
            stopped_by = _stopping_cell(kernel, outcomes, skipped)
        if len(graded) == len(exercises) or time.monotonic() > deadline:
            break
        if stopped_by is not None:
            skipped[stopped_by] = outcomes[stopped_by]
    reason = _not_run_reason(outcomes, time.monotonic() > deadline)
    results = [graded.get(ex.id) or _zero(ex, "not run", reason) for ex in exercises]
    problems = [
        f"cell {index + 1}: {_describe(outcome)}"
        for index, outcome in outcomes.items()
        if outcome.status != "ok"
    ]
    if len(problems) > MAX_PROBLEMS:
        problems[MAX_PROBLEMS:] = [f"... and {len(problems) - MAX_PROBLEMS} more failed cells"]
    return _result(student, lesson, path, results, problems, start)


def _stopping_cell(kernel: SandboxedKernel, outcomes: dict, skipped: dict) -> int | None:
    """The cell whose run stopped the kernel, if one did (not a graded call)."""
    if kernel.dead_reason is None:
        return None
    failed = [i for i, o in outcomes.items() if o.status != "ok" and i not in skipped]
    return failed[-1] if failed and outcomes[failed[-1]].status != "error" else None


def _not_run_reason(outcomes: dict, out_of_time: bool) -> str:
    """Why an exercise could not be graded at all."""
    if out_of_time:
        return "not graded: the notebook took longer than it may"
    stops = [
        f"cell {i + 1}: {_describe(o)}"
        for i, o in outcomes.items()
        if o.status in ("timeout", "dead")
    ]
    return f"not graded: the kernel kept stopping ({'; '.join(stops) or 'no cell named'})"


class UnreadableSubmission(Exception):
    """A submission that cannot be graded; the message says why, quoting nothing of it."""


def read_submission(path: Path) -> nbformat.NotebookNode:
    """The submitted notebook, read without following a symbolic link and without ever
    quoting its bytes in an error (a link could point at the secret).

    Raises UnreadableSubmission for a link, something that is not a plain file, a file
    over ``MAX_NOTEBOOK_BYTES`` or one that is not notebook JSON.
    """
    try:
        data = read_untrusted(path, max_bytes=MAX_NOTEBOOK_BYTES)
    except FileTooLarge:
        raise UnreadableSubmission(
            f"the submission is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB: clear the "
            "outputs (Edit > Clear Outputs of All Cells), save and submit again"
        ) from None
    except UntrustedFileError as refused:
        raise UnreadableSubmission(
            f"the submission could not be read: {refused}; submit the .ipynb file itself"
        ) from None
    try:
        return nbformat.reads(data.decode("utf-8"), as_version=4)
    except Exception as error:  # its message may quote the file: give the kind only
        raise UnreadableSubmission(
            f"the submission is not a readable notebook ({type(error).__name__})"
        ) from None


def _code_cells(nb: nbformat.NotebookNode, parameters: dict) -> list[str]:
    """The sources of the notebook's code cells, with ``parameters`` injected as a lesson
    run injects them (:func:`labkit.runner.inject_parameters`)."""
    try:
        nb = inject_parameters(nb, parameters, strict=False)
        return [str(cell.source) for cell in nb.cells if cell.cell_type == "code"]
    except Exception as error:  # e.g. a cell without a source: the notebook is broken
        raise UnreadableSubmission(
            f"the submission is not a readable notebook ({type(error).__name__})"
        ) from None


def _run_cells(
    kernel: SandboxedKernel, cells: list[str], skipped: dict, deadline: float
) -> dict[int, CellOutcome]:
    """Run every cell but ``skipped``; outcomes by index. Stops if the kernel dies."""
    outcomes: dict[int, CellOutcome] = dict(skipped)
    for index, source in enumerate(cells):
        if index in skipped:
            continue
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            outcomes[index] = CellOutcome("timeout", "", "the notebook ran out of time", 0.0)
            kernel.dead_reason = "the notebook took longer than it may, so it was stopped"
            break
        outcome = kernel.run_cell(source, timeout=min(kernel.cell_timeout, remaining))
        # What a cell printed is never graded: keep only how it ended, so that 300 cells
        # printing 2 MB each cost nothing here.
        outcomes[index] = replace(outcome, stdout="")
        if kernel.dead_reason is not None:
            break
    return outcomes


def _grade(
    kernel: SandboxedKernel,
    exercise: Exercise,
    secret: bytes,
    student: str,
    cells: list[str],
    outcomes: dict,
    deadline: float,
) -> ExerciseResult:
    """Query the kernel with this student's cases and judge the answers here."""
    if kernel.dead_reason is not None:
        reason = f"not graded: {kernel.dead_reason}{_hint(exercise, cells, outcomes)}"
        return _zero(exercise, "not run", reason)
    cases = exercise.make_cases(secret, student)
    if exercise.kind == "model":
        return _grade_model(kernel, exercise, cases, deadline)
    wrong = 0
    for case in cases:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return _zero(exercise, "not run", "not graded: the notebook took longer than it may")
        # A fresh random tag per query: lines a background thread of the learner's prints
        # (without reading this query) cannot pass for the answer.
        tag = secrets.token_hex(8)
        query = query_code(exercise.expression, case.args, exercise.name, tag=tag)
        outcome = kernel.run_cell(query, timeout=min(kernel.cell_timeout, remaining))
        if outcome.status != "ok":
            failure = (
                f"it took longer than {kernel.cell_timeout:g} s"
                if outcome.status == "timeout"
                else "the kernel failed"
            )
            return _zero(
                exercise,
                "timeout" if outcome.status == "timeout" else "error",
                _failed_on_graded_input(exercise, failure),
            )
        kind, answer = read_answer(outcome.stdout, tag=tag)
        if kind == "not_attempted":
            return _zero(
                exercise,
                "not attempted",
                f"not attempted yet: {exercise.name} is still the placeholder",
            )
        if kind == "error":
            failure = _query_error(str(answer))
            return _zero(
                exercise,
                "error",
                _failed_on_graded_input(exercise, failure) + _hint(exercise, cells, outcomes),
            )
        if exercise.kind == "questions":
            return _score_questions(exercise, answer, case.expected)
        if not _judge(exercise, answer, case.expected):
            wrong += 1
    return _score(exercise, wrong, len(cases))


def _grade_model(
    kernel: SandboxedKernel, exercise: Exercise, cases: list, deadline: float
) -> ExerciseResult:
    """Export the model in the kernel, run it outside (:mod:`labkit.grading.model_exercise`)
    and judge its outputs here."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        return _zero(exercise, "not run", "not graded: the notebook took longer than it may")
    try:
        answers = judge_model(kernel, exercise, cases, min(kernel.cell_timeout, remaining))
    except ModelNotJudged as failed:
        return _zero(exercise, failed.status, failed.reason)
    wrong = sum(
        not _judge(exercise, answer, case.expected)
        for answer, case in zip(answers, cases, strict=True)
    )
    result = _score(exercise, wrong, len(cases))
    if wrong:  # what the grader counted is no secret, and says what to look at first
        numbers = answers[0][1]
        return _zero(
            exercise,
            "wrong",
            f"the exported model holds {numbers:,} numbers "
            f"(parameters, buffers and constants); {result.reason}",
        )
    return result


def _score(exercise: Exercise, wrong: int, n_cases: int) -> ExerciseResult:
    """Full points if no case was wrong, else 0 with how many were."""
    if wrong:
        return _zero(
            exercise,
            "wrong",
            f"wrong answer for {wrong} of {n_cases} graded "
            f"inputs. Try labkit.check({exercise.id!r}, {exercise.name}) for "
            "examples you can see.",
        )
    return ExerciseResult(exercise.id, exercise.points, exercise.points, "correct", "")


def _score_questions(exercise: Exercise, answers: object, expected: object) -> ExerciseResult:
    """Each right answer earns its share of the points; the reason names the wrong ones."""
    assert isinstance(expected, list)
    if type(answers) is not list or len(answers) != len(expected):
        return _zero(
            exercise, "error", "the answers could not be read (a dict from number to answer)"
        )
    if all(answer is None for answer in answers):
        return _zero(exercise, "not attempted", "not attempted yet: no question is answered")
    wrong = [
        number
        for number, (question, answer, right) in enumerate(
            zip(exercise.questions, answers, expected, strict=True), start=1
        )
        if normal_form(question, answer) != right
    ]
    if not wrong:
        return ExerciseResult(exercise.id, exercise.points, exercise.points, "correct", "")
    share = round(exercise.points * (len(expected) - len(wrong)) / len(expected), 2)
    numbers = ", ".join(str(number) for number in wrong)
    reason = f"{len(expected) - len(wrong)} of {len(expected)} right (not right: {numbers})"
    status = "wrong" if share == 0 else "partly right"
    return ExerciseResult(exercise.id, share, exercise.points, status, reason)


def _query_error(message: str) -> str:
    """What went wrong in a graded call, in words of the grader's own: the learner's
    message could carry the graded inputs, and so could the name of an exception class
    made up on the spot, so only a built-in exception's name is kept."""
    if message in PROTOCOL_ERRORS:
        return message  # the grader's own words (no answer, too large, malformed)
    name = message.split(":", 1)[0].strip()
    if message.startswith("TypeError: the answer holds a "):
        return "its answer is not plain data (numbers, strings, lists, tuples or arrays)"
    builtin = getattr(builtins, name, None)
    if isinstance(builtin, type) and issubclass(builtin, BaseException):
        return f"it raised {name}"
    return "it raised an exception"


def _failed_on_graded_input(exercise: Exercise, failure: str) -> str:
    what = "function" if exercise.kind == "function" else "answer"
    return (
        f"your {what} failed on a graded input ({failure}); graded inputs are never "
        f"shown. Try labkit.check({exercise.id!r}, {exercise.name}) on examples you "
        "can see"
    )


def _judge(exercise: Exercise, answer: object, expected: object) -> bool:
    """The exercise's judge; a judge that fails on odd input counts as a wrong answer."""
    try:
        return exercise.judge(answer, expected) is True
    except Exception:
        return False


def _hint(exercise: Exercise, cells: list[str], outcomes: dict) -> str:
    """' (cell N: what went wrong)' for failed cells that define the exercise's name."""
    defines = re.compile(rf"^\s*(def\s+{exercise.name}\b|{exercise.name}\s*=)", re.MULTILINE)
    failed = [
        f"cell {index + 1}: {_describe(outcome)}"
        for index, outcome in outcomes.items()
        if outcome.status != "ok" and defines.search(cells[index])
    ][-3:]
    return f" ({'; '.join(failed)})" if failed else ""


def _describe(outcome: CellOutcome) -> str:
    """A cell's failure in words."""
    return outcome.error or outcome.status


def _zero(exercise: Exercise, status: str, reason: str) -> ExerciseResult:
    return ExerciseResult(exercise.id, 0.0, exercise.points, status, reason)


def _result(
    student: str, lesson: str, path: Path, results: list, problems: list, start: float
) -> SubmissionResult:
    return SubmissionResult(
        student=student,
        lesson=lesson,
        submission=path.name,
        score=sum(result.points for result in results),
        max_score=sum(result.max_points for result in results),
        exercises=results,
        problems=problems,
        seconds=round(time.monotonic() - start, 2),
    )
