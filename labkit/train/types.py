"""Names for what the training functions take, so their signatures say what they mean.

>>> import torch
>>> loss: LossFn = torch.nn.CrossEntropyLoss()
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

import numpy as np
import torch
from torch.utils.data import DataLoader

__all__ = ["ArrayOrTensor", "Data", "LossFn", "Metric"]

ArrayOrTensor: TypeAlias = torch.Tensor | np.ndarray
"""Inputs or targets held in memory."""

Data: TypeAlias = (
    tuple[ArrayOrTensor, ArrayOrTensor] | list[ArrayOrTensor] | ArrayOrTensor | DataLoader
)
"""A pair ``(X, y)``, inputs ``X`` alone (for prediction), or a DataLoader."""

LossFn: TypeAlias = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
"""``loss_fn(outputs, targets)`` → a 0-d tensor, e.g. ``nn.CrossEntropyLoss()``."""

Metric: TypeAlias = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
"""``metric(outputs, targets)`` → a 0-d tensor, e.g. :func:`labkit.accuracy`."""
