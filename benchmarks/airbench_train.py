"""airbench94's recipe (``airbench.py``) trained two ways: with ``labkit.fit``, and by hand.

Read the two functions side by side: :func:`airbench_with_labkit` gives ``fit`` the recipe
as a loss and callbacks; :func:`airbench_by_hand` is the loop airbench itself writes (data
on the device, no DataLoader, every step spelled out). Started from the same weights, they
see the same batches in the same order with the same augmentations, and compute the same
losses (``benchmarks/bench_gpu.py`` checks it batch by batch): so their times per epoch
compare the loops, nothing else.
"""

from __future__ import annotations

import time

import airbench
import torch
from airbench import AirbenchRecipe
from torch import nn

import labkit
from labkit.train import TrainState
from labkit.train.batches import epoch_generator

__all__ = [
    "SEED",
    "clock",
    "EpochTimer",
    "LossRecorder",
    "airbench_with_labkit",
    "airbench_by_hand",
]

SEED = 0  # decides fit's batch order; the hand-written loop replays it


def clock(device: torch.device) -> float:
    """``time.perf_counter()`` once the device has finished the work queued on it."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter()


class EpochTimer(labkit.Callback):
    """The seconds of every epoch of a ``fit`` run, each from the end of the one before (or
    the start of training), so that every callback's work at epoch ends and starts counts."""

    order = 100  # last: after every other callback's end-of-epoch work

    def on_train_begin(self, state: TrainState) -> None:
        self.seconds: list[float] = []
        self.last = clock(state.device.torch_device)

    def on_epoch_end(self, state: TrainState, logs: dict[str, float]) -> None:
        now = clock(state.device.torch_device)
        self.seconds.append(now - self.last)
        self.last = now


class LossRecorder(nn.Module):
    """A loss function that also keeps each batch's loss per image (on its device, so
    keeping it costs no wait for the GPU), to compare two loops batch by batch."""

    def __init__(self, loss_fn: nn.Module) -> None:
        super().__init__()
        self.loss_fn = loss_fn
        self.losses: list[torch.Tensor] = []

    def forward(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        loss = self.loss_fn(outputs, targets)
        self.losses.append(loss.detach().float() / len(targets))
        return loss


def _optimizer_schedule_and_loss(
    model: nn.Module, recipe: AirbenchRecipe, total_steps: int
) -> tuple[torch.optim.SGD, torch.optim.lr_scheduler.LambdaLR, LossRecorder]:
    """What both loops train with: airbench's optimizer, its per-step learning-rate
    schedule, and its label-smoothed loss summed over the batch (recorded)."""
    optimizer = airbench.airbench_optimizer(model, recipe)
    factor = airbench.triangle_schedule(total_steps)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
    loss = nn.CrossEntropyLoss(label_smoothing=recipe.label_smoothing, reduction="sum")
    return optimizer, schedule, LossRecorder(loss)


def airbench_with_labkit(
    model: nn.Module, X, y, recipe: AirbenchRecipe, *, epochs: int, device: str, compile: bool
) -> dict:
    """The recipe as ``fit``'s options: the schedule, lookahead and whitening bias are
    callbacks; bf16, channels-last (fit's default) and ``compile`` are speed options.
    Returns each epoch's seconds and each batch's loss per image."""
    total_steps = epochs * airbench.steps_per_epoch(len(X), recipe.batch_size)
    optimizer, schedule, loss_fn = _optimizer_schedule_and_loss(model, recipe, total_steps)
    timer = EpochTimer()
    labkit.fit(
        model,
        (X, y),
        epochs=epochs,
        batch_size=recipe.batch_size,
        optimizer=optimizer,
        loss_fn=loss_fn,
        device=device,
        precision="bf16",
        seed=SEED,
        progress=False,
        callbacks=[
            labkit.LearningRateSchedule(schedule, interval="step"),
            airbench.Lookahead(recipe),
            airbench.TrainWhiteningBias(model, recipe.whiten_bias_epochs),
            timer,
        ],
        speed=labkit.SpeedOptions(compile=compile),
    )
    return {"epoch_seconds": timer.seconds, "losses": loss_fn.losses}


def airbench_by_hand(
    model: nn.Module, X, y, recipe: AirbenchRecipe, *, epochs: int, device: str, compile: bool
) -> dict:
    """The recipe in airbench's own style: data on the device, one plain loop, bf16
    autocast, channels-last. Returns each epoch's seconds and each batch's loss per image."""
    dev = torch.device(device)
    model.to(dev, memory_format=torch.channels_last)
    X = X.contiguous(memory_format=torch.channels_last).to(dev)
    y = y.to(dev)
    total_steps = epochs * airbench.steps_per_epoch(len(X), recipe.batch_size)
    optimizer, schedule, loss_fn = _optimizer_schedule_and_loss(model, recipe, total_steps)
    net = torch.compile(model) if compile else model
    whitening_bias = airbench.whitening_conv(model).bias
    assert whitening_bias is not None  # airbench_net gives the whitening conv a bias
    average, step, epoch_seconds = None, 0, []
    for epoch in range(epochs):
        start = clock(dev)
        whitening_bias.requires_grad = epoch < recipe.whiten_bias_epochs
        model.train()
        # fit's batch order, so that both loops see the same batches
        order = torch.randperm(len(X), generator=epoch_generator(SEED, epoch)).to(dev)
        for first in range(0, len(X), recipe.batch_size):
            index = order[first : first + recipe.batch_size]
            with torch.autocast(dev.type, dtype=torch.bfloat16):
                loss = loss_fn(net(X[index]), y[index])
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            schedule.step()
            step += 1
            if airbench.lookahead_due(step, epoch, recipe):
                if average is None:
                    average = airbench.LookaheadAverage(model)
                else:
                    average.update(model, airbench.lookahead_decay(step, total_steps, recipe))
        if average is not None:
            average.update(model, decay=1.0)  # the epoch ends on the average
        epoch_seconds.append(clock(dev) - start)
    return {"epoch_seconds": epoch_seconds, "losses": loss_fn.losses}
