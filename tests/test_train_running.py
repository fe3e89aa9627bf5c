"""Tests for labkit.train.running: size-weighted epoch means, checked against NumPy."""

import math

import numpy as np
import pytest
import torch

from labkit.train.running import RunningMeans


def random_batches(seed, n_batches):
    """Random per-batch values (float32, as a loss is) and batch sizes."""
    rng = np.random.default_rng(seed)
    values = rng.normal(loc=2.0, scale=3.0, size=n_batches).astype(np.float32)
    sizes = rng.integers(1, 65, size=n_batches)
    return values, sizes


def filled(values, sizes, name="loss"):
    """RunningMeans with one 0-d tensor per batch added under ``name``."""
    means = RunningMeans()
    for value, size in zip(values, sizes, strict=True):
        means.add(name, torch.tensor(value), int(size))
    return means


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mean_is_the_size_weighted_mean(seed):
    values, sizes = random_batches(seed, n_batches=37)
    expected = np.average(values.astype(np.float64), weights=sizes)
    assert filled(values, sizes).mean("loss") == pytest.approx(expected, rel=1e-12)


def test_mean_differs_from_the_unweighted_mean():
    means = filled([1.0, 3.0], [3, 1])
    assert means.mean("loss") == 1.5  # not (1 + 3) / 2


def test_reading_in_the_middle_gives_the_running_mean_so_far():
    values, sizes = random_batches(seed=3, n_batches=30)
    means = RunningMeans()
    for i, (value, size) in enumerate(zip(values, sizes, strict=True), start=1):
        means.add("loss", torch.tensor(value), int(size))
        if i in (5, 6, 17):  # several reads, one right after another
            expected = np.average(values[:i].astype(np.float64), weights=sizes[:i])
            assert means.mean("loss") == pytest.approx(expected, rel=1e-12)
    final = np.average(values.astype(np.float64), weights=sizes)
    assert means.mean("loss") == pytest.approx(final, rel=1e-12)


def test_reading_twice_without_adding_gives_the_same_mean():
    means = filled([2.0, 4.0], [1, 3])
    assert means.mean("loss") == means.mean("loss") == 3.5


def test_names_are_averaged_separately():
    means = RunningMeans()
    means.add("loss", torch.tensor(1.0), 2)
    means.add("acc", torch.tensor(0.5), 2)
    means.add("loss", torch.tensor(4.0), 1)
    means.add("acc", torch.tensor(1.0), 6)
    assert means.mean("loss") == 2.0
    assert means.mean("acc") == pytest.approx(0.875)


def test_the_mean_of_a_float32_value_keeps_float64_precision():
    # 10 000 batches of 0.1 (float32): a float32 running sum would drift visibly.
    value = torch.tensor(0.1)
    means = RunningMeans()
    for _ in range(10_000):
        means.add("loss", value, 7)
    assert means.mean("loss") == pytest.approx(float(value), rel=1e-12)


@pytest.mark.parametrize(
    ("bad", "check"), [(math.nan, math.isnan), (math.inf, lambda m: m == math.inf)]
)
def test_a_nan_or_inf_batch_makes_the_mean_nan_or_inf(bad, check):
    means = filled([1.0, 2.0, bad, 3.0], [4, 4, 4, 4])
    assert check(means.mean("loss"))
    means.add("loss", torch.tensor(1.0), 4)
    assert check(means.mean("loss"))  # it stays that way for the rest of the epoch


def test_minus_inf_plus_inf_gives_nan():
    assert math.isnan(filled([math.inf, -math.inf], [1, 1]).mean("loss"))


def test_means_keeps_the_order_names_were_first_added():
    means = RunningMeans()
    for name in ["loss", "acc", "mae", "loss", "acc"]:
        means.add(name, torch.tensor(1.0), 1)
    assert list(means.means()) == ["loss", "acc", "mae"]


def test_means_returns_every_mean_as_a_float():
    means = RunningMeans()
    means.add("loss", torch.tensor(0.5), 1)
    means.add("acc", torch.tensor(0.25), 3)
    result = means.means()
    assert result == {"loss": 0.5, "acc": 0.25}
    assert all(type(value) is float for value in result.values())


def test_means_of_nothing_is_empty():
    assert RunningMeans().means() == {}


def test_an_unknown_name_raises_key_error():
    means = filled([1.0], [1])
    with pytest.raises(KeyError, match="No values were added for 'val_loss'"):
        means.mean("val_loss")
