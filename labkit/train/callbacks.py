"""Callbacks: small objects the training loop calls at a few fixed moments.

The hooks, in the order the loop calls them::

    reset()                             forget any earlier run (before a checkpoint is restored)
    on_train_begin(state)               sees the real starting epoch, also when resuming
        on_epoch_begin(state)
            on_step_end(state)          after every optimizer step
            on_log(state, logs)         every `log_every` steps and after an epoch's last step
        on_epoch_end(state, logs)       logs: the finished epoch's metrics
    on_train_end(state)                 always, however training ended

The base :class:`Callback` does nothing in every hook; a callback overrides the ones it needs.
``on_step_end`` runs thousands of times: it must not read a tensor's value (``.item()``,
``float(loss)``, printing), because that makes the CPU wait for the GPU on every step. Read
numbers in ``on_log``, which gets them already read.

To stop training, a hook sets ``state.stop_training = True`` (a flag, not an exception, so
the control flow stays visible in the loop). Callbacks run in increasing ``order``; the
checkpoint callback runs last so that it saves everyone else's updated state.
"""

from __future__ import annotations

import math
import warnings

import torch

from labkit.train.state import TrainState
from labkit.validation import one_of, real_number, whole_number

__all__ = ["Callback", "EarlyStopping", "NonFiniteGuard", "run_hook"]


class Callback:
    """Base class: every hook does nothing. Override the ones you need."""

    order = 0  # callbacks run in increasing order

    def reset(self) -> None:
        """Forget earlier runs, so one instance can be reused across fit calls.

        Called before a checkpoint is restored, so restored state is never reset away.
        """

    def on_train_begin(self, state: TrainState) -> None:
        """Before the first epoch; when resuming, ``state`` already holds the restored run."""

    def on_epoch_begin(self, state: TrainState) -> None:
        """Before each epoch's first step."""

    def on_step_end(self, state: TrainState) -> None:
        """After every optimizer step. Must not read tensors' values (no host sync)."""

    def on_log(self, state: TrainState, logs: dict[str, float]) -> None:
        """Every ``log_every`` steps: ``logs["loss"]`` is the epoch's running mean loss."""

    def on_epoch_end(self, state: TrainState, logs: dict[str, float]) -> None:
        """After each epoch (and its validation), with the epoch's metrics."""

    def on_train_end(self, state: TrainState) -> None:
        """After the last epoch, however training stopped."""

    def state_dict(self) -> dict:
        """What a checkpoint must keep for an exact resume (plain data or tensors)."""
        return {}

    def load_state_dict(self, state: dict) -> None:
        """Restore from :meth:`state_dict`."""


def run_hook(callbacks: list[Callback], hook: str, *args: object) -> None:
    """Call ``hook`` on every callback, in their order.

    >>> run_hook([Callback()], "on_train_end", None)
    """
    for callback in callbacks:
        getattr(callback, hook)(*args)


def _guess_mode(monitor: str) -> str:
    """'min' for losses and errors, 'max' for scores; an error when the name says neither."""
    name = monitor.removeprefix("val_")
    if any(word in name for word in ("loss", "error", "mae", "mse", "rmse")):
        return "min"
    if any(word in name for word in ("acc", "f1", "auc", "precision", "recall", "r2", "score")):
        return "max"
    raise ValueError(
        f"EarlyStopping cannot tell whether monitor={monitor!r} should go up or down. "
        "Pass mode='min' (lower is better) or mode='max' (higher is better)."
    )


class EarlyStopping(Callback):
    """Stop when a monitored metric stops improving, and keep the best weights.

    Parameters
    ----------
    monitor : str, default="val_loss"
        The history key to watch.
    patience : int, default=5
        Epochs without improvement to wait before stopping.
    min_delta : float, default=0.0
        The smallest change that counts as an improvement.
    mode : {"auto", "min", "max"}, default="auto"
        Whether lower or higher is better; "auto" guesses from the name.
    restore_best_weights : bool, default=True
        At the end of training, whoever ended it (this callback, the last epoch, or another
        callback), load the weights of the best epoch.

    Examples
    --------
    >>> stopper = EarlyStopping("val_acc", patience=3)
    >>> stopper.mode
    'max'
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        *,
        patience: int = 5,
        min_delta: float = 0.0,
        mode: str = "auto",
        restore_best_weights: bool = True,
    ) -> None:
        mode = one_of("mode", mode, ("auto", "min", "max"))
        self.monitor = monitor
        self.patience = whole_number("patience", patience, minimum=0)
        self.min_delta = real_number("min_delta", min_delta, minimum=0)
        self.mode = _guess_mode(monitor) if mode == "auto" else mode
        self.restore_best_weights = restore_best_weights
        self.reset()

    def reset(self) -> None:
        self.best: float = math.inf if self.mode == "min" else -math.inf
        self.best_epoch = 0
        self.best_step = 0  # optimizer steps taken when the best weights were copied
        self.wait = 0
        self.best_weights: dict[str, torch.Tensor] | None = None

    def _improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_epoch_end(self, state: TrainState, logs: dict[str, float]) -> None:
        if self.monitor not in logs:
            raise ValueError(
                f"EarlyStopping(monitor={self.monitor!r}) found no such metric. Available: "
                f"{sorted(logs)}. Validation metrics need val_data=... in fit()."
            )
        value = logs[self.monitor]
        if self._improved(value):
            self.best, self.best_epoch, self.wait = value, state.epoch, 0
            self.best_step = state.step
            if self.restore_best_weights:
                # state_dict() shares storage with the live parameters: clone to keep a copy.
                self.best_weights = {
                    k: v.detach().clone() for k, v in state.model.state_dict().items()
                }
            return
        self.wait += 1
        if self.wait >= self.patience:
            state.stop_training = True
            state.history.stop_reason = (
                f"early stopping: {self.monitor} did not improve for {self.patience} epochs "
                f"(best {self.best:.4g} at epoch {self.best_epoch})"
            )

    def on_train_end(self, state: TrainState) -> None:
        # Compare steps, not epochs: a run cut short inside the next epoch has changed the
        # weights (perhaps to NaN) although no further epoch was completed.
        if self.best_weights is not None and self.best_step != state.step:
            state.model.load_state_dict(self.best_weights)
            print(
                f"EarlyStopping: restored the weights of epoch {self.best_epoch} "
                f"({self.monitor} = {self.best:.4g})."
            )

    def state_dict(self) -> dict:
        return {
            "best": self.best,
            "best_epoch": self.best_epoch,
            "best_step": self.best_step,
            "wait": self.wait,
            "best_weights": self.best_weights,
        }

    def load_state_dict(self, state: dict) -> None:
        self.best, self.best_epoch = state["best"], state["best_epoch"]
        self.best_step = state["best_step"]
        self.wait, self.best_weights = state["wait"], state["best_weights"]


class NonFiniteGuard(Callback):
    """Stop training as soon as the loss becomes NaN or infinite, and say why that happens.

    The loop reads the running loss once per log interval (a single host sync), so the
    guard notices within ``log_every`` steps without slowing every step down.
    """

    order = -10  # before the progress bar, so the bar shows the reason

    def on_log(self, state: TrainState, logs: dict[str, float]) -> None:
        loss = logs["loss"]
        if math.isfinite(loss):
            return
        lrs = sorted({group["lr"] for group in state.optimizer.param_groups})
        causes = [
            f"the learning rate is too high (lr={lrs}; try 10x smaller)",
            "the inputs contain NaN/inf or huge unscaled values (check "
            "torch.isfinite(X).all() and standardise the features)",
            "a log or a division by zero in a custom loss",
        ]
        if state.device.precision != "fp32":
            causes.append(
                f"overflow in reduced precision (precision={state.device.precision}; "
                "try precision='fp32')"
            )
        message = (
            f"Training stopped in epoch {state.epoch + 1} (step {state.step}): the loss became "
            f"{loss}. Likely causes: {'; '.join(causes)}."
        )
        state.stop_training = True
        state.history.stop_reason = message
        # stacklevel 5 points the warning at the learner's fit(...) call:
        # fit -> train_one_epoch -> run_hook -> on_log -> warn.
        warnings.warn(message, RuntimeWarning, stacklevel=5)
