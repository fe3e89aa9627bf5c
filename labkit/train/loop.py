"""The training loop: :func:`fit` (evaluate and predict live in ``evaluation.py``).

One training step is the same five lines you would write by hand::

    out = model(xb); loss = loss_fn(out, yb)    # forward pass (under autocast if enabled)
    loss.backward()                             # gradients
    optimizer.step()                            # update the weights
    optimizer.zero_grad()                       # forget this step's gradients

:func:`fit` adds only what a course needs around it: batches on the right device, mixed
precision (a gradient scaler for fp16), gradient clipping, metrics, callbacks (progress,
early stopping, checkpoints, learning-rate schedules) and a :class:`History`. Everything
that happens once, before the first step, lives in ``setup.py``.

Example
-------
>>> import torch
>>> from torch import nn
>>> X, y = torch.randn(64, 3), torch.randint(0, 2, (64,))
>>> model = nn.Linear(3, 2)
>>> history = fit(model, (X, y), epochs=2, loss_fn=nn.CrossEntropyLoss(),
...               optimizer=torch.optim.SGD(model.parameters(), lr=0.1), progress=False)
>>> history.epochs, sorted(history)
(2, ['loss', 'lr'])
"""

from __future__ import annotations

import os

import torch
from torch import nn

from labkit.device import DeviceChoice
from labkit.train.batches import targets
from labkit.train.callbacks import Callback, run_hook
from labkit.train.checkpoint import load_checkpoint, restore_checkpoint
from labkit.train.distributed import World, sum_over_ranks
from labkit.train.evaluation import evaluate_batches
from labkit.train.history import History
from labkit.train.running import RunningMeans
from labkit.train.setup import DEFAULT_SPEED, Run, SpeedOptions, prepare_run
from labkit.train.types import Data, LossFn, Metric

__all__ = ["fit"]


def fit(
    model: nn.Module,
    train_data: Data,
    val_data: Data | None = None,
    *,
    epochs: int,
    optimizer: torch.optim.Optimizer,
    loss_fn: LossFn,
    batch_size: int = 32,
    metrics: dict[str, Metric] | None = None,
    device: DeviceChoice | str | None = None,
    precision: str | None = None,
    grad_clip: float | None = None,
    callbacks: list[Callback] | None = None,
    progress: bool | str = True,
    seed: int = 0,
    resume_from: str | os.PathLike[str] | None = None,
    speed: SpeedOptions = DEFAULT_SPEED,
) -> History:
    """Train ``model`` on ``train_data`` and return the per-epoch :class:`History`.

    Parameters
    ----------
    model : nn.Module
        Moved to the chosen device (and to channels_last memory for convolutions).
    train_data, val_data : (X, y) tensors or arrays, or a DataLoader
        In-memory pairs are batched by slicing a permutation seeded by ``(seed, epoch)``.
        ``val_data`` is evaluated after every epoch (metrics prefixed ``val_``).
    epochs : int
        Total number of epochs (a resumed run continues up to this number).
    optimizer : torch.optim.Optimizer
        Built on ``model.parameters()``.
    loss_fn : callable
        ``loss_fn(outputs, targets)`` → scalar tensor, e.g. ``nn.CrossEntropyLoss()``.
    batch_size : int, default=32
        Under ``torchrun``, after :func:`labkit.init_distributed`: the whole batch, shared
        among the processes (see :mod:`labkit.train.distributed`).
    metrics : dict of str to callable, default=None
        ``{"acc": labkit.accuracy}``: each maps ``(outputs, targets)`` to a 0-d tensor.
    device : DeviceChoice, {"auto", "cuda", "mps", "cpu"} or None, default=None
        None means "auto" (see :func:`labkit.pick_device`). Its thread count is applied.
    precision : {"fp32", "bf16", "fp16"} or None, default=None
        Overrides the device's default precision.
    grad_clip : float or None, default=None
        Clip the gradients' total norm to this value (after unscaling, in fp16).
    callbacks : list of Callback, default=None
        Added to the defaults: a non-finite-loss guard and what ``progress`` asks for. A
        learning-rate schedule is one: ``callbacks=[LearningRateSchedule(scheduler)]``.
    progress : {True, "bar", "plot", False}, default=True
        True: a progress bar, plus a live plot of the losses in notebooks. "bar" or "plot":
        only that one. False: neither.
    seed : int, default=0
        Decides every epoch's batch order.
    resume_from : path or None, default=None
        A file written by :class:`labkit.Checkpoint`: continue exactly where it stopped.
    speed : SpeedOptions, default=SpeedOptions()
        Rarely changed speed switches: channels_last, compile, log_every.

    Returns
    -------
    History
    """
    run = prepare_run(
        model,
        train_data,
        val_data,
        epochs=epochs,
        optimizer=optimizer,
        loss_fn=loss_fn,
        batch_size=batch_size,
        metrics=metrics,
        device=device,
        precision=precision,
        grad_clip=grad_clip,
        callbacks=callbacks,
        progress=progress,
        seed=seed,
        speed=speed,
    )
    state = run.state
    run_hook(state.callbacks, "reset")  # forget earlier runs, then restore this one's state
    if resume_from is not None:
        restore_checkpoint(load_checkpoint(resume_from), state)
    run_hook(state.callbacks, "on_train_begin", state)
    try:
        while state.epoch < state.epochs and not state.stop_training:
            run_hook(state.callbacks, "on_epoch_begin", state)
            logs = train_one_epoch(run)
            if logs is None:  # cut short by a callback: not a finished epoch, so not recorded
                break
            if run.val_batches is not None:
                logs |= validate(run)
            logs["lr"] = optimizer.param_groups[0]["lr"]
            state.epoch += 1
            state.history.append(logs)
            run_hook(state.callbacks, "on_epoch_end", state, logs)
    finally:
        # Runs however training ends (finished, stopped, interrupted with Ctrl-C or an
        # error), so bars are closed and the best weights restored.
        run_hook(state.callbacks, "on_train_end", state)
    return state.history


def train_one_epoch(run: Run) -> dict[str, float] | None:
    """One pass over the training data; the epoch's mean metrics, or None if stopped early."""
    state = run.state
    model, optimizer, scaler = state.model, state.optimizer, state.scaler
    model.train()
    means = RunningMeans(read_at_once=state.device.device == "cpu")  # nothing to wait for
    for index, (xb, maybe_yb) in enumerate(run.batches.epoch(state.epoch)):
        yb = targets(maybe_yb, "train_data")
        with state.device.autocast():
            out = run.net(xb)
            loss = run.loss_fn(out, yb)
        # With several ranks, DDP averages their gradients: weighting each rank's loss by
        # its share of the batch makes that average the gradient of the whole batch.
        weighted = loss * run.batches.loss_weight(index, len(xb)) if run.world.size > 1 else loss
        scaler.scale(weighted).backward()  # with fp32/bf16 the scaler is disabled: plain backward
        if run.grad_clip is not None:
            scaler.unscale_(optimizer)  # clip the true gradients, not the scaled ones
            nn.utils.clip_grad_norm_(model.parameters(), run.grad_clip)
        scaler.step(optimizer)  # skips the update if fp16 gradients overflowed
        scaler.update()
        optimizer.zero_grad(set_to_none=True)  # frees the gradients' memory until next backward
        state.step += 1
        for callback in run.step_callbacks:  # only those that define on_step_end
            callback.on_step_end(state)
        # Keep the loss on the device: reading it (.item()) would wait for the GPU every step.
        means.add("loss", loss.detach(), len(xb))
        for name, metric in run.metrics.items():
            means.add(name, metric(out.detach(), yb), len(xb))
        if state.step % run.log_every == 0:
            run_hook(state.callbacks, "on_log", state, {"loss": means.mean("loss")})
            if state.stop_training:
                return None
    logs = mean_over_ranks(means, run.world)
    run_hook(state.callbacks, "on_log", state, {"loss": logs["loss"]})
    return None if state.stop_training else logs


def mean_over_ranks(means: RunningMeans, world: World) -> dict[str, float]:
    """The epoch's means over every rank's batches (one process: its own means)."""
    logs = means.means()
    if world.size == 1:
        return logs
    names = list(logs)
    sums = sum_over_ranks(
        [logs[name] * means.counts[name] for name in names] + [means.counts[n] for n in names],
        world,
    )
    return {name: sums[i] / sums[len(names) + i] for i, name in enumerate(names)}


def validate(run: Run) -> dict[str, float]:
    """The validation loss and metrics, named ``val_loss``, ``val_acc``, ..."""
    assert run.val_batches is not None  # fit calls this only with validation data
    scores = evaluate_batches(run.net, run.val_batches, run.loss_fn, run.metrics, run.state.device)
    return {f"val_{name}": value for name, value in scores.items()}
