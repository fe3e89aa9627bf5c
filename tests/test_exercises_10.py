"""Lesson 10's model exercise (10.ex5): the reference detector passes, wrong models fail,
hostile outputs score nothing, and the grader decodes exactly as the lesson teaches.

The notebook's cells up to ``train_ssd`` run once, in smoke mode, in a namespace of their
own; then the reference solution cell (about 10 s of training on one core).
"""

import os

import numpy as np
import pytest
import torch
from graded_support import SECRET, STUDENTS, padded, passes, smoke_namespace
from torch import nn
from torchvision.ops import box_iou

import labkit
from labkit.exercises import detection_judge
from labkit.lessons import exercises_for
from labkit.paths import lesson_sources
from labkit.selfcheck import check

MODEL = {exercise.id: exercise for exercise in exercises_for("10")}["10.ex5"]
LAST_SETUP_CELL = "l10-028"  # train_ssd
DETECT_CELL = "l10-034"  # ssd_detect: decoding and NMS, section 6


@pytest.fixture(scope="module")
def lesson() -> dict:
    """The namespace of the notebook's cells up to train_ssd (smoke mode) and of its
    ssd_detect, then 10.ex5's reference solution."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    [notebook] = [path for path in lesson_sources() if path.name.startswith("10")]
    return smoke_namespace(notebook, LAST_SETUP_CELL, [DETECT_CELL], "10.ex5")


class _ClassesOnly(nn.Module):
    """Answers the 5 class scores per anchor but forgets the offsets: the wrong shape."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)[..., :5]


@pytest.mark.parametrize("student", STUDENTS)
def test_the_reference_detector_passes_every_case(lesson, student):
    assert all(passes(lesson, MODEL, student))


def test_wrong_models_fail(lesson):
    torch.manual_seed(0)
    untrained = lesson["TinySSD"](8).eval()
    for model in (untrained, padded(lesson["small_detector"])):
        assert not any(passes({"small_detector": model}, MODEL, "ada"))


def test_the_public_check_accepts_the_detector_and_explains_mistakes(lesson, capsys):
    detector = lesson["small_detector"]
    assert check("10.ex5", detector) is True, capsys.readouterr().out
    assert check("10.ex5", padded(detector)) is False
    assert "at most 25,000 are allowed" in " ".join(capsys.readouterr().out.split())
    torch.manual_seed(0)
    assert check("10.ex5", lesson["TinySSD"](8)) is False
    assert "mAP@0.5 on 60 new test scenes: 0.0" in " ".join(capsys.readouterr().out.split())
    assert check("10.ex5", _ClassesOnly(detector)) is False
    assert "should return shape (60, 768, 9)" in " ".join(capsys.readouterr().out.split())
    assert check("10.ex5", "a detector") is False


def test_the_grader_decodes_as_the_lesson_does(lesson):
    assert torch.equal(detection_judge.lesson_anchors(), lesson["ANCHORS"])
    images = lesson["X_test"][:8]
    with torch.no_grad():
        raw = lesson["small_detector"](images).numpy()
    ours = detection_judge.detections(raw)
    theirs = lesson["ssd_detect"](lesson["small_detector"], images)
    assert sum(len(found["boxes"]) for found in ours) > 8
    for mine, lesson_found in zip(ours, theirs, strict=True):
        for key in ("boxes", "scores", "labels"):
            assert torch.equal(mine[key], lesson_found[key]), key


def test_cases_are_new_test_scenes_for_each_student():
    [ada] = MODEL.make_cases(SECRET, "ada")
    [grace] = MODEL.make_cases(SECRET, "grace")
    images = ada.args[0]
    assert images.dtype == np.float32 and images.shape == MODEL.model_input == (60, 3, 64, 64)
    assert not np.array_equal(images, grace.args[0])
    lesson_test = labkit.datasets.load_scenes("test").tensors().numpy()
    assert not any(np.array_equal(image, seen) for image in images for seen in lesson_test[:60])
    boxes, labels = ada.expected
    assert len(boxes) == len(labels) == 60
    assert all(len(b) == len(c) for b, c in zip(boxes, labels, strict=True))


def test_hostile_outputs_score_nothing_and_never_crash():
    scenes = labkit.datasets.load_scenes("test", n=3, seed=9)
    truth = (scenes.boxes, scenes.labels)
    shape = (3, 768, 9)
    nan = np.zeros(shape, dtype=np.float32)
    nan[0, 0, 0] = np.nan
    for outputs in (nan, np.zeros((3, 768, 8)), [[1, "a"]], None, np.full(shape, np.inf)):
        assert detection_judge.graded_map50(outputs, *truth) == 0.0
        assert MODEL.judge((outputs, 1000), truth) is False
    huge = np.full(shape, 3e38, dtype=np.float32)  # finite, but overflows once multiplied
    assert 0.0 <= detection_judge.graded_map50(huge, *truth) <= 1.0
    for got in ("junk", (None, None), (np.zeros(shape), "1000"), (np.zeros(shape), 0)):
        assert MODEL.judge(got, truth) is False


def test_perfect_outputs_score_one():
    """Outputs that put each object's class and exact box on its best anchor: mAP 1."""
    scenes = labkit.datasets.load_scenes("test", n=5, seed=3)
    anchors = detection_judge.lesson_anchors()
    raw = np.zeros((5, 768, 9), dtype=np.float32)
    raw[:, :, 0] = 10.0  # every anchor: background
    for i, (boxes, labels) in enumerate(zip(scenes.boxes, scenes.labels, strict=True)):
        boxes = torch.as_tensor(boxes, dtype=torch.float32)
        overlap = box_iou(boxes, anchors)
        for k, anchor in enumerate(overlap.argmax(1).tolist()):
            a, b = anchors[anchor], boxes[k]
            size, target = a[2:] - a[:2], b[2:] - b[:2]
            raw[i, anchor, :5] = 0.0
            raw[i, anchor, labels[k]] = 10.0
            raw[i, anchor, 5:7] = (((b[:2] + b[2:]) - (a[:2] + a[2:])) / 2 / size).numpy()
            raw[i, anchor, 7:] = torch.log(target / size).numpy()
    assert detection_judge.graded_map50(raw, scenes.boxes, scenes.labels) == pytest.approx(1.0)


def test_a_detector_trained_in_channels_last_runs_in_the_judge():
    """labkit.fit trains convolutions in channels_last memory, where the head's permute and
    reshape trace as a view; the judge lays tensors out afresh and must still run it."""
    from labkit.exercises.model_graph import export_model, run_model_file

    class Head(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv2d(3, 27, 3, padding=1, stride=4)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.conv(x).permute(0, 2, 3, 1).reshape(len(x), -1, 9)

    torch.manual_seed(0)
    model = Head().to(memory_format=torch.channels_last).eval()
    x = torch.rand(2, 3, 64, 64)
    [out], _ = run_model_file(export_model(model, torch.zeros(2, 3, 64, 64)), [x.numpy()])
    np.testing.assert_allclose(out, model(x).detach().numpy(), rtol=1e-5, atol=1e-6)
