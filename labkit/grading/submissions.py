"""Which notebooks were submitted, and whose each one is.

Submissions are ``.ipynb`` files; the student id is the file name before the first
``__`` (``ada__01.ipynb`` and ``ada.ipynb`` are both ``ada``), or comes from a roster CSV
with columns ``file,student``.

>>> student_id(Path("submissions/ada__01_models.ipynb"))
'ada'
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Submission", "find_submissions", "student_id"]

_STUDENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}")


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
            raise ValueError(
                f"Student id {student!r} (from {path.name}) must be letters, digits "
                "and . _ @ + - only; rename the file or use a roster."
            )
        submissions.append(Submission(path, student))
    seen: dict[str, Path] = {}
    for submission in submissions:
        if submission.student in seen:
            raise ValueError(
                f"Two submissions for {submission.student!r}: "
                f"{seen[submission.student]} and {submission.path}."
            )
        seen[submission.student] = submission.path
    return submissions


def _read_roster(path: Path) -> dict[str, str]:
    """``file -> student`` from a CSV with a header ``file,student``."""
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or not {"file", "student"} <= set(rows[0]):
        raise ValueError(f"The roster {path} needs a header line 'file,student'.")
    return {row["file"].strip(): row["student"].strip() for row in rows}
