"""Tests for labkit.datasets (the offline sets bundled with scikit-learn)."""

import numpy as np
import pytest
import torch
from sklearn import datasets as sk

from labkit import datasets


@pytest.mark.parametrize(
    ("name", "loader", "task"),
    [
        ("digits", sk.load_digits, "classification"),
        ("iris", sk.load_iris, "classification"),
        ("wine", sk.load_wine, "classification"),
        ("breast_cancer", sk.load_breast_cancer, "classification"),
        ("diabetes", sk.load_diabetes, "regression"),
    ],
)
def test_each_dataset_matches_scikit_learn(name, loader, task):
    data = datasets.load(name)
    X, y = loader(return_X_y=True)
    np.testing.assert_array_equal(data.X, X)
    np.testing.assert_array_equal(data.y, y)
    assert data.task == task and len(data) == len(X)
    assert len(data.feature_names) == X.shape[1]
    assert data.source and data.licence
    Xt, yt = data.tensors()
    assert Xt.dtype == torch.float32
    assert yt.dtype == (torch.int64 if task == "classification" else torch.float32)


def test_digits_metadata():
    digits = datasets.load("digits")
    assert digits.shape == (8, 8) and digits.classes == [str(i) for i in range(10)]


def test_unknown_dataset_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"Unknown dataset 'mnist'. Available: \['breast_cancer'"):
        datasets.load("mnist")


def test_info_is_one_readable_paragraph():
    text = datasets.info("wine")
    assert text.startswith("wine: 178 samples, 13 features, classification (3 classes).")
