"""What :func:`labkit.fit` returns: one list of numbers per metric, one entry per epoch.

Training metrics are named plainly (``loss``, ``acc``); validation metrics carry a ``val_``
prefix (``val_loss``, ``val_acc``), as in Keras. ``lr`` is the learning rate the epoch used.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping

__all__ = ["History"]


class History(Mapping):
    """Per-epoch metrics of one training run, read like a dict of lists.

    Examples
    --------
    >>> h = History()
    >>> h.append({"loss": 0.9, "val_loss": 1.0})
    >>> h.append({"loss": 0.5, "val_loss": 0.7})
    >>> h["val_loss"]
    [1.0, 0.7]
    >>> h.epochs, h.best("val_loss")
    (2, (2, 0.7))
    """

    def __init__(self) -> None:
        self.metrics: dict[str, list[float]] = {}
        self.epochs = 0
        self.stop_reason: str | None = None

    def append(self, logs: Mapping[str, float]) -> None:
        """Add one finished epoch's numbers."""
        for name, value in logs.items():
            # A metric that appears late (e.g. validation every few epochs) is padded with NaN
            # so that every list stays aligned with the epoch number.
            column = self.metrics.setdefault(name, [math.nan] * self.epochs)
            column.append(float(value))
        self.epochs += 1
        for column in self.metrics.values():
            column.extend([math.nan] * (self.epochs - len(column)))

    def best(self, monitor: str, mode: str = "min") -> tuple[int, float]:
        """The (1-based epoch, value) where ``monitor`` was lowest (``mode="min"``) or highest.

        On a tie the earliest epoch wins, as in :class:`labkit.EarlyStopping`.
        """
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max'. Received: mode={mode!r}")
        values = self[monitor]
        best_epoch, best_value = 0, math.nan
        for epoch, value in enumerate(values, start=1):
            if math.isnan(value):
                continue
            if best_epoch == 0 or (value < best_value if mode == "min" else value > best_value):
                best_epoch, best_value = epoch, value
        if best_epoch == 0:
            raise ValueError(f"{monitor!r} has no recorded value yet (all {len(values)} are NaN).")
        return best_epoch, best_value

    def __getitem__(self, name: str) -> list[float]:
        if name not in self.metrics:
            raise KeyError(f"{name!r} is not in the history. Available: {sorted(self.metrics)}")
        return self.metrics[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.metrics)

    def __len__(self) -> int:
        return len(self.metrics)

    def __repr__(self) -> str:
        last = {k: round(v[-1], 4) for k, v in self.metrics.items() if v}
        return f"History(epochs={self.epochs}, last={last})"

    def state_dict(self) -> dict:
        """Plain data for a checkpoint."""
        return {"metrics": self.metrics, "epochs": self.epochs, "stop_reason": self.stop_reason}

    def load_state_dict(self, state: dict) -> None:
        """Restore from :meth:`state_dict`."""
        self.metrics = {k: list(v) for k, v in state["metrics"].items()}
        self.epochs = state["epochs"]
        self.stop_reason = state["stop_reason"]
