"""Tests for labkit.train.callbacks: EarlyStopping, NonFiniteGuard and the order callbacks run in.

Most tests train a tiny linear classifier through :func:`labkit.train.fit` (a few dozen
samples, on the CPU), so they check the callbacks the way learners use them.
"""

import math

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from labkit.device import DeviceChoice
from labkit.train import SpeedOptions, fit
from labkit.train.callbacks import Callback, EarlyStopping, NonFiniteGuard, run_hook
from labkit.train.history import History
from labkit.train.state import TrainState


def toy_data(n=64, seed=0):
    """A linearly separable two-class problem with 4 features."""
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 4, generator=generator)
    return X, (X[:, 0] + X[:, 1] > 0).long()


def new_model(seed=0):
    """The same small linear classifier every time for the same seed."""
    torch.manual_seed(seed)
    return nn.Linear(4, 2)


def acc(outputs, targets):
    """Accuracy, written out so this file tests callbacks only."""
    return (outputs.argmax(dim=1) == targets).float().mean()


def train(model, train_data, val_data=None, *, epochs, lr=0.1, callbacks=(), **options):
    """fit() with plain SGD on the CPU, without progress output."""
    options = {"loss_fn": nn.CrossEntropyLoss(), "batch_size": 8} | options
    return fit(
        model,
        train_data,
        val_data,
        epochs=epochs,
        optimizer=torch.optim.SGD(model.parameters(), lr=lr),
        callbacks=list(callbacks),
        progress=False,
        device="cpu",
        **options,
    )


def bare_state(model=None):
    """A TrainState for calling hooks directly, without a training loop."""
    model = model or nn.Linear(2, 1)
    return TrainState(
        model=model,
        optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
        scaler=torch.amp.GradScaler("cpu", enabled=False),
        device=DeviceChoice("cpu", "fp32", 1, "test"),
        history=History(),
        epochs=100,
        steps_per_epoch=1,
        seed=0,
    )


def feed(stopper, values, monitor="val_loss"):
    """Give ``stopper`` one epoch-end value at a time until it stops; the epochs it ran."""
    state = bare_state()
    stopper.reset()
    stopper.on_train_begin(state)
    for value in values:
        state.epoch += 1
        stopper.on_epoch_end(state, {monitor: value})
        if state.stop_training:
            break
    return state.epoch


def copy_weights(model):
    """A detached copy of every parameter and buffer."""
    return {name: value.detach().clone() for name, value in model.state_dict().items()}


def same_weights(model, weights):
    """Whether the model's weights are exactly ``weights``."""
    current = model.state_dict()
    return current.keys() == weights.keys() and all(
        torch.equal(current[name], weights[name]) for name in weights
    )


class WeightSnapshots(Callback):
    """Copies the weights after every epoch, and at the end of training before any restore."""

    # Between NonFiniteGuard (-10) and EarlyStopping (0): on_train_end sees the weights
    # training left, before EarlyStopping loads the best ones back.
    order = -5

    def __init__(self) -> None:
        self.after_epoch: dict[int, dict[str, torch.Tensor]] = {}
        self.before_restore: dict[str, torch.Tensor] | None = None
        self.final_step: int | None = None

    def on_epoch_end(self, state: TrainState, logs: dict[str, float]) -> None:
        self.after_epoch[state.epoch] = copy_weights(state.model)

    def on_train_end(self, state: TrainState) -> None:
        self.before_restore = copy_weights(state.model)
        self.final_step = state.step


class StopAfter(Callback):
    """Stops training at the end of a given epoch, as any other callback might."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch

    def on_epoch_end(self, state: TrainState, logs: dict[str, float]) -> None:
        if state.epoch == self.epoch:
            state.stop_training = True


class Recorder(Callback):
    """Appends (its name, the hook) to a shared list for every hook the loop calls."""

    def __init__(self, name: str, calls: list, order: int = 0) -> None:
        self.name, self.calls, self.order = name, calls, order

    def on_train_begin(self, state: TrainState) -> None:
        self.calls.append((self.name, "on_train_begin"))

    def on_epoch_begin(self, state: TrainState) -> None:
        self.calls.append((self.name, "on_epoch_begin"))

    def on_log(self, state: TrainState, logs: dict[str, float]) -> None:
        self.calls.append((self.name, "on_log"))

    def on_epoch_end(self, state: TrainState, logs: dict[str, float]) -> None:
        self.calls.append((self.name, "on_epoch_end"))

    def on_train_end(self, state: TrainState) -> None:
        self.calls.append((self.name, "on_train_end"))


class LossBecomesNonFinite:
    """Cross-entropy, made ``bad`` (NaN or inf) on the training calls numbered in ``bad_calls``.

    By default ``bad`` is added: a constant leaves the gradients and the weights finite,
    so only the loss value the guard reads is bad. With ``poison_weights`` the loss is
    multiplied by ``bad``, which sends the gradients and then the weights to NaN.
    """

    def __init__(self, bad: float, bad_calls: range, *, poison_weights: bool = False) -> None:
        self.bad, self.bad_calls, self.poison_weights = bad, bad_calls, poison_weights
        self.calls = 0

    def __call__(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        loss = F.cross_entropy(outputs, targets)
        if not torch.is_grad_enabled():  # validation runs without gradients: not counted
            return loss
        self.calls += 1
        if self.calls not in self.bad_calls:
            return loss
        return loss * self.bad if self.poison_weights else loss + self.bad


# --- EarlyStopping: arguments -------------------------------------------------------------


@pytest.mark.parametrize(
    ("monitor", "mode"),
    [
        ("val_loss", "min"),
        ("loss", "min"),
        ("val_mae", "min"),
        ("val_mean_absolute_error", "min"),
        ("val_acc", "max"),
        ("accuracy", "max"),
        ("val_f1", "max"),
    ],
)
def test_early_stopping_guesses_the_mode_from_the_name(monitor, mode):
    assert EarlyStopping(monitor).mode == mode


def test_early_stopping_default_watches_val_loss_downwards():
    stopper = EarlyStopping()
    assert (stopper.monitor, stopper.mode, stopper.patience, stopper.min_delta) == (
        "val_loss",
        "min",
        5,
        0.0,
    )


@pytest.mark.parametrize("monitor", ["val_foo", "lr"])
def test_early_stopping_asks_for_a_mode_when_the_name_says_nothing(monitor):
    with pytest.raises(ValueError, match=rf"monitor='{monitor}' .* Pass mode='min' .* mode='max'"):
        EarlyStopping(monitor)


def test_an_explicit_mode_overrides_the_guess():
    assert EarlyStopping("val_foo", mode="max").mode == "max"
    assert EarlyStopping("val_loss", mode="max").mode == "max"


def test_early_stopping_rejects_an_unknown_mode():
    with pytest.raises(
        ValueError, match=r"mode must be one of 'auto', 'min', 'max'\. Received: mode='best'"
    ):
        EarlyStopping(mode="best")


def test_early_stopping_rejects_a_negative_patience():
    with pytest.raises(
        ValueError, match=r"patience must be a whole number >= 0\. Received: patience=-1"
    ):
        EarlyStopping(patience=-1)


def test_early_stopping_rejects_a_negative_min_delta():
    with pytest.raises(
        ValueError, match=r"min_delta must be a finite number >= 0\. Received: min_delta=-0\.1"
    ):
        EarlyStopping(min_delta=-0.1)


# --- EarlyStopping: when it stops ---------------------------------------------------------


def test_early_stopping_stops_patience_epochs_after_the_last_improvement(capsys):
    X, y = toy_data()
    stopper = EarlyStopping("val_loss", patience=3)
    # lr=0: the weights never change, so the validation loss never beats epoch 1's.
    history = train(new_model(), (X, y), (X, y), epochs=20, lr=0.0, callbacks=[stopper])
    assert history.epochs == 4
    first = history["val_loss"][0]
    assert history["val_loss"] == [first] * 4
    assert history.stop_reason == (
        f"early stopping: val_loss did not improve for 3 epochs (best {first:.4g} at epoch 1)"
    )
    assert (stopper.best, stopper.best_epoch, stopper.wait) == (first, 1, 3)
    assert f"restored the weights of epoch 1 (val_loss = {first:.4g})" in capsys.readouterr().out


def test_early_stopping_in_max_mode_watches_accuracy():
    X, y = toy_data()
    stopper = EarlyStopping("val_acc", patience=2)
    history = train(
        new_model(), (X, y), (X, y), epochs=20, lr=0.0, callbacks=[stopper], metrics={"acc": acc}
    )
    assert history.epochs == 3
    assert history.stop_reason.startswith("early stopping: val_acc did not improve for 2 epochs")
    assert stopper.best == history["val_acc"][0]


def test_patience_zero_stops_at_the_first_epoch_without_improvement():
    assert feed(EarlyStopping(patience=0), [1.0, 1.0, 1.0]) == 2


def test_an_improvement_resets_the_wait():
    stopper = EarlyStopping(patience=2)
    assert feed(stopper, [1.0, 1.1, 0.9, 1.2, 0.95, 0.8]) == 5
    assert (stopper.best, stopper.best_epoch) == (0.9, 3)


def test_min_delta_ignores_smaller_improvements():
    stopper = EarlyStopping(patience=2, min_delta=0.1)
    assert feed(stopper, [1.0, 0.95, 0.92, 0.5]) == 3
    assert (stopper.best, stopper.best_epoch) == (1.0, 1)
    assert feed(EarlyStopping(patience=2), [1.0, 0.95, 0.92, 0.5]) == 4  # without min_delta


def test_min_delta_counts_larger_improvements_and_needs_strictly_more():
    stopper = EarlyStopping(patience=2, min_delta=0.25)
    # 0.75 is exactly min_delta below 1.0 (not enough); 0.7 is more than enough.
    assert feed(stopper, [1.0, 0.75, 0.7, 0.5, 0.5]) == 5
    assert (stopper.best, stopper.best_epoch) == (0.7, 3)


def test_min_delta_in_max_mode():
    stopper = EarlyStopping("val_acc", patience=1, min_delta=0.1)
    assert feed(stopper, [0.5, 0.65, 0.7], monitor="val_acc") == 3
    assert (stopper.best, stopper.best_epoch) == (0.65, 2)


def test_a_missing_monitor_lists_the_available_metrics():
    X, y = toy_data()
    with pytest.raises(ValueError, match=r"monitor='val_loss'.*Available: \['loss', 'lr'\]"):
        train(new_model(), (X, y), epochs=2, callbacks=[EarlyStopping("val_loss")])


def test_one_instance_can_be_reused_across_fit_calls():
    X, y = toy_data()
    stopper = EarlyStopping("val_loss", patience=2)
    first = train(new_model(), (X, y), (X, y), epochs=20, lr=0.0, callbacks=[stopper])
    # Had it kept the first run's best and wait, the second run would stop after 1 epoch.
    second = train(new_model(), (X, y), (X, y), epochs=20, lr=0.0, callbacks=[stopper])
    assert first.epochs == second.epochs == 3
    assert stopper.best_epoch == 1
    assert second.stop_reason == first.stop_reason


def test_early_stopping_state_dict_round_trip():
    stopper = EarlyStopping(patience=3)
    feed(stopper, [1.0, 0.5, 0.7])
    restored = EarlyStopping(patience=3)
    restored.load_state_dict(stopper.state_dict())
    assert (restored.best, restored.best_epoch, restored.wait) == (0.5, 2, 1)
    assert restored.best_weights is stopper.best_weights
    assert sorted(restored.best_weights) == ["bias", "weight"]


# --- EarlyStopping: restoring the best weights ----------------------------------------------


def run_with_worsening_validation(extra_callbacks, patience, epochs=5, **stopper_options):
    """Train on y but validate on 1 - y: the validation loss is best after epoch 1."""
    X, y = toy_data()
    model, snapshots = new_model(), WeightSnapshots()
    stopper = EarlyStopping("val_loss", patience=patience, **stopper_options)
    callbacks = [stopper, snapshots, *extra_callbacks]
    history = train(model, (X, y), (X, 1 - y), epochs=epochs, callbacks=callbacks)
    return model, snapshots, history


@pytest.mark.parametrize(
    ("extra_callbacks", "patience", "epochs_run"),
    [
        pytest.param([], 100, 5, id="epochs-ran-out"),
        pytest.param([], 2, 3, id="early-stopping-stopped"),
        pytest.param([StopAfter(epoch=4)], 100, 4, id="another-callback-stopped"),
    ],
)
def test_the_best_weights_are_restored_whoever_stopped_training(
    extra_callbacks, patience, epochs_run
):
    model, snapshots, history = run_with_worsening_validation(extra_callbacks, patience)
    assert history.epochs == epochs_run
    val_loss = history["val_loss"]
    assert val_loss == sorted(val_loss)  # it really got worse every epoch
    assert history.best("val_loss") == (1, val_loss[0])
    assert same_weights(model, snapshots.after_epoch[1])
    assert not same_weights(model, snapshots.before_restore)  # so the restore did something


def test_restore_best_weights_false_keeps_the_last_weights():
    model, snapshots, history = run_with_worsening_validation(
        [], patience=100, restore_best_weights=False
    )
    assert history.epochs == 5
    assert same_weights(model, snapshots.after_epoch[5])
    assert not same_weights(model, snapshots.after_epoch[1])


def test_nothing_is_restored_when_the_last_epoch_was_the_best(capsys):
    X, y = toy_data()
    model, snapshots = new_model(), WeightSnapshots()
    history = train(
        model, (X, y), (X, y), epochs=4, callbacks=[EarlyStopping(patience=1), snapshots]
    )
    assert history.best("val_loss") == (4, history["val_loss"][3])
    assert same_weights(model, snapshots.after_epoch[4])
    assert "restored" not in capsys.readouterr().out


def test_the_best_weights_are_restored_when_training_stops_inside_an_epoch():
    X, y = toy_data(n=48)  # 6 steps per epoch
    model, snapshots = new_model(), WeightSnapshots()
    # From step 8 (inside epoch 2) the loss, its gradients and so the weights become NaN.
    loss_fn = LossBecomesNonFinite(math.nan, range(8, 10**6), poison_weights=True)
    with pytest.warns(RuntimeWarning, match="the loss became nan"):
        history = train(
            model,
            (X, y),
            (X, y),
            epochs=5,
            batch_size=8,
            callbacks=[EarlyStopping(patience=3), snapshots],
            loss_fn=loss_fn,
            speed=SpeedOptions(log_every=1),
        )
    assert history.epochs == 1
    assert torch.isnan(snapshots.before_restore["weight"]).all()  # training did diverge
    assert same_weights(model, snapshots.after_epoch[1])


# --- NonFiniteGuard -----------------------------------------------------------------------


def train_with_bad_loss(bad, bad_calls, epochs=3, log_every=5, **options):
    """48 samples in batches of 4 (12 steps per epoch) with a loss that turns NaN or inf."""
    X, y = toy_data(n=48)
    snapshots = WeightSnapshots()
    history = train(
        new_model(),
        (X, y),
        epochs=epochs,
        batch_size=4,
        callbacks=[snapshots],
        loss_fn=LossBecomesNonFinite(bad, bad_calls),
        speed=SpeedOptions(log_every=log_every),
        **options,
    )
    return history, snapshots


def test_a_nan_loss_stops_training_at_the_next_log_step():
    with pytest.warns(RuntimeWarning) as warned:
        history, snapshots = train_with_bad_loss(math.nan, range(8, 10**6))
    # NaN from step 8 on; the loss is read at steps 5 and 10: the guard notices at step 10.
    assert snapshots.final_step == 10
    assert history.epochs == 0
    assert dict(history) == {}  # the unfinished epoch is not recorded
    assert history.stop_reason.startswith(
        "Training stopped in epoch 1 (step 10): the loss became nan."
    )
    messages = [str(w.message) for w in warned if w.category is RuntimeWarning]
    assert messages == [history.stop_reason]


def test_the_warning_names_the_learning_rate_and_the_other_causes():
    with pytest.warns(RuntimeWarning) as warned:
        train_with_bad_loss(math.nan, range(8, 10**6))
    message = str(warned[0].message)
    assert "the learning rate is too high (lr=[0.1]; try 10x smaller)" in message
    assert "the inputs contain NaN/inf" in message
    assert "a log or a division by zero in a custom loss" in message
    assert "precision" not in message  # already fp32: no advice to switch to fp32
    assert warned[0].filename == __file__  # points at the learner's fit(...) call


def test_in_reduced_precision_the_warning_suggests_fp32():
    with pytest.warns(RuntimeWarning, match=r"precision=bf16; try precision='fp32'"):
        train_with_bad_loss(math.nan, range(8, 10**6), precision="bf16")


def test_an_infinite_loss_stops_training_too():
    with pytest.warns(RuntimeWarning, match=r"epoch 1 \(step 10\): the loss became inf\."):
        history, snapshots = train_with_bad_loss(math.inf, range(8, 10**6))
    assert snapshots.final_step == 10
    assert history.epochs == 0
    assert "the loss became inf" in history.stop_reason


def test_a_nan_loss_in_a_later_epoch_keeps_the_finished_epochs():
    # Step 15 is the 3rd step of epoch 2 and a log step (log_every=5).
    with pytest.warns(RuntimeWarning, match=r"epoch 2 \(step 15\)"):
        history, snapshots = train_with_bad_loss(math.nan, range(15, 10**6))
    assert snapshots.final_step == 15
    assert history.epochs == 1
    assert len(history["loss"]) == 1
    assert math.isfinite(history["loss"][0])


def test_a_nan_loss_in_the_last_step_of_an_epoch_is_caught_at_the_epoch_end():
    # Only step 12 is bad: not a log_every step, but the epoch's closing read sees it.
    with pytest.warns(RuntimeWarning, match=r"epoch 1 \(step 12\)"):
        history, snapshots = train_with_bad_loss(math.nan, range(12, 13))
    assert snapshots.final_step == 12
    assert history.epochs == 0


def test_a_finite_loss_passes_the_guard_silently():
    state = bare_state()
    NonFiniteGuard().on_log(state, {"loss": 1e30})
    assert state.stop_training is False
    assert state.history.stop_reason is None


# --- the order callbacks run in -----------------------------------------------------------


def test_run_hook_calls_the_hook_in_list_order_with_the_arguments():
    calls = []
    callbacks = [Recorder("b", calls, order=9), Recorder("a", calls, order=-9)]
    run_hook(callbacks, "on_epoch_begin", bare_state())
    assert calls == [("b", "on_epoch_begin"), ("a", "on_epoch_begin")]


def test_fit_calls_callbacks_sorted_by_order_and_keeps_the_users_order_on_ties():
    X, y = toy_data(n=16)
    calls = []
    orders = {"late": 5, "first_zero": 0, "early": -3, "second_zero": 0, "tie_with_guard": -10}
    callbacks = [Recorder(name, calls, order) for name, order in orders.items()]
    train(new_model(), (X, y), epochs=1, batch_size=16, callbacks=callbacks)
    expected_order = ["tie_with_guard", "early", "first_zero", "second_zero", "late"]
    for hook in ["on_train_begin", "on_epoch_begin", "on_log", "on_epoch_end", "on_train_end"]:
        assert [name for name, called in calls if called == hook] == expected_order
    assert [hook for name, hook in calls if name == "late"] == [
        "on_train_begin",
        "on_epoch_begin",
        "on_log",
        "on_epoch_end",
        "on_train_end",
    ]


def test_the_default_guard_runs_before_user_callbacks_of_the_same_order():
    X, y = toy_data(n=16)
    seen = []

    class SeeCallbacks(Callback):
        order = -10

        def on_train_begin(self, state: TrainState) -> None:
            seen.extend(type(callback).__name__ for callback in state.callbacks)

    train(new_model(), (X, y), epochs=1, callbacks=[EarlyStopping("loss"), SeeCallbacks()])
    assert seen == ["NonFiniteGuard", "SeeCallbacks", "EarlyStopping"]


# --- the step hook ------------------------------------------------------------------------


class StepCounter(Callback):
    """Records the optimizer step count each time on_step_end runs."""

    def __init__(self) -> None:
        self.steps: list[int] = []

    def on_step_end(self, state: TrainState) -> None:
        self.steps.append(state.step)


def test_on_step_end_runs_after_every_optimizer_step():
    X, y = toy_data(n=20)
    counter = StepCounter()
    train(new_model(), (X, y), epochs=2, batch_size=8, callbacks=[counter])
    assert counter.steps == [1, 2, 3, 4, 5, 6]  # 3 batches (8, 8, 4) per epoch


def test_callbacks_without_a_step_hook_are_not_called_every_step(monkeypatch):
    X, y = toy_data(n=20)
    counter = StepCounter()
    called = []
    monkeypatch.setattr(Callback, "on_step_end", lambda self, state: called.append(self))
    train(new_model(), (X, y), epochs=1, callbacks=[EarlyStopping("loss"), counter])
    assert called == [] and counter.steps == [1, 2, 3]


def test_reset_runs_before_on_train_begin_and_both_once_per_fit():
    X, y = toy_data(n=16)
    calls = []

    class Order(Callback):
        def reset(self) -> None:
            calls.append("reset")

        def on_train_begin(self, state: TrainState) -> None:
            calls.append("on_train_begin")

    callback = Order()
    for _ in range(2):
        train(new_model(), (X, y), epochs=1, callbacks=[callback])
    assert calls == ["reset", "on_train_begin"] * 2
