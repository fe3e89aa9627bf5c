"""Epoch averages that stay on the device until someone reads them.

Adding a number costs a list append; reading (:meth:`RunningMeans.mean`) folds everything
added since the last read into a running sum with one small matrix product and waits for
the device once. A NaN or inf anywhere makes the sum NaN or inf, so reading the loss once
per log interval is enough to notice a loss that blew up.

On the CPU there is nothing to wait for: a tensor's value is already in the computer's
memory. There ``RunningMeans(read_at_once=True)`` adds each value to a Python float right
away, which costs less than keeping the tensors to fold later.
"""

from __future__ import annotations

import torch

__all__ = ["RunningMeans"]


class RunningMeans:
    """Size-weighted means of per-batch values (0-d tensors), kept on their device.

    Examples
    --------
    >>> means = RunningMeans()
    >>> means.add("loss", torch.tensor(1.0), 3)
    >>> means.add("loss", torch.tensor(3.0), 1)
    >>> means.mean("loss")
    1.5
    >>> on_cpu = RunningMeans(read_at_once=True)
    >>> on_cpu.add("loss", torch.tensor(1.0), 3)
    >>> on_cpu.add("loss", torch.tensor(3.0), 1)
    >>> on_cpu.mean("loss")
    1.5
    """

    def __init__(self, *, read_at_once: bool = False) -> None:
        self.read_at_once = read_at_once
        self.totals: dict[str, float] = {}  # used when read_at_once: plain float sums
        self.pending: dict[str, list[torch.Tensor]] = {}
        self.sizes: dict[str, list[int]] = {}
        self.sums: dict[str, torch.Tensor] = {}
        self.counts: dict[str, int] = {}
        self.names: list[str] = []  # in the order first added, so logs read loss first

    def add(self, name: str, value: torch.Tensor, size: int) -> None:
        """Remember one batch's value and how many samples it averaged over."""
        if name not in self.names:
            self.names.append(name)
        if self.read_at_once:
            self.totals[name] = self.totals.get(name, 0.0) + value.item() * size
            self.counts[name] = self.counts.get(name, 0) + size
            return
        self.pending.setdefault(name, []).append(value)
        self.sizes.setdefault(name, []).append(size)

    def _fold(self, name: str) -> None:
        """Move pending values into the running sum (on the device, no waiting)."""
        values, sizes = self.pending.pop(name, []), self.sizes.pop(name, [])
        if not values:
            return
        stacked = torch.stack(values)
        # float64 keeps the sum of thousands of batches exact to ~1e-12 (MPS has no float64).
        dtype = torch.float32 if stacked.device.type == "mps" else torch.float64
        weights = torch.tensor(sizes, dtype=dtype, device=stacked.device)
        total = stacked.to(dtype) @ weights
        self.sums[name] = self.sums[name] + total if name in self.sums else total
        self.counts[name] = self.counts.get(name, 0) + sum(sizes)

    def mean(self, name: str) -> float:
        """The mean so far of ``name`` (waits for the device once)."""
        if self.read_at_once:
            if name not in self.totals:
                raise KeyError(f"No values were added for {name!r}.")
            return self.totals[name] / self.counts[name]
        self._fold(name)
        if name not in self.sums:
            raise KeyError(f"No values were added for {name!r}.")
        return (self.sums[name] / self.counts[name]).item()

    def means(self) -> dict[str, float]:
        """Every mean so far, by name."""
        return {name: self.mean(name) for name in self.names}
