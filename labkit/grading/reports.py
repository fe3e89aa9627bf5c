"""What a graded class gets back, in the output folder:

- ``feedback/STUDENT.json``: points, maximum, status and reason per exercise;
- ``gradebook.csv``: one row per student, one column per exercise;
- ``gradescope/STUDENT/results.json``: Gradescope's autograder format.

Every file is written through :func:`~labkit.grading.files.write_file`: atomically, and
following no link a student could have planted.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path

from labkit.grading.files import prepare_out, write_file
from labkit.grading.grade import SubmissionResult

__all__ = ["gradebook_csv", "gradescope_results", "write_feedback", "write_reports"]


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
        writer.writerow(
            [
                _text_cell(r.student),
                _text_cell(r.submission),
                _num(r.score),
                _num(r.max_score),
                *(_num(points.get(i, 0.0)) for i in ids),
                _text_cell(statuses),
            ]
        )
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
    tests = [
        {
            "name": e.id,
            "score": e.points,
            "max_score": e.max_points,
            "status": "passed" if e.status == "correct" else "failed",
            "output": e.reason or "correct",
        }
        for e in result.exercises
    ]
    output = "\n".join(result.problems)
    return {"score": result.score, "output": output, "visibility": "visible", "tests": tests}


def _num(value: float) -> str:
    """3.0 -> '3', 2.5 -> '2.5' (as a spreadsheet shows them)."""
    return f"{value:g}"
