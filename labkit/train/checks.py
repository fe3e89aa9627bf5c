"""Checks that turn common training mistakes into errors that say what to change.

Each check runs once, before the first step, so the training loop itself stays fast.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from labkit.train.types import LossFn

__all__ = ["check_optimizer", "check_pair", "check_model_and_targets"]

_CLASSIFICATION_LOSSES = (nn.CrossEntropyLoss, nn.NLLLoss)
_REGRESSION_LOSSES = (nn.MSELoss, nn.L1Loss, nn.SmoothL1Loss, nn.HuberLoss)


def check_optimizer(optimizer: torch.optim.Optimizer, model: nn.Module) -> None:
    """The optimizer exists, has sensible learning rates, and updates this model's weights."""
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(
            "optimizer must be a torch.optim optimizer built on the model's parameters, e.g. "
            f"torch.optim.SGD(model.parameters(), lr=0.1). Received: {type(optimizer).__name__}"
        )
    for i, group in enumerate(optimizer.param_groups):
        lr = group["lr"]
        lr = lr.item() if isinstance(lr, torch.Tensor) else lr
        if not math.isfinite(lr) or lr < 0:
            raise ValueError(
                f"The optimizer's learning rate must be a finite number >= 0. Received: lr={lr} "
                f"(param group {i}). Typical values: 0.1 for SGD, 1e-3 for Adam."
            )
    model_params = {id(p) for p in model.parameters()}
    optimizer_params = {id(p) for g in optimizer.param_groups for p in g["params"]}
    if model_params and not model_params & optimizer_params:
        raise ValueError(
            "The optimizer updates none of this model's parameters: it was probably built for "
            "another model object (e.g. before the model was re-created). Build it again with "
            "torch.optim.<Optimizer>(model.parameters(), ...)."
        )


def check_pair(X: torch.Tensor, y: torch.Tensor | None, name: str) -> None:
    """X and y have one row per sample each, and X is not empty."""
    if len(X) == 0:
        raise ValueError(f"{name} has no samples (X has shape {tuple(X.shape)}).")
    if y is not None and len(y) != len(X):
        raise ValueError(
            f"{name}: X and y must have the same number of samples. Received: "
            f"X.shape={tuple(X.shape)}, y.shape={tuple(y.shape)}."
        )


def _probe(model: nn.Module, xb: torch.Tensor, name: str) -> torch.Tensor:
    """Run the model on a couple of samples, without gradients or training-mode randomness."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            return model(xb)
    except RuntimeError as error:
        if "view size is not compatible" in str(error):
            raise ValueError(
                f"The model's forward uses .view() on a tensor stored channels-last ({error}). "
                "Use x.flatten(1) or x.reshape(len(x), -1) instead, or pass channels_last=False."
            ) from error
        raise ValueError(
            f"The model could not process {name}'s inputs of shape {tuple(xb.shape[1:])} per "
            f"sample (dtype {xb.dtype}): {error}. Check that the first layer's input size matches "
            "the data (e.g. nn.Linear(in_features=X.shape[1], ...)) and that X is float32 "
            "(X.float())."
        ) from error
    finally:
        model.train(was_training)


def _check_labels(labels: torch.Tensor, out: torch.Tensor, name: str) -> None:
    """Class labels lie in [0, number of model outputs)."""
    if len(labels) == 0:
        return
    low, high = int(labels.min()), int(labels.max())
    n_classes = out.shape[1] if out.dim() > 1 else 1
    if low < 0:
        raise ValueError(
            f"{name}: class labels must lie in [0, {n_classes - 1}], but y contains {low}. "
            "Relabel the classes as 0, 1, 2, ... (e.g. with sklearn's LabelEncoder); only the "
            "loss's ignore_index (default -100) may be negative."
        )
    if high >= n_classes:
        raise ValueError(
            f"{name}: class labels must lie in [0, {n_classes - 1}] because the model outputs "
            f"{n_classes} scores per sample, but y ranges over [{low}, {high}]. Give the last "
            f"layer {high + 1} outputs, or relabel the classes 0..{n_classes - 1}."
        )


def check_model_and_targets(
    model: nn.Module, loss_fn: LossFn, X: torch.Tensor, y: torch.Tensor, name: str
) -> None:
    """The model accepts X, and y fits the model's output and the loss function.

    Catches labels out of range for a classifier and regression targets whose shape would
    silently broadcast against the predictions ((N, 1) minus (N,) gives an (N, N) matrix).
    """
    out = _probe(model, X[:2], name)
    if isinstance(loss_fn, _CLASSIFICATION_LOSSES) and not y.is_floating_point():
        _check_labels(y[y != loss_fn.ignore_index], out, name)
    elif isinstance(loss_fn, _CLASSIFICATION_LOSSES) and y.dim() == 1:
        raise ValueError(
            f"{name}: {type(loss_fn).__name__} needs integer class labels, but y has dtype "
            f"{y.dtype}. Convert them with y.long()."
        )
    elif isinstance(loss_fn, _REGRESSION_LOSSES) and out.shape[1:] != y.shape[1:]:
        raise ValueError(
            f"{name}: the model outputs shape {tuple(out.shape[1:])} per sample but y has "
            f"{tuple(y.shape[1:])}; {type(loss_fn).__name__} would broadcast them and compare "
            "every prediction with every target. Make them match, e.g. y.reshape(-1, 1) or a "
            "model ending in .squeeze(1)."
        )
