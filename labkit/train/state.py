"""The state of one training run, handed to every callback hook.

Callbacks read what they need from it (the model, the history, the epoch) and may set
``state.stop_training = True`` to end training after the current step or epoch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import torch
from torch import nn

from labkit.device import DeviceChoice
from labkit.train.history import History

if TYPE_CHECKING:  # callbacks.py imports this module, so only the type checker imports it
    from labkit.train.callbacks import Callback

__all__ = ["TrainState"]


@dataclass
class TrainState:
    """Everything a callback may look at or change during :func:`labkit.fit`.

    Attributes
    ----------
    model, optimizer, scaler
        The objects being trained (the gradient scaler is disabled unless training in fp16).
    device : DeviceChoice
        Where and in which precision training runs.
    history : History
        Finished epochs' metrics.
    epochs : int
        Total number of epochs planned.
    steps_per_epoch : int or None
        Batches per epoch (None for a DataLoader without a length).
    seed : int
        Seeds each epoch's batch order.
    epoch : int
        Epochs completed so far (0 before the first one ends).
    step : int
        Optimizer steps taken so far, over all epochs.
    stop_training : bool
        Set to True by a callback to stop early.
    callbacks : list
        The callbacks of this run, in the order they are called (a checkpoint saves their state).
    """

    model: nn.Module
    optimizer: torch.optim.Optimizer
    scaler: torch.amp.GradScaler
    device: DeviceChoice
    history: History
    epochs: int
    steps_per_epoch: int | None
    seed: int
    epoch: int = 0
    step: int = 0
    stop_training: bool = False
    callbacks: list[Callback] = field(default_factory=list)
