"""Tests for labkit.datasets: the one API over the offline sets (bundled and generated)."""

import subprocess
import sys

import numpy as np
import pytest
import torch
from sklearn import datasets as sk

from labkit import datasets
from labkit.datasets import catalogue, generated
from labkit.paths import COURSE_ROOT
from labkit.splits import train_val_test_split

# No test here may resolve a host name other than loopback (fixture in conftest.py).
pytestmark = pytest.mark.usefixtures("loopback_only")

OFFLINE = [
    "breast_cancer",
    "diabetes",
    "digits",
    "iris",
    "sample_images",
    "scaling",
    "sentiment_sentences",
    "spoken_digits",
    "wine",
]
REMOTE = ["cifar10", "fashion_mnist", "mnist"]


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


def test_names_lists_every_kind_sorted():
    assert datasets.names() == sorted(OFFLINE + REMOTE)
    assert len(set(datasets.names())) == len(datasets.names())  # no name in two kinds
    kinds = {name: datasets.kind(name) for name in datasets.names()}
    assert [n for n, k in kinds.items() if k == "download"] == REMOTE
    assert [n for n, k in kinds.items() if k == "generated"] == ["scaling"]
    copied = [name for name, kind in kinds.items() if kind == "copied"]
    assert copied == ["sentiment_sentences", "spoken_digits"]


def test_unknown_dataset_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"Unknown dataset 'mnist2'. Available: \['breast_cancer'"):
        datasets.load("mnist2")
    with pytest.raises(ValueError, match="Unknown dataset 'nope'"):
        datasets.info("nope")
    with pytest.raises(ValueError, match="Unknown dataset 'nope'"):
        datasets.kind("nope")


def test_wrong_argument_types_are_named():
    with pytest.raises(TypeError, match=r"name must be a str.*Received: name=3"):
        datasets.load(3)
    with pytest.raises(
        TypeError, match=r"seed must be a whole number \(e.g. seed=0\). Received: seed=1.5"
    ):
        datasets.load("iris", split="train", seed=1.5)
    with pytest.raises(ValueError, match=r"seed must be a whole number >= 0 .*Received: seed=-1"):
        datasets.load("iris", split="train", seed=-1)
    with pytest.raises(TypeError, match=r"download must be True or False. Received: download='no'"):
        datasets.load("mnist", download="no")


def test_unknown_split_lists_the_valid_ones():
    with pytest.raises(
        ValueError, match=r"split must be one of 'all', 'train', 'test'. Received: split='val'"
    ):
        datasets.load("iris", split="val")
    with pytest.raises(ValueError, match=r"split must be one of .*Received: split='validation'"):
        datasets.load("mnist", split="validation")  # checked before any download


@pytest.mark.parametrize("name", ["iris", "wine", "digits", "breast_cancer"])
def test_classification_split_is_stratified_80_20_and_disjoint(name):
    whole = datasets.load(name)
    train = datasets.load(name, split="train", seed=3)
    test = datasets.load(name, split="test", seed=3)
    assert len(train) + len(test) == len(whole)
    assert abs(len(test) - 0.2 * len(whole)) <= len(whole.classes)
    # Rows identify samples: together the parts hold every row of the whole set once.
    rows = np.concatenate([train.X, test.X])
    order = np.lexsort(rows.T)
    np.testing.assert_array_equal(rows[order], whole.X[np.lexsort(whole.X.T)])
    # Stratified: each class's share in test is within one sample of its share overall.
    for k in range(len(whole.classes)):
        n_class = np.sum(whole.y == k)
        assert abs(np.sum(test.y == k) - 0.2 * n_class) < 1 + 1e-9


def test_split_matches_the_kit_splitter_and_is_deterministic():
    whole = datasets.load("wine")
    train_rows, _, test_rows = train_val_test_split(whole.y, (0.8, 0, 0.2), stratify=True, seed=7)
    test = datasets.load("wine", split="test", seed=7)
    np.testing.assert_array_equal(test.X, whole.X[test_rows])
    np.testing.assert_array_equal(
        datasets.load("wine", split="train", seed=7).y, whole.y[train_rows]
    )
    np.testing.assert_array_equal(datasets.load("wine", split="test", seed=7).X, test.X)
    assert not np.array_equal(datasets.load("wine", split="test", seed=8).X, test.X)


def test_regression_split_is_shuffled_80_20():
    whole = datasets.load("diabetes")
    test = datasets.load("diabetes", split="test")
    train = datasets.load("diabetes", split="train")
    assert (len(train), len(test)) == (354, 88)
    _, _, test_rows = train_val_test_split(len(whole), (0.8, 0, 0.2), seed=0)
    np.testing.assert_array_equal(test.X, whole.X[test_rows])
    np.testing.assert_array_equal(test.y, whole.y[test_rows])
    # Shuffled, not the last 20 %: test rows come from all over the table.
    assert test_rows.min() < 0.2 * len(whole) and test_rows.max() > 0.8 * len(whole)


def test_all_returns_the_original_order():
    np.testing.assert_array_equal(datasets.load("iris", split="all").y, sk.load_iris().target)


def test_holdout_refuses_a_set_too_small_to_split():
    photos = datasets.load("sample_images")
    with pytest.raises(ValueError, match=r"'sample_images' is too small.*split='all'"):
        datasets.load("sample_images", split="train")
    with pytest.raises(ValueError, match=r"split must be one of .*Received: split='x'"):
        catalogue.holdout(photos, "x")


def test_sample_images_are_the_two_scikit_learn_photos():
    photos = datasets.load("sample_images")
    expected = np.stack(sk.load_sample_images().images)
    np.testing.assert_array_equal(photos.X, expected)
    assert photos.X.dtype == np.uint8 and photos.shape == (427, 640, 3)
    assert photos.classes == ["china", "flower"] and list(photos.y) == [0, 1]
    assert "CC BY 2.0" in photos.licence


def test_scaling_table_has_the_documented_properties():
    data = datasets.load("scaling")
    assert data.X.shape == (1000, 6) and data.task == "regression" and data.classes == []
    columns = dict(zip(data.feature_names, data.X.T, strict=True))
    assert list(columns) == ["area_m2", "area_sqft", "rooms", "income", "distance_km", "pm25_g_m3"]
    # Wide value ranges: column means span many orders of magnitude.
    means = np.abs(data.X.mean(axis=0))
    assert means.max() / means.min() > 1e8
    # Collinear: the same area in two units.
    assert np.corrcoef(columns["area_m2"], columns["area_sqft"])[0, 1] > 0.99
    # Log-normal income: skewed to the right, its log is not.
    income = columns["income"]
    assert np.mean(income) > 1.1 * np.median(income)
    log_income = np.log(income)
    assert abs(np.mean(log_income) - np.median(log_income)) < 0.05 * np.std(log_income)
    assert data.y.min() >= 20


def test_committed_scaling_csv_is_what_the_script_writes(tmp_path):
    out = tmp_path / "scaling.csv"
    script = COURSE_ROOT / "datasets" / "make_scaling.py"
    subprocess.run([sys.executable, script, "--out", out], check=True, capture_output=True)
    assert out.read_bytes() == (generated.DATA_FOLDER / "scaling.csv").read_bytes()


def test_missing_scaling_file_says_how_to_restore_it(monkeypatch, tmp_path):
    monkeypatch.setattr(generated, "DATA_FOLDER", tmp_path)
    with pytest.raises(FileNotFoundError, match=r"scaling.csv.*python datasets/make_scaling.py"):
        datasets.load("scaling")


def test_offline_sets_ignore_root_and_download(tmp_path):
    data = datasets.load("iris", root=tmp_path / "nowhere", download=False)
    assert len(data) == 150 and not (tmp_path / "nowhere").exists()


def test_info_is_one_readable_paragraph():
    text = datasets.info("wine")
    assert text.startswith("wine: 178 samples, 13 features, classification (3 classes).")
    assert datasets.info("scaling").startswith("scaling: 1000 samples, 6 features, regression.")
    assert "shape (427, 640, 3)" in datasets.info("sample_images")


def test_info_on_a_remote_set_never_downloads(monkeypatch, tmp_path):
    monkeypatch.setenv("LABKIT_DATA_DIR", str(tmp_path))
    text = datasets.info("cifar10")
    assert text.startswith("cifar10: 60000 images of shape (32, 32, 3) (50000 train + 10000 test)")
    assert "163 MB" in text and str(tmp_path / "cifar10") in text and "Krizhevsky" in text
    assert list(tmp_path.iterdir()) == []


def test_summary_of_offline_and_remote_sets(monkeypatch, tmp_path):
    monkeypatch.setenv("LABKIT_DATA_DIR", str(tmp_path))
    assert datasets.summary("scaling") == {
        "name": "scaling",
        "kind": "generated",
        "size": "1000 samples",
        "cached": "offline",
        "source": "generated for this course by datasets/make_scaling.py (seed 0)",
    }
    row = datasets.summary("mnist")
    assert row["kind"] == "download" and row["cached"] == "no"
    assert row["size"] == "70000 samples, 11.6 MB download"
