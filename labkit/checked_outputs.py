"""The printed results a lesson must keep producing, stored in its source for nbval.

A code cell tagged ``nbval-check-output`` is a *result cell*: what it prints (text only)
is stored in the source notebook, and the test suite runs the lesson in default mode
under nbval, which fails when a result cell prints anything else: a changed number, a
changed shape, a new warning. Every other cell is stored without outputs, and no image is
ever stored (figures are not compared). ``labkit results --run`` executes the lessons and
refreshes these outputs together with ``notebooks/results.json``.

>>> import nbformat
>>> source = nbformat.v4.new_notebook(cells=[
...     nbformat.v4.new_code_cell("print(2 + 2)", metadata={"tags": [CHECK_TAG]}),
...     nbformat.v4.new_code_cell("print('not checked')")])
>>> executed = nbformat.from_dict(source)
>>> executed.cells[0].outputs = [nbformat.v4.new_output("stream", text="4\\n")]
>>> executed.cells[0].execution_count = 7
>>> executed.cells[1].outputs = [nbformat.v4.new_output("stream", text="not checked\\n")]
>>> stored = with_checked_outputs(source, executed)
>>> [cell.outputs for cell in stored.cells]
[[{'output_type': 'stream', 'name': 'stdout', 'text': '4\\n'}], []]
>>> problems(stored), problems(executed)
([], ['cell 1 has outputs but is not tagged nbval-check-output'])
"""

from __future__ import annotations

import nbformat

__all__ = ["CHECK_TAG", "is_checked", "with_checked_outputs", "problems"]

CHECK_TAG = "nbval-check-output"
_TEXT = "text/plain"


def is_checked(cell: nbformat.NotebookNode) -> bool:
    """True for a code cell tagged as a result cell."""
    return cell.cell_type == "code" and CHECK_TAG in cell.metadata.get("tags", [])


def _text_only(output: nbformat.NotebookNode) -> nbformat.NotebookNode | None:
    """A stored copy of one output: streams as they are, displays reduced to plain text."""
    if output.output_type == "stream":
        return nbformat.v4.new_output("stream", name=output.name, text=output.text)
    if output.output_type in ("display_data", "execute_result") and _TEXT in output.data:
        kept = nbformat.v4.new_output(output.output_type, data={_TEXT: output.data[_TEXT]})
        if output.output_type == "execute_result":
            kept.execution_count = output.get("execution_count")
        return kept
    return None  # errors cannot be stored: the lesson must run


def with_checked_outputs(
    source: nbformat.NotebookNode, executed: nbformat.NotebookNode
) -> nbformat.NotebookNode:
    """A copy of ``source`` holding the text outputs of its result cells, from ``executed``.

    Cells are matched by id, so ``executed`` may hold extra cells (papermill's). Every other
    cell gets no outputs and no execution count.
    """
    by_id = {cell.get("id"): cell for cell in executed.cells}
    stored = nbformat.from_dict(source)
    for cell in stored.cells:
        if cell.cell_type != "code":
            continue
        ran = by_id.get(cell.get("id"))
        if is_checked(cell) and ran is not None:
            cell.outputs = [kept for out in ran.outputs if (kept := _text_only(out)) is not None]
            cell.execution_count = ran.execution_count or 1  # nbval compares counted cells
        else:
            cell.outputs, cell.execution_count = [], None
    return stored


def problems(source: nbformat.NotebookNode) -> list[str]:
    """What is wrong with a source's stored outputs (empty when all is well)."""
    found = []
    for index, cell in enumerate(source.cells):
        if cell.cell_type != "code":
            continue
        if not is_checked(cell) and (cell.outputs or cell.execution_count is not None):
            found.append(f"cell {index} has outputs but is not tagged {CHECK_TAG}")
        if is_checked(cell) and (not cell.outputs or cell.execution_count is None):
            found.append(f"result cell {index} has no stored output: run 'labkit results --run'")
        for output in cell.outputs:
            data = output.get("data", {})
            if output.output_type == "error" or set(data) - {_TEXT}:
                found.append(f"cell {index} stores more than text ({output.output_type})")
    return found
