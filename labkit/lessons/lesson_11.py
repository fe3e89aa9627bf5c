"""Lesson 11 (segmentation): exercises and expected results.

- ``11.ex1``: ``mask_iou(predicted, target, n_classes)``, the intersection over union of
  each class between two maps of class numbers, ``None`` for a class absent from both.
  Graded on maps of 1 to 4 rows given as nested lists: a perfect prediction, a class only
  predicted, a class only true, a class absent from both, a prediction that is all one
  class, and random maps.
- ``11.ex2``: ``shift_experiment``, an experiment with exact answers: the test scenes' true
  maps moved one pixel to the right, scored against themselves, mean IoU of the four shapes
  at 32 and at 64 pixels (0.7151 and 0.8436: counts of pixels of seeded scenes, the same on
  every machine), then why the smaller maps lose more and what that says about the skips.
- ``11.ex3``: ``segmentation_choices``, a judgement: semantic or instance segmentation,
  and which metric, for four tasks.
- ``11.ex4``: the quiz.
"""

from __future__ import annotations

import numpy as np

from labkit.exercises.declare import Example, Exercise, Expect, Mistake
from labkit.exercises.questions import Question

__all__ = ["EXERCISES", "EXPECTATIONS"]


# ---------------------------------------------------------------- 11.ex1: mask_iou
def mask_iou(predicted, target, n_classes):
    """Per class: pixels in both maps over pixels in either; None where the class is in neither."""
    predicted, target = np.asarray(predicted), np.asarray(target)
    ious = []
    for c in range(n_classes):
        union = np.sum((predicted == c) | (target == c))
        both = np.sum((predicted == c) & (target == c))
        ious.append(float(both / union) if union else None)
    return ious


def _iou_inputs(rng: np.random.Generator) -> list[tuple]:
    """Six (predicted, target, n_classes) sets as nested lists, with the task's edge cases."""

    def random_map(rows: int, cols: int, k: int) -> np.ndarray:
        return rng.integers(0, k, size=(rows, cols))

    sets = []
    k = int(rng.integers(3, 6))
    target = random_map(int(rng.integers(2, 5)), int(rng.integers(3, 7)), k)
    sets.append((target, target.copy(), k))  # perfect: every present class scores 1
    # The last class never appears anywhere: None for it.
    k = int(rng.integers(3, 6))
    predicted, target = random_map(3, 5, k - 1), random_map(3, 5, k - 1)
    sets.append((predicted, target, k))
    # A class only in the prediction (IoU 0) and one only in the target (IoU 0).
    k = 4
    target = random_map(3, 6, 2)
    predicted = target.copy()
    predicted[0, : int(rng.integers(1, 4))] = 2  # class 2 predicted, never true
    target[-1, -int(rng.integers(1, 4)) :] = 3  # class 3 true, never predicted
    sets.append((predicted, target, k))
    # Everything predicted as background.
    k = int(rng.integers(2, 5))
    target = random_map(int(rng.integers(2, 5)), int(rng.integers(2, 8)), k)
    sets.append((np.zeros_like(target), target, k))
    # Random maps, one of them a single row.
    for rows in (1, int(rng.integers(3, 6))):
        k = int(rng.integers(2, 6))
        cols = int(rng.integers(4, 9))
        sets.append((random_map(rows, cols, k), random_map(rows, cols, k), k))
    return [(p.tolist(), t.tolist(), k) for p, t, k in sets]


def _iou_absent_as_zero(predicted, target, n_classes):
    return [0.0 if v is None else v for v in mask_iou(predicted, target, n_classes)]


def _iou_over_target(predicted, target, n_classes):  # recall: the union replaced by the truth
    predicted, target = np.asarray(predicted), np.asarray(target)
    out = []
    for c in range(n_classes):
        size = np.sum(target == c)
        if not np.any((predicted == c) | (target == c)):
            out.append(None)
        else:
            out.append(float(np.sum((predicted == c) & (target == c)) / size) if size else 0.0)
    return out


def _iou_pixel_accuracy(predicted, target, n_classes):  # one number copied for every class
    share = float(np.mean(np.asarray(predicted) == np.asarray(target)))
    return [None if v is None else share for v in mask_iou(predicted, target, n_classes)]


def _iou_dice(predicted, target, n_classes):  # the Dice coefficient, 2|A∩B| / (|A| + |B|)
    return [None if v is None else 2 * v / (1 + v) for v in mask_iou(predicted, target, n_classes)]


EXERCISES = [
    Exercise(
        id="11.ex1",
        name="mask_iou",
        points=3,
        reference=mask_iou,
        examples=[
            Example(
                ([[0, 1, 1], [0, 1, 1]], [[0, 0, 1], [0, 1, 1]], 2),
                "background: 2 shared of 3 pixels; class 1: 3 shared of 4",
            ),
            Example(([[0, 1], [2, 2]], [[0, 1], [2, 2]], 3), "a perfect prediction: 1 for each"),
            Example(
                ([[0, 0], [1, 1]], [[0, 0], [0, 1]], 3),
                "class 2 is in neither map: None, not 0 or 1",
            ),
            Example(
                ([[0, 2, 2, 0]], [[0, 1, 1, 0]], 3), "classes 1 and 2 swapped: 0 for both of them"
            ),
        ],
        inputs=_iou_inputs,
        mistakes=[
            Mistake(
                _iou_pixel_accuracy,
                "That is the pixel accuracy, the same for every class: count each class's "
                "own intersection and union.",
            ),
            Mistake(
                _iou_over_target,
                "That divides by the class's true pixels: the union also counts the pixels "
                "predicted as the class where it is not.",
            ),
            Mistake(
                _iou_dice,
                "That is the Dice coefficient 2|A∩B| / (|A| + |B|): divide by the union |A∪B|.",
            ),
            Mistake(
                _iou_absent_as_zero,
                "A class that is in neither map has no IoU: give None for it, so that it is "
                "left out of the mean.",
            ),
        ],
    ),
    Exercise(
        id="11.ex2",
        name="shift_experiment",
        points=3,
        kind="questions",
        questions=[
            Question(
                0.72,
                decimals=2,
                hint="moved[:, :, 1:] = maps[:, :, :-1] on the maps of load_scenes('test', "
                "size=32), then iou_per_class(moved, maps)[1:].mean().",
            ),
            Question(0.84, decimals=2, hint="The same with size=64."),
            Question(
                "a",
                choices="abcd",
                hint="A shape 10 pixels wide loses a tenth of its pixels to a one-pixel shift; "
                "how wide is it at half the resolution?",
            ),
            Question(
                "b",
                choices="abcd",
                hint="Section 5's figure: where do the networks without skips go wrong?",
            ),
        ],
    ),
    Exercise(
        id="11.ex3",
        name="segmentation_choices",
        points=3,
        kind="questions",
        questions=[
            Question(
                "b",
                choices="abcd",
                hint="Does the task need to tell one cell from the next when they touch?",
            ),
            Question(
                "a",
                choices="abcd",
                hint="Road, pavement, sky: are these countable things, or regions?",
            ),
            Question(
                "c",
                choices="abcd",
                hint="Section 2: what does pixel accuracy reward when one class covers most "
                "of the image?",
            ),
            Question(
                "d",
                choices="abcd",
                hint="Section 6: what does a semantic map do with two touching objects of one "
                "class?",
            ),
        ],
    ),
    Exercise(
        id="11.ex4",
        name="quiz",
        points=4,
        kind="questions",
        questions=[
            Question(
                0.25, decimals=2, hint="Intersection: 1 pixel; union: the 4 pixels in either."
            ),
            Question("b", choices="abcd", hint="Section 2: what did always background score?"),
            Question("c", choices="abcd", hint="Section 3: what reaches the decoder without them?"),
            Question(
                5,
                hint="The last layer gives one score per class and pixel: background and four "
                "shapes.",
            ),
            Question("a", choices="abcd", hint="Section 6: one region or two?"),
            Question("d", choices="abcd", hint="Section 7: what does each detected box get?"),
            Question(
                "b", choices="abcd", hint="Section 7: at 0.5, a mask must overlap its match by…"
            ),
            Question("c", choices="abcd", hint="The summary's history: who, where and when."),
        ],
    ),
]

NOTHING_FOUND = "always background: no shape found (mean IoU 0.171 on the test scenes)"
EXPECTATIONS = [
    # The trap of section 2: a model that finds nothing gets 85.6 % of the test pixels right.
    # It is a fact about the data, asserted so that the prose stays true.
    Expect(
        "background_pixel_accuracy",
        smoke=0.80,
        default=0.80,
        baseline=0.0,
        baseline_is="(the trap itself: the background's share of the test pixels)",
    ),
    Expect(
        "iou_max_abs_difference",
        smoke=1e-6,
        default=1e-6,
        baseline=1.0,
        baseline_is="an IoU computed differently: differences as large as the IoUs",
        higher_is_better=False,
    ),
    Expect(
        "background_mean_iou",
        smoke=0.15,
        default=0.15,
        baseline=0.0,
        baseline_is="(the baseline of the segmenters: the background's IoU over five classes)",
    ),
    # The two arms: the same encoder-decoder, data, epochs and optimizer; only the skips differ.
    # Measured (seeds 0-2, 12 epochs, 32-pixel scenes): 0.326 without and 0.542 with skips
    # (Intel AVX-512 code path; AMD AVX2: 0.308 and 0.550).
    Expect("plain_mean_iou", smoke=None, default=0.22, baseline=0.1712, baseline_is=NOTHING_FOUND),
    Expect("skip_mean_iou", smoke=None, default=0.45, baseline=0.1712, baseline_is=NOTHING_FOUND),
    # The effect: skips minus no skips, mean and least lucky seed (0.216 and 0.172 measured;
    # AMD AVX2: 0.242 and 0.160;
    # 0.19 to 0.30 in the calibration runs). A one-epoch smoke run shows nothing.
    Expect(
        "skip_gain",
        smoke=None,
        default=0.12,
        baseline=0.0,
        baseline_is="no gain: skips no better than the bottleneck alone",
    ),
    Expect(
        "skip_gain_min",
        smoke=None,
        default=0.06,
        baseline=0.0,
        baseline_is="no gain for the least lucky seed",
    ),
    # Mask R-CNN after 3 epochs of batches of 8 (0.890 measured).
    Expect(
        "mask_map50",
        smoke=None,
        default=0.75,
        baseline=0.0,
        baseline_is="a model that detects nothing",
    ),
]
