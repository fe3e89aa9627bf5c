"""Tests for labkit.train.metrics, checked against scikit-learn on random data."""

import numpy as np
import pytest
import sklearn.metrics
import torch

from labkit.train.metrics import accuracy, mean_absolute_error


@pytest.mark.parametrize(("seed", "n_classes"), [(0, 2), (1, 3), (2, 10)])
def test_accuracy_matches_sklearn(seed, n_classes):
    rng = np.random.default_rng(seed)
    scores = rng.normal(size=(200, n_classes)).astype(np.float32)
    labels = rng.integers(0, n_classes, size=200)
    expected = sklearn.metrics.accuracy_score(labels, scores.argmax(axis=1))
    result = accuracy(torch.from_numpy(scores), torch.from_numpy(labels))
    assert result.item() == pytest.approx(expected, abs=1e-7)


def test_accuracy_returns_a_0d_float_tensor_on_the_inputs_device():
    result = accuracy(torch.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]), torch.tensor([1, 1, 1]))
    assert result.shape == ()
    assert result.dtype == torch.float32
    assert result.device == torch.device("cpu")
    assert result.item() == pytest.approx(2 / 3)


def test_accuracy_of_perfect_and_of_all_wrong_predictions():
    scores = torch.eye(4)
    assert accuracy(scores, torch.arange(4)).item() == 1.0
    assert accuracy(scores, (torch.arange(4) + 1) % 4).item() == 0.0


@pytest.mark.parametrize(("seed", "shape"), [(0, (50,)), (1, (40, 1)), (2, (30, 3))])
def test_mean_absolute_error_matches_sklearn(seed, shape):
    rng = np.random.default_rng(seed)
    predictions = rng.normal(size=shape).astype(np.float32)
    targets = rng.normal(size=shape).astype(np.float32)
    expected = sklearn.metrics.mean_absolute_error(
        targets.reshape(len(targets), -1), predictions.reshape(len(predictions), -1)
    )
    result = mean_absolute_error(torch.from_numpy(predictions), torch.from_numpy(targets))
    assert result.shape == ()
    assert result.item() == pytest.approx(expected, rel=1e-6)


def test_mean_absolute_error_accepts_integer_targets():
    result = mean_absolute_error(torch.tensor([1.5, 2.0, 5.0]), torch.tensor([1, 2, 3]))
    assert result.dtype == torch.float32
    assert result.item() == pytest.approx((0.5 + 0.0 + 2.0) / 3)


def test_mean_absolute_error_rejects_shapes_that_would_broadcast():
    with pytest.raises(ValueError, match=r"\(3, 1\).*\(3,\)"):
        mean_absolute_error(torch.zeros(3, 1), torch.tensor([0.0, 1.0, 2.0]))
