"""Tests for labkit.train.checkpoint: exact resume and safe files."""

import math

import pytest
import torch
from torch import nn

from labkit.device import DeviceChoice, seed_everything
from labkit.train import (
    Callback,
    Checkpoint,
    EarlyStopping,
    LearningRateSchedule,
    SpeedOptions,
    fit,
    load_checkpoint,
)

CPU = DeviceChoice("cpu", "fp32", torch.get_num_threads(), "test")


def data(seed=1):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(300, 10, generator=g)
    y = (X[:, :3].sum(1) > 0).long() + (X[:, 3] > 1).long()
    return (X[:200], y[:200]), (X[200:], y[200:])


def make_run(seed=0):
    """A model with dropout (it uses the global random generator), Adam and a schedule."""
    seed_everything(seed)
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, 3))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    return model, optimizer, scheduler


def run(model, optimizer, scheduler, callbacks, **kwargs):
    train, val = data()
    return fit(
        model,
        train,
        val,
        epochs=5,
        optimizer=optimizer,
        loss_fn=nn.CrossEntropyLoss(),
        batch_size=16,
        device=CPU,
        progress=False,
        speed=SpeedOptions(log_every=3),
        seed=11,
        callbacks=[LearningRateSchedule(scheduler), *callbacks],
        **kwargs,
    )


class InterruptIn(Callback):
    """Simulates Ctrl-C part-way through an epoch."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_log(self, state, logs):
        if state.epoch == self.epoch and state.step % 13 >= 6:
            raise KeyboardInterrupt


def test_resume_gives_bit_identical_weights(tmp_path):
    model, optimizer, scheduler = make_run()
    full = run(
        model, optimizer, scheduler, [EarlyStopping(patience=50), Checkpoint(tmp_path / "full.pt")]
    )

    first = make_run()
    with pytest.raises(KeyboardInterrupt):
        run(*first, [EarlyStopping(patience=50), Checkpoint(tmp_path / "cut.pt"), InterruptIn(3)])
    assert load_checkpoint(tmp_path / "cut.pt")["epoch"] == 3

    # A fresh process would start from different weights and random state: simulate that.
    torch.manual_seed(999)
    resumed_model, resumed_optimizer, resumed_scheduler = make_run(seed=123)
    torch.rand(17)
    resumed = run(
        resumed_model,
        resumed_optimizer,
        resumed_scheduler,
        [EarlyStopping(patience=50), Checkpoint(tmp_path / "cut.pt")],
        resume_from=tmp_path / "cut.pt",
    )
    for name, value in model.state_dict().items():
        assert torch.equal(value, resumed_model.state_dict()[name]), name
    assert dict(resumed) == dict(full)
    assert resumed_scheduler.last_epoch == scheduler.last_epoch == 5


def test_checkpoint_holds_every_piece(tmp_path):
    model, optimizer, scheduler = make_run()
    run(
        model,
        optimizer,
        scheduler,
        [EarlyStopping(patience=50), Checkpoint(tmp_path / "c.pt", every=2)],
    )
    payload = load_checkpoint(tmp_path / "c.pt")
    assert payload["epoch"] == 5  # every=2, but the last epoch is always saved
    assert set(payload) >= {
        "model",
        "optimizer",
        "scaler",
        "history",
        "callbacks",
        "random",
    }
    assert set(payload["random"]) == {"python", "numpy", "torch", "cuda"}
    assert "EarlyStopping#0" in payload["callbacks"]
    assert payload["callbacks"]["LearningRateSchedule#0"]["scheduler"]["last_epoch"] == 5
    assert payload["history"]["epochs"] == 5


def test_resuming_with_other_callbacks_is_refused(tmp_path):
    model, optimizer, scheduler = make_run()
    run(model, optimizer, scheduler, [Checkpoint(tmp_path / "c.pt")])
    with pytest.raises(ValueError, match="no state for callback EarlyStopping#0"):
        run(
            *make_run(),
            [EarlyStopping(), Checkpoint(tmp_path / "c.pt")],
            resume_from=tmp_path / "c.pt",
        )


def test_a_failed_write_leaves_the_previous_checkpoint_intact(tmp_path, monkeypatch):
    path = tmp_path / "c.pt"
    model, optimizer, scheduler = make_run()
    run(model, optimizer, scheduler, [Checkpoint(path)])
    before = path.read_bytes()

    def broken_save(obj, f):
        f.write(b"half a checkpoint")
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        run(*make_run(), [Checkpoint(path)])
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["c.pt"], "no temporary file is left behind"


def test_unreadable_checkpoints_give_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="No checkpoint at"):
        load_checkpoint(tmp_path / "missing.pt")

    path = tmp_path / "c.pt"
    run(*make_run(), [Checkpoint(path)])
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(ValueError, match="truncated, corrupt or not a labkit checkpoint"):
        load_checkpoint(truncated)

    other = tmp_path / "weights.pt"
    torch.save({"weight": torch.zeros(2)}, other)
    with pytest.raises(ValueError, match="is not a labkit checkpoint"):
        load_checkpoint(other)


def test_checkpoint_arguments():
    with pytest.raises(ValueError, match="every=0"):
        Checkpoint("x.pt", every=0)


class SeesTheStart(Callback):
    """Remembers the epoch, history length and EarlyStopping's best value at on_train_begin."""

    def __init__(self, stopper):
        self.stopper = stopper
        self.seen = None

    def on_train_begin(self, state):
        self.seen = (state.epoch, state.history.epochs, self.stopper.best)


def test_on_train_begin_sees_the_restored_run(tmp_path):
    """Callbacks are reset, then the checkpoint restored, then on_train_begin runs."""
    first = make_run()
    with pytest.raises(KeyboardInterrupt):
        run(*first, [EarlyStopping(patience=50), Checkpoint(tmp_path / "cut.pt"), InterruptIn(3)])
    saved = load_checkpoint(tmp_path / "cut.pt")["callbacks"]["EarlyStopping#0"]["best"]

    stopper = EarlyStopping(patience=50)
    stopper.best = -123.0  # left over from an earlier run: reset must forget it
    watcher = SeesTheStart(stopper)
    resumed = make_run()
    run(
        *resumed,
        [stopper, Checkpoint(tmp_path / "cut.pt"), watcher],
        resume_from=tmp_path / "cut.pt",
    )
    assert watcher.seen == (3, 3, saved)
    assert math.isfinite(saved)


def test_a_checkpoint_of_an_older_format_says_so(tmp_path):
    old = tmp_path / "old.pt"
    torch.save({"format": "labkit-checkpoint-1", "epoch": 2}, old)
    with pytest.raises(ValueError, match="another version of labkit .*Train again"):
        load_checkpoint(old)


# --- LearningRateSchedule -----------------------------------------------------------------


def test_learning_rate_schedule_rejects_what_cannot_work():
    model, optimizer, scheduler = make_run()
    with pytest.raises(TypeError, match="torch.optim.lr_scheduler"):
        LearningRateSchedule(optimizer)
    with pytest.raises(ValueError, match="Received: interval='batch'"):
        LearningRateSchedule(scheduler, interval="batch")
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer)
    with pytest.raises(ValueError, match="stepped per epoch"):
        LearningRateSchedule(plateau, interval="step")
    other_model, other_optimizer, _ = make_run()
    with pytest.raises(ValueError, match="another optimizer"):
        run(other_model, other_optimizer, scheduler, [])
