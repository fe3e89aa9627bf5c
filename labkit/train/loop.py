"""The training loop: :func:`fit` (evaluate and predict live in ``evaluation.py``).

One training step is the same five lines you would write by hand::

    out = model(xb); loss = loss_fn(out, yb)    # forward pass (under autocast if enabled)
    loss.backward()                             # gradients
    optimizer.step()                            # update the weights
    optimizer.zero_grad()                       # forget this step's gradients

:func:`fit` adds only what a course needs around it: batches on the right device, mixed
precision (a gradient scaler for fp16), gradient clipping, a learning-rate schedule,
metrics, callbacks (progress, early stopping, checkpoints) and a :class:`History`.

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

import dataclasses
import os
from collections.abc import Callable

import torch
from torch import nn

from labkit.device import DeviceChoice, choose_device, read_capabilities
from labkit.train import checks
from labkit.train.batches import LoaderBatches, TensorBatches, make_batches
from labkit.train.callbacks import Callback, NonFiniteGuard, run_hook
from labkit.train.checkpoint import load_checkpoint, restore_checkpoint
from labkit.train.evaluation import Metric, evaluate_batches
from labkit.train.history import History
from labkit.train.progress import LivePlot, ProgressBar, in_notebook
from labkit.train.running import RunningMeans
from labkit.train.state import TrainState

__all__ = ["fit"]


def fit(
    model: nn.Module,
    train_data: object,
    val_data: object = None,
    *,
    epochs: int,
    optimizer: torch.optim.Optimizer,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    batch_size: int = 32,
    metrics: dict[str, Metric] | None = None,
    device: DeviceChoice | str | None = None,
    precision: str | None = None,
    scheduler: object = None,
    scheduler_interval: str = "epoch",
    grad_clip: float | None = None,
    callbacks: list[Callback] | None = None,
    progress: bool = True,
    channels_last: bool = True,
    compile: bool = False,
    seed: int = 0,
    log_every: int = 50,
    resume_from: str | os.PathLike | None = None,
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
    metrics : dict of str to callable, default=None
        ``{"acc": labkit.accuracy}``: each maps ``(outputs, targets)`` to a 0-d tensor.
    device : DeviceChoice, {"auto", "cuda", "mps", "cpu"} or None, default=None
        None means "auto" (see :func:`labkit.pick_device`).
    precision : {"fp32", "bf16", "fp16"} or None, default=None
        Overrides the device's default precision.
    scheduler : a torch.optim.lr_scheduler object, default=None
    scheduler_interval : {"epoch", "batch"}, default="epoch"
        When to call ``scheduler.step()``; OneCycleLR needs "batch".
        ReduceLROnPlateau is stepped with the epoch's ``val_loss`` (or ``loss``).
    grad_clip : float or None, default=None
        Clip the gradients' total norm to this value (after unscaling, in fp16).
    callbacks : list of Callback, default=None
        Added to the defaults: a non-finite-loss guard, and with ``progress`` a progress bar
        (plus a live plot in notebooks).
    progress : bool, default=True
    channels_last : bool, default=True
        Store 4-D image batches and convolution weights as NHWC (faster here).
    compile : bool, default=False
        Run the forward pass through ``torch.compile`` (slower to start; helps on GPUs).
    seed : int, default=0
        Decides every epoch's batch order.
    log_every : int, default=50
        Steps between reads of the running loss (each read waits for the device).
    resume_from : path or None, default=None
        A file written by :class:`labkit.Checkpoint`: continue exactly where it stopped.

    Returns
    -------
    History
    """
    choice = _resolve_device(device, precision)
    for name, value in (("epochs", epochs), ("batch_size", batch_size), ("log_every", log_every)):
        checks.check_count(name, value)
    checks.check_optimizer(optimizer, model)
    _check_options(grad_clip, scheduler_interval)
    metrics = dict(metrics or {})

    dev = choice.torch_device
    if channels_last:  # affects only 4-D (convolution) weights; others stay as they are
        model.to(dev, memory_format=torch.channels_last)
    else:
        model.to(dev)
    batch_args = {"device": dev, "channels_last": channels_last}
    batches = make_batches(train_data, batch_size, shuffle=True, seed=seed, **batch_args)
    val_batches = None
    if val_data is not None:
        val_batches = make_batches(
            val_data, 4 * batch_size, shuffle=False, name="val_data", **batch_args
        )
    for label, data in (("train_data", batches), ("val_data", val_batches)):
        if isinstance(data, TensorBatches):
            checks.check_pair(data.X, data.y, label)
            checks.check_model_and_targets(model, loss_fn, data.X, data.y, label)
    net = torch.compile(model) if compile else model

    state = TrainState(
        model=model,
        optimizer=optimizer,
        scaler=torch.amp.GradScaler(choice.device, enabled=choice.uses_grad_scaler),
        scheduler=scheduler,
        device=choice,
        history=History(),
        epochs=epochs,
        steps_per_epoch=_length(batches),
        seed=seed,
    )
    state.callbacks = _arrange_callbacks(callbacks, progress)
    run_hook(state.callbacks, "on_train_begin", state)
    try:
        if resume_from is not None:
            restore_checkpoint(load_checkpoint(resume_from), state)
        for _ in range(state.epoch, epochs):
            run_hook(state.callbacks, "on_epoch_begin", state)
            logs = _train_one_epoch(
                net, batches, loss_fn, metrics, state, grad_clip, log_every, scheduler_interval
            )
            if logs is None:  # cut short by a callback: not a finished epoch, so not recorded
                break
            if val_batches is not None:
                scores = evaluate_batches(net, val_batches, loss_fn, metrics, choice)
                logs.update({f"val_{name}": value for name, value in scores.items()})
            logs["lr"] = optimizer.param_groups[0]["lr"]
            if scheduler is not None and scheduler_interval == "epoch":
                _step_epoch_scheduler(scheduler, logs)
            state.epoch += 1
            state.history.append(logs)
            run_hook(state.callbacks, "on_epoch_end", state, logs)
            if state.stop_training:
                break
    finally:
        # Runs however training ends (finished, stopped, interrupted with Ctrl-C or an
        # error), so bars are closed and the best weights restored.
        run_hook(state.callbacks, "on_train_end", state)
    return state.history


def _train_one_epoch(
    net: nn.Module,
    batches: TensorBatches | LoaderBatches,
    loss_fn: Callable,
    metrics: dict[str, Metric],
    state: TrainState,
    grad_clip: float | None,
    log_every: int,
    scheduler_interval: str,
) -> dict[str, float] | None:
    """One pass over the training data; the epoch's mean metrics, or None if stopped early."""
    model, optimizer, scaler = state.model, state.optimizer, state.scaler
    model.train()
    means = RunningMeans()
    for xb, yb in batches.epoch(state.epoch):
        with state.device.autocast():
            out = net(xb)
            loss = loss_fn(out, yb)
        scaler.scale(loss).backward()  # with fp32/bf16 the scaler is disabled: plain backward
        if grad_clip is not None:
            scaler.unscale_(optimizer)  # clip the true gradients, not the scaled ones
            nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
        scaler.step(optimizer)  # skips the update if fp16 gradients overflowed
        scaler.update()
        optimizer.zero_grad(set_to_none=True)  # frees the gradients' memory until next backward
        if state.scheduler is not None and scheduler_interval == "batch":
            state.scheduler.step()
        state.step += 1
        # Keep the loss on the device: reading it (.item()) would wait for the GPU every step.
        means.add("loss", loss.detach(), len(xb))
        for name, metric in metrics.items():
            means.add(name, metric(out.detach(), yb), len(xb))
        if state.step % log_every == 0:
            run_hook(state.callbacks, "on_log", state, {"loss": means.mean("loss")})
            if state.stop_training:
                return None
    logs = means.means()
    run_hook(state.callbacks, "on_log", state, {"loss": logs["loss"]})
    return None if state.stop_training else logs


def _resolve_device(device: DeviceChoice | str | None, precision: str | None) -> DeviceChoice:
    """A DeviceChoice from what the caller gave (None means 'auto')."""
    if isinstance(device, DeviceChoice):
        if precision is None or precision == device.precision:
            return device
        checked = choose_device(read_capabilities(), device=device.device, precision=precision)
        return dataclasses.replace(device, precision=precision, reason=checked.reason)
    return choose_device(read_capabilities(), device=device or "auto", precision=precision)


def _check_options(grad_clip: float | None, scheduler_interval: str) -> None:
    if grad_clip is not None and not grad_clip > 0:
        raise ValueError(
            f"grad_clip must be a positive number or None. Received: grad_clip={grad_clip}"
        )
    if scheduler_interval not in ("epoch", "batch"):
        raise ValueError(
            f"scheduler_interval must be 'epoch' or 'batch'. Received: {scheduler_interval!r}"
        )


def _length(batches: TensorBatches | LoaderBatches) -> int | None:
    try:
        return len(batches)
    except TypeError:  # an iterable dataset has no length
        return None


def _arrange_callbacks(callbacks: list[Callback] | None, progress: bool) -> list[Callback]:
    """The default callbacks plus the caller's, sorted by their ``order``."""
    arranged: list[Callback] = [NonFiniteGuard()]
    if progress:
        arranged.append(ProgressBar())
        if in_notebook():
            arranged.append(LivePlot())
    for callback in callbacks or []:
        if not isinstance(callback, Callback):
            raise TypeError(
                f"callbacks must be labkit Callback objects. Received: {type(callback).__name__}"
            )
        arranged.append(callback)
    return sorted(arranged, key=lambda callback: callback.order)  # stable: ties keep their order


def _step_epoch_scheduler(scheduler: object, logs: dict[str, float]) -> None:
    """Step a per-epoch scheduler; ReduceLROnPlateau needs the value it watches."""
    if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
        scheduler.step(logs.get("val_loss", logs["loss"]))
    else:
        scheduler.step()
