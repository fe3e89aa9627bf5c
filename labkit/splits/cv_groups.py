"""GroupKFold: folds that never split a group (a patient, a user, a recording session)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from labkit.splits.cv import BaseCrossValidator

__all__ = ["GroupKFold"]


class GroupKFold(BaseCrossValidator):
    """K-fold cross-validator that never puts one group in two different folds.

    Use it when samples come in related groups (several images per patient, several
    sessions per user): the model is then always tested on groups it has never seen.
    Needs ``groups`` in ``split``; ``y`` is always ignored (it exists for compatibility).
    Not shuffled: the folds depend only on the group sizes.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds; at least 2, at most the number of distinct groups.

    Notes
    -----
    Greedy balancing, as in scikit-learn without shuffling: groups are taken from the
    biggest to the smallest (ties in sorted label order), each going to the fold that
    currently holds the fewest samples (ties: the lowest fold number). When no two groups
    have the same size, the folds are identical to scikit-learn's ``GroupKFold()``.

    Examples
    --------
    >>> groups = ["a", "a", "a", "b", "b", "c"]
    >>> for train, test in GroupKFold(n_splits=2).split(np.zeros(6), groups=groups):
    ...     print(train, test)
    [3 4 5] [0 1 2]
    [0 1 2] [3 4 5]
    """

    def __init__(self, n_splits: int = 5) -> None:
        super().__init__(n_splits)

    def __repr__(self) -> str:
        return f"GroupKFold(n_splits={self.n_splits})"

    def _iter_test_indices(
        self, n_samples: int, y: np.ndarray | None, groups: np.ndarray | None
    ) -> Iterator[np.ndarray]:
        """Place groups biggest first into the currently smallest fold."""
        if groups is None:
            raise ValueError(
                "GroupKFold needs the group of each sample: call split(X, y, groups=groups). "
                "Received: groups=None"
            )
        unique_groups, group_of_sample = np.unique(groups, return_inverse=True)
        if len(unique_groups) < self.n_splits:
            raise ValueError(
                f"GroupKFold(n_splits={self.n_splits}) needs at least {self.n_splits} distinct "
                f"groups, but groups has only {len(unique_groups)}. Use n_splits <= "
                f"{len(unique_groups)}."
            )
        samples_per_group = np.bincount(group_of_sample)
        samples_per_fold = np.zeros(self.n_splits, dtype=np.intp)
        fold_of_group = np.empty(len(unique_groups), dtype=np.intp)
        # Biggest groups first: placed while folds are still empty, the big ones cannot
        # unbalance the folds, and the small ones at the end fill the remaining gaps.
        for group in np.argsort(-samples_per_group, kind="stable"):
            # np.argmin returns the first smallest fold, which makes ties deterministic.
            fold = int(np.argmin(samples_per_fold))
            fold_of_group[group] = fold
            samples_per_fold[fold] += samples_per_group[group]
        fold_of_sample = fold_of_group[group_of_sample]
        for fold in range(self.n_splits):
            yield np.flatnonzero(fold_of_sample == fold)
