"""Showing training as it happens: a progress bar, and a live plot in notebooks.

* :class:`ProgressBar` uses ``tqdm.auto``: a widget bar in Jupyter, a text bar elsewhere,
  plus one plain-text line per epoch outside notebooks (logs keep the numbers).
* :class:`LivePlot` redraws the loss (and one metric) after every epoch, replacing the
  previous picture in place instead of printing a new one.
"""

from __future__ import annotations

import io
import math
import time
from typing import TYPE_CHECKING

from tqdm.auto import tqdm

from labkit.train.callbacks import Callback
from labkit.train.history import History
from labkit.train.state import TrainState

if TYPE_CHECKING:
    from IPython.display import DisplayHandle

__all__ = ["ProgressBar", "LivePlot", "in_notebook", "format_logs"]


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where widgets and in-place figures work)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def format_logs(logs: dict[str, float]) -> str:
    """``loss 0.3120  val_loss 0.2981`` — four significant digits, learning rate last.

    >>> format_logs({"lr": 0.1, "loss": 0.31204, "val_acc": 0.9})
    'loss 0.312  val_acc 0.9  lr 0.1'
    """
    names = [n for n in logs if n != "lr"] + (["lr"] if "lr" in logs else [])
    return "  ".join(f"{name} {logs[name]:.4g}" for name in names)


class ProgressBar(Callback):
    """An epoch bar and, within each epoch, a step bar with the running loss."""

    order = 50

    def __init__(self) -> None:
        self.epoch_bar: tqdm | None = None
        self.step_bar: tqdm | None = None
        self.plain_text = not in_notebook()
        self._shown_step = 0

    def on_train_begin(self, state: TrainState) -> None:
        # A resumed run's epoch bar starts where the checkpoint left off.
        self.epoch_bar = tqdm(
            total=state.epochs, initial=state.epoch, desc="training", unit="epoch"
        )
        # One step bar, reset every epoch: making a new bar (a new widget in a notebook) per
        # epoch would cost more than a short epoch itself.
        self.step_bar = tqdm(total=state.steps_per_epoch, unit="step", leave=False)

    def _bars(self) -> tuple[tqdm, tqdm]:
        """The epoch bar and the step bar, which on_train_begin made."""
        if self.epoch_bar is None or self.step_bar is None:
            raise RuntimeError("ProgressBar's hooks ran before on_train_begin.")
        return self.epoch_bar, self.step_bar

    def on_epoch_begin(self, state: TrainState) -> None:
        _, step_bar = self._bars()
        step_bar.reset(total=state.steps_per_epoch)
        step_bar.set_description(f"epoch {state.epoch + 1}", refresh=False)
        self._shown_step = state.step

    def on_log(self, state: TrainState, logs: dict[str, float]) -> None:
        _, step_bar = self._bars()
        step_bar.update(state.step - self._shown_step)
        self._shown_step = state.step
        step_bar.set_postfix_str(f"loss {logs['loss']:.4g}", refresh=False)

    def on_epoch_end(self, state: TrainState, logs: dict[str, float]) -> None:
        epoch_bar, _ = self._bars()
        epoch_bar.update(1)
        epoch_bar.set_postfix_str(format_logs(logs))
        if self.plain_text:
            tqdm.write(f"epoch {state.epoch}/{state.epochs}  {format_logs(logs)}")

    def on_train_end(self, state: TrainState) -> None:
        for bar in (self.step_bar, self.epoch_bar):
            if bar is not None:
                bar.close()
        if state.history.stop_reason:
            tqdm.write(f"Stopped: {state.history.stop_reason}")


def _metrics_to_plot(history: History) -> list[str]:
    """The loss, plus the first other training metric (e.g. accuracy) if there is one."""
    others = [n for n in history if n not in ("loss", "lr") and not n.startswith("val_")]
    return ["loss"] + others[:1]


class LivePlot(Callback):
    """Redraw the learning curves as training goes, in place, inside a notebook.

    Drawing a figure takes about a tenth of a second, longer than an epoch of a small model,
    so the plot is redrawn at most every ``min_interval`` seconds, and always at the end.

    Parameters
    ----------
    metrics : list of str or None, default=None
        History keys to draw, one panel each (their ``val_`` twins join them). None draws
        the loss and the first other metric.
    min_interval : float, default=1.0
        Seconds between redraws.
    """

    order = 60

    def __init__(self, metrics: list[str] | None = None, *, min_interval: float = 1.0) -> None:
        self.metrics = metrics
        self.min_interval = min_interval
        self.handle: DisplayHandle | None = None
        self.drawn_epochs = 0  # epochs shown in the current picture
        self.last_draw = -math.inf

    def reset(self) -> None:
        self.handle, self.drawn_epochs, self.last_draw = None, 0, -math.inf

    def on_epoch_end(self, state: TrainState, logs: dict[str, float]) -> None:
        if time.monotonic() - self.last_draw >= self.min_interval:
            self.show(state.history)

    def on_train_end(self, state: TrainState) -> None:
        if state.history.epochs > self.drawn_epochs:  # the last epochs are not shown yet
            self.show(state.history)

    def show(self, history: History) -> None:
        """Display the curves, replacing the previous picture (no scrolling wall of plots)."""
        from IPython.display import Image, display

        picture = Image(data=self.render(history))
        if self.handle is None:
            self.handle = display(picture, display_id=True)
        else:
            self.handle.update(picture)
        self.drawn_epochs, self.last_draw = history.epochs, time.monotonic()

    def render(self, history: History) -> bytes:
        """The current learning curves as PNG bytes."""
        from matplotlib.figure import Figure

        from labkit.plots import plot_history

        names = self.metrics or _metrics_to_plot(history)
        # A plain Figure (not pyplot) is never shown by itself and leaves no global state.
        figure = Figure(figsize=(4.8 * len(names), 3.4), dpi=80, layout="constrained")
        for ax, name in zip(figure.subplots(1, len(names), squeeze=False)[0], names, strict=True):
            plot_history(history, name, ax=ax)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
