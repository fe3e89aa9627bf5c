"""What every graded-check test needs: a lesson's headings and solutions, and the grader's view.

The tests run a lesson's reference solution (from its source notebook) through the same
query code the grader sends to a kernel, and read the reply as the grader does.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import re
from pathlib import Path

import numpy as np
import pytest

from labkit.grading.exercise import GradedExercise
from labkit.grading.protocol import query_code, read_answer, to_wire
from labkit.selfcheck import CheckFailed

HEADING = re.compile(r"### Exercise (\d\d\.ex\d+) — .* \((\d+) points?\)")
SECRET = b"a course secret of at least 16 bytes"


def headings_and_solutions(notebook: Path) -> tuple[list[tuple[str, int]], dict[str, str]]:
    """(id, points) of every exercise heading, and each exercise's solution cell source."""
    # Plain JSON rather than nbformat, whose import alone costs seconds under pytest.
    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    headings, solutions, current = [], {}, None
    for cell in cells:
        source = "".join(cell["source"])  # a list of lines in the file, or one string
        found = HEADING.search(source) if cell["cell_type"] == "markdown" else None
        if found:
            current = found.group(1)
            headings.append((current, int(found.group(2))))
        elif cell["cell_type"] == "code" and "### BEGIN SOLUTION" in source and current:
            solutions[current] = source
    return headings, solutions


def ask(namespace: dict, exercise: GradedExercise, args: tuple) -> tuple[str, object]:
    """What the grader reads back when it queries ``namespace`` as if it were the kernel."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(query_code(exercise.expression, args, exercise.name), namespace)
    return read_answer(printed.getvalue())


def passes(namespace: dict, exercise: GradedExercise, student: str) -> list[bool]:
    """For each of the student's cases: did the answer come back and satisfy the judge?"""
    results = []
    for case in exercise.make_cases(SECRET, student):
        kind, answer = ask(namespace, exercise, case.args)
        results.append(kind == "answer" and exercise.judge(answer, case.expected) is True)
    return results


def solution_namespace(notebook: Path, exercise_id: str) -> dict:
    """A namespace where the notebook's reference solution cell of ``exercise_id`` has run."""
    _, solutions = headings_and_solutions(notebook)
    namespace = {"np": np}
    exec(solutions[exercise_id], namespace)
    return namespace


def _placeholder(*args: object, **kwargs: object) -> None:
    raise NotImplementedError("Write your solution here.")


class LessonChecks:
    """The checks every lesson's graded exercises must pass, shared by the lesson test files.

    A test file subclasses it as ``class TestLessonNN(LessonChecks)`` and sets ``notebook``
    (the source), ``exercises`` (the graded list), ``public_checks`` (the lesson's
    ``PUBLIC_CHECKS``) and ``wrong`` (exercise id -> usual mistakes, as functions).
    """

    notebook: Path
    exercises: list[GradedExercise]
    public_checks: dict
    wrong: dict
    students = ("ada", "grace", "alan")

    def test_reference_solution_passes_every_case(self) -> None:
        for exercise in self.exercises:
            namespace = solution_namespace(self.notebook, exercise.id)
            for student in self.students:
                assert all(passes(namespace, exercise, student)), (exercise.id, student)

    def test_each_usual_mistake_fails_a_case(self) -> None:
        by_id = {exercise.id: exercise for exercise in self.exercises}
        for exercise_id, mistakes in self.wrong.items():
            exercise = by_id[exercise_id]
            for wrong, student in itertools.product(mistakes, self.students):
                namespace = {exercise.name: wrong, "np": np}
                assert not all(passes(namespace, exercise, student)), (wrong.__name__, student)

    def test_the_public_check_catches_the_usual_mistakes_too(self) -> None:
        for exercise_id, mistakes in self.wrong.items():
            for wrong in mistakes:
                with pytest.raises(CheckFailed):
                    self.public_checks[exercise_id](wrong)

    def test_the_reference_solution_passes_the_public_check(self) -> None:
        for exercise in self.exercises:
            answer = solution_namespace(self.notebook, exercise.id)[exercise.name]
            self.public_checks[exercise.id](answer)

    def test_an_untouched_placeholder_is_not_attempted(self) -> None:
        for exercise in self.exercises:
            [case, *_] = exercise.make_cases(SECRET, "ada")
            reply = ask({exercise.name: _placeholder}, exercise, case.args)
            assert reply == ("not_attempted", None), exercise.id

    def test_cases_are_per_student_deterministic_small_and_valid(self) -> None:
        for exercise in self.exercises:

            def wire(student: str, exercise: GradedExercise = exercise) -> list:
                cases = exercise.make_cases(SECRET, student)
                return [(to_wire(case.args), to_wire(case.expected)) for case in cases]

            ada = wire("ada")
            assert ada == wire("ada"), exercise.id
            assert ada != wire("grace"), exercise.id
            assert 4 <= len(ada) <= 8, exercise.id
            assert all(len(args) < 20_000 for args, _ in ada), exercise.id

    def test_judges_say_false_to_junk(self) -> None:
        for exercise in self.exercises:
            expected = exercise.make_cases(SECRET, "ada")[0].expected
            for junk in ["3", None, True, {"a": 1}, [[["x"]]], [None, None], 1e300, "nan"]:
                assert exercise.judge(junk, expected) is False, (exercise.id, junk)

    def test_ids_points_and_names_match_the_headings(self) -> None:
        headings, solutions = headings_and_solutions(self.notebook)
        assert [(exercise.id, exercise.points) for exercise in self.exercises] == headings
        assert set(solutions) == {exercise_id for exercise_id, _ in headings}
        assert set(self.public_checks) == {exercise_id for exercise_id, _ in headings}
        for exercise in self.exercises:  # the name is what the solution cell defines
            assert re.search(rf"^def {exercise.name}\b", solutions[exercise.id], re.MULTILINE)
