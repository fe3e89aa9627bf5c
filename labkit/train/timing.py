"""How long a model takes to answer: the median time of one forward pass.

The protocol of lessons 08 and 10: evaluation mode and no gradient bookkeeping (what only
training needs is switched off), one warm-up pass (the first one allocates memory and picks
algorithms), then the median of several passes, which ignores an occasional hiccup of the
machine. A GPU works asynchronously, so the clock is read only after it has finished.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import torch
from torch import nn

from labkit.validation import whole_number

__all__ = ["time_inference"]


def time_inference(model: nn.Module, x: Any, *, runs: int = 20) -> float:
    """Median seconds of one forward pass ``model(x)``, after one warm-up pass.

    Parameters
    ----------
    model : nn.Module
        Timed in evaluation mode, then put back in the mode it was in.
    x : tensor, or whatever the model takes
        One batch: a tensor of one image for the latency of a single frame, or a list of
        image tensors for torchvision's detectors. It should be on the model's device.
    runs : int, default=20
        Timed passes after the warm-up; the median of them is returned.

    Returns
    -------
    float
        Seconds; ``1 / seconds`` is frames per second at this batch size.

    Examples
    --------
    >>> seconds = time_inference(nn.Linear(64, 10), torch.zeros(1, 64), runs=5)
    >>> 0 < seconds < 1
    True
    """
    runs = whole_number("runs", runs, minimum=1)
    device = next(model.parameters(), torch.empty(0)).device
    was_training = model.training
    model.eval()
    times = []
    with torch.inference_mode():
        for _ in range(runs + 1):
            start = time.perf_counter()
            model(x)
            if device.type == "cuda":
                torch.cuda.synchronize(device)  # wait for the GPU before reading the clock
            times.append(time.perf_counter() - start)
    model.train(was_training)
    return float(np.median(times[1:]))
