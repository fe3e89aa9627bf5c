"""``labkit grade``: grade a class's submissions of one lesson, start to finish.

It finds the submissions and the lesson, reads the course secret, hides from the kernels
everything they must not read (the graded checks, the secret, the submissions, the
results), grades in parallel and writes the reports as each submission finishes, so an
interrupted run keeps what it has done.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

from labkit.grading.batch import check_hidden, grade_all, not_graded
from labkit.grading.files import prepare_out
from labkit.grading.grade import GradingOptions, SubmissionResult, read_submission
from labkit.grading.isolation import detect_isolation
from labkit.grading.reports import write_feedback, write_reports
from labkit.grading.secret import read_secret
from labkit.grading.shards import merge_parts, select_shard, write_part
from labkit.grading.submissions import Submission, find_submissions

__all__ = ["grade_course", "lesson_of", "merge_shards"]

_HEADING = re.compile(r"^###\s+(?:Exercise|Quiz)\s+(\d\d)\.ex\d+", re.MULTILINE)


def lesson_of(path: Path) -> str | None:
    """The lesson a notebook belongs to, from its exercise headings; None if unclear or
    unreadable (a broken notebook is the student's problem: it is graded 0, not fatal)."""
    try:
        nb = read_submission(path)
        found = {
            m
            for cell in nb.cells
            if cell.get("cell_type") == "markdown"
            for m in _HEADING.findall(str(cell.get("source", "")))
        }
    except Exception:
        return None
    return found.pop() if len(found) == 1 else None


def class_lesson(found: dict[Submission, str | None]) -> str:
    """The lesson most submissions belong to, from each one's :func:`lesson_of`.

    Raises ValueError when no submission names a lesson, or two lessons are as common.
    """
    counts = Counter(lesson for lesson in found.values() if lesson is not None)
    ranked = counts.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        raise ValueError(
            f"Cannot tell the lesson from the submissions (found "
            f"{dict(counts) or 'none'}): pass --lesson NN."
        )
    return ranked[0][0]


def grade_course(
    paths: list[str],
    *,
    out: str | Path,
    lesson: str | None = None,
    secret_file: str | Path | None = None,
    roster: str | Path | None = None,
    workers: int | None = None,
    cell_timeout: float = 60.0,
    progress: bool = True,
    shard: tuple[int, int] | None = None,
) -> list[SubmissionResult]:
    """Grade every submission in ``paths`` and write the reports into ``out``.

    With ``shard=(I, N)``, grade only the I-th of N shards (:mod:`labkit.grading.shards`)
    and write its feedback and part file; ``labkit grade-merge`` makes the gradebook.
    The lesson is still told from all the submissions, so every shard agrees on it.

    Raises ValueError for a problem the instructor must fix first (no secret, unknown
    lesson, two files for one student, ...), before any kernel starts.
    """
    import labkit.lessons  # the graded checks: not in a student kit
    from labkit.lessons import exercises_for

    submissions = find_submissions(paths, roster)
    found = {s: lesson_of(s.path) for s in submissions}  # each notebook read once here
    lesson = class_lesson(found) if lesson is None else lesson
    exercises = exercises_for(lesson)
    secret = read_secret(secret_file)
    out = prepare_out(out)
    hidden = [Path(labkit.grading.__file__).parent, Path(labkit.lessons.__file__).parent]
    hidden += [out, *{s.path.parent for s in submissions}]
    hidden += [Path(p) for p in (secret_file, roster) if p is not None]
    check_hidden(hidden)
    options = GradingOptions(cell_timeout=cell_timeout, hidden=tuple(map(str, hidden)))
    start = time.monotonic()
    # A notebook whose headings are another lesson's is not this lesson's submission.
    class_size = len(submissions)
    if shard is not None:
        mine = select_shard([s.student for s in submissions], shard)
        submissions = [s for s in submissions if s.student in mine]
    other = {
        s: theirs
        for s, theirs in found.items()
        if theirs not in (None, lesson) and s in submissions
    }
    graded = grade_all(
        [s for s in submissions if s not in other],
        exercises,
        lesson=lesson,
        secret=secret,
        options=options,
        workers=workers,
        progress=progress,
        on_result=lambda result: write_feedback(result, out),
    )
    refused = {
        s: not_graded(
            s,
            exercises,
            lesson,
            f"not graded: this notebook's exercises are lesson {theirs}'s, not lesson {lesson}'s",
        )
        for s, theirs in other.items()
    }
    for result in refused.values():
        write_feedback(result, out)
    by_student = {r.student: r for r in [*graded, *refused.values()]}
    results = [by_student[s.student] for s in submissions]
    if shard is None:
        write_reports(results, out)
    else:
        write_part(results, out, shard, lesson, class_size)
    _summary(results, time.monotonic() - start, out)
    return results


def merge_shards(folders: list[str], *, out: str | Path) -> list[SubmissionResult]:
    """``labkit grade-merge``: the parts of every shard, written as one run's reports."""
    lesson, results = merge_parts(folders)
    out = prepare_out(out)
    write_reports(results, out)
    print(
        f"Merged {len(results)} submission(s) of lesson {lesson} from {len(folders)} "
        f"folder(s). Reports in {out}/."
    )
    return results


def _summary(results: list[SubmissionResult], seconds: float, out: Path) -> None:
    """Print what was graded, how long it took and what isolation held."""
    total = results[0].max_score if results else 0
    mean = sum(r.score for r in results) / max(len(results), 1)
    print(
        f"Graded {len(results)} submission(s) in {seconds:.1f} s "
        f"(mean score {mean:.2f} of {total:g}). Reports in {out}/."
    )
    for note in detect_isolation().notes:
        if note.startswith("no "):
            print(f"  isolation: {note}")
