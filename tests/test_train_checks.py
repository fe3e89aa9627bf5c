"""Tests for labkit.train.checks: each common mistake gives an error that shows the value."""

import math

import pytest
import torch
from torch import nn

from labkit.train.checks import (
    check_model_and_targets,
    check_optimizer,
    check_pair,
)


class ViewCNN(nn.Module):
    """A CNN that flattens with .view(), which fails on channels-last activations."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, kernel_size=3, padding=1)
        self.head = nn.Linear(4 * 5 * 6, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.conv(x).view(len(x), -1))


class RecordsMode(nn.Module):
    """A linear model with dropout that remembers whether it ran in training mode."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(4, 3)
        self.dropout = nn.Dropout(0.5)
        self.ran_in_training_mode: list[bool] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.ran_in_training_mode.append(self.training)
        return self.dropout(self.linear(x))


def features(n=6, n_features=4):
    """Random float32 inputs."""
    return torch.randn(n, n_features, generator=torch.Generator().manual_seed(0))


# --- check_optimizer ----------------------------------------------------------------------


def sgd_with_lr(model, lr, group=0):
    """SGD built with a valid lr, then given ``lr`` in one param group (SGD refuses some lrs)."""
    optimizer = torch.optim.SGD([{"params": [model.weight]}, {"params": [model.bias]}], lr=0.1)
    optimizer.param_groups[group]["lr"] = lr
    return optimizer


def test_check_optimizer_accepts_an_optimizer_of_this_model():
    model = nn.Linear(3, 2)
    assert check_optimizer(torch.optim.Adam(model.parameters(), lr=1e-3), model) is None
    assert check_optimizer(torch.optim.SGD(model.parameters(), lr=0.0), model) is None


def test_check_optimizer_accepts_an_optimizer_of_part_of_the_model():
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    check_optimizer(torch.optim.SGD(model[1].parameters(), lr=0.1), model)  # fine-tuning a head


def test_check_optimizer_accepts_a_tensor_learning_rate():
    model = nn.Linear(3, 2)
    check_optimizer(torch.optim.Adam(model.parameters(), lr=torch.tensor(1e-3)), model)


@pytest.mark.parametrize(("lr", "shown"), [(-0.1, "lr=-0.1"), (math.nan, "lr=nan")])
@pytest.mark.parametrize("group", [0, 1])
def test_check_optimizer_rejects_a_negative_or_nan_learning_rate(lr, shown, group):
    model = nn.Linear(3, 2)
    expected = rf"finite number >= 0\. Received: {shown} \(param group {group}\)\. Typical"
    with pytest.raises(ValueError, match=expected):
        check_optimizer(sgd_with_lr(model, lr, group), model)


def test_check_optimizer_rejects_an_infinite_learning_rate():
    model = nn.Linear(3, 2)
    with pytest.raises(ValueError, match=r"Received: lr=inf \(param group 0\)"):
        check_optimizer(sgd_with_lr(model, math.inf), model)


@pytest.mark.parametrize(
    ("not_an_optimizer", "type_name"),
    [("sgd", "str"), (torch.optim.SGD, "type"), (None, "NoneType")],
)
def test_check_optimizer_rejects_what_is_not_an_optimizer(not_an_optimizer, type_name):
    with pytest.raises(TypeError, match=rf"torch\.optim optimizer .* Received: {type_name}$"):
        check_optimizer(not_an_optimizer, nn.Linear(3, 2))


def test_check_optimizer_rejects_an_optimizer_built_for_another_model():
    old_model, model = nn.Linear(3, 2), nn.Linear(3, 2)
    optimizer = torch.optim.SGD(old_model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=r"updates none of this model's parameters"):
        check_optimizer(optimizer, model)


# --- check_pair ---------------------------------------------------------------------------


def test_check_pair_rejects_different_numbers_of_samples():
    expected = r"train_data: X and y .* Received: X\.shape=\(5, 2\), y\.shape=\(4,\)\."
    with pytest.raises(ValueError, match=expected):
        check_pair(torch.zeros(5, 2), torch.zeros(4), "train_data")


def test_check_pair_rejects_empty_data():
    with pytest.raises(ValueError, match=r"val_data has no samples \(X has shape \(0, 3\)\)"):
        check_pair(torch.zeros(0, 3), torch.zeros(0), "val_data")


def test_check_pair_accepts_matching_data_and_missing_targets():
    assert check_pair(torch.zeros(5, 2), torch.zeros(5), "train_data") is None
    assert check_pair(torch.zeros(5, 2), None, "X") is None


# --- check_model_and_targets: classification ----------------------------------------------


@pytest.mark.parametrize("loss_fn", [nn.CrossEntropyLoss(), nn.NLLLoss()])
def test_labels_above_the_number_of_outputs_are_rejected(loss_fn):
    y = torch.tensor([0, 1, 2, 3, 1, 0])
    expected = (
        r"train_data: class labels must lie in \[0, 2\] because the model outputs 3 scores "
        r"per sample, but y ranges over \[0, 3\]\. Give the last layer 4 outputs"
    )
    with pytest.raises(ValueError, match=expected):
        check_model_and_targets(nn.Linear(4, 3), loss_fn, features(), y, "train_data")


def test_negative_labels_are_rejected():
    y = torch.tensor([-1, 0, 1, 2, 1, 0])
    with pytest.raises(
        ValueError,
        match=r"val_data: class labels must lie in \[0, 2\], but y contains -1\. Relabel",
    ):
        check_model_and_targets(nn.Linear(4, 3), nn.CrossEntropyLoss(), features(), y, "val_data")


def test_labels_equal_to_ignore_index_are_accepted():
    y = torch.tensor([0, 1, -100, 2, -100, 0])
    check_model_and_targets(nn.Linear(4, 3), nn.CrossEntropyLoss(), features(), y, "train_data")


def test_float_labels_with_cross_entropy_ask_for_long():
    y = torch.tensor([0.0, 1.0, 2.0, 1.0, 0.0, 2.0])
    expected = (
        r"train_data: CrossEntropyLoss needs integer class labels, but y has dtype "
        r"torch\.float32\. Convert them with y\.long\(\)\."
    )
    with pytest.raises(ValueError, match=expected):
        check_model_and_targets(nn.Linear(4, 3), nn.CrossEntropyLoss(), features(), y, "train_data")


def test_class_probabilities_with_cross_entropy_are_accepted():
    probabilities = torch.softmax(torch.randn(6, 3), dim=1)  # soft targets: (N, C) floats
    check_model_and_targets(
        nn.Linear(4, 3), nn.CrossEntropyLoss(), features(), probabilities, "train_data"
    )


def test_valid_class_labels_are_accepted():
    y = torch.tensor([0, 1, 2, 2, 1, 0])
    check_model_and_targets(nn.Linear(4, 3), nn.CrossEntropyLoss(), features(), y, "train_data")


# --- check_model_and_targets: regression --------------------------------------------------


@pytest.mark.parametrize("loss_fn", [nn.MSELoss(), nn.L1Loss(), nn.HuberLoss()])
def test_regression_targets_that_would_broadcast_are_rejected(loss_fn):
    name = type(loss_fn).__name__
    expected = (
        rf"train_data: the model outputs shape \(1,\) per sample but y has \(\); {name} would "
        r"broadcast them .* y\.reshape\(-1, 1\)"
    )
    with pytest.raises(ValueError, match=expected):
        check_model_and_targets(nn.Linear(4, 1), loss_fn, features(), torch.zeros(6), "train_data")


def test_regression_targets_of_the_outputs_shape_are_accepted():
    X = features()
    check_model_and_targets(nn.Linear(4, 1), nn.MSELoss(), X, torch.zeros(6, 1), "train_data")
    check_model_and_targets(nn.Linear(4, 2), nn.L1Loss(), X, torch.zeros(6, 2), "train_data")


def test_other_loss_functions_are_not_checked():
    # A custom loss may compare any shapes on purpose.
    def custom_loss(outputs, targets):
        return (outputs - targets).mean()

    check_model_and_targets(nn.Linear(4, 1), custom_loss, features(), torch.zeros(6), "train_data")


# --- check_model_and_targets: the model probe ---------------------------------------------


def test_a_first_layer_of_the_wrong_size_is_reported_with_the_input_shape():
    expected = (
        r"could not process train_data's inputs of shape \(4,\) per sample \(dtype "
        r"torch\.float32\): .*nn\.Linear\(in_features=X\.shape\[1\]"
    )
    with pytest.raises(ValueError, match=expected) as error:
        check_model_and_targets(
            nn.Linear(3, 2), nn.CrossEntropyLoss(), features(), torch.zeros(6).long(), "train_data"
        )
    assert isinstance(error.value.__cause__, RuntimeError)


def test_view_on_channels_last_activations_suggests_flatten():
    X = torch.randn(4, 3, 5, 6).contiguous(memory_format=torch.channels_last)
    model = ViewCNN().to(memory_format=torch.channels_last)
    y = torch.tensor([0, 1, 0, 1])
    expected = r"uses \.view\(\) on a tensor stored channels-last .* Use x\.flatten\(1\)"
    with pytest.raises(ValueError, match=expected):
        check_model_and_targets(model, nn.CrossEntropyLoss(), X, y, "train_data")
    # The same model is fine on NCHW inputs: the error is really about the memory format.
    check_model_and_targets(ViewCNN(), nn.CrossEntropyLoss(), X.contiguous(), y, "train_data")


@pytest.mark.parametrize("training", [True, False])
def test_the_probe_runs_in_eval_mode_and_restores_the_mode(training):
    model = RecordsMode().train(training)
    y = torch.tensor([0, 1, 2, 2, 1, 0])
    check_model_and_targets(model, nn.CrossEntropyLoss(), features(), y, "train_data")
    assert model.ran_in_training_mode == [False]
    assert model.training is training
    assert model.dropout.training is training


def test_the_probe_restores_training_mode_after_an_error():
    model = nn.Sequential(nn.Linear(3, 2), nn.Dropout(0.5)).train()
    with pytest.raises(ValueError):
        check_model_and_targets(
            model, nn.CrossEntropyLoss(), features(), torch.zeros(6).long(), "train_data"
        )
    assert model.training is True
    assert model[1].training is True


def test_the_probe_leaves_the_global_random_state_alone():
    model = RecordsMode().train()  # dropout in training mode would draw random numbers
    y = torch.tensor([0, 1, 2, 2, 1, 0])
    before = torch.get_rng_state()
    check_model_and_targets(model, nn.CrossEntropyLoss(), features(), y, "train_data")
    assert torch.equal(torch.get_rng_state(), before)
