"""Lesson 10's model exercise scored as a detector: raw anchor outputs, boxes, mAP@0.5.

A detector's exported graph cannot hold non-maximum suppression (it is not one of the
operations :mod:`labkit.exercises.model_graph` allows), and it should not have to: the
learner's network answers every anchor of the lesson's grid, as the lesson's ``TinySSD``
does, and this module does the rest on the grader's side, exactly as section 6 of the
lesson teaches it: softmax over the 5 scores, the offsets decoded on the anchors, scores
under :data:`SCORE_MIN` dropped, NMS per class at :data:`NMS_IOU`, the best
:data:`MAX_DETECTIONS` kept; then mAP@0.5 by COCO's own code (torchmetrics'
``MeanAveragePrecision`` with its pycocotools backend) against the scenes' true boxes.

>>> anchors = lesson_anchors()
>>> tuple(anchors.shape), anchors[:3].tolist()  # the first cell's three anchor sizes
((768, 4), [[-2.0, -2.0, 6.0, 6.0], [-5.0, -5.0, 9.0, 9.0], [-9.0, -9.0, 13.0, 13.0]])
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "IMAGE_SIZE",
    "MAX_DETECTOR_NUMBERS",
    "MIN_DETECTOR_MAP50",
    "GRADED_SCENES",
    "lesson_anchors",
    "detections",
    "map50",
    "graded_map50",
]

IMAGE_SIZE = 64  # the scenes are 64 x 64 pixels
GRID_STRIDE = 4  # a 16 x 16 grid of cells
ANCHOR_SIZES = (8, 14, 22)  # three square anchors per cell, in this order
N_CLASSES = 4  # circle, square, triangle, cross; 0 is the background
N_ANCHORS = (IMAGE_SIZE // GRID_STRIDE) ** 2 * len(ANCHOR_SIZES)
SCORE_MIN = 0.05
NMS_IOU = 0.5
MAX_DETECTIONS = 100
LOG_SIZE_CAP = 4.0  # dw and dh are capped before exp, as the lesson's decode does
# 10.ex5: a sixth of TinySSD's 159 579 weights, and still TinySSD's mAP@0.5 (0.70 over its
# seeds). A TinySSD of width 8 (23 439 numbers) trained for 20 epochs scored 0.77-0.82 on
# sets of 60 new scenes (seeds 0, 1, 2); for the lesson's 7 epochs, 0.38-0.41.
MAX_DETECTOR_NUMBERS = 25_000
MIN_DETECTOR_MAP50 = 0.70
GRADED_SCENES = 60  # new test-split scenes per student (the reply stays under 10 MB)


def lesson_anchors():
    """The lesson's 768 anchors as a float32 tensor ``(768, 4)`` of ``x1, y1, x2, y2``:
    cell by cell, row by row, then size by size (what ``make_anchors()`` returns)."""
    import torch

    centres = (torch.arange(IMAGE_SIZE // GRID_STRIDE) + 0.5) * GRID_STRIDE
    cy, cx = torch.meshgrid(centres, centres, indexing="ij")
    xy = torch.stack([cx, cy], -1).reshape(-1, 1, 2)
    half = torch.tensor(ANCHOR_SIZES, dtype=torch.float32).reshape(1, -1, 1) / 2
    return torch.cat([xy - half, xy + half], -1).reshape(-1, 4)


def detections(outputs: np.ndarray) -> list[dict]:
    """One dict per image (``boxes``, ``scores``, ``labels`` as tensors) from raw outputs of
    shape ``(images, 768, 9)``: per anchor 5 class scores, then ``dx, dy, dw, dh``.

    >>> raw = np.zeros((1, 768, 9), dtype=np.float32)
    >>> raw[0, :, 0] = 10.0  # every anchor is sure it sees background ...
    >>> raw[0, 0, :2] = 0.0, 10.0  # ... but anchor 0, sure of a circle, exactly where it is
    >>> found = detections(raw)[0]
    >>> found["labels"].tolist(), found["boxes"].tolist()  # clamped to the image
    ([1], [[0.0, 0.0, 6.0, 6.0]])
    """
    import torch
    from torchvision.ops import batched_nms

    anchors = lesson_anchors()
    centres, sizes = (anchors[:, :2] + anchors[:, 2:]) / 2, anchors[:, 2:] - anchors[:, :2]
    found = []
    for out in torch.as_tensor(np.asarray(outputs, dtype=np.float32)):
        scores = out[:, : N_CLASSES + 1].softmax(-1)[:, 1:].flatten()  # anchor, then class
        labels = torch.arange(1, N_CLASSES + 1).repeat(len(out))
        offsets = out[:, N_CLASSES + 1 :]
        centre = centres + offsets[:, :2] * sizes
        size = sizes * torch.exp(offsets[:, 2:].clamp(max=LOG_SIZE_CAP))
        boxes = torch.cat([centre - size / 2, centre + size / 2], 1).clamp(0, IMAGE_SIZE)
        boxes = boxes.repeat_interleave(N_CLASSES, 0)
        kept = scores >= SCORE_MIN
        boxes, scores, labels = boxes[kept], scores[kept], labels[kept]
        best = batched_nms(boxes, scores, labels, NMS_IOU)[:MAX_DETECTIONS]
        found.append({"boxes": boxes[best], "scores": scores[best], "labels": labels[best]})
    return found


def map50(outputs: np.ndarray, boxes: list, labels: list) -> float:
    """mAP@0.5 (COCO's code) of the raw ``outputs`` against each image's true ``boxes``
    ``(k, 4)`` and ``labels`` ``(k,)``."""
    import torch
    from torchmetrics.detection import MeanAveragePrecision

    metric = MeanAveragePrecision(backend="pycocotools", iou_thresholds=[0.5])
    truths = [
        {"boxes": torch.as_tensor(b, dtype=torch.float32), "labels": torch.as_tensor(c)}
        for b, c in zip(boxes, labels, strict=True)
    ]
    metric.update(detections(outputs), truths)
    return float(metric.compute()["map"])


def graded_map50(outputs: object, boxes: list, labels: list) -> float:
    """:func:`map50` of outputs the grader cannot trust: 0.0 unless they are finite numbers
    of shape ``(len(boxes), 768, 9)``.

    >>> graded_map50("junk", [np.zeros((1, 4))], [np.ones(1)])
    0.0
    """
    try:
        array = np.asarray(outputs, dtype=np.float32)
    except (TypeError, ValueError, OverflowError):
        return 0.0
    expected = (len(boxes), N_ANCHORS, N_CLASSES + 5)
    if array.shape != expected or not np.isfinite(array).all():
        return 0.0
    return map50(array, boxes, labels)
