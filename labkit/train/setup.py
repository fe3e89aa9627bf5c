"""Everything :func:`labkit.fit` does before the first step, in one place.

:func:`prepare_run` checks the arguments, picks the device (and applies its thread count),
moves the model there, turns the data into batches, arranges the callbacks and builds the
:class:`TrainState` the callbacks see. What it returns, a :class:`Run`, is all the epoch
loop in ``loop.py`` needs.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import cast

import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from labkit.device import DeviceChoice, apply_choice, choose_device, read_capabilities
from labkit.train import checks
from labkit.train.batches import LoaderBatches, TensorBatches, make_batches, targets
from labkit.train.callbacks import Callback, NonFiniteGuard
from labkit.train.distributed import ALONE, World, current_world
from labkit.train.history import History
from labkit.train.progress import LivePlot, ProgressBar, in_notebook
from labkit.train.state import TrainState
from labkit.train.types import Data, LossFn, Metric
from labkit.validation import flag, real_number, whole_number

__all__ = ["DEFAULT_SPEED", "SpeedOptions", "Run", "prepare_run"]

Batches = TensorBatches | LoaderBatches


@dataclass(frozen=True)
class SpeedOptions:
    """The speed switches of :func:`labkit.fit` that a lesson rarely changes.

    Attributes
    ----------
    channels_last : bool, default=True
        Store 4-D image batches and convolution weights as NHWC (faster on CPUs and GPUs).
    compile : bool, default=False
        Run the forward pass through ``torch.compile`` (slower to start; helps on GPUs).
    log_every : int, default=50
        Steps between reads of the running loss (each read waits for the device).

    Examples
    --------
    >>> SpeedOptions(log_every=10)
    SpeedOptions(channels_last=True, compile=False, log_every=10)
    """

    channels_last: bool = True
    compile: bool = False
    log_every: int = 50

    def __post_init__(self) -> None:
        flag("channels_last", self.channels_last)
        flag("compile", self.compile)
        whole_number("log_every", self.log_every, minimum=1)


DEFAULT_SPEED = SpeedOptions()


@dataclass
class Run:
    """What one call of :func:`labkit.fit` trains with: the loop reads everything from here.

    ``net`` is the model itself, or its ``torch.compile`` wrapper (same weights), or in
    data-parallel training its ``DistributedDataParallel`` wrapper. ``world``: this
    process's rank among those training together (one process: ``ALONE``).
    ``step_callbacks`` are the callbacks that define ``on_step_end``: calling only those
    keeps a step free of empty calls when none does.
    """

    net: nn.Module
    batches: Batches
    val_batches: Batches | None
    loss_fn: LossFn
    metrics: dict[str, Metric]
    grad_clip: float | None
    log_every: int
    state: TrainState
    world: World = ALONE
    step_callbacks: list[Callback] = field(default_factory=list)


def prepare_run(
    model: nn.Module,
    train_data: Data,
    val_data: Data | None,
    *,
    epochs: int,
    optimizer: torch.optim.Optimizer,
    loss_fn: LossFn,
    batch_size: int,
    metrics: dict[str, Metric] | None,
    device: DeviceChoice | str | None,
    precision: str | None,
    grad_clip: float | None,
    callbacks: list[Callback] | None,
    progress: bool | str,
    seed: int,
    speed: SpeedOptions,
) -> Run:
    """Check everything, put the model and data on the device, and build the run's state."""
    epochs = whole_number("epochs", epochs, minimum=1)
    batch_size = whole_number("batch_size", batch_size, minimum=1)
    seed = whole_number("seed", seed, minimum=0)
    if grad_clip is not None:
        grad_clip = real_number("grad_clip", grad_clip, above=0)
    if not isinstance(speed, SpeedOptions):
        raise TypeError(
            "speed must be a labkit.SpeedOptions, e.g. SpeedOptions(compile=True). "
            f"Received: speed={speed!r}"
        )
    checks.check_optimizer(optimizer, model)
    world = current_world()
    arranged = _arrange_callbacks(callbacks, progress if world.is_main else False)
    choice = _resolve_device(device, precision)
    apply_choice(choice)

    dev = choice.torch_device
    if speed.channels_last:  # affects only 4-D (convolution) weights; others stay as they are
        # Module.to takes memory_format at run time, but PyTorch's type stub omits it.
        model.to(dev, memory_format=torch.channels_last)  # type: ignore[call-overload]
    else:
        model.to(dev)
    batches = make_batches(
        train_data,
        batch_size,
        dev,
        shuffle=True,
        seed=seed,
        channels_last=speed.channels_last,
        world=world,
    )
    val_batches = None  # every rank evaluates all of it: same weights, same numbers
    if val_data is not None:
        val_batches = make_batches(
            val_data,
            4 * batch_size,  # no gradients to keep: bigger batches fit
            dev,
            shuffle=False,
            channels_last=speed.channels_last,
            name="val_data",
        )
    for label, data in (("train_data", batches), ("val_data", val_batches)):
        if isinstance(data, TensorBatches):
            checks.check_pair(data.X, data.y, label)
            y = targets(data.y, label)
            checks.check_model_and_targets(model, loss_fn, data.X, y, label)

    state = TrainState(
        model=model,
        optimizer=optimizer,
        scaler=torch.amp.GradScaler(choice.device, enabled=choice.uses_grad_scaler),
        device=choice,
        history=History(),
        epochs=epochs,
        steps_per_epoch=_length(batches),
        seed=seed,
        callbacks=arranged,
    )
    net = model
    if world.size > 1:  # averages the ranks' gradients during backward
        net = DistributedDataParallel(model, device_ids=[dev] if dev.type == "cuda" else None)
    return Run(
        # torch.compile returns a Module wrapping this one, though its stub says Callable.
        net=cast(nn.Module, torch.compile(net)) if speed.compile else net,
        batches=batches,
        val_batches=val_batches,
        loss_fn=loss_fn,
        metrics=dict(metrics or {}),
        grad_clip=grad_clip,
        log_every=speed.log_every,
        state=state,
        world=world,
        step_callbacks=[cb for cb in arranged if _defines_step_hook(cb)],
    )


def _resolve_device(device: DeviceChoice | str | None, precision: str | None) -> DeviceChoice:
    """A DeviceChoice from what the caller gave (None means 'auto')."""
    if isinstance(device, DeviceChoice):
        if precision is None or precision == device.precision:
            return device
        checked = choose_device(read_capabilities(), device=device.device, precision=precision)
        return dataclasses.replace(device, precision=precision, reason=checked.reason)
    return choose_device(read_capabilities(), device=device or "auto", precision=precision)


def _length(batches: Batches) -> int | None:
    try:
        return len(batches)
    except TypeError:  # an iterable dataset has no length
        return None


def _progress_callbacks(progress: bool | str) -> list[Callback]:
    """True: a bar, plus a live plot in notebooks; "bar" or "plot": only that; False: none.

    A live plot needs a notebook (it replaces its picture in place), so "plot" draws
    nothing in a script.
    """
    if progress is True:
        return [ProgressBar(), LivePlot()] if in_notebook() else [ProgressBar()]
    if progress is False:
        return []
    if progress == "bar":
        return [ProgressBar()]
    if progress == "plot":
        return [LivePlot()] if in_notebook() else []
    raise ValueError(
        "progress must be True (a bar, plus a live plot in notebooks), 'bar', 'plot' or "
        f"False (neither). Received: progress={progress!r}"
    )


def _arrange_callbacks(callbacks: list[Callback] | None, progress: bool | str) -> list[Callback]:
    """The default callbacks plus the caller's, sorted by their ``order``."""
    arranged: list[Callback] = [NonFiniteGuard(), *_progress_callbacks(progress)]
    for callback in callbacks or []:
        if not isinstance(callback, Callback):
            raise TypeError(
                f"callbacks must be labkit Callback objects. Received: {type(callback).__name__}"
            )
        arranged.append(callback)
    return sorted(arranged, key=lambda callback: callback.order)  # stable: ties keep their order


def _defines_step_hook(callback: Callback) -> bool:
    """Whether the callback's class overrides :meth:`Callback.on_step_end`."""
    return type(callback).on_step_end is not Callback.on_step_end
