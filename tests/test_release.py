"""Tests for labkit.release: learner versions made from the sources."""

import nbformat
import pytest

from labkit.release import PLACEHOLDER_MARKDOWN, release_notebook, release_source

SOURCE = """def mse(a, b):
    ### BEGIN SOLUTION
    diff = a - b
    return (diff ** 2).mean()
    ### END SOLUTION

### BEGIN SOLUTION
answer = 42
rate: float = 0.1
def helper():
    return 1
answer += 1
### END SOLUTION
print("after")"""


def test_solution_regions_become_placeholders_that_run():
    learner = release_source(SOURCE)
    assert learner.splitlines() == [
        "def mse(a, b):",
        '    raise NotImplementedError("Write your solution here.")',
        "",
        "answer = None  # your answer here",
        "rate = None  # your answer here",
        "helper = None  # your answer here",
        'print("after")',
    ]
    namespace = {}
    exec(learner, namespace)  # Run All must not break
    assert namespace["answer"] is None
    with pytest.raises(NotImplementedError):
        namespace["mse"](1, 2)


def test_no_blank_lines_are_left_where_a_solution_ended_the_cell():
    # A helper function in the solution needs two blank lines above it (ruff format); once
    # the solution is removed, they would end the learner's cell and fail the format check.
    source = "quiz = {1: None}\n\n\n### BEGIN SOLUTION\ndef helper():\n    return 1\n\n\n"
    source += "quiz = {1: helper()}\n### END SOLUTION"
    assert release_source(source) == "quiz = {1: None}"


def test_markdown_answers_are_replaced():
    text = "Why?\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION"
    assert release_source(text, cell_type="markdown") == f"Why?\n{PLACEHOLDER_MARKDOWN}"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("### BEGIN SOLUTION\nx = 1", "never closed"),
        ("x = 1\n### END SOLUTION", "without a matching"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "inside another"),
    ],
)
def test_unbalanced_markers_name_the_cell(source, message):
    with pytest.raises(ValueError, match=f"lesson.ipynb, cell 3: .*{message}"):
        release_source(source, where="lesson.ipynb, cell 3")


def test_release_notebook_strips_outputs_and_is_deterministic():
    kernel = {"name": "python3", "display_name": "Python 3"}
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": kernel, "other": 1})
    cell = nbformat.v4.new_code_cell("SMOKE = False", metadata={"tags": ["parameters"]})
    cell.outputs = [nbformat.v4.new_output("stream", text="hi")]
    cell.execution_count = 3
    nb.cells = [nbformat.v4.new_markdown_cell("# 00 · Title"), cell]
    learner = release_notebook(nb)
    assert learner.metadata == {"kernelspec": kernel}
    assert learner.cells[1].outputs == [] and learner.cells[1].execution_count is None
    assert learner.cells[1].metadata == {"tags": ["parameters"]}
    assert [c.id for c in learner.cells] == [c.id for c in nb.cells]
    assert nbformat.writes(release_notebook(nb)) == nbformat.writes(learner)
