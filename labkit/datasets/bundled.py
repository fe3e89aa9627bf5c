"""Datasets that ship with scikit-learn: they load offline, in well under a second.

Five small tables (digits, iris, wine, breast_cancer, diabetes) and the two sample
photos (a Chinese temple and a flower) that scikit-learn bundles for image examples.
``sklearn.datasets`` is imported inside each loader: importing it takes about half a
second, which ``import labkit`` should not pay for a set it may never load.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from labkit.datasets.catalogue import Dataset

__all__ = ["LOADERS", "load_sample_images"]

_SOURCE = "scikit-learn's bundled copy (sklearn.datasets), no download needed"
_UCI = "UCI Machine Learning Repository, CC BY 4.0"


def _from_sklearn(
    name: str,
    loader: Callable,
    task: str,
    licence: str,
    shape: tuple[int, ...] | None = None,
) -> Dataset:
    """A Dataset from one of scikit-learn's bundled table loaders."""
    bunch = loader()
    X = np.asarray(bunch.data, dtype=np.float64)
    classes = [str(c) for c in bunch.target_names] if task == "classification" else []
    return Dataset(
        name=name,
        X=X,
        y=np.asarray(bunch.target),
        task=task,
        feature_names=[str(f) for f in bunch.feature_names],
        classes=classes,
        shape=shape or (X.shape[1],),
        source=_SOURCE,
        licence=licence,
        description=bunch.DESCR,
    )


def load_sample_images() -> Dataset:
    """scikit-learn's two sample photos, china.jpg and flower.jpg, as one small dataset.

    They are meant for looking at and filtering images, not for training: the "class" of a
    photo is just its name, and the set is too small for a train/test split.

    Returns
    -------
    Dataset
        ``X``: uint8 of shape (2, 427, 640, 3) (height, width, RGB); ``y``: ``[0, 1]``;
        ``classes``: ``["china", "flower"]``.

    Examples
    --------
    >>> photos = load_sample_images()
    >>> photos.X.shape, photos.X.dtype, photos.classes
    ((2, 427, 640, 3), dtype('uint8'), ['china', 'flower'])
    """
    from sklearn.datasets import load_sample_images as sklearn_sample_images

    bunch = sklearn_sample_images()
    X = np.stack(bunch.images)
    return Dataset(
        name="sample_images",
        X=X,
        y=np.arange(len(X)),
        task="classification",
        feature_names=[],
        classes=["china", "flower"],
        shape=X.shape[1:],
        source=_SOURCE,
        licence="CC BY 2.0 (https://creativecommons.org/licenses/by/2.0/), "
        "attribution: danielbuechele",
        description=bunch.DESCR,
    )


def _digits() -> Dataset:
    """The 8x8 handwritten digits (1797 images, 10 classes), flattened to 64 features."""
    from sklearn.datasets import load_digits

    licence = f"{_UCI} (Optical Recognition of Handwritten Digits)"
    return _from_sklearn("digits", load_digits, "classification", licence, shape=(8, 8))


def _iris() -> Dataset:
    """Fisher's iris flowers (150 samples, 4 measurements, 3 species)."""
    from sklearn.datasets import load_iris

    return _from_sklearn("iris", load_iris, "classification", _UCI)


def _wine() -> Dataset:
    """Chemical analysis of 178 wines from 3 cultivars (13 features)."""
    from sklearn.datasets import load_wine

    return _from_sklearn("wine", load_wine, "classification", _UCI)


def _breast_cancer() -> Dataset:
    """569 breast-mass biopsies, malignant or benign (30 features)."""
    from sklearn.datasets import load_breast_cancer

    licence = f"{_UCI} (Breast Cancer Wisconsin, Diagnostic)"
    return _from_sklearn("breast_cancer", load_breast_cancer, "classification", licence)


def _diabetes() -> Dataset:
    """442 diabetes patients: 10 baseline measurements, disease progression after a year."""
    from sklearn.datasets import load_diabetes

    licence = "Efron et al. (2004), distributed with scikit-learn (BSD-3-Clause)"
    return _from_sklearn("diabetes", load_diabetes, "regression", licence)


# name -> function returning the whole dataset.
LOADERS: dict[str, Callable[[], Dataset]] = {
    "digits": _digits,
    "iris": _iris,
    "wine": _wine,
    "breast_cancer": _breast_cancer,
    "diabetes": _diabetes,
    "sample_images": load_sample_images,
}
