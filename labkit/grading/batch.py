"""Grade many submissions in parallel, one sandboxed kernel per worker.

Finding the submissions is :mod:`~labkit.grading.submissions`, the secret
:mod:`~labkit.grading.secret`, the reports :mod:`~labkit.grading.reports`;
:mod:`~labkit.grading.course` puts them together as ``labkit grade``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from tqdm.auto import tqdm

from labkit.exercises.declare import Exercise
from labkit.grading.grade import ExerciseResult, GradingOptions, SubmissionResult, grade_submission
from labkit.grading.submissions import Submission

__all__ = ["check_hidden", "grade_all", "not_graded"]


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
            pool.submit(
                grade_submission,
                s.path,
                exercises,
                student=s.student,
                lesson=lesson,
                secret=secret,
                options=options,
            ): index
            for index, s in enumerate(submissions)
        }
        bar = tqdm(
            total=len(futures),
            desc=f"grading lesson {lesson}",
            unit="notebook",
            disable=not progress,
        )
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
    return SubmissionResult(
        submission.student,
        lesson,
        submission.path.name,
        0.0,
        sum(ex.points for ex in exercises),
        zeros,
        [reason],
    )
