"""Lesson 17's own tests: the tracking exercises against the notebook's tracker.

- The experiment 17.ex3 holds the ID switches that section 7's tracker (run from the source's
  own cells) makes on the 100 scenes of seed 17, and most switches at threshold 0.7 are new tracks.
- The reference of 17.ex1 counts the same switches as the notebook's ``id_switches``.
- The reference of 17.ex2 gives a greedy matching on every graded input: each row and column at
  most once, every pair at or above the threshold, in non-increasing IoU, and no pair left over.
- The quiz's numeric answers hold the numbers they stand for.
"""

import numpy as np
import pytest
import torch
import torchvision
from graded_support import SECRET, STUDENTS
from scipy.optimize import linear_sum_assignment

from labkit.lessons import exercises_for
from labkit.paths import lesson_sources

EXERCISES = {exercise.id: exercise for exercise in exercises_for("17")}
SWITCHES, GREEDY, EXPERIMENT, QUIZ = (EXERCISES[f"17.ex{k}"] for k in (1, 2, 3, 5))
[NOTEBOOK] = [path for path in lesson_sources() if path.name.startswith("17")]
TRACKING = ("def box_iou", "def make_scene", "def detect", "def match", "def track(",
            "def id_switches", "def crossing")  # fmt: skip


@pytest.fixture(scope="module")
def tracker():
    """The notebook's tracking functions, defined by its own cells."""
    import nbformat

    namespace = {"np": np, "torch": torch, "torchvision": torchvision, "IOU_THRESHOLD": 0.3,
                 "MAX_AGE": 3, "N_SCENES": 200, "SEED": 0,
                 "linear_sum_assignment": linear_sum_assignment}  # fmt: skip
    for cell in nbformat.read(NOTEBOOK, 4).cells:
        if cell.cell_type == "code" and cell.source.startswith(TRACKING):
            exec(cell.source.split("\n\n\nrng =")[0], namespace)  # the definitions only
    return namespace


def test_the_experiments_answers_are_the_trackers_counts(tracker):
    scenes = tracker["make_scenes"](17, n=100)

    def found(threshold, predict):
        return [
            s for one in tracker["score"](scenes, threshold=threshold, predict=predict) for s in one
        ]

    answers = [q.answer for q in EXPERIMENT.questions]
    assert answers[:3] == [len(found(0.3, False)), len(found(0.3, True)), len(found(0.5, True))]
    at_07 = found(0.7, False)
    assert answers[3] == "b" and sum(kind == "new" for _, _, kind, _ in at_07) > len(at_07) / 2


def test_count_id_switches_counts_what_the_notebook_counts(tracker):
    for _, scene in tracker["make_scenes"](3, n=30):
        for predict in (False, True):
            ids = tracker["track"](scene, threshold=0.4, predict=predict)
            frames = [[[int(o), int(t)] for o, t in zip(objects, assigned, strict=True)]
                      for (_, objects), assigned in zip(scene, ids, strict=True)]  # fmt: skip
            assert SWITCHES.reference(frames) == len(tracker["id_switches"](scene, ids))


@pytest.mark.parametrize("student", STUDENTS)
def test_greedy_match_is_a_greedy_matching_on_the_graded_inputs(student):
    for case in GREEDY.make_cases(SECRET, student):
        overlap, threshold = case.args
        pairs, overlap = GREEDY.reference(overlap, threshold), np.array(overlap)
        rows, cols = [r for r, _ in pairs], [c for _, c in pairs]
        assert len(set(rows)) == len(rows) and len(set(cols)) == len(cols)
        values = [overlap[r, c] for r, c in pairs]
        assert all(v >= threshold for v in values) and values == sorted(values, reverse=True)
        left = np.delete(np.delete(overlap, rows, axis=0), cols, axis=1)
        assert left.size == 0 or left.max() < threshold


def test_the_quizs_numbers(tracker):
    answers = [q.answer for q in QUIZ.questions]
    assert answers[0] == 8 * 16 * 3 * 32 * 32
    assert answers[1] == 16 - 1
    iou = tracker["box_iou"](np.array([[0.0, 0, 10, 10]]), np.array([[2.0, 0, 12, 10]]))[0, 0]
    assert answers[6] == round(iou, 2)
