"""Tests for labkit.train.progress: log lines, notebook detection, progress bar, live plot."""

import struct

import IPython
import IPython.display
import pytest
import torch
from torch import nn

from labkit.device import DeviceChoice
from labkit.train import fit
from labkit.train.callbacks import Callback, EarlyStopping
from labkit.train.history import History
from labkit.train.progress import LivePlot, ProgressBar, _metrics_to_plot, format_logs, in_notebook
from labkit.train.state import TrainState

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def toy_data(n=32, seed=0):
    """A linearly separable two-class problem with 4 features."""
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 4, generator=generator)
    return X, (X[:, 0] > 0).long()


def train(epochs, *, lr=0.1, progress=True, callbacks=(), val=True):
    """fit() a small linear classifier on the CPU; returns the History."""
    torch.manual_seed(0)
    model = nn.Linear(4, 2)
    X, y = toy_data()
    return fit(
        model,
        (X, y),
        (X, y) if val else None,
        epochs=epochs,
        optimizer=torch.optim.SGD(model.parameters(), lr=lr),
        loss_fn=nn.CrossEntropyLoss(),
        batch_size=8,
        callbacks=list(callbacks),
        progress=progress,
        device="cpu",
    )


def history_of(*epochs):
    """A History with one appended dict per epoch."""
    history = History()
    for logs in epochs:
        history.append(logs)
    return history


def bare_state(history):
    """A TrainState around ``history``, for calling hooks directly."""
    model = nn.Linear(2, 1)
    return TrainState(
        model=model,
        optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
        scaler=torch.amp.GradScaler("cpu", enabled=False),
        device=DeviceChoice("cpu", "fp32", 1, "test"),
        history=history,
        epochs=3,
        steps_per_epoch=1,
        seed=0,
    )


def png_size(data):
    """(width, height) in pixels, read from a PNG's header chunk."""
    return struct.unpack(">II", data[16:24])


def epoch_lines(text):
    """The plain-text lines ProgressBar writes once per epoch."""
    return [line for line in text.splitlines() if line.startswith("epoch ")]


# --- format_logs --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("logs", "expected"),
    [
        ({"loss": 0.31204, "val_loss": 0.29812}, "loss 0.312  val_loss 0.2981"),
        ({"lr": 0.001, "loss": 1.0, "acc": 0.875}, "loss 1  acc 0.875  lr 0.001"),
        ({"loss": 12345.678, "lr": 3e-4}, "loss 1.235e+04  lr 0.0003"),
        ({"loss": float("nan")}, "loss nan"),
        ({"lr": 0.1}, "lr 0.1"),
        ({}, ""),
    ],
)
def test_format_logs_gives_four_significant_digits_and_the_learning_rate_last(logs, expected):
    assert format_logs(logs) == expected


# --- in_notebook --------------------------------------------------------------------------


def test_in_notebook_is_false_under_pytest():
    assert in_notebook() is False


def test_in_notebook_recognises_a_jupyter_kernel(monkeypatch):
    class ZMQInteractiveShell:
        """Named like the shell of a Jupyter kernel."""

    monkeypatch.setattr(IPython, "get_ipython", ZMQInteractiveShell)
    assert in_notebook() is True


def test_in_notebook_is_false_in_the_terminal_ipython(monkeypatch):
    class TerminalInteractiveShell:
        """Named like the shell of IPython in a terminal."""

    monkeypatch.setattr(IPython, "get_ipython", TerminalInteractiveShell)
    assert in_notebook() is False


# --- ProgressBar --------------------------------------------------------------------------


def test_progress_bar_prints_one_line_per_epoch(capsys):
    history = train(epochs=3)
    lines = epoch_lines(capsys.readouterr().out)
    expected = [
        f"epoch {i}/3  " + format_logs({name: history[name][i - 1] for name in history})
        for i in (1, 2, 3)
    ]
    assert lines == expected
    assert lines[0].startswith("epoch 1/3  loss ")
    assert lines[0].endswith("  lr 0.1")


def test_progress_bar_prints_no_stop_reason_when_training_ran_to_the_end(capsys):
    train(epochs=2)
    assert "Stopped" not in capsys.readouterr().out


def test_progress_bar_prints_the_stop_reason_at_the_end(capsys):
    history = train(epochs=10, lr=0.0, callbacks=[EarlyStopping(patience=1)])
    out = capsys.readouterr().out
    assert history.epochs == 2
    assert len(epoch_lines(out)) == 2
    assert f"Stopped: {history.stop_reason}" in out.splitlines()
    assert history.stop_reason.startswith("early stopping: val_loss did not improve")


def test_progress_bar_counts_every_epoch_and_step():
    bar = ProgressBar()
    train(epochs=3, progress=False, callbacks=[bar])  # the only progress bar of the run
    assert (bar.epoch_bar.n, bar.epoch_bar.total) == (3, 3)
    assert (bar.step_bar.n, bar.step_bar.total) == (4, 4)  # 32 samples in batches of 8


def test_progress_bar_prints_no_epoch_lines_in_a_notebook(monkeypatch, capsys):
    monkeypatch.setattr("labkit.train.progress.in_notebook", lambda: True)
    bar = ProgressBar()
    assert bar.plain_text is False
    train(epochs=2, progress=False, callbacks=[bar])
    assert epoch_lines(capsys.readouterr().out) == []


# --- LivePlot -----------------------------------------------------------------------------


def test_metrics_to_plot_are_the_loss_and_the_first_training_metric():
    history = history_of(
        {"loss": 0.9, "acc": 0.5, "mae": 1.0, "val_loss": 1.0, "val_acc": 0.4, "lr": 0.1}
    )
    assert _metrics_to_plot(history) == ["loss", "acc"]


def test_metrics_to_plot_are_the_loss_alone_without_other_training_metrics():
    history = history_of({"lr": 0.1, "loss": 0.9, "val_loss": 1.0, "val_acc": 0.4})
    assert _metrics_to_plot(history) == ["loss"]


def test_render_returns_a_png_with_one_panel_per_metric():
    history = history_of(
        {"loss": 0.9, "acc": 0.5, "val_loss": 1.0, "val_acc": 0.4, "lr": 0.1},
        {"loss": 0.5, "acc": 0.8, "val_loss": 0.7, "val_acc": 0.7, "lr": 0.1},
    )
    two_panels = LivePlot().render(history)
    one_panel = LivePlot(metrics=["acc"]).render(history)
    assert two_panels.startswith(PNG_SIGNATURE)
    assert one_panel.startswith(PNG_SIGNATURE)
    # figsize (4.8 per panel, 3.4) inches at 80 dpi
    assert png_size(two_panels) == (768, 272)
    assert png_size(one_panel) == (384, 272)


class FakeHandle:
    """Stands in for the DisplayHandle that display(..., display_id=True) returns."""

    def __init__(self) -> None:
        self.updates: list = []

    def update(self, obj: object) -> None:
        self.updates.append(obj)


@pytest.fixture
def fake_display(monkeypatch):
    """Replace IPython's display(); returns the list of (object, kwargs, handle) it received."""
    shown = []

    def display(obj, **kwargs):
        handle = FakeHandle()
        shown.append((obj, kwargs, handle))
        return handle

    monkeypatch.setattr(IPython.display, "display", display)
    return shown


def test_live_plot_displays_once_then_updates_the_same_picture(fake_display):
    history = history_of()
    state = bare_state(history)
    plot = LivePlot(min_interval=0)  # redraw after every epoch
    plot.reset()
    for loss in (0.9, 0.6, 0.4):
        history.append({"loss": loss, "val_loss": loss + 0.1, "lr": 0.1})
        state.epoch += 1
        plot.on_epoch_end(state, {})
    assert len(fake_display) == 1
    picture, kwargs, handle = fake_display[0]
    assert kwargs == {"display_id": True}
    assert isinstance(picture, IPython.display.Image)
    assert picture.data.startswith(PNG_SIGNATURE)
    assert len(handle.updates) == 2
    assert all(isinstance(update, IPython.display.Image) for update in handle.updates)
    assert handle.updates[-1].data == plot.render(history)  # the latest curves


def test_live_plot_starts_a_new_picture_for_a_new_run(fake_display):
    history = history_of({"loss": 0.9, "lr": 0.1})
    state = bare_state(history)
    plot = LivePlot(min_interval=0)
    for _ in range(2):  # two fit() calls with the same LivePlot
        plot.reset()
        plot.on_epoch_end(state, {})
        plot.on_epoch_end(state, {})
    assert len(fake_display) == 2
    assert [len(handle.updates) for _, _, handle in fake_display] == [1, 1]


def test_live_plot_redraws_at_most_every_interval_and_always_at_the_end(fake_display):
    history = history_of()
    state = bare_state(history)
    plot = LivePlot(min_interval=3600)
    plot.reset()
    for loss in (0.9, 0.6, 0.4):
        history.append({"loss": loss, "lr": 0.1})
        plot.on_epoch_end(state, {})
    [(first, _, handle)] = fake_display
    assert handle.updates == []  # epochs 2 and 3 came too soon after the first picture
    plot.on_train_end(state)
    assert len(handle.updates) == 1 and handle.updates[0].data == plot.render(history)
    plot.on_train_end(state)
    assert len(handle.updates) == 1  # nothing new to show: no redraw


# --- what progress= asks for --------------------------------------------------------------


@pytest.mark.parametrize(
    ("progress", "in_a_notebook", "expected"),
    [
        (True, False, ["ProgressBar"]),
        (True, True, ["ProgressBar", "LivePlot"]),
        ("bar", True, ["ProgressBar"]),
        ("plot", True, ["LivePlot"]),
        ("plot", False, []),
        (False, True, []),
    ],
)
def test_progress_chooses_a_bar_a_plot_or_neither(
    monkeypatch, fake_display, progress, in_a_notebook, expected
):
    monkeypatch.setattr("labkit.train.setup.in_notebook", lambda: in_a_notebook)
    monkeypatch.setattr("labkit.train.progress.in_notebook", lambda: in_a_notebook)
    seen = []

    class SeeCallbacks(Callback):
        def on_train_begin(self, state):
            seen.extend(type(c).__name__ for c in state.callbacks)

    train(epochs=1, progress=progress, callbacks=[SeeCallbacks()])
    shown = [name for name in seen if name in ("ProgressBar", "LivePlot")]
    assert shown == expected
