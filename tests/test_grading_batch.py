"""Tests for grading a class: submissions, the secret, and the reports."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from labkit.grading.batch import check_hidden
from labkit.grading.files import prepare_out
from labkit.grading.grade import ExerciseResult, SubmissionResult
from labkit.grading.reports import gradebook_csv, gradescope_results, write_reports
from labkit.grading.secret import read_secret
from labkit.grading.submissions import Submission, find_submissions, student_id


def _touch(folder: Path, *names: str) -> None:
    for name in names:
        (folder / name).write_text("{}")


def _result(student: str, points: list[float]) -> SubmissionResult:
    exercises = [
        ExerciseResult(f"01.ex{i + 1}", p, 2.0, "correct" if p else "wrong", "" if p else "no")
        for i, p in enumerate(points)
    ]
    return SubmissionResult(
        student,
        "01",
        f"{student}.ipynb",
        sum(points),
        2.0 * len(points),
        exercises,
        [] if all(points) else ["cell 3: NameError: x"],
    )


def test_student_id_from_file_names() -> None:
    assert student_id(Path("ada.ipynb")) == "ada"
    assert student_id(Path("x/ada.lovelace__01_models__v2.ipynb")) == "ada.lovelace"


def test_find_submissions_in_folders_and_files(tmp_path: Path) -> None:
    _touch(tmp_path, "grace.ipynb", "ada__01.ipynb", "notes.txt")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    found = find_submissions([tmp_path])
    assert found == [
        Submission(tmp_path / "ada__01.ipynb", "ada"),
        Submission(tmp_path / "grace.ipynb", "grace"),
    ]
    assert find_submissions([tmp_path / "grace.ipynb"])[0].student == "grace"


def test_find_submissions_refuses_ambiguity(tmp_path: Path) -> None:
    _touch(tmp_path, "ada.ipynb", "ada__late.ipynb")
    with pytest.raises(ValueError, match="Two submissions for 'ada'"):
        find_submissions([tmp_path])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="No .ipynb submissions found"):
        find_submissions([empty])
    with pytest.raises(ValueError, match="Not a notebook or a folder of notebooks"):
        find_submissions([tmp_path / "missing.ipynb"])
    _touch(empty, "bad id!.ipynb")
    with pytest.raises(ValueError, match="Student id 'bad id!'"):
        find_submissions([empty])


def test_roster_maps_files_to_students(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    _touch(folder, "sub_1.ipynb", "sub_2.ipynb")
    roster = tmp_path / "roster.csv"
    roster.write_text("file,student\nsub_1.ipynb,ada\nsub_2.ipynb,grace\n")
    assert [s.student for s in find_submissions([folder], roster)] == ["ada", "grace"]
    roster.write_text("file,student\nsub_1.ipynb,ada\n")
    with pytest.raises(ValueError, match="sub_2.ipynb is not in the roster"):
        find_submissions([folder], roster)
    roster.write_text("name,id\nsub_1.ipynb,ada\n")
    with pytest.raises(ValueError, match="needs a header line 'file,student'"):
        find_submissions([folder], roster)


def test_read_secret_from_file_or_environment(tmp_path: Path) -> None:
    secret = tmp_path / "course.secret"
    secret.write_text("0123456789abcdef0123\n")
    secret.chmod(0o600)
    assert read_secret(secret) == b"0123456789abcdef0123"
    secret.chmod(0o644)
    with pytest.raises(ValueError, match="can be read by other users: run chmod 600"):
        read_secret(secret)
    assert read_secret(environ={"LABKIT_COURSE_SECRET": "x" * 20}) == b"x" * 20
    with pytest.raises(ValueError, match="(?s)No course secret.*secrets.token_hex"):
        read_secret(environ={})
    with pytest.raises(ValueError, match="too short"):
        read_secret(environ={"LABKIT_COURSE_SECRET": "short"})


def test_check_hidden_refuses_the_temporary_folders_parents(tmp_path: Path) -> None:
    check_hidden([tmp_path])
    with pytest.raises(ValueError, match="holds the temporary folder"):
        check_hidden(["/"])


def test_gradebook_and_gradescope_formats() -> None:
    results = [_result("grace", [2.0, 0.0]), _result("ada", [2.0, 2.0])]
    rows = list(csv.reader(io.StringIO(gradebook_csv(results))))
    assert rows == [
        ["student", "submission", "score", "max_score", "01.ex1", "01.ex2", "statuses"],
        ["ada", "ada.ipynb", "4", "4", "2", "2", ""],
        ["grace", "grace.ipynb", "2", "4", "2", "0", "01.ex2 wrong"],
    ]
    gradescope = gradescope_results(results[0])
    assert gradescope["score"] == 2.0 and gradescope["output"] == "cell 3: NameError: x"
    assert gradescope["tests"][1] == {
        "name": "01.ex2",
        "score": 0.0,
        "max_score": 2.0,
        "status": "failed",
        "output": "no",
    }


def test_write_reports(tmp_path: Path) -> None:
    results = [_result("ada", [2.0, 0.0])]
    written = write_reports(results, tmp_path / "out")
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in written) == [
        "feedback/ada.json",
        "gradebook.csv",
        "gradescope/ada/results.json",
    ]
    feedback = json.loads((tmp_path / "out/feedback/ada.json").read_text())
    assert feedback["score"] == 2.0 and "seconds" not in feedback
    assert feedback["exercises"][1]["reason"] == "no"
    assert not list((tmp_path / "out").rglob(".*.tmp"))  # no half-written files left


def test_reports_never_follow_a_link(tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir(mode=0o700)
    elsewhere.mkdir()
    victim = elsewhere / "victim.txt"
    victim.write_text("left alone")
    (out / "gradebook.csv").symlink_to(victim)  # a planted link where a report goes
    write_reports([_result("ada", [2.0, 2.0])], out)
    assert victim.read_text() == "left alone"
    assert not (out / "gradebook.csv").is_symlink()
    (out / "feedback").rename(out / "feedback-real")
    (out / "feedback").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(OSError):
        write_reports([_result("ada", [2.0, 2.0])], out)
    assert sorted(p.name for p in elsewhere.iterdir()) == ["victim.txt"]


def test_an_out_folder_someone_else_could_have_prepared_is_refused(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    with pytest.raises(ValueError, match="someone else could have prepared it"):
        prepare_out(shared)
    (tmp_path / "link").symlink_to(tmp_path / "mine", target_is_directory=True)
    (tmp_path / "mine").mkdir(mode=0o700)
    with pytest.raises(ValueError, match="not a folder"):
        prepare_out(tmp_path / "link")
    if os.geteuid() == 0:  # only root can give a folder away
        theirs = tmp_path / "theirs"
        theirs.mkdir(mode=0o700)
        os.chown(theirs, 3_000_000_099, 3_000_000_099)
        with pytest.raises(ValueError, match="belongs to another user"):
            prepare_out(theirs)
    assert prepare_out(tmp_path / "new" / "out").is_dir()


def test_a_submission_over_the_cap_is_refused_with_how_to_shrink_it(tmp_path: Path, monkeypatch):
    from labkit.grading import grade
    from labkit.grading.files import FileTooLarge, read_untrusted

    big = tmp_path / "ada.ipynb"
    big.write_text("{" + " " * 200 + "}")
    with pytest.raises(FileTooLarge, match="larger than 100 bytes"):
        read_untrusted(big, max_bytes=100)
    monkeypatch.setattr(grade, "MAX_NOTEBOOK_BYTES", 100)
    with pytest.raises(grade.UnreadableSubmission, match="Clear Outputs of All Cells"):
        grade.read_submission(big)
    link = tmp_path / "bob.ipynb"
    link.symlink_to(big)
    with pytest.raises(grade.UnreadableSubmission, match="symbolic link"):
        grade.read_submission(link)
