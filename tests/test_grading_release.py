"""The release self-test: every lesson source earns full marks, every learner version zero.

It grades every lesson with graded exercises in sandboxed kernels (smoke mode), through the
library, and lesson 00 through the ``labkit grade`` command, as an instructor would.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from graded_support import RELEASE_GRADED as GRADED

from labkit.cli import main
from labkit.grading.batch import grade_all
from labkit.grading.grade import GradingOptions
from labkit.grading.submissions import Submission
from labkit.lessons import exercises_for
from labkit.paths import NOTEBOOKS, SOLUTIONS

SECRET = b"release self-test secret, not a real one"
SOURCES = SOLUTIONS
LEARNER = NOTEBOOKS


def _lesson_file(folder: Path, lesson: str) -> Path:
    return next(folder.glob(f"{lesson}_*.ipynb"))


@pytest.fixture(scope="module")
def graded_lessons():
    """Every graded lesson but 00, source and learner version, two at a time.

    Grading a learner version runs it to the end in smoke mode, as test_notebooks.py would:
    that file leaves these lessons' learner versions to this test (``problems == []``).
    """
    results = {}
    for lesson in GRADED:
        mine = [
            Submission(_lesson_file(folder, lesson), f"{who}-{lesson}")
            for who, folder in (("source", SOURCES), ("learner", LEARNER))
        ]
        for result in grade_all(
            mine,
            exercises_for(lesson),
            lesson=lesson,
            secret=SECRET,
            options=GradingOptions(cell_timeout=120),
            workers=2,
            progress=False,
        ):
            results[result.student] = result
    return results


@pytest.mark.parametrize("lesson", GRADED)
def test_sources_earn_full_marks(graded_lessons, lesson: str) -> None:
    result = graded_lessons[f"source-{lesson}"]
    print(f"lesson {lesson} source: {result.score:g}/{result.max_score:g} in {result.seconds} s")
    assert [e.status for e in result.exercises] == ["correct"] * len(result.exercises)
    assert result.score == result.max_score == sum(e.points for e in exercises_for(lesson))
    assert result.problems == []


@pytest.mark.parametrize("lesson", GRADED)
def test_learner_versions_earn_zero_with_a_reason(graded_lessons, lesson: str) -> None:
    result = graded_lessons[f"learner-{lesson}"]
    assert result.score == 0 and result.problems == []
    for exercise in result.exercises:
        assert exercise.status == "not attempted", exercise
        assert exercise.reason.startswith("not attempted yet: ")


def _half_right_quiz(learner: Path, target: Path) -> None:
    """The learner version of lesson 00 with four of its eight quiz answers right."""
    notebook = json.loads(learner.read_text(encoding="utf-8"))
    [cell] = [c for c in notebook["cells"] if "\nquiz = {" in "".join(c["source"])]
    cell["source"] = 'quiz = {1: "c", 2: 40, 3: "b", 4: "b", 5: "b", 6: 1, 7: "a", 8: "b"}'
    target.write_text(json.dumps(notebook), encoding="utf-8")


def test_labkit_grade_command_on_lesson_00(tmp_path: Path, capsys) -> None:
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    shutil.copy(_lesson_file(SOURCES, "00"), submissions / "ada.ipynb")
    shutil.copy(_lesson_file(LEARNER, "00"), submissions / "bob__00_welcome.ipynb")
    (submissions / "carol.ipynb").write_text("{ this is not a notebook")
    _half_right_quiz(_lesson_file(LEARNER, "00"), submissions / "dan.ipynb")
    secret = tmp_path / "course.secret"
    secret.write_bytes(SECRET)
    secret.chmod(0o600)
    out = tmp_path / "results"
    flags = ["--secret-file", str(secret), "--lesson", "00", "--workers", "2"]
    code = main(["grade", str(submissions), "--out", str(out), *flags])
    assert code == 0
    assert "Graded 4 submission(s)" in capsys.readouterr().out
    with (out / "gradebook.csv").open() as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    exercises = exercises_for("00")
    total = sum(e.points for e in exercises)
    scores = [(float(rows[s]["score"]), float(rows[s]["max_score"])) for s in rows]
    assert sorted(rows) == ["ada", "bob", "carol", "dan"]
    quiz = exercises[-1]  # the lesson's quiz
    assert scores == [(total, total), (0, total), (0, total), (quiz.points / 2, total)]
    bob = json.loads((out / "feedback" / "bob.json").read_text())
    assert {e["status"] for e in bob["exercises"]} == {"not attempted"}
    carol = json.loads((out / "feedback" / "carol.json").read_text())
    assert "not a readable notebook" in carol["exercises"][0]["reason"]
    dan = {e["id"]: e for e in json.loads((out / "feedback" / "dan.json").read_text())["exercises"]}
    assert dan[quiz.id]["status"] == "partly right"
    assert dan[quiz.id]["reason"] == "4 of 8 right (not right: 5, 6, 7, 8)"
    gradescope = json.loads((out / "gradescope" / "ada" / "results.json").read_text())
    assert gradescope["score"] == total and len(gradescope["tests"]) == len(exercises)


def test_labkit_grade_refuses_a_bad_setup(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("LABKIT_COURSE_SECRET", raising=False)
    shutil.copy(_lesson_file(LEARNER, "00"), tmp_path / "ada.ipynb")
    grade = ["grade", str(tmp_path / "ada.ipynb"), "--out", str(tmp_path / "o")]
    assert main(grade) == 2
    assert "No course secret" in capsys.readouterr().err
    assert main([*grade, "--lesson", "42"]) == 2
    assert "Known lessons: 00, 01, 02" in capsys.readouterr().err
