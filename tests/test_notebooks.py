"""Every lesson, executed: sources and learner versions in smoke mode, plus their structure.

Each lesson runs in a fresh kernel started in an empty temporary folder, so a lesson that
reads data by a path relative to itself fails here. Recorded metrics are checked against
the thresholds in ``lesson_expectations.py``, each stated next to the chance or baseline
score it must beat. With pytest-xdist, each kernel gets one thread.
"""

import ast
import os
import re

import nbformat
import pytest

from labkit.lessons import expectations_for, find_exercise, lesson_numbers
from labkit.paths import learner_versions, lesson_sources
from labkit.release import BEGIN, END, release_all
from labkit.results import README, load_results, readme_table_section, render_table
from labkit.runner import run_notebook

SOURCES = lesson_sources()
LEARNER = learner_versions()
THREADS = 1 if os.environ.get("PYTEST_XDIST_WORKER") else None


def test_there_are_lessons_and_each_has_expectations():
    assert len(SOURCES) >= 3
    assert lesson_numbers() == [p.name[:2] for p in SOURCES]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_source_runs_in_smoke_mode_and_reaches_its_thresholds(source):
    result = run_notebook(source, smoke=True, threads=THREADS)
    assert result.ok, result.error
    for expect in expectations_for(source.name[:2]):
        assert expect.metric in result.metrics, f"{expect.metric} was not recorded"
        expect.check(result.metrics[expect.metric], expect.smoke)


@pytest.mark.parametrize("learner", LEARNER, ids=lambda p: p.stem)
def test_learner_version_runs_to_the_end(learner):
    result = run_notebook(learner, smoke=True, threads=THREADS)
    assert result.ok, f"the learner version stopped with an error: {result.error}"


def test_learner_versions_are_released_from_the_sources():
    assert [p.name for p in LEARNER] == [p.name for p in SOURCES]
    stale = release_all(check=True)
    assert stale == [], f"out of date: {[p.name for p in stale]}; run 'labkit release'"


def test_default_results_file_matches_the_readme_and_the_thresholds():
    results = load_results()
    assert [r["notebook"] for r in results["lessons"]] == [p.name for p in SOURCES]
    readme = README.read_text(encoding="utf-8")
    assert readme_table_section(readme) == render_table(results)
    for lesson in results["lessons"]:
        assert lesson["ok"], lesson["notebook"]
        assert lesson["seconds"] <= 180, f"{lesson['notebook']}: default run over 3 minutes"
        assert lesson["peak_memory_mb"] <= 1536, f"{lesson['notebook']}: over 1.5 GB"
        for expect in expectations_for(lesson["notebook"][:2]):
            expect.check(lesson["metrics"][expect.metric], expect.default)


def test_papermill_runs_a_lesson_with_its_parameters(tmp_path):
    papermill = pytest.importorskip("papermill")
    output = tmp_path / "out.ipynb"
    papermill.execute_notebook(
        str(SOURCES[0]), str(output), parameters={"SMOKE": True}, kernel_name="python3",
        cwd=str(tmp_path), progress_bar=False,
    )  # fmt: skip
    executed = nbformat.read(output, 4)
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in executed.cells)


# --- structure: what LESSON_CHECKLIST asks of every lesson ---------------------------------


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
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, "sources have no outputs"


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
    ids = re.findall(r"^### Exercise (\d\d\.ex\d+)", markdown, flags=re.MULTILINE)
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
        ids += re.findall(r"^### Exercise (\d\d\.ex\d+)", markdown, flags=re.MULTILINE)
    assert len(ids) == len(set(ids))
