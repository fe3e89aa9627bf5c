"""What a dataset is, what a downloadable one's catalogue entry holds, and the seeded split.

- :class:`Dataset`, which every loader returns: arrays plus what a learner needs to know
  about them (classes, where the data comes from, its licence).
- :class:`RemoteDataset`: the entry for a set that is downloaded on request (its files,
  with their published checksums); the entries themselves are in :mod:`~.remote`.
- :func:`holdout`: sets without an official train/test split are divided here, the same
  way every time for a given seed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import torch

from labkit.datasets.download import RemoteFile
from labkit.splits import train_val_test_split
from labkit.validation import one_of

__all__ = ["Dataset", "RemoteDataset", "SPLITS", "TEST_SIZE", "check_split_name", "holdout"]

SPLITS = ("all", "train", "test")
TEST_SIZE = 0.2  # share of the samples in "test" when a set has no official split


@dataclass(frozen=True)
class Dataset:
    """Arrays plus what a learner needs to know about them.

    Attributes
    ----------
    name : str
    X : np.ndarray
        Inputs, one sample per row: features (n, d), or images (n, height, width[, 3]).
    y : np.ndarray
        Targets: class numbers for classification, values for regression.
    task : str
        ``"classification"`` or ``"regression"``.
    feature_names : list of str
        One name per column of a 2-D ``X`` (empty for images kept in their shape).
    classes : list of str
        Class names, indexed by class number (empty for regression).
    shape : tuple of int
        The shape of one sample as it was recorded (e.g. (8, 8) for a digit image).
    source : str
        Where the data comes from.
    licence : str
    description : str
    groups : np.ndarray or None
        The group of each sample, when the set has groups that a split may hold out (the
        website each review sentence comes from); None otherwise.

    Examples
    --------
    >>> data = Dataset("tiny", np.zeros((4, 2)), np.array([0, 1, 0, 1]), "classification",
    ...                ["a", "b"], ["no", "yes"], (2,), "made up", "CC0", "Four zeros.")
    >>> len(data), data.classes
    (4, ['no', 'yes'])
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
    groups: np.ndarray | None = field(default=None, repr=False)

    def tensors(self, dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
        """``(X, y)`` as tensors: X in ``dtype``; y int64 for classes, ``dtype`` otherwise.

        Parameters
        ----------
        dtype : torch.dtype, default=torch.float32
            Type of the inputs (and of a regression target). Images keep their 0-255
            values: divide by 255 yourself if the model expects 0-1.

        Returns
        -------
        X, y : torch.Tensor

        Examples
        --------
        >>> data = Dataset("tiny", np.zeros((2, 1)), np.array([0, 1]), "classification",
        ...                ["a"], ["no", "yes"], (1,), "made up", "CC0", "Two zeros.")
        >>> X, y = data.tensors()
        >>> X.dtype, y.dtype
        (torch.float32, torch.int64)
        """
        if self.X.dtype == object:
            kind = "text" if isinstance(self.X[0], str) else "samples of different lengths"
            raise TypeError(
                f"{self.name!r} holds {kind}, which has no tensor form yet: turn each sample "
                "into numbers of one shape first (tokens or counts for a text; padding, "
                "cropping or a spectrogram for a recording), then make tensors of those."
            )
        X = torch.as_tensor(self.X, dtype=dtype)
        y_dtype = torch.int64 if self.task == "classification" else dtype
        return X, torch.as_tensor(self.y, dtype=y_dtype)

    def __len__(self) -> int:
        return len(self.X)


@dataclass(frozen=True)
class RemoteDataset:
    """A downloadable dataset: its files and what to tell a learner about it.

    Parameters
    ----------
    name : str
    files : dict of str to RemoteFile
        The files by role: ``train_images``, ``train_labels``, ``test_images`` and
        ``test_labels`` for the IDX format, ``archive`` for the CIFAR-10 tarball.
    reader : str
        ``"idx"`` or ``"cifar10"``: how the files are parsed (:mod:`labkit.datasets.formats`).
    classes : list of str
    shape : tuple of int
        Shape of one image.
    n_train, n_test : int
        Sizes of the official training and test sets.
    download_size : str
        How much is downloaded (as published: see the comment at each entry).
    source, licence, description : str

    Examples
    --------
    >>> from labkit.datasets.remote import CATALOGUE
    >>> mnist = CATALOGUE["mnist"]
    >>> mnist.shape, mnist.n_train, mnist.files["test_labels"].filename
    ((28, 28), 60000, 't10k-labels-idx1-ubyte.gz')
    """

    name: str
    files: dict[str, RemoteFile]
    reader: str
    classes: list[str]
    shape: tuple[int, ...]
    n_train: int
    n_test: int
    download_size: str
    source: str
    licence: str
    description: str


def check_split_name(split: object) -> None:
    """Raise a ValueError naming the valid splits unless ``split`` is one of them.

    Parameters
    ----------
    split : object
        The value received.

    Examples
    --------
    >>> check_split_name("train")
    >>> check_split_name("val")
    Traceback (most recent call last):
    ...
    ValueError: split must be one of 'all', 'train', 'test'. Received: split='val'
    """
    one_of("split", split, SPLITS)


def holdout(data: Dataset, split: str = "all", *, seed: int = 0) -> Dataset:
    """The ``"train"`` (80 %) or ``"test"`` (20 %) part of a dataset without an official split.

    Classification sets are split stratified (every class keeps its share in both parts);
    regression sets are shuffled and cut. The same seed always gives the same parts, and
    ``"train"`` and ``"test"`` never share a sample.

    Parameters
    ----------
    data : Dataset
        The whole dataset.
    split : {"all", "train", "test"}, default="all"
        ``"all"`` returns ``data`` unchanged (in its original order).
    seed : int, default=0
        Seed of the shuffle.

    Returns
    -------
    Dataset
        The same dataset with only the rows of that part (in their original order).

    Raises
    ------
    ValueError
        For an unknown ``split``, or a set too small to split (fewer than 2 samples of
        some class).

    Examples
    --------
    >>> y = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    >>> data = Dataset("tiny", np.arange(10).reshape(10, 1), y, "classification",
    ...                ["x"], ["no", "yes"], (1,), "made up", "CC0", "Ten rows.")
    >>> holdout(data, "test").X.ravel(), holdout(data, "test").y
    (array([1, 8]), array([0, 1]))
    >>> len(holdout(data, "train"))
    8
    """
    check_split_name(split)
    if split == "all":
        return data
    stratify = data.task == "classification"
    if stratify and np.unique(data.y, return_counts=True)[1].min() < 2:
        raise ValueError(
            f"{data.name!r} is too small to split into train and test: some class has only "
            f"one sample. Use split='all'. Received: split={split!r}"
        )
    target = data.y if stratify else len(data)
    train, _, test = train_val_test_split(
        target, (1 - TEST_SIZE, 0.0, TEST_SIZE), stratify=stratify, seed=seed
    )
    rows = train if split == "train" else test
    groups = None if data.groups is None else data.groups[rows]
    return dataclasses.replace(data, X=data.X[rows], y=data.y[rows], groups=groups)
