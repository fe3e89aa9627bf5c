"""Datasets for the lessons, behind one call: ``labkit.datasets.load(name)``.

Lessons reach data only through this module, never through a path relative to the
notebook, so a lesson runs the same from JupyterLab, the test suite or the grader.
Four kinds of dataset, tried in this order:

- ``bundled`` (:mod:`~labkit.datasets.bundled`): shipped with scikit-learn, offline;
- ``generated`` (:mod:`~labkit.datasets.generated`): made by the course, in ``datasets/``;
- ``copied`` (:mod:`~labkit.datasets.copied`): real public data packed into ``datasets/``
  by a script (the review sentences; the Shakespeare text is :func:`load_corpus`);
- ``download`` (:mod:`~labkit.datasets.remote`): MNIST, Fashion-MNIST and CIFAR-10,
  downloaded once into a cache folder and checked against their published checksums.

>>> from labkit import datasets
>>> digits = datasets.load("digits")
>>> digits.X.shape, digits.classes[:3]
((1797, 64), ['0', '1', '2'])
"""

from __future__ import annotations

import os

from labkit.datasets import bundled, copied, generated, remote
from labkit.datasets.catalogue import Dataset, check_split_name, holdout
from labkit.datasets.copied import load_corpus
from labkit.datasets.download import DownloadError, data_dir
from labkit.datasets.scenes import Scenes, load_scenes
from labkit.validation import flag, whole_number

__all__ = [
    "Dataset",
    "DownloadError",
    "Scenes",
    "load",
    "load_corpus",
    "load_scenes",
    "names",
    "info",
    "kind",
    "summary",
]


def names() -> list[str]:
    """Every dataset :func:`load` knows, sorted.

    Examples
    --------
    >>> names()
    ['breast_cancer', 'cifar10', 'diabetes', 'digits', 'fashion_mnist', 'iris', 'mnist',
     'sample_images', 'scaling', 'sentiment_sentences', 'spoken_digits', 'wine']
    """
    return sorted([*bundled.LOADERS, *generated.LOADERS, *copied.LOADERS, *remote.CATALOGUE])


def kind(name: str) -> str:
    """Where a dataset comes from: ``"bundled"``, ``"generated"``, ``"copied"`` or ``"download"``.

    Parameters
    ----------
    name : str
        One of :func:`names`.

    Returns
    -------
    str

    Examples
    --------
    >>> kind("iris"), kind("scaling"), kind("mnist")
    ('bundled', 'generated', 'download')
    """
    _check_name(name)
    if name in bundled.LOADERS:
        return "bundled"
    if name in copied.LOADERS:
        return "copied"
    return "generated" if name in generated.LOADERS else "download"


def load(
    name: str,
    *,
    split: str = "all",
    seed: int = 0,
    root: str | os.PathLike | None = None,
    download: bool = True,
) -> Dataset:
    """Load a dataset by name.

    Parameters
    ----------
    name : str
        One of :func:`names`.
    split : {"all", "train", "test"}, default="all"
        MNIST, Fashion-MNIST and CIFAR-10 have an official test set, used as is. Other sets
        are divided here: 80 % train, 20 % test, stratified by class for classification
        (shuffled for regression), the same for the same ``seed``.
    seed : int, default=0
        Seed of that division (unused by ``"all"`` and by sets with an official split).
    root : str, path or None, default=None
        Folder for downloaded sets; None means ``$LABKIT_DATA_DIR``, else the per-user
        cache (``~/.cache/labkit``). Ignored by offline sets.
    download : bool, default=True
        If False, a downloaded set must already be in the cache: nothing is fetched.
        Ignored by offline sets.

    Returns
    -------
    Dataset

    Raises
    ------
    ValueError
        For an unknown name or split, or a negative ``seed``.
    TypeError
        For a ``seed`` or ``download`` of the wrong type.
    DownloadError
        If a downloaded set is not in the cache and cannot be fetched; the message says
        why and how to fix it.

    Examples
    --------
    >>> wine = load("wine")
    >>> wine.X.shape, wine.task, len(wine.classes)
    ((178, 13), 'classification', 3)
    >>> len(load("wine", split="train")), len(load("wine", split="test"))
    (142, 36)
    """
    _check_name(name)
    check_split_name(split)
    seed = whole_number("seed", seed, minimum=0, why="e.g. seed=0")
    download = flag("download", download)
    if name in bundled.LOADERS:
        return holdout(bundled.LOADERS[name](), split, seed=seed)
    if name in generated.LOADERS:
        return holdout(generated.LOADERS[name](), split, seed=seed)
    if name in copied.LOADERS:
        return holdout(copied.LOADERS[name](), split, seed=seed)
    return remote.load_remote(name, split=split, root=root, download=download)


def info(name: str) -> str:
    """One paragraph on a dataset: size, task, source and licence. Never downloads.

    Parameters
    ----------
    name : str
        One of :func:`names`.

    Returns
    -------
    str

    Examples
    --------
    >>> print(info("iris"))
    iris: 150 samples, 4 features, classification (3 classes). Source: ...
    >>> print(info("mnist"))
    mnist: 70000 images of shape (28, 28) (60000 train + 10000 test), classification
    (10 classes). Download: 11.6 MB in 4 file(s), into .../mnist (`labkit data fetch mnist`).
    Source: ...
    """
    _check_name(name)
    if name in remote.CATALOGUE:
        entry = remote.CATALOGUE[name]
        return (
            f"{name}: {entry.n_train + entry.n_test} images of shape {entry.shape} "
            f"({entry.n_train} train + {entry.n_test} test), classification "
            f"({len(entry.classes)} classes). Download: {entry.download_size} in "
            f"{len(entry.files)} file(s), into "
            f"{data_dir() / name} (`labkit data fetch {name}`). Source: {entry.source}. "
            f"Licence: {entry.licence}"
        )
    data = load(name)
    if data.X.dtype == object:
        size = "text" if isinstance(data.X[0], str) else "recordings of different lengths"
    else:
        size = f"{data.X.shape[1]} features" if data.X.ndim == 2 else f"shape {data.shape}"
    task = f"{data.task} ({len(data.classes)} classes)" if data.classes else data.task
    return (
        f"{name}: {len(data)} samples, {size}, {task}. "
        f"Source: {data.source}. Licence: {data.licence}."
    )


def summary(name: str, *, root: str | os.PathLike | None = None) -> dict[str, str]:
    """One row of ``labkit data list``: kind, size, whether it is cached, and source.

    Parameters
    ----------
    name : str
        One of :func:`names`.
    root : str, path or None, default=None
        The cache folder to look in (see :func:`load`).

    Returns
    -------
    dict of str to str
        Keys ``name``, ``kind``, ``size``, ``cached`` (``"offline"`` for sets that need no
        download, else ``"yes"`` if every file is present and valid, ``"no"`` otherwise)
        and ``source``.

    Examples
    --------
    >>> summary("wine")["size"], summary("wine")["cached"]
    ('178 samples', 'offline')
    """
    if kind(name) != "download":
        data = load(name)
        return {
            "name": name,
            "kind": kind(name),
            "size": f"{len(data)} samples",
            "cached": "offline",
            "source": data.source,
        }
    entry = remote.CATALOGUE[name]
    status = remote.cache_status(name, root=root)
    return {
        "name": name,
        "kind": "download",
        "size": f"{entry.n_train + entry.n_test} samples, {entry.download_size} download",
        "cached": "yes" if set(status.values()) == {"ok"} else "no",
        "source": entry.source,
    }


def _check_name(name: object) -> None:
    """Raise TypeError or ValueError unless ``name`` is a known dataset."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, e.g. 'digits'. Received: name={name!r}")
    if name not in names():
        raise ValueError(f"Unknown dataset {name!r}. Available: {names()}.")
