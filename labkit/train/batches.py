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
from torch.utils.data import DataLoader, DistributedSampler

from labkit.train.distributed import ALONE, World, shard_bounds
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
    world : World, default=ALONE (one process)
        In data-parallel training, each rank yields its contiguous piece of every batch of
        ``batch_size`` (see :mod:`labkit.train.distributed`). A last batch with fewer items
        than ranks is left out, so that no rank gets an empty piece.
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
        world: World = ALONE,
    ) -> None:
        if batch_size < world.size:
            raise ValueError(
                f"batch_size={batch_size} is smaller than the {world.size} processes training "
                f"together: each needs a piece of every batch. Use batch_size >= {world.size}."
            )
        self.world = world
        # Items per epoch: all of them, less a last batch too small to give every rank one.
        last = len(X) % batch_size
        self.n = len(X) - (last if 0 < last < world.size else 0)
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
            stop = min(start + self.batch_size, self.n)
            if self.world.size > 1:  # this rank's piece of the batch [start, stop)
                lo, hi = shard_bounds(stop - start, self.world)
                start, stop = start + lo, start + hi
            if self.shuffle:
                index = order[start:stop]
                xb = self.X[index]
                yb = self.y[index] if self.y is not None else None
            else:
                xb = self.X[start:stop]
                yb = self.y[start:stop] if self.y is not None else None
            if not self.on_device:
                xb = xb.to(self.device, non_blocking=True)
                yb = yb.to(self.device, non_blocking=True) if yb is not None else None
            yield xb, yb

    def loss_weight(self, index: int, size: int) -> float:
        """What this rank's loss on batch ``index`` (``size`` items) is multiplied by, so
        that averaging the ranks' gradients gives the whole batch's gradient: its share of
        the batch times the number of ranks (1 when training alone).

        >>> batches = TensorBatches(torch.zeros(5, 1), None, 5, torch.device("cpu"),
        ...                         world=World(rank=1, size=2))
        >>> batches.loss_weight(0, 2)  # 2 of the 5 items, averaged over 2 ranks
        0.8
        """
        whole = min(self.batch_size, self.n - index * self.batch_size)
        return self.world.size * size / whole


class LoaderBatches:
    """Batches from a DataLoader, moved to the device as they arrive.

    The DataLoader decides the order; with ``shuffle=True`` it draws its seed from PyTorch's
    global generator, which :func:`labkit.seed_everything` and a checkpoint restore.

    In data-parallel training the loader must give each rank its own part of the data: a
    ``DistributedSampler``, whose order is set from the epoch number before every epoch.
    It gives every rank as many items, so each rank's loss counts alike (weight 1).
    """

    def __init__(
        self,
        loader: DataLoader,
        device: torch.device,
        *,
        channels_last: bool = False,
        world: World = ALONE,
    ) -> None:
        if world.size > 1 and not isinstance(loader.sampler, DistributedSampler):
            raise ValueError(
                f"{world.size} processes are training together, but the DataLoader would give "
                "each of them all the data. Give it a DistributedSampler: DataLoader(dataset, "
                "batch_size=..., sampler=DistributedSampler(dataset, seed=...)), with the "
                "batch size of one process."
            )
        self.loader = loader
        self.device = device
        self.channels_last = channels_last

    def __len__(self) -> int:
        return len(self.loader)

    def epoch(self, epoch: int) -> Iterator[tuple[torch.Tensor, torch.Tensor | None]]:
        """Yield one epoch's ``(X_batch, y_batch)`` pairs on the device."""
        non_blocking = self.device.type == "cuda"
        if isinstance(self.loader.sampler, DistributedSampler):
            self.loader.sampler.set_epoch(epoch)  # a new order each epoch, the same on all ranks
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

    def loss_weight(self, index: int, size: int) -> float:
        """1: every rank's batches are the same size (see the class docstring)."""
        return 1.0


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
    world: World = ALONE,
) -> TensorBatches | LoaderBatches:
    """Wrap ``(X, y)``, ``X`` alone, or a DataLoader so that ``.epoch(e)`` yields device batches;
    ``world``: each rank's share in data-parallel training."""
    if isinstance(data, DataLoader):
        return LoaderBatches(data, device, channels_last=channels_last, world=world)
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
        X,
        y,
        batch_size,
        device,
        shuffle=shuffle,
        seed=seed,
        channels_last=channels_last,
        world=world,
    )
