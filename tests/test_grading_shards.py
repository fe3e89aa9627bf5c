"""A class graded as two shards in two processes, merged, is the class graded in one run.

Five submissions of lesson 00 (two full marks, two untouched learner versions, one file
that is not a notebook) are graded once with ``labkit grade``, and again as shards 1/2
and 2/2 in two processes at the same time (as two machines of a Slurm array would), then
merged with ``labkit grade-merge``: the gradebook and every report are byte for byte the
same. Merging refuses an incomplete or doubled set of parts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from labkit.cli import main
from labkit.grading.shards import merge_parts
from labkit.lessons import exercises_for
from labkit.paths import NOTEBOOKS, SOLUTIONS

SECRET = "a course secret for the shard test 7c1d"
STUDENTS = {"ada": SOLUTIONS, "bob": NOTEBOOKS, "cy": SOLUTIONS, "dan": NOTEBOOKS, "eve": None}


def _files(folder: Path) -> dict[str, bytes]:
    """Every report under ``folder``, by relative path (part files left out)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith("part-")
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("shards")
    submissions = base / "submissions"
    submissions.mkdir()
    for student, folder in STUDENTS.items():
        path = submissions / f"{student}.ipynb"
        if folder is None:
            path.write_text("not a notebook")
        else:
            path.write_bytes(next(folder.glob("00_*.ipynb")).read_bytes())
    secret = base / "course.secret"
    secret.write_text(SECRET)
    secret.chmod(0o600)
    common = [str(submissions), "--secret-file", str(secret), "--lesson", "00"]
    one = main(["grade", *common, "--out", str(base / "one"), "--workers", "2"])
    grade = [sys.executable, "-m", "labkit", "grade", *common]
    shard_commands = [
        [*grade, "--out", str(base / f"shard{i}"), "--workers", "1", "--shard", f"{i}/2"]
        for i in (1, 2)
    ]
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
    shards = [
        subprocess.Popen(
            command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for command in shard_commands
    ]
    outputs = [process.communicate(timeout=600)[0] for process in shards]
    codes = [process.returncode for process in shards]
    merged = main(
        ["grade-merge", str(base / "shard1"), str(base / "shard2"), "--out", str(base / "merged")]
    )
    return {"base": base, "codes": [one, *codes, merged], "outputs": outputs}


def test_two_shards_merged_give_the_one_run_reports_byte_for_byte(runs):
    base = runs["base"]
    assert runs["codes"] == [0, 0, 0, 0], runs["outputs"]
    one, merged = _files(base / "one"), _files(base / "merged")
    assert sorted(one) == sorted(merged)
    assert "gradebook.csv" in one and len([p for p in one if p.startswith("feedback/")]) == 5
    assert one == merged
    scores = [line.split(",")[2] for line in one["gradebook.csv"].decode().splitlines()[1:]]
    full = f"{sum(e.points for e in exercises_for('00')):g}"  # a source solves every exercise
    assert scores == [full, "0", full, "0", "0"]  # ada, bob, cy, dan, eve


def test_each_shard_grades_only_its_students(runs):
    base = runs["base"]
    shard1 = sorted(p.stem for p in (base / "shard1" / "feedback").iterdir())
    shard2 = sorted(p.stem for p in (base / "shard2" / "feedback").iterdir())
    assert shard1 == ["ada", "cy", "eve"] and shard2 == ["bob", "dan"]
    assert not (base / "shard1" / "gradebook.csv").exists()


def test_merging_refuses_a_missing_or_doubled_shard(runs, capsys):
    base = runs["base"]
    with pytest.raises(ValueError, match="missing shard.*2/2"):
        merge_parts([base / "shard1"])
    with pytest.raises(ValueError, match="appears twice"):
        merge_parts([base / "shard1", base / "shard1", base / "shard2"])
    with pytest.raises(ValueError, match="holds no part file"):
        merge_parts([base / "one"])
    assert main(["grade-merge", str(base / "shard2"), "--out", str(base / "bad")]) == 2
    assert "missing shard(s) 1/2" in capsys.readouterr().err
