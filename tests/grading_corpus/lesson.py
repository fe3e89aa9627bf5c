"""Lesson 98, made for testing the grader: two function exercises and one model exercise.

:func:`notebook` builds a submission from the lesson's cells, with any cell replaced:
``notebook({"ex1": "def mean_of_squares(values):\\n    return 0"})``. The cells are
short so that a submission runs in about a second (the model cell imports torch).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import numpy as np

from labkit.exercises import Case, Example, Exercise

# The cells of a correct submission, by name, in order.
CORRECT = {
    "parameters": "SMOKE = False",
    "setup": "import numpy as np",
    "ex1": (
        "def mean_of_squares(values):\n"
        "    values = np.asarray(values, dtype=float)\n"
        "    return float(np.mean(values**2))"
    ),
    "ex2": (
        "def running_max(values):\n"
        "    out, best = [], None\n"
        "    for v in values:\n"
        "        best = v if best is None or v > best else best\n"
        "        out.append(best)\n"
        "    return out"
    ),
    "ex3": (
        "import torch\n"
        "torch.manual_seed(0)\n"
        "rng = np.random.default_rng(0)\n"
        "X = rng.normal(size=(400, 2)).astype(np.float32)\n"
        "y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)\n"
        "nn = torch.nn\n"
        "model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))\n"
        "optimizer = torch.optim.Adam(model.parameters(), lr=0.05)\n"
        "for step in range(100 if SMOKE else 300):\n"
        "    logits = model(torch.from_numpy(X))\n"
        "    loss = nn.functional.cross_entropy(logits, torch.from_numpy(y))\n"
        "    optimizer.zero_grad()\n"
        "    loss.backward()\n"
        "    optimizer.step()\n"
        "print(f'training loss {loss.item():.3f}')"
    ),
}

# What an untouched learner version holds (what `labkit release` would leave).
PLACEHOLDER = "    raise NotImplementedError('Write your solution here.')"
BLANK = {
    "ex1": f"def mean_of_squares(values):\n{PLACEHOLDER}",
    "ex2": f"def running_max(values):\n{PLACEHOLDER}",
    "ex3": "import torch\nmodel = None  # your answer here",
}


def _mean_of_squares(values):
    return float(np.mean(np.asarray(values, dtype=float) ** 2))


def _running_max(values):
    return np.maximum.accumulate(values).tolist()


def _mean_of_squares_inputs(rng: np.random.Generator) -> list[tuple]:
    return [(np.round(rng.normal(0, 5, size), 3).tolist(),) for size in (1, 3, 8, 20)]


def _running_max_inputs(rng: np.random.Generator) -> list[tuple]:
    return [(rng.integers(-50, 50, size).tolist(),) for size in (1, 5, 12)]


def _model_cases(rng: np.random.Generator) -> list[Case]:
    X = rng.normal(size=(200, 2)).astype(np.float32)
    return [Case(args=(X,), expected=(X[:, 0] + X[:, 1] > 0).astype(int).tolist())]


def _accuracy_at_least_90(got: object, labels: object) -> bool:
    outputs, _ = got  # the model's scores, and how many numbers it holds
    if outputs.shape != (len(labels), 2):
        return False
    return float(np.mean(outputs.argmax(1) == np.array(labels))) >= 0.9


EXAMPLES = [Example(([1, 2],)), Example(([0],)), Example(([3, -1, 2],))]


def _no_public_check(answer: object) -> None:
    """The test lesson's model has no self-check."""


EXERCISES = [
    Exercise(
        id="98.ex1",
        name="mean_of_squares",
        points=2,
        reference=_mean_of_squares,
        examples=EXAMPLES,
        inputs=_mean_of_squares_inputs,
    ),
    Exercise(
        id="98.ex2",
        name="running_max",
        points=2,
        reference=_running_max,
        examples=EXAMPLES,
        inputs=_running_max_inputs,
    ),
    Exercise(
        id="98.ex3",
        name="model",
        points=3,
        kind="model",
        cases=_model_cases,
        model_input=(200, 2),
        judge=_accuracy_at_least_90,
        public_check=_no_public_check,
    ),
]
FULL_MARKS = 7.0


def notebook(replace: dict[str, str] | None = None, extra: list[str] | None = None):
    """A submission: the correct cells with ``replace`` applied, then ``extra`` cells."""
    cells = CORRECT | (replace or {})
    nb = nbformat.v4.new_notebook()
    nb.metadata["labkit"] = {"lesson": "98"}
    for name, source in cells.items():
        tags = ["parameters"] if name == "parameters" else []
        nb.cells.append(nbformat.v4.new_markdown_cell(f"### {name}"))
        nb.cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": tags}))
    for source in extra or []:
        nb.cells.append(nbformat.v4.new_code_cell(source))
    return nb


def write(folder: Path, student: str, nb) -> Path:
    """Write ``nb`` as ``folder/<student>.ipynb``; return the path."""
    path = folder / f"{student}.ipynb"
    nbformat.write(nb, path)
    return path
