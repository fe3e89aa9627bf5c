"""Lesson 14's model exercise (14.ex3): the reference character model passes, wrong models
fail, a model that looks ahead scores nothing, and the grader's loss is the lesson's.

The notebook's cells up to ``train_char_model`` run once, in smoke mode, in a namespace of
their own; then ``validation_loss`` and the reference solution cell (about 10 s of training on
one core).
"""

import json
import os

import numpy as np
import pytest
import torch
from graded_support import SECRET, STUDENTS, padded, passes, smoke_namespace
from torch import nn

import labkit
from labkit.exercises import charlm_judge
from labkit.lessons import exercises_for
from labkit.paths import lesson_sources
from labkit.selfcheck import check

MODEL = {exercise.id: exercise for exercise in exercises_for("14")}["14.ex3"]


def _cell_id(cells: list, marker: str) -> str:
    """The id of the first code cell whose source holds ``marker``."""
    code = [cell for cell in cells if cell["cell_type"] == "code"]
    return next(cell["id"] for cell in code if marker in "".join(cell["source"]))


@pytest.fixture(scope="module")
def lesson() -> dict:
    """The namespace of the notebook's cells up to train_char_model (smoke mode), with its
    validation_loss, then 14.ex3's reference solution."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    [notebook] = [path for path in lesson_sources() if path.name.startswith("14")]
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    last_setup = _cell_id(cells, "def train_char_model")
    return smoke_namespace(notebook, last_setup, [_cell_id(cells, "def validation_loss")], "14.ex3")


class _Bigram(nn.Module):
    """The bigram counts of the training text as a model: 4 225 numbers, no context."""

    def __init__(self, train_ids: torch.Tensor) -> None:
        super().__init__()
        pairs = torch.bincount(train_ids[:-1] * 65 + train_ids[1:], minlength=65 * 65) + 1
        probs = pairs.reshape(65, 65).float()
        self.table = nn.Embedding.from_pretrained((probs / probs.sum(1, keepdim=True)).log())

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.table(ids)


class _LooksAhead(nn.Module):
    """A model whose scores are pushed towards the character that comes next in its own input:
    nearly perfect on the scored rows, if nobody checked (4 225 numbers more than ``model``)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model
        self.peek = nn.Embedding.from_pretrained(20.0 * torch.eye(65))

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        ahead = torch.cat([ids[:, 1:], ids[:, -1:]], 1)
        return self.model(ids) + self.peek(ahead)


class _LastOnly(nn.Module):
    """Answers only the last position: the wrong shape."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.model(ids)[:, -1]


@pytest.mark.parametrize("student", STUDENTS)
def test_the_reference_model_passes_every_case(lesson, student):
    assert all(passes(lesson, MODEL, student))


def test_the_reference_is_small_and_clear_of_the_threshold(lesson):
    model = lesson["small_char_model"]
    numbers = sum(t.numel() for t in model.state_dict().values())
    loss, _ = lesson["validation_loss"](model)
    assert numbers <= charlm_judge.MAX_CHAR_MODEL_NUMBERS
    assert loss <= charlm_judge.MAX_CHAR_MODEL_LOSS - 0.1  # about 1.83 measured


def test_wrong_models_fail(lesson):
    torch.manual_seed(0)
    untrained = lesson["CharLSTM"](embed=16, hidden=64).eval()
    small = lesson["small_char_model"]
    bigram = _Bigram(lesson["train_ids"]).eval()
    cheat = _LooksAhead(lesson["CharLSTM"](embed=16, hidden=48))  # 21 122 numbers
    for model in (untrained, padded(small), bigram, cheat):
        assert not any(passes({"small_char_model": model}, MODEL, "ada")), type(model).__name__


def test_a_model_that_looks_ahead_would_pass_without_the_causality_check(lesson):
    cheat = _LooksAhead(lesson["CharLSTM"](embed=16, hidden=48)).eval()
    [case] = MODEL.make_cases(SECRET, "ada")
    inputs, (targets, cuts) = case.args[0], case.expected
    with torch.no_grad():
        outputs = cheat(torch.as_tensor(inputs)).numpy()
    assert charlm_judge.mean_cross_entropy(outputs[:40], targets) < 0.5
    assert charlm_judge.look_ahead(outputs, cuts) > 1.0
    assert charlm_judge.graded_loss(outputs, targets, cuts) == np.inf


def test_the_bigram_baseline_is_far_above_the_threshold(lesson):
    [case] = MODEL.make_cases(SECRET, "grace")
    inputs, (targets, cuts) = case.args[0], case.expected
    with torch.no_grad():
        outputs = _Bigram(lesson["train_ids"])(torch.as_tensor(inputs)).numpy()
    loss = charlm_judge.graded_loss(outputs, targets, cuts)
    assert charlm_judge.MAX_CHAR_MODEL_LOSS + 0.3 < loss < 2.7  # about 2.48


def test_the_public_check_accepts_the_model_and_explains_mistakes(lesson, capsys):
    model = lesson["small_char_model"]
    assert check("14.ex3", model) is True, capsys.readouterr().out
    assert check("14.ex3", padded(model)) is False
    assert "at most 30,000 are allowed" in " ".join(capsys.readouterr().out.split())
    assert check("14.ex3", _LooksAhead(lesson["CharLSTM"](embed=16, hidden=48))) is False
    assert "it looks ahead" in " ".join(capsys.readouterr().out.split())
    torch.manual_seed(0)
    assert check("14.ex3", lesson["CharLSTM"](embed=16, hidden=64)) is False
    assert "nats per character" in " ".join(capsys.readouterr().out.split())
    assert check("14.ex3", _LastOnly(model)) is False
    assert "should return shape (48, 128, 65)" in " ".join(capsys.readouterr().out.split())
    assert check("14.ex3", "a model") is False


def test_the_graded_loss_is_the_lessons_cross_entropy(lesson):
    [case] = MODEL.make_cases(SECRET, "alan")
    inputs, (targets, cuts) = case.args[0], case.expected
    with torch.no_grad():
        outputs = lesson["small_char_model"](torch.as_tensor(inputs))
    scored = outputs[: charlm_judge.SCORED]
    ours = labkit.text.sequence_cross_entropy(scored, torch.as_tensor(targets))
    graded = charlm_judge.graded_loss(outputs.numpy(), targets, cuts)
    assert graded == pytest.approx(ours.item(), abs=1e-5)
    assert charlm_judge.look_ahead(outputs.numpy(), cuts) < 1e-4


def test_cases_are_new_validation_windows_for_each_student():
    [ada] = MODEL.make_cases(SECRET, "ada")
    [grace] = MODEL.make_cases(SECRET, "grace")
    inputs, (targets, cuts) = ada.args[0], ada.expected
    assert inputs.dtype == np.int64 and inputs.shape == MODEL.model_input == (48, 128)
    assert MODEL.model_dtype == "int64"
    assert not np.array_equal(inputs, grace.args[0])
    val = charlm_judge.validation_ids()
    text = "".join(map(chr, val + 32))  # any one-to-one map: find each window in the text
    for row, target in zip(inputs[:40], targets, strict=True):
        assert "".join(map(chr, np.append(row, target[-1]) + 32)) in text
        assert np.array_equal(row[1:], target[:-1])
    edges = np.linspace(0, 127, 9).astype(int)
    for k, cut in enumerate(cuts):  # one cut in each eighth; the probe differs right after it
        assert edges[k] <= cut < edges[k + 1]
        assert np.array_equal(inputs[40 + k, : cut + 1], inputs[k, : cut + 1])
        assert inputs[40 + k, cut + 1] != inputs[k, cut + 1]


def test_hostile_outputs_score_nothing_and_never_crash():
    inputs, targets, cuts = charlm_judge.graded_windows(np.random.default_rng(5))
    truth = (targets, cuts)
    shape = (48, 128, 65)
    nan = np.zeros(shape, dtype=np.float32)
    nan[0, 0, 0] = np.nan
    junk = (nan, np.zeros((48, 128, 64)), [[1, "a"]], None, np.full(shape, np.inf), "text")
    for outputs in junk:
        assert charlm_judge.graded_loss(outputs, *truth) == np.inf
        assert MODEL.judge((outputs, 1000), truth) is False
    huge = np.full(shape, 3e38, dtype=np.float32)  # finite: a uniform guess, ln 65
    assert charlm_judge.graded_loss(huge, *truth) == pytest.approx(np.log(65))
    perfect = np.where(np.eye(65, dtype=bool)[targets], 50.0, 0.0).astype(np.float32)
    cheat = np.zeros(shape, dtype=np.float32)
    cheat[:40] = perfect  # right on the scored rows, but the probes disagree with them
    assert charlm_judge.graded_loss(cheat, *truth) == np.inf
    for got in ("junk", (None, None), (np.zeros(shape), "1000"), (np.zeros(shape), 0)):
        assert MODEL.judge(got, truth) is False
