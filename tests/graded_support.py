"""What the exercise tests need: a lesson's headings and solutions, and the grader's view.

The tests run answers through the same query code the grader sends to a kernel, and read
the reply as the grader does.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import numpy as np

from labkit.exercises.declare import Exercise
from labkit.grading.protocol import query_code, read_answer
from labkit.lessons import exercises_for, lesson_numbers

HEADING = re.compile(r"### (?:Exercise|Quiz) (\d\d\.ex\d+) — .* \((\d+) points?\)")
SECRET = b"a course secret of at least 16 bytes"
STUDENTS = ("ada", "grace", "alan")
# The lessons whose source and learner version test_grading_release.py grades in the
# grader's sandbox (smoke mode), asserting that no cell fails. Lesson 00 goes through the
# ``labkit grade`` command there instead.
RELEASE_GRADED = [lesson for lesson in lesson_numbers() if exercises_for(lesson) and lesson != "00"]


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


def ask(namespace: dict, exercise: Exercise, args: tuple) -> tuple[str, object]:
    """What the grader reads back when it queries ``namespace`` as if it were the kernel."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(query_code(exercise.expression, args, exercise.name), namespace)
    return read_answer(printed.getvalue())


def passes(namespace: dict, exercise: Exercise, student: str) -> list[bool]:
    """For each of the student's cases: did the answer come back and satisfy the judge?

    A model is exported and run as the grader runs it (outside the learner's namespace).
    """
    if exercise.kind == "model":
        return _model_passes(namespace[exercise.name], exercise, student)
    results = []
    for case in exercise.make_cases(SECRET, student):
        kind, answer = ask(namespace, exercise, case.args)
        results.append(kind == "answer" and exercise.judge(answer, case.expected) is True)
    return results


def _model_passes(model: object, exercise: Exercise, student: str) -> list[bool]:
    import torch

    from labkit.exercises.model_graph import ModelFileError, export_model, run_model_file

    cases = exercise.make_cases(SECRET, student)
    example = torch.zeros(exercise.model_input, dtype=getattr(torch, exercise.model_dtype))
    try:
        outputs, numbers = run_model_file(
            export_model(model, example), [case.args[0] for case in cases]
        )
    except ModelFileError:
        return [False] * len(cases)
    return [
        exercise.judge((out, numbers), case.expected) is True
        for out, case in zip(outputs, cases, strict=True)
    ]


def solution_namespace(notebook: Path, exercise_id: str) -> dict:
    """A namespace where the notebook's reference solution cell of ``exercise_id`` has run."""
    _, solutions = headings_and_solutions(notebook)
    namespace = {"np": np}
    exec(solutions[exercise_id], namespace)
    return namespace


def smoke_namespace(notebook: Path, last_cell: str, then: list[str], exercise_id: str) -> dict:
    """The namespace of ``notebook``'s code cells in smoke mode, up to ``last_cell``, then of
    the cells ``then`` (by id) and of ``exercise_id``'s reference solution; output hidden.

    The parameters cell (tagged "parameters") runs first and ``SMOKE`` is then set to True,
    as papermill would inject it.
    """
    _, solutions = headings_and_solutions(notebook)
    cells = [
        c for c in json.loads(notebook.read_text("utf-8"))["cells"] if c["cell_type"] == "code"
    ]
    source = {cell["id"]: "".join(cell["source"]) for cell in cells}
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in cells:
            exec(source[cell["id"]], namespace)
            if "parameters" in cell.get("metadata", {}).get("tags", []):
                namespace["SMOKE"] = True
            if cell["id"] == last_cell:
                break
        for cell_id in then:
            exec(source[cell_id], namespace)
        exec(solutions[exercise_id], namespace)
    import matplotlib.pyplot as plt

    plt.close("all")
    return namespace


def padded(model: object, extra: int = 100) -> object:
    """``model`` plus a linear layer of ``extra`` inputs and outputs that it never uses: the
    same answers, ``extra * (extra + 1)`` more numbers (a model exercise's budget test)."""
    from torch import nn

    class Padded(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model, self.unused = model, nn.Linear(extra, extra)

        def forward(self, x: object) -> object:
            return self.model(x)

    return Padded()


def code_cells(notebook: Path) -> list[str]:
    """The source of every code cell of ``notebook``, in order."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]


def cell_starting_with(cells: list[str], start: str) -> str:
    """The one code cell whose source starts with ``start`` (an error if not exactly one)."""
    [source] = [cell for cell in cells if cell.startswith(start)]
    return source


def every_input(exercise: Exercise) -> list[tuple]:
    """The arguments of the exercise's public examples and of each test student's graded cases."""
    inputs = [example.args for example in exercise.examples]
    for student in STUDENTS:
        inputs += [case.args for case in exercise.make_cases(SECRET, student)]
    return inputs
