"""TimeSeriesSplit: train on the past, test on the future, optionally with a gap between."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from labkit.splits.cv import BaseCrossValidator
from labkit.validation import whole_number

__all__ = ["TimeSeriesSplit"]


class TimeSeriesSplit(BaseCrossValidator):
    """Cross-validator for ordered data: always train on the past, test on the future.

    The samples must be in time order. Split ``i`` tests on a block of ``test_size``
    samples and trains on everything before it (minus ``gap`` samples, and at most
    ``max_train_size`` of them), so the model never sees the future. Same semantics and
    same indices as scikit-learn's ``TimeSeriesSplit``. ``split`` always ignores ``y`` and
    ``groups`` (they exist for compatibility).

    Parameters
    ----------
    n_splits : int, default=5
        Number of splits; at least 2.
    max_train_size : int or None, default=None
        Keep only the most recent ``max_train_size`` training samples (a sliding window
        instead of a growing one). ``None`` keeps all of the past.
    test_size : int or None, default=None
        Samples per test block. ``None`` uses ``n_samples // (n_splits + 1)``.
    gap : int, default=0
        Samples dropped between the end of training and the start of the test block, for
        when the target of one sample overlaps the inputs of the next.

    Examples
    --------
    >>> cv = TimeSeriesSplit(n_splits=3, gap=1)
    >>> cv
    TimeSeriesSplit(n_splits=3, max_train_size=None, test_size=None, gap=1)
    >>> for train, test in cv.split(np.zeros(8)):
    ...     print(train, test)
    [0] [2 3]
    [0 1 2] [4 5]
    [0 1 2 3 4] [6 7]
    """

    def __init__(
        self,
        n_splits: int = 5,
        *,
        max_train_size: int | None = None,
        test_size: int | None = None,
        gap: int = 0,
    ) -> None:
        super().__init__(n_splits)
        if max_train_size is not None:
            max_train_size = whole_number(
                "max_train_size", max_train_size, minimum=1, why="or None for all"
            )
        if test_size is not None:
            test_size = whole_number(
                "test_size", test_size, minimum=1, why="or None for the default size"
            )
        self.max_train_size = max_train_size
        self.test_size = test_size
        self.gap = whole_number("gap", gap, minimum=0, why="0 means no gap")

    def __repr__(self) -> str:
        return (
            f"TimeSeriesSplit(n_splits={self.n_splits}, max_train_size={self.max_train_size}, "
            f"test_size={self.test_size}, gap={self.gap})"
        )

    def _iter_test_indices(
        self, n_samples: int, y: np.ndarray | None, groups: np.ndarray | None
    ) -> Iterator[np.ndarray]:
        """Yield the last ``n_splits`` blocks of ``test_size`` samples, oldest first."""
        if n_samples < self.n_splits + 1:
            raise ValueError(
                f"TimeSeriesSplit(n_splits={self.n_splits}) needs at least n_splits + 1 = "
                f"{self.n_splits + 1} samples: the first block only ever trains. "
                f"Received: n_samples={n_samples}"
            )
        test_size = self.test_size or n_samples // (self.n_splits + 1)
        first_test_start = n_samples - self.n_splits * test_size
        if first_test_start - self.gap <= 0:
            raise ValueError(
                f"{self.n_splits} test blocks of test_size={test_size} plus gap={self.gap} "
                f"leave no training samples out of n_samples={n_samples}. Use fewer splits, "
                f"a smaller test_size or gap."
            )
        for start in range(first_test_start, n_samples, test_size):
            yield np.arange(start, start + test_size)

    def _train_indices(self, n_samples: int, test: np.ndarray) -> np.ndarray:
        """Return the training indices: the past before ``test``, minus the gap."""
        train_end = test[0] - self.gap
        train_start = 0
        if self.max_train_size is not None:
            train_start = max(0, train_end - self.max_train_size)
        return np.arange(train_start, train_end)
