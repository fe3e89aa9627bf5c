"""Data-parallel training: what :func:`labkit.fit` does differently under ``torchrun``.

``torchrun --nproc-per-node=2 train.py`` starts the script twice. Each copy is a **rank**
(0 and 1) and learns its rank, the **world size** (2) and where rank 0 listens from
environment variables. In the script, :func:`init_distributed` joins the ranks into one
process group (the gloo backend on CPUs, NCCL on NVIDIA GPUs); from then on ``fit`` notices
and, with the script otherwise unchanged:

* gives each rank its share of every batch: ``batch_size`` stays the size of the whole
  (global) batch, cut into one contiguous piece per rank, so two ranks together take the
  same steps as one process would;
* wraps the model in ``DistributedDataParallel`` (DDP), which averages the ranks'
  gradients during the backward pass, so every rank applies the same update and the
  weights stay identical;
* weights each rank's loss by its share of the batch, so that the average of the ranks'
  gradients is exactly the gradient of the whole batch's mean loss, even when the pieces
  differ in size (``loss_fn`` must be a mean over the batch, as PyTorch's losses are);
* adds up the epoch's losses and metrics over the ranks, so every rank records the same
  history and callbacks such as early stopping decide alike on every rank;
* lets only rank 0 draw progress and write checkpoints (which keep every rank's random
  generators, so a resumed run continues exactly).

Each rank evaluates the whole validation set: the weights are identical, so are the numbers.

Example (one process: nothing to join, and fit trains as usual)
-------
>>> world = init_distributed()
>>> world
World(rank=0, size=1)
>>> world.is_main
True
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist

__all__ = [
    "ALONE",
    "World",
    "init_distributed",
    "close_distributed",
    "current_world",
    "shard_bounds",
    "sum_over_ranks",
]


@dataclass(frozen=True)
class World:
    """This process's rank and the number of processes training together."""

    rank: int = 0
    size: int = 1

    @property
    def is_main(self) -> bool:
        """Rank 0: the process that prints, plots and writes files."""
        return self.rank == 0


ALONE = World()  # one process training by itself


def init_distributed(backend: str | None = None) -> World:
    """Join the process group torchrun set up, or do nothing when run as one process.

    Parameters
    ----------
    backend : {"gloo", "nccl"} or None, default=None
        None: NCCL when a CUDA GPU is present (each rank then uses GPU ``LOCAL_RANK``),
        gloo otherwise.
    """
    if dist.is_available() and dist.is_initialized():
        return current_world()
    size = int(os.environ.get("WORLD_SIZE", "1"))
    if size == 1:
        return ALONE
    if not dist.is_available():
        raise RuntimeError("This PyTorch was built without torch.distributed.")
    if backend is None:
        backend = "nccl" if torch.cuda.is_available() else "gloo"
    if backend == "nccl":
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
    dist.init_process_group(backend)
    return current_world()


def close_distributed() -> None:
    """Leave the process group (at the end of a script); nothing to do for one process.

    A process that exits without it can abort while its communication threads still run.
    """
    if dist.is_available() and dist.is_initialized():
        dist.barrier()  # no rank tears down its connections while another still uses them
        dist.destroy_process_group()


def current_world() -> World:
    """The rank and world size of the process group, or ``World()`` when there is none."""
    if dist.is_available() and dist.is_initialized():
        return World(rank=dist.get_rank(), size=dist.get_world_size())
    return ALONE


def shard_bounds(n: int, world: World) -> tuple[int, int]:
    """The ``[start, stop)`` of this rank's contiguous piece of ``n`` items.

    The first ``n % size`` ranks get one item more, as ``torch.tensor_split`` cuts.

    >>> [shard_bounds(5, World(rank, 2)) for rank in (0, 1)]
    [(0, 3), (3, 5)]
    """
    base, extra = divmod(n, world.size)
    start = world.rank * base + min(world.rank, extra)
    return start, start + base + (1 if world.rank < extra else 0)


def sum_over_ranks(values: list[float], world: World) -> list[float]:
    """Each value summed over the ranks (every rank gets the sums); as is with one process."""
    if world.size == 1:
        return values
    device = "cuda" if dist.get_backend() == "nccl" else "cpu"
    total = torch.tensor(values, dtype=torch.float64, device=device)
    dist.all_reduce(total, op=dist.ReduceOp.SUM)
    return total.tolist()
