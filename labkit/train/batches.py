"""Turning training data into batches on the right device.

Two kinds of data are accepted:

* **In-memory tensors** ``(X, y)`` (or NumPy arrays): each epoch draws a permutation from a
  generator seeded by ``(seed, epoch)`` and slices it. No DataLoader, no worker processes:
  on a small CPU this is faster, and the batch order of any epoch can be recomputed after
  a resume. On a GPU the tensors are copied there once, when they fit.
* **A DataLoader** (for data that does not fit in memory, or needs per-sample transforms):
  each batch is moved to the device as it arrives.

Example
-------
>>> X, y = torch.arange(10.0).reshape(5, 2), torch.arange(5)
>>> batches = TensorBatches(X, y, batch_size=2, device=torch.device("cpu"), shuffle=False)
>>> [yb.tolist() for _, yb in batches.epoch(0)]
[[0, 1], [2, 3], [4]]
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import torch
from torch.utils.data import DataLoader

from labkit.train.types import ArrayOrTensor, Data

__all__ = [
    "epoch_generator",
    "as_tensor",
    "TensorBatches",
    "LoaderBatches",
    "make_batches",
    "targets",
]

# Copy in-memory data to the GPU when it takes at most this share of the free GPU memory,
# leaving the rest for the model, its activations and the optimizer.
GPU_DATA_SHARE = 0.5


def epoch_generator(seed: int, epoch: int) -> torch.Generator:
    """A random generator for one epoch's batch order, determined by ``(seed, epoch)`` alone.

    >>> a = torch.randperm(5, generator=epoch_generator(0, 3))
    >>> b = torch.randperm(5, generator=epoch_generator(0, 3))
    >>> torch.equal(a, b)
    True
    """
    # SeedSequence mixes the pair so that nearby (seed, epoch) pairs give unrelated streams.
    mixed = np.random.SeedSequence([seed, epoch]).generate_state(1, dtype=np.uint64)[0]
    return torch.Generator().manual_seed(int(mixed))


def as_tensor(array: ArrayOrTensor, name: str) -> torch.Tensor:
    """A tensor from a tensor or array; NumPy floats become float32, PyTorch's default.

    >>> as_tensor(np.zeros(3), "X").dtype
    torch.float32
    """
    if isinstance(array, torch.Tensor):
        return array
    if isinstance(array, np.ndarray):
        tensor = torch.from_numpy(np.ascontiguousarray(array))
        return tensor.float() if tensor.is_floating_point() else tensor
    raise TypeError(
        f"{name} must be a torch.Tensor or numpy.ndarray. Received: {type(array).__name__}. "
        f"Convert it with torch.as_tensor({name})."
    )


def _fits_on_gpu(nbytes: int, device: torch.device) -> bool:
    """Whether ``nbytes`` of data take at most GPU_DATA_SHARE of the GPU's free memory."""
    free, _total = torch.cuda.mem_get_info(device)
    return nbytes <= GPU_DATA_SHARE * free


class TensorBatches:
    """Batches of in-memory tensors, made by slicing a per-epoch permutation.

    Parameters
    ----------
    X, y : torch.Tensor
        Inputs and targets with the same first dimension (``y`` may be None for prediction).
    batch_size : int
    device : torch.device
    shuffle : bool, default=True
    seed : int, default=0
        With the epoch number, decides each epoch's order.
    channels_last : bool, default=False
        Store 4-D image batches as NHWC, which convolutions run faster on.
    """

    def __init__(
        self,
        X: torch.Tensor,
        y: torch.Tensor | None,
        batch_size: int,
        device: torch.device,
        *,
        shuffle: bool = True,
        seed: int = 0,
        channels_last: bool = False,
    ) -> None:
        self.n = len(X)
        self.batch_size = batch_size
        self.device = device
        self.shuffle = shuffle
        self.seed = seed
        if channels_last and X.dim() == 4:
            X = X.contiguous(memory_format=torch.channels_last)
        nbytes = X.nbytes + (y.nbytes if y is not None else 0)
        # Data that fits is copied to the GPU once; otherwise each batch is copied from
        # pinned memory, which lets the copy overlap with the GPU's work (non_blocking).
        self.on_device = device.type == "cpu" or (
            device.type == "cuda" and _fits_on_gpu(nbytes, device)
        )
        if self.on_device:
            X, y = X.to(device), (y.to(device) if y is not None else None)
        elif device.type == "cuda":
            X, y = X.pin_memory(), (y.pin_memory() if y is not None else None)
        self.X, self.y = X, y

    def __len__(self) -> int:
        return math.ceil(self.n / self.batch_size)

    def epoch(self, epoch: int) -> Iterator[tuple[torch.Tensor, torch.Tensor | None]]:
        """Yield one epoch's ``(X_batch, y_batch)`` pairs on the device."""
        if self.shuffle:
            order = torch.randperm(self.n, generator=epoch_generator(self.seed, epoch))
            order = order.to(self.X.device)
        for start in range(0, self.n, self.batch_size):
            if self.shuffle:
                index = order[start : start + self.batch_size]
                xb = self.X[index]
                yb = self.y[index] if self.y is not None else None
            else:
                xb = self.X[start : start + self.batch_size]
                yb = self.y[start : start + self.batch_size] if self.y is not None else None
            if not self.on_device:
                xb = xb.to(self.device, non_blocking=True)
                yb = yb.to(self.device, non_blocking=True) if yb is not None else None
            yield xb, yb


class LoaderBatches:
    """Batches from a DataLoader, moved to the device as they arrive.

    The DataLoader decides the order; with ``shuffle=True`` it draws its seed from PyTorch's
    global generator, which :func:`labkit.seed_everything` and a checkpoint restore.
    """

    def __init__(self, loader: DataLoader, device: torch.device, *, channels_last: bool = False):
        self.loader = loader
        self.device = device
        self.channels_last = channels_last

    def __len__(self) -> int:
        return len(self.loader)

    def epoch(self, epoch: int) -> Iterator[tuple[torch.Tensor, torch.Tensor | None]]:
        """Yield one epoch's ``(X_batch, y_batch)`` pairs on the device."""
        non_blocking = self.device.type == "cuda"
        for batch in self.loader:
            xb, yb = (batch[0], batch[1]) if isinstance(batch, list | tuple) else (batch, None)
            xb = xb.to(self.device, non_blocking=non_blocking)
            if self.channels_last and xb.dim() == 4:
                xb = xb.contiguous(memory_format=torch.channels_last)
            if yb is not None:
                yb = yb.to(self.device, non_blocking=non_blocking)
                if not yb.is_floating_point() and yb.dtype != torch.int64:
                    yb = yb.long()  # PyTorch's classification losses need int64 class labels
            yield xb, yb


def targets(yb: torch.Tensor | None, name: str) -> torch.Tensor:
    """A batch's targets, or a clear error when the data gave inputs alone.

    >>> targets(torch.tensor([1, 0]), "train_data")
    tensor([1, 0])
    """
    if yb is None:
        raise ValueError(
            f"{name} gave inputs without targets. Pass (X, y), or a DataLoader whose batches "
            "are (inputs, targets) pairs."
        )
    return yb


def make_batches(
    data: Data,
    batch_size: int,
    device: torch.device,
    *,
    shuffle: bool,
    seed: int = 0,
    channels_last: bool = False,
    name: str = "train_data",
) -> TensorBatches | LoaderBatches:
    """Wrap ``(X, y)``, ``X`` alone, or a DataLoader so that ``.epoch(e)`` yields device batches."""
    if isinstance(data, DataLoader):
        return LoaderBatches(data, device, channels_last=channels_last)
    if isinstance(data, list | tuple):
        if len(data) != 2:
            raise ValueError(
                f"{name} must be a pair (X, y) or a DataLoader. Received a {type(data).__name__} "
                f"of length {len(data)}."
            )
        X, y = as_tensor(data[0], f"{name}[0] (X)"), as_tensor(data[1], f"{name}[1] (y)")
        if not y.is_floating_point() and y.dtype != torch.int64:
            y = y.long()  # PyTorch's classification losses need int64 class labels
    else:
        X, y = as_tensor(data, name), None
    return TensorBatches(
        X, y, batch_size, device, shuffle=shuffle, seed=seed, channels_last=channels_last
    )
