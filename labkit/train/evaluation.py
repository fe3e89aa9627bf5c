"""Using a trained model: :func:`evaluate` (loss and metrics) and :func:`predict` (outputs).

Both switch the model to evaluation mode (dropout off, batch norm uses its running
statistics) and run without gradients, then put the model back in the mode it was in.
"""

from __future__ import annotations

import torch
from torch import nn

from labkit.device import DeviceChoice
from labkit.train.batches import LoaderBatches, TensorBatches, make_batches, targets
from labkit.train.running import RunningMeans
from labkit.train.types import Data, LossFn, Metric
from labkit.validation import whole_number

__all__ = ["evaluate", "predict", "evaluate_batches"]


def evaluate_batches(
    net: nn.Module,
    batches: TensorBatches | LoaderBatches,
    loss_fn: LossFn | None,
    metrics: dict[str, Metric],
    choice: DeviceChoice,
) -> dict[str, float]:
    """Mean loss and metrics over ``batches``, in eval mode and without gradients."""
    was_training = net.training
    net.eval()  # dropout off, batch norm uses its running statistics
    means = RunningMeans()
    with torch.inference_mode(), choice.autocast():
        for xb, maybe_yb in batches.epoch(0):
            yb = targets(maybe_yb, "the evaluation data")
            out = net(xb)
            if loss_fn is not None:
                means.add("loss", loss_fn(out, yb), len(xb))
            for name, metric in metrics.items():
                means.add(name, metric(out, yb), len(xb))
    net.train(was_training)
    return means.means()


def evaluate(
    model: nn.Module,
    data: Data,
    *,
    loss_fn: LossFn | None = None,
    metrics: dict[str, Metric] | None = None,
    batch_size: int = 256,
    device: DeviceChoice | None = None,
) -> dict[str, float]:
    """Mean loss and metrics of ``model`` on held-out ``data`` (no training, no gradients).

    Parameters
    ----------
    model : nn.Module
    data : (X, y) tensors or arrays, or a DataLoader
    loss_fn : callable or None, default=None
    metrics : dict of str to callable, default=None
    batch_size : int, default=256
    device : DeviceChoice or None, default=None
        None evaluates where the model already is, in fp32.

    Returns
    -------
    dict of str to float

    Examples
    --------
    >>> from labkit.train.metrics import accuracy
    >>> model = nn.Linear(2, 2)
    >>> scores = evaluate(model, (torch.randn(10, 2), torch.zeros(10, dtype=torch.long)),
    ...                   loss_fn=nn.CrossEntropyLoss(), metrics={"acc": accuracy})
    >>> sorted(scores)
    ['acc', 'loss']
    """
    batch_size = whole_number("batch_size", batch_size, minimum=1)
    choice = device or _model_choice(model)
    model.to(choice.torch_device)
    batches = make_batches(data, batch_size, choice.torch_device, shuffle=False, name="data")
    if isinstance(batches, TensorBatches) and batches.y is None:
        raise ValueError(
            "evaluate needs targets: pass data=(X, y). For outputs alone use predict(model, X)."
        )
    return evaluate_batches(model, batches, loss_fn, dict(metrics or {}), choice)


def predict(
    model: nn.Module, X: Data, *, batch_size: int = 256, device: DeviceChoice | None = None
) -> torch.Tensor:
    """The model's outputs for every row of ``X``, in order, gathered on the CPU.

    Examples
    --------
    >>> predict(nn.Linear(3, 2), torch.zeros(5, 3)).shape
    torch.Size([5, 2])
    """
    batch_size = whole_number("batch_size", batch_size, minimum=1)
    choice = device or _model_choice(model)
    model.to(choice.torch_device)
    batches = make_batches(X, batch_size, choice.torch_device, shuffle=False, name="X")
    was_training = model.training
    model.eval()
    with torch.inference_mode(), choice.autocast():
        outputs = [model(xb).float().cpu() for xb, _ in batches.epoch(0)]
    model.train(was_training)
    return torch.cat(outputs)


def _model_choice(model: nn.Module) -> DeviceChoice:
    """Evaluate where the model's parameters already are, in fp32."""
    param = next(model.parameters(), None)
    name = param.device.type if param is not None else "cpu"
    return DeviceChoice(name, "fp32", torch.get_num_threads(), "where the model is")
