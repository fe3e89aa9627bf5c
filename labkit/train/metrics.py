"""Metrics computed on a batch, on the device, returning a 0-d tensor (no host sync).

The training loop averages them over an epoch, weighting each batch by its size.
"""

from __future__ import annotations

import torch

__all__ = ["accuracy", "mean_absolute_error"]


def accuracy(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Fraction of samples whose highest-scoring class is the target class.

    >>> accuracy(torch.tensor([[2.0, 1.0], [0.0, 3.0]]), torch.tensor([0, 0]))
    tensor(0.5000)
    """
    return (outputs.argmax(dim=1) == targets).float().mean()


def mean_absolute_error(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean of ``|outputs - targets|`` (shapes must match).

    >>> mean_absolute_error(torch.tensor([1.0, 2.0]), torch.tensor([1.5, 2.0]))
    tensor(0.2500)
    """
    if outputs.shape != targets.shape:
        # (N, 1) - (N,) would broadcast to (N, N) and give a wrong number without an error.
        raise ValueError(
            f"mean_absolute_error needs outputs and targets of the same shape. Received: "
            f"outputs {tuple(outputs.shape)}, targets {tuple(targets.shape)}. Use "
            "outputs.squeeze(1) or targets.reshape(-1, 1)."
        )
    return (outputs.float() - targets.float()).abs().mean()
