"""Changing the learning rate as training goes: :class:`LearningRateSchedule`.

A PyTorch scheduler changes the optimizer's learning rate each time its ``step()`` is
called. Most schedules (StepLR, CosineAnnealingLR, ReduceLROnPlateau) count epochs; a few
(OneCycleLR, warm-up schedules for transformers) count optimizer steps. This callback calls
``step()`` at the right moment and keeps the scheduler's state in checkpoints.
"""

from __future__ import annotations

from torch.optim.lr_scheduler import LRScheduler, ReduceLROnPlateau

from labkit.train.callbacks import Callback
from labkit.train.state import TrainState
from labkit.validation import one_of

__all__ = ["LearningRateSchedule"]


class LearningRateSchedule(Callback):
    """Step a ``torch.optim.lr_scheduler`` after every epoch or after every optimizer step.

    Parameters
    ----------
    scheduler : torch.optim.lr_scheduler.LRScheduler
        Built on the optimizer given to :func:`labkit.fit`.
    interval : {"epoch", "step"}, default="epoch"
        When to call ``scheduler.step()``; OneCycleLR needs "step". ReduceLROnPlateau is
        stepped once per epoch with the epoch's ``val_loss`` (or ``loss`` without
        validation data).

    Examples
    --------
    >>> import torch
    >>> model = torch.nn.Linear(2, 1)
    >>> optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    >>> schedule = LearningRateSchedule(torch.optim.lr_scheduler.StepLR(optimizer, 10))
    >>> schedule.interval
    'epoch'
    """

    order = -20  # first: the checkpoint (last) then saves the scheduler after its step

    def __init__(self, scheduler: LRScheduler, *, interval: str = "epoch") -> None:
        if not isinstance(scheduler, LRScheduler):
            raise TypeError(
                "scheduler must be a torch.optim.lr_scheduler object, e.g. "
                "torch.optim.lr_scheduler.StepLR(optimizer, step_size=10). "
                f"Received: scheduler={scheduler!r}"
            )
        self.scheduler = scheduler
        self.interval = one_of("interval", interval, ("epoch", "step"))
        if self.interval == "step" and isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(
                "ReduceLROnPlateau watches an epoch's metric, so it is stepped per epoch. "
                "Received: interval='step'"
            )

    def on_train_begin(self, state: TrainState) -> None:
        if self.scheduler.optimizer is not state.optimizer:
            raise ValueError(
                "The scheduler was built on another optimizer than the one given to fit(), so "
                "it would change a learning rate nobody uses. Build it on fit's optimizer."
            )

    def on_step_end(self, state: TrainState) -> None:
        if self.interval == "step":
            self.scheduler.step()

    def on_epoch_end(self, state: TrainState, logs: dict[str, float]) -> None:
        if self.interval != "epoch":
            return
        if isinstance(self.scheduler, ReduceLROnPlateau):
            self.scheduler.step(logs.get("val_loss", logs["loss"]))
        else:
            self.scheduler.step()

    def state_dict(self) -> dict:
        return {"scheduler": self.scheduler.state_dict()}

    def load_state_dict(self, state: dict) -> None:
        self.scheduler.load_state_dict(state["scheduler"])
