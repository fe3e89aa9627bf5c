"""Tests for labkit.train.history: appending epochs, NaN padding, best epochs, dict behaviour."""

import math

import pytest

from labkit.train.history import History


def history_of(*epochs):
    """A History with one appended dict per epoch."""
    history = History()
    for logs in epochs:
        history.append(logs)
    return history


def same_with_nan(actual, expected):
    """Lists equal element by element, NaN matching NaN."""
    return len(actual) == len(expected) and all(
        (math.isnan(a) and math.isnan(e)) or a == e for a, e in zip(actual, expected, strict=True)
    )


def test_a_new_history_is_empty():
    history = History()
    assert (history.epochs, history.stop_reason, dict(history)) == (0, None, {})


def test_append_adds_one_value_per_metric_and_counts_epochs():
    history = history_of({"loss": 0.9, "acc": 0.5}, {"loss": 0.4, "acc": 0.75})
    assert history.epochs == 2
    assert history["loss"] == [0.9, 0.4]
    assert history["acc"] == [0.5, 0.75]


def test_append_stores_plain_floats():
    history = history_of({"loss": 1, "acc": True})
    assert history["loss"] == [1.0]
    assert all(type(v[0]) is float for v in history.values())


def test_a_metric_that_appears_late_is_padded_with_nan_in_front():
    history = history_of({"loss": 0.9}, {"loss": 0.8}, {"loss": 0.7, "val_loss": 0.6})
    assert same_with_nan(history["val_loss"], [math.nan, math.nan, 0.6])
    assert history["loss"] == [0.9, 0.8, 0.7]


def test_a_metric_that_disappears_is_padded_with_nan_after():
    history = history_of({"loss": 0.9, "val_loss": 1.0}, {"loss": 0.8}, {"loss": 0.7})
    assert same_with_nan(history["val_loss"], [1.0, math.nan, math.nan])


def test_a_metric_that_comes_and_goes_stays_aligned_with_the_epochs():
    history = history_of({"loss": 3.0}, {"loss": 2.0, "val_loss": 2.5}, {"loss": 1.0})
    history.append({"loss": 0.5, "val_loss": 1.5})
    assert same_with_nan(history["val_loss"], [math.nan, 2.5, math.nan, 1.5])
    assert all(len(values) == history.epochs == 4 for values in history.values())


def test_best_in_min_mode_gives_the_1_based_epoch_of_the_lowest_value():
    history = history_of(*({"val_loss": v} for v in [0.9, 0.4, 0.6, 0.5]))
    assert history.best("val_loss") == (2, 0.4)
    assert history.best("val_loss", mode="min") == (2, 0.4)


def test_best_in_max_mode_gives_the_1_based_epoch_of_the_highest_value():
    history = history_of(*({"val_acc": v} for v in [0.5, 0.7, 0.9, 0.8]))
    assert history.best("val_acc", mode="max") == (3, 0.9)


def test_best_skips_epochs_without_a_value():
    history = history_of({"loss": 1.0}, {"loss": 0.1}, {"loss": 0.5, "val_loss": 0.8})
    history.append({"loss": 0.4, "val_loss": 0.9})
    assert history.best("val_loss") == (3, 0.8)
    assert history.best("val_loss", mode="max") == (4, 0.9)


def test_best_on_a_tie_in_min_mode_gives_the_first_epoch():
    history = history_of(*({"val_loss": v} for v in [0.5, 0.3, 0.3]))
    assert history.best("val_loss") == (2, 0.3)


def test_best_on_a_tie_in_max_mode_gives_the_first_epoch():
    history = history_of(*({"val_acc": v} for v in [0.5, 0.9, 0.9]))
    assert history.best("val_acc", mode="max") == (2, 0.9)


def test_best_of_an_unknown_metric_lists_the_available_ones():
    history = history_of({"loss": 1.0, "val_loss": 1.0})
    with pytest.raises(KeyError, match=r"'val_acc' is not in the history\. Available: \['loss'"):
        history.best("val_acc")


def test_getitem_of_an_unknown_metric_lists_the_available_ones():
    history = history_of({"loss": 1.0, "acc": 0.5})
    with pytest.raises(KeyError, match=r"'val_loss' is not in the history\. Available: \['acc', "):
        history["val_loss"]


def test_history_reads_like_a_dict_of_lists():
    history = history_of({"loss": 0.9, "val_loss": 1.0, "lr": 0.1}, {"loss": 0.5, "lr": 0.1})
    assert len(history) == 3
    assert list(history) == ["loss", "val_loss", "lr"]  # the order metrics were first logged
    assert list(history.keys()) == ["loss", "val_loss", "lr"]
    assert "loss" in history
    assert "acc" not in history
    assert history.get("acc") is None
    assert dict(history)["loss"] == [0.9, 0.5]
    assert same_with_nan(dict(history)["val_loss"], [1.0, math.nan])


def test_state_dict_round_trip_restores_metrics_epochs_and_stop_reason():
    original = history_of({"loss": 0.9, "acc": 0.5}, {"loss": 0.4, "acc": 0.75})
    original.stop_reason = "early stopping"
    restored = History()
    restored.load_state_dict(original.state_dict())
    assert dict(restored) == {"loss": [0.9, 0.4], "acc": [0.5, 0.75]}
    assert (restored.epochs, restored.stop_reason) == (2, "early stopping")


def test_load_state_dict_copies_the_lists():
    original = history_of({"loss": 0.9})
    restored = History()
    restored.load_state_dict(original.state_dict())
    restored.append({"loss": 0.1})
    assert original["loss"] == [0.9]
    assert restored["loss"] == [0.9, 0.1]


def test_repr_shows_epochs_and_the_last_values_rounded():
    history = history_of({"loss": 0.9, "acc": 0.5}, {"loss": 0.123456, "acc": 0.75})
    assert repr(history) == "History(epochs=2, last={'loss': 0.1235, 'acc': 0.75})"
    assert repr(History()) == "History(epochs=0, last={})"
