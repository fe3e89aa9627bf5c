"""A hostile class graded with ``labkit grade``: broken files cost their owner, nobody else.

One class of lesson 00, as an instructor would grade it (sandboxed kernels, a roster):

- ``ada``: the lesson's source, full marks;
- ``bob``: a markdown cell without a source (it once stopped the whole run with a traceback);
- ``carol``: another lesson's notebook (it once made the run refuse to start);
- ``dave``: a symbolic link to the course secret (its contents once reached his feedback);
- ``erin``: a file whose name starts a spreadsheet formula (it once reached gradebook.csv as one);
- ``fred``: not JSON, with text that must never be quoted back.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from labkit.cli import main
from labkit.lessons import exercises_for
from labkit.paths import NOTEBOOKS, SOLUTIONS

SECRET = "a secret nobody may see 3f9a1c77e5b24d08"
QUOTED = "text-the-grader-must-not-quote"


def _lesson(folder: Path, number: str) -> Path:
    return next(folder.glob(f"{number}_*.ipynb"))


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("hostile-class")
    submissions = base / "submissions"
    submissions.mkdir()
    (submissions / "ada.ipynb").write_bytes(_lesson(SOLUTIONS, "00").read_bytes())
    broken = json.loads(_lesson(NOTEBOOKS, "00").read_text())
    del next(cell for cell in broken["cells"] if cell["cell_type"] == "markdown")["source"]
    (submissions / "bob.ipynb").write_text(json.dumps(broken))
    (submissions / "carol.ipynb").write_bytes(_lesson(SOLUTIONS, "01").read_bytes())
    secret = base / "course.secret"
    secret.write_text(SECRET)
    secret.chmod(0o600)
    os.symlink(secret, submissions / "dave.ipynb")
    (submissions / "=HYPERLINK(1).ipynb").write_bytes(_lesson(NOTEBOOKS, "00").read_bytes())
    (submissions / "fred.ipynb").write_text("{ " + QUOTED)
    roster = base / "roster.csv"
    files = ["ada", "bob", "carol", "dave", "=HYPERLINK(1)", "fred"]
    students = ["ada", "bob", "carol", "dave", "erin", "fred"]
    roster.write_text(
        "file,student\n" + "".join(f"{f}.ipynb,{s}\n" for f, s in zip(files, students, strict=True))
    )
    out = base / "results"
    code = main(
        [
            "grade",
            str(submissions),
            "--out",
            str(out),
            "--secret-file",
            str(secret),
            "--roster",
            str(roster),
            "--workers",
            "2",
        ]
    )  # no --lesson: the class says 00
    feedback = {s: json.loads((out / "feedback" / f"{s}.json").read_text()) for s in students}
    with (out / "gradebook.csv").open() as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    return {"code": code, "feedback": feedback, "rows": rows, "out": out}


def _reasons(feedback: dict) -> str:
    return " ".join(exercise["reason"] for exercise in feedback["exercises"])


def test_everyone_is_graded_and_the_class_lesson_is_found(graded):
    assert graded["code"] == 0
    scores = {student: row["score"] for student, row in graded["rows"].items()}
    full = f"{sum(e.points for e in exercises_for('00')):g}"  # the source solves every exercise
    assert scores == {"ada": full, "bob": "0", "carol": "0", "dave": "0", "erin": "0", "fred": "0"}


def test_a_notebook_of_another_lesson_gets_zero_with_the_reason(graded):
    assert "lesson 01's, not lesson 00's" in _reasons(graded["feedback"]["carol"])


def test_a_broken_markdown_cell_costs_only_its_owner(graded):
    assert {e["status"] for e in graded["feedback"]["bob"]["exercises"]} <= {
        "not attempted",
        "error",
    }


def test_a_symbolic_link_is_refused_unread(graded):
    dave = json.dumps(graded["feedback"]["dave"])
    assert "symbolic link" in dave
    assert not any(SECRET[i : i + 8] in dave for i in range(len(SECRET) - 8))
    everything = "".join(path.read_text() for path in graded["out"].rglob("*") if path.is_file())
    assert not any(SECRET[i : i + 8] in everything for i in range(len(SECRET) - 8))


def test_an_unreadable_file_is_not_quoted_back(graded):
    fred = json.dumps(graded["feedback"]["fred"])
    assert "not a readable notebook" in fred and QUOTED not in fred


def test_no_gradebook_cell_starts_a_formula(graded):
    text = (graded["out"] / "gradebook.csv").read_text()
    cells = [cell for row in csv.reader(text.splitlines()) for cell in row]
    assert "'=HYPERLINK(1).ipynb" in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
