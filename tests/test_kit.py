"""The student kit: no answer anywhere in it, and its self-checks work as in the full course.

The kit is built once (``labkit.kit.build_kit``). The tests search every file in it for the
lines of every solution cell of the lesson sources and of every exercise's reference,
graded-case generator and mistakes, import every module of the kit's own labkit in a fresh
Python, and run each learner version's exercise and self-check cells there.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from graded_support import headings_and_solutions

from labkit.cli import main
from labkit.kit import build_kit
from labkit.lessons import exercises_for, lesson_numbers
from labkit.paths import COURSE_ROOT, learner_versions, lesson_sources
from labkit.release import BEGIN, END

SOLUTION_REGION = re.compile(rf"{re.escape(BEGIN)}\n(.*?)\n\s*{re.escape(END)}", re.DOTALL)


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    return build_kit(tmp_path_factory.mktemp("handout") / "kit")


def _strings(value: object) -> list[str]:
    """Every string in a JSON document (notebooks and data files escape their quotes)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    return [text for item in value for text in _strings(item)] if isinstance(value, list) else []


def _texts(folder: Path) -> dict[Path, str]:
    """Every readable text under ``folder``; JSON files (notebooks too) as their strings."""
    texts = {}
    for path in folder.rglob("*"):
        if path.is_file():
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue  # a binary file (e.g. an image): no code in it
            if path.suffix in (".json", ".ipynb"):
                text = text + "\n" + "\n".join(_strings(json.loads(text)))
            texts[path] = text
    return texts


def _notebook_code(path: Path) -> str:
    return "\n".join("".join(cell["source"]) for cell in json.loads(path.read_text())["cells"])


def _public_lines() -> set[str]:
    """Lines anyone may read: labkit outside the declarations, and the learner versions."""
    public = set()
    for path in (COURSE_ROOT / "labkit").rglob("*.py"):
        if "lessons" not in path.relative_to(COURSE_ROOT / "labkit").parts:
            public |= {line.strip() for line in path.read_text().splitlines()}
    for path in learner_versions():
        public |= {line.strip() for line in _notebook_code(path).splitlines()}
    return public


def _secret_lines() -> set[str]:
    """Lines of the answers: solution regions, references, generators and mistakes."""
    answers = []
    for source in lesson_sources():
        answers += SOLUTION_REGION.findall(_notebook_code(source))
    for number in lesson_numbers():
        for exercise in exercises_for(number):
            functions = [exercise.reference, exercise.inputs, exercise.cases]
            functions += [mistake.answer for mistake in exercise.mistakes]
            answers += [inspect.getsource(f) for f in functions if f is not None]
    lines = {line.strip() for text in answers for line in text.splitlines()}
    return {line for line in lines if len(line) >= 20 and not line.startswith("#")}


def test_the_kit_holds_the_learner_lessons_and_labkit_but_no_solutions(kit: Path):
    assert not (kit / "notebooks" / "solutions").exists()
    assert not (kit / "labkit" / "lessons").exists()
    assert not (kit / "tests").exists() and not (kit / "benchmarks").exists()
    notebooks = sorted(p.name for p in (kit / "notebooks").glob("*.ipynb"))
    assert notebooks == [p.name for p in learner_versions()]
    public = sorted(p.name for p in (kit / "labkit" / "exercises" / "public").iterdir())
    assert public == [f"lesson_{number}.json" for number in lesson_numbers()]
    assert (kit / "bootstrap.py").is_file() and (kit / "datasets" / "scaling.csv").is_file()


def test_no_line_of_any_answer_is_in_any_kit_file(kit: Path):
    secret = _secret_lines() - _public_lines()
    assert len(secret) > 300, "the search would prove nothing"
    found = {
        (path.relative_to(kit).as_posix(), line)
        for path, text in _texts(kit).items()
        for line in secret
        if line in text
    }
    assert not found, sorted(found)[:10]
    # The same search finds the answers in the instructor's copy: the test can fail.
    instructor = _texts(COURSE_ROOT / "labkit" / "lessons") | _texts(COURSE_ROOT / "notebooks")
    full = {line for text in instructor.values() for line in secret if line in text}
    assert full == secret


# The course's own labkit is installed in development mode here: its import finder would
# find labkit.lessons in the repository once the kit's labkit lacks it. A learner's machine
# has only the kit, so the kit's Pythons drop that finder first.
ONLY_THE_KIT = """
import sys
sys.meta_path = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
"""


def _run_in_kit(kit: Path, code: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh Python whose labkit is the kit's."""
    env = {k: v for k, v in os.environ.items() if "PYTEST" not in k}
    env |= {"PYTHONPATH": str(kit), "LABKIT_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, "-c", ONLY_THE_KIT + code, *args],
        cwd=kit,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _output(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


IMPORT_EVERYTHING = """
import importlib, json, pkgutil, labkit
names = [m.name for m in pkgutil.walk_packages(labkit.__path__, "labkit.")
         if not m.name.endswith("__main__")]  # that one runs the command line
for name in names:
    importlib.import_module(name)
try:
    import labkit.lessons
    lessons = "importable"
except ModuleNotFoundError:
    lessons = "missing"
print(json.dumps({"file": labkit.__file__, "modules": names, "lessons": lessons}))
"""


def test_every_module_of_the_kit_imports_without_the_declarations(kit: Path):
    report = json.loads(_output(_run_in_kit(kit, IMPORT_EVERYTHING)).splitlines()[-1])
    assert Path(report["file"]).is_relative_to(kit)
    assert report["lessons"] == "missing"
    assert not [name for name in report["modules"] if name.startswith("labkit.lessons")]
    assert len(report["modules"]) > 40


# Each learner version's exercise cells, then its self-check cells, as a learner would run
# them untouched; then each function exercise's solution (sent by the test) and its check.
SELF_CHECKS = """
import contextlib, io, json, sys
import numpy as np, torch
from torch import nn
import labkit
work = json.loads(sys.stdin.read())
verdicts = []
for item in work:
    namespace = {"np": np, "torch": torch, "nn": nn, "labkit": labkit}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(item["exercise"], namespace)
        exec(item["check"], namespace)
    verdicts.append([item["id"], item["kind"], printed.getvalue().strip()])
print(json.dumps(verdicts))
"""


def _self_check_work() -> list[dict]:
    """For every exercise: its learner cell, its solution cell and its self-check cell."""
    work = []
    for source, learner in zip(lesson_sources(), learner_versions(), strict=True):
        _, solutions = headings_and_solutions(source)
        source_cells = ["".join(c["source"]) for c in json.loads(source.read_text())["cells"]]
        learner_cells = ["".join(c["source"]) for c in json.loads(learner.read_text())["cells"]]
        for exercise in exercises_for(source.name[:2]):
            # The learner version keeps the cells in place: the placeholder is where the
            # solution was, and the self-check is the next cell that calls labkit.check.
            at = source_cells.index(solutions[exercise.id])
            placeholder = learner_cells[at]
            check = next(c for c in learner_cells[at + 1 :] if f'labkit.check("{exercise.id}"' in c)
            work.append(
                {"id": exercise.id, "kind": "learner", "exercise": placeholder, "check": check}
            )
            if exercise.kind == "function":
                work.append(
                    {
                        "id": exercise.id,
                        "kind": "solution",
                        "exercise": solutions[exercise.id],
                        "check": check,
                    }
                )
    return work


def test_every_learner_versions_self_checks_work_in_the_kit(kit: Path):
    work = _self_check_work()
    done = _run_in_kit(kit, SELF_CHECKS, stdin=json.dumps(work))
    verdicts = json.loads(_output(done).splitlines()[-1])
    assert len(verdicts) == len(work) > 40
    for exercise_id, kind, printed in verdicts:
        expected = "not attempted yet" if kind == "learner" else "all public checks passed"
        assert expected in printed, (exercise_id, kind, printed)


def test_the_kit_command_refuses_an_existing_folder_and_grading(kit: Path, capsys):
    assert main(["kit", str(kit)]) == 2
    assert "already exists" in capsys.readouterr().err
    code = "from labkit.cli import main; sys.exit(main(sys.argv[1:]))"
    done = _run_in_kit(kit, code, "grade", "x.ipynb", "--out", "o")
    assert done.returncode == 2 and "student kit" in done.stderr, done.stderr
