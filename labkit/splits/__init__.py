"""Splitting data without leakage: hold-out splits, cross-validators, windows and checks.

- :func:`train_val_test_split` cuts a dataset once into train, validation and test parts.
- :class:`KFold`, :class:`StratifiedKFold`, :class:`GroupKFold` and :class:`TimeSeriesSplit`
  generate cross-validation folds with scikit-learn's ``split(X, y, groups)`` interface.
- :func:`make_windows` cuts an ordered series into (input window, target) pairs.
- :func:`check_split` verifies that a split has no overlap or leakage between its parts.
- :func:`find_duplicates` finds rows of one array (test) that also occur in another (train).
"""

from __future__ import annotations

from labkit.splits.checks import SplitReport, check_split
from labkit.splits.cv import BaseCrossValidator, KFold, StratifiedKFold
from labkit.splits.cv_groups import GroupKFold
from labkit.splits.cv_time import TimeSeriesSplit
from labkit.splits.duplicates import DuplicateReport, find_duplicates
from labkit.splits.holdout import train_val_test_split
from labkit.splits.windows import make_windows

__all__ = [
    "train_val_test_split",
    "BaseCrossValidator",
    "KFold",
    "StratifiedKFold",
    "GroupKFold",
    "TimeSeriesSplit",
    "make_windows",
    "check_split",
    "SplitReport",
    "find_duplicates",
    "DuplicateReport",
]
