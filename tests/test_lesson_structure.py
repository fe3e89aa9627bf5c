"""The shape every lesson has: headings, parameters, exercises, result cells.

What the course's lesson checklist asks of a lesson's source, checked without running it.
"""

import ast
import re

import nbformat
import pytest

from labkit.checked_outputs import is_checked, problems
from labkit.lessons import expectations_for, find_exercise
from labkit.paths import lesson_sources
from labkit.release import BEGIN, END
from labkit.results import load_results

SOURCES = lesson_sources()


def cells(path, kind):
    return [c for c in nbformat.read(path, 4).cells if c.cell_type == kind]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_lesson_structure(source):
    nb = nbformat.read(source, 4)
    number = source.name[:2]
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith(f"# {number} ")
    assert nb.metadata["kernelspec"]["name"] == "python3"
    text = markdown.lower()
    assert "objectives" in text or "what you will learn" in text, "no learning objectives"
    for phrase in ("run time", "summary"):
        assert phrase in text, f"no {phrase!r} section"
    for call in ("seed_everything(SEED)", "use_style()", "pick_device(", "labkit.record("):
        assert call in code, f"the lesson never calls {call}"
    assert "Playground(" in code and ".run(" in code, "a playground, exercised once headless"
    assert problems(nb) == [], "only result cells store outputs, text only"
    assert sum(is_checked(cell) for cell in nb.cells) >= 3, "at least three result cells"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_parameters_cell_holds_only_smoke_seed_and_knobs(source):
    [parameters] = [c for c in cells(source, "code") if "parameters" in c.metadata.get("tags", [])]
    statements = ast.parse(parameters.source).body
    names = [s.targets[0].id for s in statements if isinstance(s, ast.Assign)]
    assert len(names) == len(statements), "only simple assignments"
    assert names[:2] == ["SMOKE", "SEED"]
    assert all(name.isupper() for name in names)
    smoke = statements[0].value
    assert isinstance(smoke, ast.Constant) and smoke.value is False, "SMOKE = False by default"
    for statement in statements:
        ast.literal_eval(statement.value)  # plain values only, so papermill can override them


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_exercises_have_ids_solutions_and_self_checks(source):
    markdown = "\n".join(c.source for c in cells(source, "markdown"))
    code = "\n".join(c.source for c in cells(source, "code"))
    ids = re.findall(r"^### (?:Exercise|Quiz) (\d\d\.ex\d+)", markdown, flags=re.MULTILINE)
    assert len(ids) >= 2, "at least two exercises"
    assert all(i.startswith(source.name[:2]) for i in ids)
    assert code.count(BEGIN) == code.count(END) >= len(ids)
    for exercise_id in ids:
        assert f'labkit.check("{exercise_id}"' in code, f"{exercise_id} has no self-check"
        assert find_exercise(exercise_id), f"{exercise_id} is not declared"


def test_exercise_ids_are_unique_across_the_course():
    ids = []
    for source in SOURCES:
        markdown = "\n".join(c.source for c in cells(source, "markdown"))
        ids += re.findall(r"^### (?:Exercise|Quiz) (\d\d\.ex\d+)", markdown, flags=re.MULTILINE)
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_lessons_import_only_labkits_public_api(source):
    """A lesson takes names only from ``labkit.__all__``: what a learner sees imported is
    what the package promises to keep. (Importing a module to show its source, as lesson
    00 does with ``labkit.train.loop``, is reading, not using, and stays allowed.)"""
    import labkit

    imported = []
    for cell in cells(source, "code"):
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:  # a placeholder or magic: nothing imported from labkit there
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("labkit"):
                imported += [(node.module, alias.name) for alias in node.names]
    outside = [(m, n) for m, n in imported if m != "labkit" or n not in labkit.__all__]
    assert not outside, f"imports from outside labkit's public API: {outside}"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_the_headers_bold_percentages_are_recorded_metrics_or_baselines(source):
    """The promise at the top ("the default run reaches **97.4 %**", "mAP **0.697**") cannot
    go stale: each bold percentage or bold fraction is a metric in results.json (which the
    suite checks against a fresh default run) or an expectation's baseline, at the decimals
    printed."""
    header = cells(source, "markdown")[1].source
    recorded = {lesson["notebook"]: lesson["metrics"] for lesson in load_results()["lessons"]}
    values = [100 * v for v in recorded[source.name].values()]
    values += [100 * e.baseline for e in expectations_for(source.name[:2])]
    fractions = [v / 100 for v in values]  # mAP or IoU written as 0.697, not as a percentage
    for span in re.findall(r"\*\*([^*]+)\*\*", header):
        for number in re.findall(r"(\d+(?:\.\d+)?) ?%", span):
            decimals = len(number.partition(".")[2])
            assert any(round(v, decimals) == float(number) for v in values), (
                f"**{span}** in the header is neither a recorded metric nor a baseline"
            )
        if re.fullmatch(r"0\.\d+", span):
            decimals = len(span) - 2
            assert any(round(v, decimals) == float(span) for v in fractions), (
                f"**{span}** in the header is neither a recorded metric nor a baseline"
            )


MAX_CELL_LINES = 20  # the checklist's "about 15 lines", with room for a formatted call


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_code_cells_are_short(source):
    """A learner reads a lesson cell by cell: no code cell is longer than MAX_CELL_LINES
    (the solution markers do not count: the learner version replaces them). Figure styling
    and plumbing belong in labkit, a long computation in a function of its own cell."""
    too_long = []
    for number, cell in enumerate(nbformat.read(source, 4).cells):
        lines = [line for line in cell.source.strip().splitlines() if line not in (BEGIN, END)]
        if cell.cell_type == "code" and len(lines) > MAX_CELL_LINES:
            too_long.append(f"cell {number}: {len(lines)} lines")
    assert not too_long, f"code cells over {MAX_CELL_LINES} lines: {too_long}"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_long_lessons_mark_what_can_wait(source):
    """A lesson of three hours or more marks sections a learner short of time may skip, and
    says so next to its study time."""
    header = cells(source, "markdown")[1].source
    hours, minutes = map(int, re.search(r"Study time:\*\* about (\d) h (\d+) min", header).groups())
    headings = re.findall(
        r"^#{2,3} .*\(optional\)$",
        "\n".join(c.source for c in cells(source, "markdown")),
        flags=re.MULTILINE,
    )
    if 60 * hours + minutes >= 180:
        assert headings, "no section marked (optional)"
        assert "*(optional)*" in header, "the header does not say what can wait"
