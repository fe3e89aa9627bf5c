"""Lesson 06's model exercise (06.ex3) graded for real, against models that lie.

Each submission is a small notebook: the lesson's data, then one cell that defines
``digits_model``. The grader exports it in the kernel and runs the exported graph in a
judge process of its own (:mod:`labkit.grading.model_exercise`). Honest models score as
they deserve; every model that once scored full marks by lying to the kernel-side
grader (a lookup of the bundled digits in buffers, a patched ``labkit.predict``,
``parameters()``, ``numel`` or ``argmax``, a lookup only when graded) and every forged model
file scores 0.

Runs with whatever isolation this machine has (as root on Linux: all of it).
"""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch

import labkit
import labkit.grading
import labkit.lessons
from labkit.exercises.custom_checks import MAX_PARAMETERS, noisy_digits
from labkit.exercises.model_graph import export_model, run_model_file
from labkit.grading.grade import GradingOptions, grade_submission
from labkit.lessons import find_exercise

MODEL = find_exercise("06.ex3")
SECRET = secrets.token_bytes(32)
HIDDEN = (str(Path(labkit.grading.__file__).parent), str(Path(labkit.lessons.__file__).parent))

SETUP = """\
import os
import numpy as np
import torch
from torch import nn
import labkit

digits = labkit.datasets.load("digits")
images = torch.as_tensor(digits.X.reshape(-1, 8, 8) / 16, dtype=torch.float32)
labels = torch.as_tensor(digits.y)
train, val, _ = labkit.train_val_test_split(digits.y, stratify=True, seed=0)

def trained(model):
    torch.manual_seed(0)
    labkit.fit(model, (images[train], labels[train]), (images[val], labels[val]), epochs=40,
               batch_size=32, device="cpu", optimizer=torch.optim.Adam(model.parameters(),
               lr=0.003), loss_fn=nn.CrossEntropyLoss(), seed=0, progress=False)
    return model

def small():
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))

def big():  # the lesson's network: 26 122 parameters
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 128),
                         nn.ReLU(), nn.Linear(128, 10))

def nearest_digit(x):
    "The label of the nearest bundled image: a lookup, right for almost every image."
    x = torch.as_tensor(x, dtype=torch.float32).reshape(len(x), 64)
    known = torch.as_tensor(digits.X / 16, dtype=torch.float32)
    return torch.as_tensor(digits.y)[torch.cdist(x, known).argmin(1)]
"""

# All 1 797 images in buffers, behind one small layer: 20 parameters, 116 k numbers.
LOOKUP = """\
class Lookup(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Linear(1, 10)
        self.register_buffer("known", torch.as_tensor(digits.X / 16, dtype=torch.float32))
        self.register_buffer("answers", nn.functional.one_hot(labels, 10).float())

    def forward(self, x):
        x = x.reshape(len(x), 64)
        distances = ((x[:, None, :] - self.known[None, :, :]) ** 2).sum(2)
        return torch.index_select(self.answers, 0, distances.argmin(1))
"""

# Replaces the export the grader asks for with one that writes a file of its own making.
FORGE = """\
import io, json
import labkit.exercises.model_graph as model_graph

def forge(change):
    def save_model(model, shape, dtype, path):
        data = model_graph.export_model(small(), torch.zeros(shape))
        arrays = dict(np.load(io.BytesIO(data)))
        graph = json.loads(arrays["graph"].tobytes())
        arrays = change(graph, arrays) or arrays
        arrays["graph"] = np.frombuffer(json.dumps(graph).encode(), dtype=np.uint8)
        np.savez(path, **arrays)
        return 1
    model_graph.save_model = save_model
"""

SUBMISSIONS = {
    # name: (the cell defining digits_model, the score it must get)
    "honest": ("digits_model = trained(small())", 3.0),
    "honest-too-big": ("digits_model = trained(big())", 0.0),
    "lookup-in-buffers": (LOOKUP + "digits_model = Lookup()", 0.0),
    "patched-predict": (
        "digits_model = small()\n"
        "labkit.predict = lambda model, x, **kw: nn.functional.one_hot(nearest_digit(x), 10)",
        0.0,
    ),
    "wrapped-parameters": (
        "class Wrapped(nn.Module):\n"
        "    def __init__(self, net):\n"
        "        super().__init__()\n"
        "        self.net = net\n"
        "    def forward(self, x):\n"
        "        return self.net(x)\n"
        "    def parameters(self, recurse=True):\n"
        "        yield next(self.net.parameters())[:10, :10]\n"
        "digits_model = Wrapped(trained(big()))",
        0.0,
    ),
    "patched-numel": (
        "digits_model = trained(big())\nnn.Parameter.numel = lambda self: 1",
        0.0,
    ),
    "patched-argmax": (
        "digits_model = small()\n"
        "torch.Tensor.argmax = lambda self, *args, **kwargs: nearest_digit(self)",
        0.0,
    ),
    "lookup-when-graded": (
        LOOKUP + "graded = 'labkit-sandbox' in os.getcwd() or os.getuid() >= 60000\n"
        "digits_model = Lookup() if graded else trained(small())",
        0.0,
    ),
    "forged-link": (
        FORGE + "model_graph.save_model = lambda model, shape, dtype, path: "
        "os.symlink('/etc/passwd', path) or 1\ndigits_model = small()",
        0.0,
    ),
    "forged-file-reading-op": (
        FORGE + "forge(lambda graph, arrays: graph['nodes'].insert(0, {'name': 'leak', "
        "'op': 'aten.from_file.default', 'args': ['/etc/passwd'], 'kwargs': {}}))\n"
        "digits_model = small()",
        0.0,
    ),
    "forged-pickle": (
        FORGE + "forge(lambda graph, arrays: {**arrays, 't0': np.array([print], dtype=object)})\n"
        "digits_model = small()",
        0.0,
    ),
    "forged-memory-bomb": (
        FORGE + "forge(lambda graph, arrays: graph['nodes'].insert(0, {'name': 'huge', "
        "'op': 'aten.full.default', 'args': [[200000, 200000], 1.0], 'kwargs': {}}))\n"
        "digits_model = small()",
        0.0,
    ),
}


def _notebook(cell: str) -> nbformat.NotebookNode:
    new = nbformat.v4
    nb = new.new_notebook()
    nb.cells = [
        new.new_markdown_cell("### Exercise 06.ex3 — A small digits network (3 points)"),
        new.new_code_cell("SMOKE = False", metadata={"tags": ["parameters"]}),
        new.new_code_cell(SETUP),
        new.new_code_cell(cell),
    ]
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict:
    """Every submission graded once, two at a time."""
    folder = tmp_path_factory.mktemp("models")
    folder.chmod(0o755)
    options = GradingOptions(cell_timeout=90, notebook_seconds=300, hidden=HIDDEN)

    def grade(name: str):
        path = folder / f"{name}.ipynb"
        nbformat.write(_notebook(SUBMISSIONS[name][0]), path)
        return name, grade_submission(
            path, [MODEL], student=name, lesson="06", secret=SECRET, options=options
        )

    with ThreadPoolExecutor(2) as pool:
        return dict(pool.map(grade, SUBMISSIONS))


@pytest.mark.parametrize("name", SUBMISSIONS)
def test_each_model_gets_the_score_it_deserves(graded, name):
    result = graded[name]
    [exercise] = result.exercises
    print(
        f"{name}: {result.score} ({exercise.status}: {exercise.reason[:120]}) "
        f"in {result.seconds:.1f} s"
    )
    assert result.score == SUBMISSIONS[name][1], (exercise, result.problems)
    assert result.problems == [], result.problems  # the cells themselves all ran


def test_forged_files_are_refused_for_what_they_are(graded):
    reasons = {name: graded[name].exercises[0].reason for name in SUBMISSIONS}
    assert "symbolic link" in reasons["forged-link"]
    assert "aten.from_file, which a graded model may not use" in reasons["forged-file-reading-op"]
    assert "not a model file" in reasons["forged-pickle"]
    assert "aten.full.default" in reasons["forged-memory-bomb"] or (
        "memory" in reasons["forged-memory-bomb"]
    )
    for name in ("lookup-in-buffers", "lookup-when-graded", "honest-too-big"):
        assert graded[name].exercises[0].status == "wrong", reasons[name]


def test_the_lookup_would_be_right_but_holds_too_many_numbers():
    """What makes the lookups score 0 is the count of every number they hold: their
    answers on the graded images are right."""
    namespace: dict = {}
    exec(SETUP.split("def trained")[0] + LOOKUP, namespace)
    [case] = MODEL.make_cases(SECRET, "ada")
    data = export_model(namespace["Lookup"](), torch.zeros(MODEL.model_input))
    [outputs], numbers = run_model_file(data, [case.args[0]])
    assert np.mean(outputs.argmax(1) == np.array(case.expected)) > 0.95
    assert numbers == 20 + 1797 * (64 + 10) > 40 * MAX_PARAMETERS  # 20 parameters, the buffers
    assert not MODEL.judge((outputs, numbers), case.expected)


def test_graded_images_are_new_even_to_the_lookup():
    """No graded image is one of the bundled ones: a kernel that knows them all still
    cannot know the inputs."""
    images, _ = noisy_digits(np.random.default_rng(0), 30)
    known = labkit.datasets.load("digits").X / 16
    assert not any(np.any(np.all(np.isclose(known, image), axis=1)) for image in images)
