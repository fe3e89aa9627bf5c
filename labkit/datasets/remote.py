"""The benchmark datasets that are downloaded on request: MNIST, Fashion-MNIST, CIFAR-10.

Each entry of :data:`CATALOGUE` is plain data (a :class:`RemoteDataset`): the files (URL,
published checksum and where that checksum was published), the licence, the class names.
:func:`load_remote` fetches the files into the cache folder (``labkit.datasets.download``:
https only, checksums verified before anything is read) and parses them into a
:class:`Dataset`.

Where the values come from:

- MNIST's and Fashion-MNIST's file names and MD5s are copied from the installed
  torchvision 0.26, ``torchvision/datasets/mnist.py`` (``MNIST.resources``,
  ``FashionMNIST.resources``); Fashion-MNIST's MD5s are also listed in its README.
  MNIST's https mirror is ``MNIST.mirrors[0]`` there; torchvision's Fashion-MNIST mirror is
  plain http, so we download the same files from the dataset's own GitHub repository.
- CIFAR-10's MD5 is ``CIFAR10.tgz_md5`` in ``torchvision/datasets/cifar.py``, the same as on
  the dataset page.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from labkit.datasets.catalogue import Dataset, RemoteDataset, check_split_name
from labkit.datasets.download import RemoteFile, data_dir, fetch, is_valid
from labkit.datasets.formats import read_cifar10, read_idx_pair

__all__ = [
    "CATALOGUE",
    "RETRIES",
    "BACKOFF",
    "TIMEOUT",
    "load_remote",
    "fetch_files",
    "cache_status",
]

# Passed to download.fetch on every call; the tests make BACKOFF tiny.
RETRIES = 3  # further attempts after a dropped connection or a server error
BACKOFF = 1.0  # seconds before the first retry, doubling each time
TIMEOUT = 30.0  # seconds to wait for the server


_IDX_ROLES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}


def _idx_files(
    base_url: str, md5s: list[str], sizes: list[int | None], checksum_source: str
) -> dict[str, RemoteFile]:
    """The four IDX files of an MNIST-style dataset, in the order of ``_IDX_ROLES``."""
    return {
        role: RemoteFile(f"{base_url}{name}", name, f"md5:{md5}", checksum_source, size)
        for (role, name), md5, size in zip(_IDX_ROLES.items(), md5s, sizes, strict=True)
    }


_TORCHVISION_MNIST = "torchvision 0.26, torchvision/datasets/mnist.py"

CATALOGUE: dict[str, RemoteDataset] = {
    "mnist": RemoteDataset(
        name="mnist",
        files=_idx_files(
            "https://ossci-datasets.s3.amazonaws.com/mnist/",  # torchvision MNIST.mirrors[0]
            [
                "f68b3c2dcbeaaa9fbdd348bbdeb94873",
                "d53e105ee54ea40749a09fcbcd1e9432",
                "9fb629c4189551a2d022fa330f9573f3",
                "ec29112dd5afa0611ce80d1b7f02629c",
            ],
            [9912422, 28881, 1648877, 4542],  # bytes, as listed on the dataset page
            f"{_TORCHVISION_MNIST}, MNIST.resources",
        ),
        reader="idx",
        classes=[str(digit) for digit in range(10)],
        shape=(28, 28),
        n_train=60_000,
        n_test=10_000,
        download_size="11.6 MB",  # the sum of the four sizes above
        source="http://yann.lecun.com/exdb/mnist/ (files from the mirror "
        "https://ossci-datasets.s3.amazonaws.com/mnist/)",
        licence="Yann LeCun and Corinna Cortes hold the copyright; commonly cited as "
        "available under CC BY-SA 3.0. See the dataset page.",
        description="MNIST: 70,000 handwritten digits (0-9), 28x28 grey-scale images "
        "(0 = background, 255 = ink), size-normalised and centred. 60,000 for training and "
        "10,000 for testing (the official split).",
    ),
    "fashion_mnist": RemoteDataset(
        name="fashion_mnist",
        files=_idx_files(
            "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
            [
                "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                "25c81989df183df01b3e8a0aad5dffbe",
                "bef4ecab320f06d8554ea6380940ec79",
                "bb300cfdad3c16e7a12a480ee83cd310",
            ],
            [None, None, None, None],  # the README gives only rounded sizes
            f"{_TORCHVISION_MNIST}, FashionMNIST.resources; also in the dataset's README",
        ),
        reader="idx",
        # torchvision FashionMNIST.classes, the labels in the dataset's README
        classes=["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat"]
        + ["Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
        shape=(28, 28),
        n_train=60_000,
        n_test=10_000,
        download_size="30 MB",  # the README lists 26 MB, 29 KB, 4.3 MB and 5.1 KB
        source="https://github.com/zalandoresearch/fashion-mnist",
        licence="MIT (the repository's LICENSE file), Zalando SE",
        description="Fashion-MNIST: 70,000 28x28 grey-scale photos of clothing from "
        "Zalando's catalogue, 10 classes, in MNIST's format and split (60,000 training, "
        "10,000 test). Harder than MNIST. Xiao, Rasul and Vollgraf (2017).",
    ),
    "cifar10": RemoteDataset(
        name="cifar10",
        files={
            "archive": RemoteFile(
                "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
                "cifar-10-python.tar.gz",
                "md5:c58f30108f718f92721af3b95e74349a",
                "torchvision 0.26, torchvision/datasets/cifar.py, CIFAR10.tgz_md5; also on "
                "https://www.cs.toronto.edu/~kriz/cifar.html",
            )
        },
        reader="cifar10",
        # label_names in the archive's batches.meta (the loaded Dataset uses those)
        classes=["airplane", "automobile", "bird", "cat", "deer"]
        + ["dog", "frog", "horse", "ship", "truck"],
        shape=(32, 32, 3),
        n_train=50_000,
        n_test=10_000,
        download_size="163 MB",  # as listed on the dataset page
        source="https://www.cs.toronto.edu/~kriz/cifar.html",
        licence="No explicit licence: the terms are those of the dataset page. Cite "
        "Krizhevsky (2009), Learning Multiple Layers of Features from Tiny Images.",
        description="CIFAR-10: 60,000 32x32 colour photos in 10 classes (6,000 each): "
        "50,000 for training and 10,000 for testing (the official split). Collected by "
        "Alex Krizhevsky, Vinod Nair and Geoffrey Hinton.",
    ),
}


def fetch_files(
    name: str, *, root: str | os.PathLike | None = None, download: bool = True
) -> dict[str, Path]:
    """Make sure every file of a remote dataset is in the cache, verified; return the paths.

    Parameters
    ----------
    name : str
        A key of :data:`CATALOGUE`.
    root : str, path or None, default=None
        The cache folder (see :func:`labkit.datasets.download.data_dir`); the files go into
        its sub-folder ``name``.
    download : bool, default=True
        If False, use only files already there (raise if any is missing or corrupt).

    Returns
    -------
    dict of str to Path
        The verified files, by role.

    Raises
    ------
    DownloadError
        If a file cannot be downloaded or verified; the message says how to fix it.

    Examples
    --------
    >>> import tempfile
    >>> fetch_files("mnist", root=tempfile.mkdtemp(), download=False)
    Traceback (most recent call last):
    ...
    labkit.datasets.download.DownloadError: mnist: train-images-idx3-ubyte.gz is not in ...
    """
    entry = CATALOGUE[name]
    folder = data_dir(root) / name
    return {
        role: fetch(
            file,
            folder,
            dataset=name,
            download=download,
            retries=RETRIES,
            backoff=BACKOFF,
            timeout=TIMEOUT,
        )
        for role, file in entry.files.items()
    }


def load_remote(
    name: str,
    *,
    split: str = "all",
    root: str | os.PathLike | None = None,
    download: bool = True,
) -> Dataset:
    """Fetch (if needed) and parse a remote dataset into a :class:`Dataset` of uint8 images.

    Parameters
    ----------
    name : str
        A key of :data:`CATALOGUE`.
    split : {"all", "train", "test"}, default="all"
        The official training or test set; ``"all"`` is training followed by test.
    root : str, path or None, default=None
        The cache folder (see :func:`fetch_files`).
    download : bool, default=True
        If False, never use the network.

    Returns
    -------
    Dataset
        ``X``: uint8 of shape (n, 28, 28) for MNIST and Fashion-MNIST, (n, 32, 32, 3) for
        CIFAR-10; ``y``: int64 class numbers.

    Raises
    ------
    DownloadError
        If the files cannot be downloaded or verified.
    ValueError
        If a verified file does not hold what the catalogue says (wrong format or shape).

    Examples
    --------
    >>> import tempfile
    >>> load_remote("cifar10", root=tempfile.mkdtemp(), download=False)
    Traceback (most recent call last):
    ...
    labkit.datasets.download.DownloadError: cifar10: cifar-10-python.tar.gz is not in ...
    """
    check_split_name(split)
    entry = CATALOGUE[name]
    paths = fetch_files(name, root=root, download=download)
    if entry.reader == "idx":
        X, y = _read_idx_split(paths, split)
        classes = entry.classes
    else:
        X, y, classes = read_cifar10(paths["archive"], split)
    if X.shape[1:] != entry.shape or X.dtype != np.uint8:
        raise ValueError(
            f"{name}: the files hold {X.dtype} images of shape {X.shape[1:]}, expected uint8 "
            f"of shape {entry.shape}. Delete {data_dir(root) / name} and fetch them again."
        )
    return Dataset(
        name=name,
        X=X,
        y=y,
        task="classification",
        feature_names=[],
        classes=classes,
        shape=entry.shape,
        source=entry.source,
        licence=entry.licence,
        description=entry.description,
    )


def _read_idx_split(paths: dict[str, Path], split: str) -> tuple[np.ndarray, np.ndarray]:
    """Images and labels of one split (``"all"``: train then test) from the IDX files."""
    parts = ["train", "test"] if split == "all" else [split]
    pairs = [read_idx_pair(paths[f"{part}_images"], paths[f"{part}_labels"]) for part in parts]
    return np.concatenate([X for X, _ in pairs]), np.concatenate([y for _, y in pairs])


def cache_status(name: str, *, root: str | os.PathLike | None = None) -> dict[str, str]:
    """Check each file of a remote dataset in the cache, without using the network.

    Parameters
    ----------
    name : str
        A key of :data:`CATALOGUE`.
    root : str, path or None, default=None
        The cache folder (see :func:`fetch_files`).

    Returns
    -------
    dict of str to str
        For each file name: ``"ok"`` (present, checksum matches), ``"missing"`` or
        ``"corrupt"`` (present, checksum does not match).

    Examples
    --------
    >>> import tempfile
    >>> cache_status("cifar10", root=tempfile.mkdtemp())
    {'cifar-10-python.tar.gz': 'missing'}
    """
    folder = data_dir(root) / name
    status = {}
    for file in CATALOGUE[name].files.values():
        path = folder / file.filename
        if not path.is_file():
            status[file.filename] = "missing"
        else:
            status[file.filename] = "ok" if is_valid(path, file.checksum) else "corrupt"
    return status
