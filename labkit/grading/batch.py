"""Grade a class: find the submissions, read the secret, grade in parallel, write reports.

Submissions are ``.ipynb`` files; the student id is the file name before the first
``__`` (``ada__01.ipynb`` and ``ada.ipynb`` are both ``ada``), or comes from a roster CSV
with columns ``file,student``. Reports, in the output folder:

- ``feedback/STUDENT.json``: points, maximum, status and reason per exercise;
- ``gradebook.csv``: one row per student, one column per exercise;
- ``gradescope/STUDENT/results.json``: Gradescope's autograder format.

>>> student_id(Path("submissions/ada__01_models.ipynb"))
'ada'
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from tqdm.auto import tqdm

from labkit.exercises.declare import Exercise
from labkit.grading.files import prepare_out, write_file
from labkit.grading.grade import ExerciseResult, GradingOptions, SubmissionResult, grade_submission

__all__ = ["Submission", "find_submissions", "grade_all", "not_graded",
           "read_secret", "student_id", "write_feedback", "write_reports",
           "SECRET_VARIABLE"]  # fmt: skip

SECRET_VARIABLE = "LABKIT_COURSE_SECRET"
_STUDENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}")
_MAKE_SECRET = (
    "Create one once per course and keep it private:\n"
    '  python3 -c "import secrets; print(secrets.token_hex(32))" > course.secret\n'
    "  chmod 600 course.secret\n"
    "then pass --secret-file course.secret (or set LABKIT_COURSE_SECRET)."
)


@dataclass(frozen=True)
class Submission:
    """A submitted notebook and whose it is."""

    path: Path
    student: str


def student_id(path: Path) -> str:
    """The student id a submission's file name gives: the name before ``__`` or ``.ipynb``."""
    return path.name.removesuffix(".ipynb").split("__")[0]


def find_submissions(paths: Sequence[str | Path], roster: str | Path | None = None) -> list:
    """The submissions in ``paths`` (files, or folders of ``.ipynb`` files), sorted.

    Raises
    ------
    ValueError
        No notebook found, a student id that is not a plain name, two files for one
        student, or a file the roster does not list.
    """
    files: list[Path] = []
    for given in map(Path, paths):
        if given.is_dir():
            files += sorted(p for p in given.glob("*.ipynb") if p.is_file())
        elif given.is_file() and given.suffix == ".ipynb":
            files.append(given)
        else:
            raise ValueError(f"Not a notebook or a folder of notebooks: {given}")
    if not files:
        raise ValueError(f"No .ipynb submissions found in {[str(p) for p in paths]}.")
    names = _read_roster(Path(roster)) if roster is not None else None
    submissions = []
    for path in files:
        if names is not None and path.name not in names:
            raise ValueError(f"{path.name} is not in the roster {roster}: add a line for it.")
        student = names[path.name] if names is not None else student_id(path)
        if not _STUDENT.fullmatch(student):
            raise ValueError(f"Student id {student!r} (from {path.name}) must be letters, digits "
                             "and . _ @ + - only; rename the file or use a roster.")  # fmt: skip
        submissions.append(Submission(path, student))
    seen: dict[str, Path] = {}
    for submission in submissions:
        if submission.student in seen:
            raise ValueError(f"Two submissions for {submission.student!r}: "
                             f"{seen[submission.student]} and {submission.path}.")  # fmt: skip
        seen[submission.student] = submission.path
    return submissions


def _read_roster(path: Path) -> dict[str, str]:
    """``file -> student`` from a CSV with a header ``file,student``."""
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or not {"file", "student"} <= set(rows[0]):
        raise ValueError(f"The roster {path} needs a header line 'file,student'.")
    return {row["file"].strip(): row["student"].strip() for row in rows}


def read_secret(secret_file: str | Path | None = None, environ: dict | None = None) -> bytes:
    """The course secret: from ``secret_file``, else ``$LABKIT_COURSE_SECRET``.

    Raises ValueError, saying how to create one, when neither is set, the secret is
    shorter than 16 characters, or the file is readable by other users.
    """
    environ = os.environ if environ is None else environ
    if secret_file is not None:
        path = Path(secret_file)
        if path.stat().st_mode & 0o077:
            raise ValueError(f"{path} can be read by other users: run chmod 600 {path}.")
        secret = path.read_bytes().strip()
    else:
        secret = environ.get(SECRET_VARIABLE, "").strip().encode()
        if not secret:
            raise ValueError(f"No course secret. {_MAKE_SECRET}")
    if len(secret) < 16:
        raise ValueError(f"The course secret is too short ({len(secret)} bytes; at least 16). "
                         f"{_MAKE_SECRET}")  # fmt: skip
    return secret


def check_hidden(hidden: Sequence[str | Path]) -> None:
    """Refuse to hide a folder that holds the temporary folder, where sandboxes live."""
    temp = Path(tempfile.gettempdir()).resolve()
    for path in hidden:
        if temp.is_relative_to(Path(path).resolve()):
            raise ValueError(
                f"{path} holds the temporary folder {temp}, which the kernel needs: keep "
                "submissions and results in a folder of their own."
            )


def grade_all(
    submissions: Sequence[Submission],
    exercises: list[Exercise],
    *,
    lesson: str,
    secret: bytes,
    options: GradingOptions | None = None,
    workers: int | None = None,
    progress: bool = True,
    on_result: Callable[[SubmissionResult], None] | None = None,
) -> list[SubmissionResult]:
    """Grade ``submissions`` in parallel, one kernel per worker; results in input order.

    A failure of the grader itself on one submission (it should not happen) is recorded
    as 0 points with the reason, and grading goes on.
    """
    workers = workers or os.cpu_count() or 1
    results: dict[int, SubmissionResult] = {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {
            pool.submit(grade_submission, s.path, exercises, student=s.student, lesson=lesson,
                        secret=secret, options=options): index
            for index, s in enumerate(submissions)
        }  # fmt: skip
        bar = tqdm(total=len(futures), desc=f"grading lesson {lesson}", unit="notebook",
                   disable=not progress)  # fmt: skip
        for future in as_completed(futures):
            index = futures[future]
            try:
                result = future.result()
            except Exception as error:
                result = _grader_failure(submissions[index], exercises, lesson, error)
            results[index] = result
            if on_result is not None:
                on_result(result)
            bar.update()
        bar.close()
    return [results[index] for index in range(len(submissions))]


def _grader_failure(
    submission: Submission, exercises: list[Exercise], lesson: str, error: Exception
) -> SubmissionResult:
    reason = f"the grader failed on this submission ({type(error).__name__}); ask staff"
    return not_graded(submission, exercises, lesson, reason)


def not_graded(
    submission: Submission, exercises: list[Exercise], lesson: str, reason: str
) -> SubmissionResult:
    """0 points for every exercise of ``submission``, with ``reason``; no kernel started."""
    zeros = [ExerciseResult(ex.id, 0.0, ex.points, "error", reason) for ex in exercises]
    return SubmissionResult(submission.student, lesson, submission.path.name, 0.0,
                            sum(ex.points for ex in exercises), zeros, [reason])  # fmt: skip


def write_feedback(result: SubmissionResult, out: str | Path) -> list[Path]:
    """Write one student's feedback and Gradescope file into ``out``; the paths written."""
    out = prepare_out(out)
    feedback = json.dumps(result.to_dict(), indent=2) + "\n"
    gradescope = json.dumps(gradescope_results(result), indent=2) + "\n"
    return [
        write_file(out, f"feedback/{result.student}.json", feedback),
        write_file(out, f"gradescope/{result.student}/results.json", gradescope),
    ]


def write_reports(results: Sequence[SubmissionResult], out: str | Path) -> list[Path]:
    """Write every feedback file and the gradebook into ``out``; the paths written."""
    written = [path for result in results for path in write_feedback(result, out)]
    written.append(write_file(prepare_out(out), "gradebook.csv", gradebook_csv(results)))
    return written


def gradebook_csv(results: Sequence[SubmissionResult]) -> str:
    """One row per student: total, maximum, then points per exercise, then problems."""
    ids = sorted({e.id for r in results for e in r.exercises})
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "submission", "score", "max_score", *ids, "statuses"])
    for r in sorted(results, key=lambda r: r.student):
        points = {e.id: e.points for e in r.exercises}
        statuses = "; ".join(f"{e.id} {e.status}" for e in r.exercises if e.status != "correct")
        writer.writerow([_text_cell(r.student), _text_cell(r.submission), _num(r.score),
                         _num(r.max_score), *(_num(points.get(i, 0.0)) for i in ids),
                         _text_cell(statuses)])  # fmt: skip
    return buffer.getvalue()


def _text_cell(text: str) -> str:
    """A text cell a spreadsheet shows as text: one that could start a formula (``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return: OWASP's list) gets a leading apostrophe.

    >>> _text_cell("=SUM(A1:A9)"), _text_cell("ada")
    ("'=SUM(A1:A9)", 'ada')
    """
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def gradescope_results(result: SubmissionResult) -> dict:
    """``result`` in Gradescope's ``results.json`` format (one test per exercise)."""
    tests = [{"name": e.id, "score": e.points, "max_score": e.max_points,
              "status": "passed" if e.status == "correct" else "failed",
              "output": e.reason or "correct"} for e in result.exercises]  # fmt: skip
    output = "\n".join(result.problems)
    return {"score": result.score, "output": output, "visibility": "visible", "tests": tests}


def _num(value: float) -> str:
    """3.0 -> '3', 2.5 -> '2.5' (as a spreadsheet shows them)."""
    return f"{value:g}"
