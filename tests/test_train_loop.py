"""Tests for labkit.train.loop: fit, evaluate and predict."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.metrics import accuracy_score
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from labkit.device import DeviceChoice, seed_everything
from labkit.train import (
    Callback,
    LearningRateSchedule,
    SpeedOptions,
    accuracy,
    evaluate,
    fit,
    predict,
)
from labkit.train.batches import epoch_generator

CPU = DeviceChoice("cpu", "fp32", torch.get_num_threads(), "test")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    X = torch.tensor(X / 16.0, dtype=torch.float32)
    return X[:1400], torch.tensor(y[:1400]), X[1400:], torch.tensor(y[1400:])


def mlp(seed=0, dropout=0.0):
    seed_everything(seed)
    return nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Dropout(dropout), nn.Linear(32, 10))


def train(model, *data, **kwargs):
    options = dict(
        epochs=2,
        loss_fn=nn.CrossEntropyLoss(),
        optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
        progress=False,
        device=CPU,
    )
    options.update(kwargs)
    return fit(model, *data, **options)


def test_fit_is_the_same_computation_as_a_hand_written_loop(digits):
    X, y, _, _ = digits
    model = mlp()
    history = train(model, (X, y), epochs=3, batch_size=32, seed=5)

    reference = mlp()
    optimizer = torch.optim.SGD(reference.parameters(), lr=0.1)
    epoch_losses = []
    for epoch in range(3):
        order = torch.randperm(len(X), generator=epoch_generator(5, epoch))
        total = 0.0
        for start in range(0, len(X), 32):
            index = order[start : start + 32]
            loss = nn.functional.cross_entropy(reference(X[index]), y[index])
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            total += loss.item() * len(index)
        epoch_losses.append(total / len(X))

    np.testing.assert_allclose(history["loss"], epoch_losses, rtol=0, atol=1e-6)
    for ours, theirs in zip(model.parameters(), reference.parameters(), strict=True):
        assert torch.equal(ours, theirs)


def test_fit_learns_digits_and_records_validation(digits):
    X, y, Xv, yv = digits
    model = mlp()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    history = train(
        model, (X, y), (Xv, yv), epochs=10, optimizer=optimizer, metrics={"acc": accuracy}
    )
    assert list(history) == ["loss", "acc", "val_loss", "val_acc", "lr"]
    assert history.epochs == 10 and len(history["val_acc"]) == 10
    assert history["loss"][-1] < history["loss"][0] / 3
    assert history["val_acc"][-1] > 0.9
    assert history["lr"] == [1e-2] * 10


def test_numpy_inputs_and_dataloader_are_accepted(digits):
    X, y, Xv, yv = digits
    history = train(mlp(), (X.double().numpy(), y.numpy()), (Xv.numpy(), yv.numpy()))
    assert history.epochs == 2 and np.isfinite(history["val_loss"]).all()

    seed_everything(0)
    loader = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=True)
    model = mlp()
    history = train(model, loader, DataLoader(TensorDataset(Xv, yv), batch_size=100), epochs=3)
    assert history["val_loss"][-1] < history["val_loss"][0]


def test_evaluate_matches_sklearn_and_restores_training_mode(digits):
    X, y, Xv, yv = digits
    model = mlp(dropout=0.5)
    train(model, (X, y))
    model.train()
    scores = evaluate(model, (Xv, yv), loss_fn=nn.CrossEntropyLoss(), metrics={"acc": accuracy})
    assert model.training
    model.eval()
    with torch.no_grad():
        outputs = model(Xv)
    # Per-batch accuracies are float32 means: exact to ~1e-7.
    assert scores["acc"] == pytest.approx(accuracy_score(yv, outputs.argmax(1)), abs=1e-6)
    expected_loss = nn.functional.cross_entropy(outputs, yv).item()
    assert scores["loss"] == pytest.approx(expected_loss, rel=1e-5)


def test_predict_returns_outputs_in_order(digits):
    X, *_ = digits
    model = mlp()
    outputs = predict(model, X[:300], batch_size=64)
    with torch.no_grad():
        np.testing.assert_allclose(outputs, model.eval()(X[:300]), rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="evaluate needs targets"):
        evaluate(model, X[:10])


class CountSteps(Callback):
    def __init__(self):
        self.logs = []

    def on_log(self, state, logs):
        self.logs.append((state.epoch, state.step))


def test_log_every_controls_how_often_the_loss_is_read(digits):
    X, y, _, _ = digits
    counter = CountSteps()
    train(
        mlp(),
        (X[:320], y[:320]),
        batch_size=32,
        speed=SpeedOptions(log_every=4),
        callbacks=[counter],
    )
    # 10 steps per epoch: reads at steps 4, 8 and at the end of each epoch.
    assert counter.logs == [(0, 4), (0, 8), (0, 10), (1, 12), (1, 16), (1, 20), (1, 20)]


@pytest.mark.parametrize("precision", ["fp16", "bf16"])
def test_mixed_precision_path_runs_on_cpu(digits, precision):
    """The autocast + GradScaler path, with clipping, exercised without a GPU."""
    X, y, Xv, yv = digits
    model = mlp()
    steps, norms, scales = [], [], []
    optimizer = torch.optim.SGD(model.parameters(), lr=0.3)
    optimizer.register_step_post_hook(lambda *_: steps.append(1))

    def grad_norm(opt, *_):
        grads = [p.grad for group in opt.param_groups for p in group["params"]]
        norms.append(torch.linalg.vector_norm(torch.stack([g.norm() for g in grads])).item())

    optimizer.register_step_pre_hook(grad_norm)

    class Scale(Callback):
        def on_epoch_end(self, state, logs):
            scales.append((state.scaler.is_enabled(), state.scaler.get_scale()))

    history = train(
        model,
        (X, y),
        (Xv, yv),
        epochs=3,
        optimizer=optimizer,
        precision=precision,
        grad_clip=0.5,
        callbacks=[Scale()],
        metrics={"acc": accuracy},
    )
    n_steps = 3 * -(-len(X) // 32)
    assert len(steps) == n_steps, "the optimizer must step exactly once per batch"
    # Clipping saw the true (unscaled) gradients: the norms the optimizer gets are at most
    # 0.5, and the large early ones are exactly 0.5 (clipping scaled fp16 gradients would
    # leave them ~65536 times smaller).
    assert max(norms) == pytest.approx(0.5, rel=1e-3)
    assert np.mean(np.isclose(norms, 0.5, rtol=1e-3)) > 0.2
    assert all(enabled == (precision == "fp16") for enabled, _ in scales)
    assert history["val_acc"][-1] > 0.5
    assert all(np.isfinite(history["loss"]))


def test_one_cycle_schedule_steps_every_batch(digits):
    X, y, _, _ = digits
    model = mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    steps_per_epoch = -(-len(X) // 100)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=0.5, epochs=3, steps_per_epoch=steps_per_epoch
    )
    history = train(
        model,
        (X, y),
        epochs=3,
        batch_size=100,
        optimizer=optimizer,
        callbacks=[LearningRateSchedule(schedule, interval="step")],
    )
    assert schedule.last_epoch == 3 * steps_per_epoch
    lrs = history["lr"]  # the rate used during each epoch's last step... recorded after it
    assert lrs[0] > lrs[2] and max(lrs) <= 0.5


def test_epoch_schedules_including_plateau(digits):
    X, y, Xv, yv = digits
    model = mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    step = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    history = train(
        model, (X, y), epochs=3, optimizer=optimizer, callbacks=[LearningRateSchedule(step)]
    )
    assert history["lr"] == [0.1, 0.05, 0.025]

    optimizer = torch.optim.SGD(model.parameters(), lr=0.0)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=0, factor=0.5)
    optimizer.param_groups[0]["lr"] = 0.0
    train(
        model,
        (X, y),
        (Xv, yv),
        epochs=3,
        optimizer=optimizer,
        callbacks=[LearningRateSchedule(plateau)],
    )
    # lr=0 never improves val_loss: with patience 0 the plateau scheduler halves lr=0 each
    # epoch after the first, and its best value is the first epoch's val_loss.
    assert plateau.num_bad_epochs == 0 and plateau.last_epoch == 3
    assert np.isfinite(plateau.best)


class SmallCNN(nn.Module):
    def __init__(self, use_view=False):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.head = nn.Linear(4 * 8 * 8, 10)
        self.use_view = use_view

    def forward(self, x):
        x = torch.relu(self.conv(x))
        x = x.view(len(x), -1) if self.use_view else x.flatten(1)
        return self.head(x)


def test_channels_last_for_image_batches(digits):
    X, y, _, _ = digits
    images = X.reshape(-1, 1, 8, 8)
    model = SmallCNN()
    history = train(model, (images, y), epochs=2)
    assert model.conv.weight.is_contiguous(memory_format=torch.channels_last)
    assert history["loss"][1] < history["loss"][0]

    plain = SmallCNN()
    train(plain, (images, y), epochs=1, speed=SpeedOptions(channels_last=False))
    assert plain.conv.weight.is_contiguous()

    with pytest.raises(ValueError, match=r"x.flatten\(1\)"):
        train(SmallCNN(use_view=True), (images[:, :, :, :], y), epochs=1)


def test_compile_option_trains(digits):
    X, y, _, _ = digits
    model = nn.Linear(64, 10)
    history = train(model, (X[:256], y[:256]), epochs=2, speed=SpeedOptions(compile=True))
    assert history.epochs == 2 and history["loss"][1] < history["loss"][0]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"epochs": 0}, ValueError, "epochs must be a whole number >= 1. Received: epochs=0"),
        ({"batch_size": -4}, ValueError, "batch_size=-4"),
        ({"epochs": True}, TypeError, "epochs must be a whole number. Received: epochs=True"),
        ({"seed": -1}, ValueError, "seed must be a whole number >= 0. Received: seed=-1"),
        ({"grad_clip": -1.0}, ValueError, "grad_clip must be a finite number > 0"),
        ({"progress": "yes"}, ValueError, "progress='yes'"),
        ({"speed": {"compile": True}}, TypeError, "SpeedOptions"),
        ({"precision": "fp64"}, ValueError, "precision='fp64'"),
        ({"callbacks": [print]}, TypeError, "Received: builtin_function_or_method"),
        ({"optimizer": "adam"}, TypeError, "torch.optim.SGD"),
    ],
)
def test_bad_arguments_name_the_argument_and_value(digits, kwargs, error, message):
    X, y, _, _ = digits
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        train(mlp(), (X, y), **kwargs)


def test_negative_learning_rate(digits):
    X, y, _, _ = digits
    model = mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    optimizer.param_groups[0]["lr"] = -0.1  # torch itself refuses lr < 0 at construction
    with pytest.raises(ValueError, match=r"Received: lr=-0.1"):
        train(model, (X, y), optimizer=optimizer)


def test_data_errors(digits):
    X, y, _, _ = digits
    with pytest.raises(ValueError, match=r"X.shape=\(1400, 64\), y.shape=\(1399,\)"):
        train(mlp(), (X, y[:-1]))
    with pytest.raises(ValueError, match=r"class labels must lie in \[0, 9\].*\[0, 10\]"):
        train(mlp(), (X, torch.where(y == 9, 10, y)))
    with pytest.raises(ValueError, match=r"shape \(32,\) per sample"):
        train(mlp(), (X[:, :32], y))
    with pytest.raises(ValueError, match=r"pair \(X, y\) or a DataLoader"):
        train(mlp(), (X, y, y))
    with pytest.raises(RuntimeError, match="device='cuda' was requested"):
        if torch.cuda.is_available():
            raise RuntimeError("device='cuda' was requested (skipped: this machine has CUDA)")
        train(mlp(), (X, y), device="cuda")


def test_the_devices_thread_count_is_applied_however_the_device_is_given(digits, monkeypatch):
    X, y, _, _ = digits
    before = torch.get_num_threads()
    monkeypatch.setenv("LABKIT_NUM_THREADS", "1")
    try:
        for device in ("cpu", None):
            torch.set_num_threads(2)
            train(mlp(), (X[:64], y[:64]), epochs=1, device=device)
            assert torch.get_num_threads() == 1, device
    finally:
        torch.set_num_threads(before)


def test_speed_options_are_checked():
    with pytest.raises(ValueError, match="Received: log_every=0"):
        SpeedOptions(log_every=0)
    with pytest.raises(TypeError, match="Received: compile='yes'"):
        SpeedOptions(compile="yes")
