"""Time `labkit grade` on a class of 30 submissions of one lesson.

Run it from the repository root, as root for full isolation::

    python benchmarks/bench_grading.py                 # lesson 01, 30 submissions, 2 workers
    python benchmarks/bench_grading.py --lesson 02 --count 10 --workers 1

The class is made from the lesson's source and learner version: a third of the students
hand in the full solution, a third the untouched learner version, and a third the
solution with its last exercise left as the placeholder. The script checks that each got
the score it should (so the timing is of real grading), then prints the wall time in
total and per submission, and the slowest submission.
"""

from __future__ import annotations

import argparse
import csv
import os
import tempfile
import time
from pathlib import Path

import nbformat

from labkit.grading.course import grade_course
from labkit.grading.isolation import detect_isolation
from labkit.lessons import exercises_for
from labkit.paths import NOTEBOOKS, SOLUTIONS

SECRET = b"benchmark secret, not a real one"


def make_class(folder: Path, lesson: str, count: int) -> dict[str, float]:
    """Write ``count`` submissions into ``folder``; the score each should get."""
    source = nbformat.read(next(SOLUTIONS.glob(f"{lesson}_*.ipynb")), as_version=4)
    learner = nbformat.read(next(NOTEBOOKS.glob(f"{lesson}_*.ipynb")), as_version=4)
    exercises = exercises_for(lesson)
    full = sum(exercise.points for exercise in exercises)
    # The solution with the last exercise's cell taken from the learner version.
    last = exercises[-1].name
    partial = nbformat.from_dict(source)
    for index, cell in enumerate(partial.cells):
        if cell.cell_type == "code" and "BEGIN SOLUTION" in cell.source and last in cell.source:
            partial.cells[index] = learner.cells[index]
    expected = {}
    for number in range(count):
        kind = number % 3
        nb, score = [(source, full), (learner, 0.0), (partial, full - exercises[-1].points)][kind]
        student = f"student{number:02d}"
        nbformat.write(nb, folder / f"{student}.ipynb")
        expected[student] = score
    return expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lesson", default="01")
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir="/var/tmp") as work:
        folder, out, secret = Path(work, "in"), Path(work, "out"), Path(work, "secret")
        folder.mkdir()
        secret.write_bytes(SECRET)
        secret.chmod(0o600)
        expected = make_class(folder, args.lesson, args.count)
        start = time.perf_counter()
        results = grade_course(
            [str(folder)], out=out, lesson=args.lesson, secret_file=secret, workers=args.workers
        )
        seconds = time.perf_counter() - start
        with (out / "gradebook.csv").open() as handle:
            got = {row["student"]: float(row["score"]) for row in csv.DictReader(handle)}
    wrong = {s: (got.get(s), e) for s, e in expected.items() if got.get(s) != e}
    slowest = max(results, key=lambda r: r.seconds)
    isolation = detect_isolation()
    print(
        f"\nlesson {args.lesson}: {args.count} submissions, {args.workers} workers, "
        f"{os.cpu_count()} cores; own user {isolation.switch_user}, no network "
        f"{isolation.network}, PID namespace {isolation.pid_namespace}"
    )
    print(
        f"total {seconds:.1f} s, {seconds / args.count:.2f} s per submission; "
        f"slowest {slowest.student} {slowest.seconds:.1f} s"
    )
    print("every score as expected" if not wrong else f"UNEXPECTED SCORES: {wrong}")


if __name__ == "__main__":
    main()
