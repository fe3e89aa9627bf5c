"""Making the learner versions of the lessons from their sources.

A source (``notebooks/solutions/NN_name.ipynb``) holds complete solutions between marker
lines::

    def mean_squared_error(predictions, targets):
        ### BEGIN SOLUTION
        return ((predictions - targets) ** 2).mean()
        ### END SOLUTION

The learner version (``notebooks/NN_name.ipynb``) replaces each such region with a
placeholder that does not break Run All: inside a function body, a line that raises
``NotImplementedError`` when the function is called; at the top level of a cell, ``NAME =
None`` for every name the solution assigned. Outputs and execution counts are removed, so
releasing the same source twice gives the same bytes.

>>> release_source('''x = 1
... ### BEGIN SOLUTION
... answer = x + 1
... ### END SOLUTION''')
'x = 1\\nanswer = None  # your answer here'

A name assigned above the region keeps that line as the learner's template, and the
solution's helpers get no placeholder:

>>> release_source('''quiz = {1: None, 2: None}
... ### BEGIN SOLUTION
... counts = [3, 12]
... quiz = {1: "b", 2: max(counts)}
... ### END SOLUTION''')
'quiz = {1: None, 2: None}'
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import nbformat

from labkit.checked_outputs import CHECK_TAG
from labkit.paths import NOTEBOOKS, lesson_sources

__all__ = ["release_source", "release_notebook", "release_all", "BEGIN", "END"]

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
PLACEHOLDER_MARKDOWN = "_Write your answer here._"
_KEPT_NOTEBOOK_METADATA = ("kernelspec", "language_info")


def _placeholder(solution_lines: list[str], indent: str, above: list[str]) -> list[str]:
    """What replaces one solution region; ``above``: the cell's lines before it.

    A cell that already gives the learner a template above the region for a name the
    solution assigns (``quiz = {1: None, ...}``) keeps it and gets no other placeholder:
    the solution's helper names (a function, an intermediate result) are its business,
    not the learner's.
    """
    if indent:  # inside a function (or other block): keep it callable, failing clearly
        return [f'{indent}raise NotImplementedError("Write your solution here.")']
    unique = list(dict.fromkeys(_names_bound(solution_lines)))
    if set(unique) & set(_names_bound(above)):  # the answer's template is given
        return []
    return [f"{name} = None  # your answer here" for name in unique]


def _names_bound(lines: list[str]) -> list[str]:
    """The names that top-level statements of ``lines`` assign or define (none if the
    lines are not complete statements)."""
    try:
        body = ast.parse("\n".join(lines)).body
    except SyntaxError:
        return []
    names: list[str] = []
    for node in body:
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [t.id for t in targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.append(node.name)
    return names


def release_source(source: str, *, cell_type: str = "code", where: str = "cell") -> str:
    """The learner version of one cell's source (markers and solutions replaced)."""
    output: list[str] = []
    solution: list[str] | None = None
    indent = ""
    for line in source.splitlines():
        marker = line.strip()
        if marker == BEGIN:
            if solution is not None:
                raise ValueError(f"{where}: {BEGIN!r} inside another solution region.")
            solution, indent = [], line[: len(line) - len(line.lstrip())]
        elif marker == END:
            if solution is None:
                raise ValueError(f"{where}: {END!r} without a matching {BEGIN!r}.")
            if cell_type == "code":
                output += _placeholder([s[len(indent) :] for s in solution], indent, output)
            else:
                output.append(PLACEHOLDER_MARKDOWN)
            solution = None
        elif solution is not None:
            solution.append(line)
        else:
            output.append(line)
    if solution is not None:
        raise ValueError(f"{where}: {BEGIN!r} is never closed by {END!r}.")
    while cell_type == "code" and output and not output[-1].strip():
        output.pop()  # blank lines that only separated the removed solution from the code above
    return "\n".join(output)


def release_notebook(
    source: nbformat.NotebookNode, name: str = "notebook"
) -> nbformat.NotebookNode:
    """The learner version of a whole source notebook."""
    learner = nbformat.v4.new_notebook()
    learner.metadata = {
        k: source.metadata[k] for k in _KEPT_NOTEBOOK_METADATA if k in source.metadata
    }
    for index, cell in enumerate(source.cells):
        text = release_source(cell.source, cell_type=cell.cell_type, where=f"{name}, cell {index}")
        tags = [tag for tag in cell.metadata.get("tags", []) if tag != CHECK_TAG]
        metadata = {"tags": list(tags)} if tags else {}
        if cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(text, metadata=metadata)
        else:
            new = nbformat.v4.new_markdown_cell(text, metadata=metadata)
        new.id = cell.get("id", new.id)  # stable ids: the same source gives the same bytes
        learner.cells.append(new)
    return learner


def release_all(*, check: bool = False, target: str | os.PathLike | None = None) -> list[Path]:
    """Write (or with ``check=True`` only compare) every learner version.

    Returns the learner files that were out of date (written, or differing when checking).
    """
    stale = []
    for source_path in lesson_sources():
        source = nbformat.read(source_path, as_version=4)
        text = nbformat.writes(release_notebook(source, source_path.name)) + "\n"
        learner_path = Path(target or NOTEBOOKS) / source_path.name
        if learner_path.exists() and learner_path.read_text(encoding="utf-8") == text:
            continue
        stale.append(learner_path)
        if not check:
            learner_path.write_text(text, encoding="utf-8")
    return stale
