"""Cross-validators: the shared base class, KFold and StratifiedKFold.

They follow the shape of scikit-learn's ``model_selection`` splitters, so what you learn here
carries over: ``split(X, y, groups)`` yields ``(train_idx, test_idx)`` pairs of sorted integer
index arrays, and ``get_n_splits()`` says how many pairs there will be. Every splitter
accepts all three arguments, even those it ignores, so they can be swapped freely.

Each subclass only decides which samples form the *test* fold of each split
(``_iter_test_indices``); the base class turns every test fold into a (train, test) pair.
GroupKFold lives in ``cv_groups.py`` and TimeSeriesSplit in ``cv_time.py``.
"""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike

from labkit.splits._validation import _as_1d, _check_shuffle, _n_samples
from labkit.validation import whole_number

__all__ = ["BaseCrossValidator", "KFold", "StratifiedKFold"]


class BaseCrossValidator(ABC):
    """Base class of the cross-validators: turns test folds into (train, test) pairs.

    Subclasses implement ``_iter_test_indices``; by default the training set of a split is
    every sample not in its test fold (``TimeSeriesSplit`` overrides ``_train_indices``).

    Parameters
    ----------
    n_splits : int
        Number of (train, test) pairs to generate; at least 2.

    Examples
    --------
    A new splitter only has to say which samples to test on in each split:

    >>> class EveryKth(BaseCrossValidator):
    ...     def _iter_test_indices(self, n_samples, y, groups):
    ...         for k in range(self.n_splits):
    ...             yield np.arange(k, n_samples, self.n_splits)
    >>> [(train.tolist(), test.tolist()) for train, test in EveryKth(2).split(np.zeros(5))]
    [([1, 3], [0, 2, 4]), ([0, 2, 4], [1, 3])]
    """

    def __init__(self, n_splits: int) -> None:
        self.n_splits = whole_number("n_splits", n_splits, minimum=2, why="need at least 2 folds")

    def split(
        self, X: ArrayLike, y: ArrayLike | None = None, groups: ArrayLike | None = None
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Generate the (train, test) index arrays of each split.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            The data; only its length is used, so ``np.zeros(n_samples)`` works too.
        y : array-like of shape (n_samples,), default=None
            Labels, used by ``StratifiedKFold``. Always ignored by the other splitters;
            exists for compatibility, so that every splitter takes the same call.
        groups : array-like of shape (n_samples,), default=None
            Group of each sample, used by ``GroupKFold``. Always ignored by the others;
            exists for compatibility.

        Yields
        ------
        train, test : np.ndarray of int
            Sorted indices of the training and the test samples of one split.

        Examples
        --------
        >>> for train, test in KFold(n_splits=3).split(np.zeros(6)):
        ...     print(train, test)
        [2 3 4 5] [0 1]
        [0 1 4 5] [2 3]
        [0 1 2 3] [4 5]
        """
        n_samples = _n_samples(X)
        y = _as_1d("y", y, n_samples)
        groups = _as_1d("groups", groups, n_samples)
        if self.n_splits > n_samples:
            raise ValueError(
                f"n_splits={self.n_splits} is more than the number of samples "
                f"n_samples={n_samples}: every test fold needs at least one sample. "
                f"Use n_splits <= {n_samples}."
            )
        # Computing the test folds now (not lazily) makes bad input fail on the split() line
        # itself rather than later, inside the caller's for loop.
        test_folds = list(self._iter_test_indices(n_samples, y, groups))
        return ((self._train_indices(n_samples, test), test) for test in test_folds)

    def get_n_splits(
        self,
        X: ArrayLike | None = None,
        y: ArrayLike | None = None,
        groups: ArrayLike | None = None,
    ) -> int:
        """Return the number of splits.

        Parameters
        ----------
        X, y, groups : object, default=None
            Always ignored, exist for compatibility with scikit-learn.

        Returns
        -------
        int
            ``n_splits``.

        Examples
        --------
        >>> KFold(n_splits=4).get_n_splits()
        4
        """
        return self.n_splits

    @abstractmethod
    def _iter_test_indices(
        self, n_samples: int, y: np.ndarray | None, groups: np.ndarray | None
    ) -> Iterator[np.ndarray]:
        """Yield the sorted test indices of each split."""

    def _train_indices(self, n_samples: int, test: np.ndarray) -> np.ndarray:
        """Return the training indices for one test fold: all the other samples."""
        return np.setdiff1d(np.arange(n_samples), test)


class KFold(BaseCrossValidator):
    """K-fold cross-validator: each sample is in the test fold exactly once.

    Splits the samples into ``n_splits`` consecutive folds (shuffled first if asked); each
    fold is the test set once while the other folds train. The first
    ``n_samples % n_splits`` folds get one extra sample, so fold sizes differ by at most one.
    ``split`` always ignores ``y`` and ``groups`` (they exist for compatibility).

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds; at least 2.
    shuffle : bool, default=False
        Shuffle the samples before cutting them into folds. Do this unless the order of
        the samples matters (time series) or they are already randomly ordered.
    random_state : int or None, default=None
        Seed for the shuffle (only with ``shuffle=True``): the same seed gives the same
        folds on every call. ``None`` gives different folds on every call.

    Examples
    --------
    >>> cv = KFold(n_splits=3, shuffle=True, random_state=0)
    >>> cv
    KFold(n_splits=3, shuffle=True, random_state=0)
    >>> [test.tolist() for _, test in cv.split(np.zeros(7))]
    [[2, 3, 4], [5, 6], [0, 1]]
    """

    def __init__(
        self, n_splits: int = 5, *, shuffle: bool = False, random_state: int | None = None
    ) -> None:
        super().__init__(n_splits)
        self.shuffle, self.random_state = _check_shuffle(shuffle, random_state)

    def __repr__(self) -> str:
        return (
            f"KFold(n_splits={self.n_splits}, shuffle={self.shuffle}, "
            f"random_state={self.random_state!r})"
        )

    def _iter_test_indices(
        self, n_samples: int, y: np.ndarray | None, groups: np.ndarray | None
    ) -> Iterator[np.ndarray]:
        """Yield consecutive blocks of the (possibly shuffled) indices."""
        indices = np.arange(n_samples)
        if self.shuffle:
            np.random.default_rng(self.random_state).shuffle(indices)
        fold_sizes = np.full(self.n_splits, n_samples // self.n_splits)
        fold_sizes[: n_samples % self.n_splits] += 1
        start = 0
        for size in fold_sizes:
            yield np.sort(indices[start : start + size])
            start += size


class StratifiedKFold(BaseCrossValidator):
    """K-fold cross-validator that keeps the class proportions of ``y`` in every fold.

    Use it for classification, especially with rare classes: a plain ``KFold`` could leave
    a rare class out of some test folds. Needs ``y`` in ``split``; ``groups`` is always
    ignored (it exists for compatibility).

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds; at least 2.
    shuffle : bool, default=False
        Shuffle each class's samples before assigning them to folds.
    random_state : int or None, default=None
        Seed for the shuffle (only with ``shuffle=True``).

    Notes
    -----
    Same algorithm as scikit-learn's ``StratifiedKFold``, so without shuffling the folds
    are identical to scikit-learn's (with shuffling the random numbers differ). Classes are
    numbered by first appearance in ``y``, so renaming the labels never changes the folds.
    A class with fewer than ``n_splits`` members gives a ``UserWarning`` (it cannot be in
    every fold); if every class is that small, ``split`` raises ``ValueError``.

    Examples
    --------
    >>> y = np.array([0, 0, 0, 0, 1, 1])
    >>> for train, test in StratifiedKFold(n_splits=2).split(np.zeros(6), y):
    ...     print(test, y[test])
    [0 1 4] [0 0 1]
    [2 3 5] [0 0 1]
    """

    def __init__(
        self, n_splits: int = 5, *, shuffle: bool = False, random_state: int | None = None
    ) -> None:
        super().__init__(n_splits)
        self.shuffle, self.random_state = _check_shuffle(shuffle, random_state)

    def __repr__(self) -> str:
        return (
            f"StratifiedKFold(n_splits={self.n_splits}, shuffle={self.shuffle}, "
            f"random_state={self.random_state!r})"
        )

    def _iter_test_indices(
        self, n_samples: int, y: np.ndarray | None, groups: np.ndarray | None
    ) -> Iterator[np.ndarray]:
        """Deal each class's samples over the folds, continuing where the last class stopped."""
        class_of_sample = _classes_by_first_appearance(y)
        counts = np.bincount(class_of_sample)
        _check_class_counts(counts, self.n_splits)
        rng = np.random.default_rng(self.random_state) if self.shuffle else None
        fold_of_sample = np.empty(n_samples, dtype=np.intp)
        dealt = 0
        for k, count in enumerate(counts):
            # Deal the class round-robin, starting at the fold after the last class's last
            # sample: each class is spread evenly AND the fold sizes differ by at most one.
            per_fold = np.bincount(
                (dealt + np.arange(count)) % self.n_splits, minlength=self.n_splits
            )
            dealt += count
            # Within a class, fold 0 takes the first samples, fold 1 the next ones, ...,
            # which keeps neighbouring samples together unless we shuffle.
            folds = np.repeat(np.arange(self.n_splits), per_fold)
            if rng is not None:
                rng.shuffle(folds)
            fold_of_sample[class_of_sample == k] = folds
        for fold in range(self.n_splits):
            yield np.flatnonzero(fold_of_sample == fold)


def _classes_by_first_appearance(y: np.ndarray | None) -> np.ndarray:
    """Return each sample's class number, classes numbered 0, 1, ... by first appearance."""
    if y is None:
        raise ValueError("StratifiedKFold needs the labels: call split(X, y). Received: y=None")
    if y.dtype.kind == "f" and not np.all(y == np.round(y)):
        raise ValueError(
            "StratifiedKFold needs class labels, but y has non-integer values (a regression "
            "target?). Use KFold, or bin y first, e.g. np.digitize(y, np.quantile(y, [0.25, "
            f"0.5, 0.75])). Received: y with values like {y[:3].tolist()}"
        )
    _, first_index, class_of_sample = np.unique(y, return_index=True, return_inverse=True)
    # np.unique numbers classes in sorted label order; renumber them by first appearance.
    rank = np.empty_like(first_index)
    rank[np.argsort(first_index)] = np.arange(len(first_index))
    return rank[class_of_sample]


def _check_class_counts(counts: np.ndarray, n_splits: int) -> None:
    """Raise if every class is smaller than n_splits; warn if the smallest one is."""
    if np.all(counts < n_splits):
        raise ValueError(
            f"n_splits={n_splits} is more than the number of members of every class "
            f"(largest class: {counts.max()}). Use n_splits <= {counts.max()}."
        )
    if counts.min() < n_splits:
        warnings.warn(
            f"The least populated class in y has only {counts.min()} members, fewer than "
            f"n_splits={n_splits}: it cannot appear in every test fold.",
            UserWarning,
            stacklevel=4,
        )
