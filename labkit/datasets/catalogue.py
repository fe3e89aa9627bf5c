"""The catalogue of datasets and the :class:`Dataset` type every loader returns.

For now the catalogue holds scikit-learn's bundled sets, which need no download.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

__all__ = ["Dataset", "load", "names", "info"]


@dataclass(frozen=True)
class Dataset:
    """Arrays plus what a learner needs to know about them.

    Attributes
    ----------
    name : str
    X : np.ndarray
        Inputs, one row per sample.
    y : np.ndarray
        Targets: class numbers for classification, values for regression.
    task : str
        ``"classification"`` or ``"regression"``.
    feature_names : list of str
    classes : list of str
        Class names, indexed by class number (empty for regression).
    shape : tuple of int
        The shape of one sample as it was recorded (e.g. (8, 8) for a digit image).
    source : str
        Where the data comes from.
    licence : str
    description : str
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    task: str
    feature_names: list[str]
    classes: list[str]
    shape: tuple[int, ...]
    source: str
    licence: str
    description: str = field(repr=False)

    def tensors(self, dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
        """``(X, y)`` as tensors: X in ``dtype``; y int64 for classes, ``dtype`` otherwise.

        >>> X, y = load("iris").tensors()
        >>> X.dtype, y.dtype
        (torch.float32, torch.int64)
        """
        X = torch.as_tensor(self.X, dtype=dtype)
        y_dtype = torch.int64 if self.task == "classification" else dtype
        return X, torch.as_tensor(self.y, dtype=y_dtype)

    def __len__(self) -> int:
        return len(self.X)


_SKLEARN_SOURCE = "scikit-learn's bundled copy (sklearn.datasets), no download needed"
_UCI = "UCI ML repository, CC BY 4.0"


def _from_sklearn(name: str, loader: Callable, task: str, shape=None, licence="") -> Dataset:
    """A Dataset from one of scikit-learn's bundled loaders."""
    bunch = loader()
    X = np.asarray(bunch.data, dtype=np.float64)
    classes = [str(c) for c in bunch.get("target_names", [])] if task == "classification" else []
    feature_names = [
        str(f) for f in bunch.get("feature_names", [f"x{i}" for i in range(X.shape[1])])
    ]
    return Dataset(
        name=name,
        X=X,
        y=np.asarray(bunch.target),
        task=task,
        feature_names=feature_names,
        classes=classes,
        shape=shape or (X.shape[1],),
        source=_SKLEARN_SOURCE,
        licence=licence,
        description=bunch.DESCR,
    )


def _digits() -> Dataset:
    from sklearn.datasets import load_digits

    return _from_sklearn(
        "digits", load_digits, "classification", shape=(8, 8),
        licence="UCI ML repository (Optical Recognition of Handwritten Digits), CC BY 4.0",
    )  # fmt: skip


def _iris() -> Dataset:
    from sklearn.datasets import load_iris

    return _from_sklearn(
        "iris", load_iris, "classification", licence="UCI ML repository, CC BY 4.0"
    )


def _wine() -> Dataset:
    from sklearn.datasets import load_wine

    return _from_sklearn(
        "wine", load_wine, "classification", licence="UCI ML repository, CC BY 4.0"
    )


def _breast_cancer() -> Dataset:
    from sklearn.datasets import load_breast_cancer

    return _from_sklearn(
        "breast_cancer", load_breast_cancer, "classification",
        licence="UCI ML repository (Breast Cancer Wisconsin, Diagnostic), CC BY 4.0",
    )  # fmt: skip


def _diabetes() -> Dataset:
    from sklearn.datasets import load_diabetes

    return _from_sklearn(
        "diabetes", load_diabetes, "regression",
        licence="Efron et al. (2004), distributed with scikit-learn (BSD-3-Clause)",
    )  # fmt: skip


_CATALOGUE: dict[str, Callable[[], Dataset]] = {
    "digits": _digits,
    "iris": _iris,
    "wine": _wine,
    "breast_cancer": _breast_cancer,
    "diabetes": _diabetes,
}


def names() -> list[str]:
    """Every dataset :func:`load` knows, sorted.

    >>> names()
    ['breast_cancer', 'diabetes', 'digits', 'iris', 'wine']
    """
    return sorted(_CATALOGUE)


def load(name: str) -> Dataset:
    """Load a dataset by name (offline: these ship with scikit-learn).

    Parameters
    ----------
    name : str
        One of :func:`names`.

    Returns
    -------
    Dataset

    Examples
    --------
    >>> wine = load("wine")
    >>> wine.X.shape, wine.task, len(wine.classes)
    ((178, 13), 'classification', 3)
    """
    if name not in _CATALOGUE:
        raise ValueError(f"Unknown dataset {name!r}. Available: {names()}.")
    return _CATALOGUE[name]()


def info(name: str) -> str:
    """One paragraph on a dataset: size, task, source and licence.

    >>> print(info("iris"))
    iris: 150 samples, 4 features, classification (3 classes). Source: ...
    """
    data = load(name)
    kind = f"{data.task} ({len(data.classes)} classes)" if data.classes else data.task
    return (
        f"{name}: {len(data)} samples, {data.X.shape[1]} features, {kind}. "
        f"Source: {data.source}. Licence: {data.licence}."
    )
