"""Readers for the file formats the benchmark datasets are published in.

- IDX (MNIST, Fashion-MNIST): a tiny binary format for n-dimensional arrays. A header
  (magic number, then one 4-byte size per dimension) followed by the raw values in C order.
  The files are usually gzip-compressed (``*.gz``); :func:`read_idx` handles both.
- The CIFAR-10 "python version": a gzip-compressed tar archive holding Python pickles, one
  per batch of 10,000 images, each image a row of 3072 bytes (1024 red, then 1024 green,
  then 1024 blue values, row by row).

These functions only read files that :mod:`labkit.datasets.download` has already checked
against their published checksum.
"""

from __future__ import annotations

import gzip
import os
import pickle
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from labkit.validation import one_of

__all__ = ["read_idx", "read_idx_pair", "read_cifar10"]

# Third byte of an IDX magic number -> dtype of the values ("MSB first" = big-endian).
_IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"

_CIFAR_FOLDER = "cifar-10-batches-py"
_CIFAR_MEMBERS = {
    "train": [f"data_batch_{i}" for i in range(1, 6)],
    "test": ["test_batch"],
}
_CIFAR_MEMBERS["all"] = _CIFAR_MEMBERS["train"] + _CIFAR_MEMBERS["test"]
# The only globals a CIFAR pickle needs: NumPy's array rebuilders, and the codec Python 3
# uses for bytes in old pickle protocols. Everything else is refused (see _ArraysOnly).
_ALLOWED_GLOBALS = {
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy._core.numeric", "_frombuffer"),
    ("_codecs", "encode"),
}


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (gzip-compressed or not) into a NumPy array.

    Parameters
    ----------
    path : str or path-like
        The file, e.g. ``train-images-idx3-ubyte.gz``. Compression is recognised from the
        file's first bytes, not from its name.

    Returns
    -------
    np.ndarray
        The values with the shape stored in the header, in native byte order
        (e.g. uint8 of shape (60000, 28, 28) for MNIST's training images).

    Raises
    ------
    ValueError
        If the magic number is not an IDX one, or the file holds more or fewer bytes than
        its header announces (a truncated or corrupt file). The message names the file.

    Examples
    --------
    A vector of three bytes: magic number 0x00000801 (type 0x08 = unsigned byte, 1
    dimension), the size 3, then the values.

    >>> import gzip, tempfile
    >>> path = Path(tempfile.mkdtemp()) / "tiny-idx1-ubyte.gz"
    >>> _ = path.write_bytes(gzip.compress(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9])))
    >>> read_idx(path)
    array([7, 8, 9], dtype=uint8)
    """
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == _GZIP_MAGIC:
        raw = gzip.decompress(raw)
    dtype, shape = _idx_header(raw, path)
    offset = 4 + 4 * len(shape)
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - offset != expected:
        raise ValueError(
            f"{path.name}: the header announces shape {shape} ({expected} bytes of data) but "
            f"the file holds {len(raw) - offset} bytes after the header. The file is truncated "
            f"or corrupt: delete it and download it again. File: {path}"
        )
    values = np.frombuffer(raw, dtype=dtype, offset=offset).reshape(shape)
    return values.astype(dtype.newbyteorder("="))


def _idx_header(raw: bytes, path: Path) -> tuple[np.dtype, tuple[int, ...]]:
    """Check the magic number; return the dtype and the shape from an IDX header."""
    magic = raw[:4]
    if len(magic) < 4 or magic[:2] != b"\x00\x00" or magic[2] not in _IDX_DTYPES or magic[3] == 0:
        raise ValueError(
            f"{path.name} is not an IDX file: its magic number is {magic.hex() or 'missing'}, "
            f"expected 0000TTNN (TT a type code in {[f'{t:02x}' for t in _IDX_DTYPES]}, NN the "
            f"number of dimensions). Check that this is the right file. File: {path}"
        )
    n_dims = magic[3]
    if len(raw) < 4 + 4 * n_dims:
        raise ValueError(
            f"{path.name}: the header is cut short ({len(raw)} bytes for {n_dims} dimensions). "
            f"The file is truncated: delete it and download it again. File: {path}"
        )
    shape = tuple(int(s) for s in np.frombuffer(raw, dtype=">u4", count=n_dims, offset=4))
    return _IDX_DTYPES[magic[2]], shape


def read_idx_pair(
    images_path: str | os.PathLike, labels_path: str | os.PathLike
) -> tuple[np.ndarray, np.ndarray]:
    """Read an MNIST-style pair of IDX files: images and their labels.

    Parameters
    ----------
    images_path, labels_path : str or path-like
        E.g. ``t10k-images-idx3-ubyte.gz`` and ``t10k-labels-idx1-ubyte.gz``.

    Returns
    -------
    X : np.ndarray
        The images, as stored (uint8 of shape (n, 28, 28) for MNIST).
    y : np.ndarray of int64, shape (n,)

    Raises
    ------
    ValueError
        If either file is not valid IDX, or they hold different numbers of samples.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "images").write_bytes(bytes([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 1, 5, 6]))
    >>> _ = (folder / "labels").write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 2, 3, 4]))
    >>> read_idx_pair(folder / "images", folder / "labels")
    (array([[5],
           [6]], dtype=uint8), array([3, 4]))
    """
    X = read_idx(images_path)
    y = read_idx(labels_path).astype(np.int64)
    if len(X) != len(y):
        raise ValueError(
            f"{Path(images_path).name} holds {len(X)} images but {Path(labels_path).name} "
            f"holds {len(y)} labels: they must match. Files: {images_path}, {labels_path}"
        )
    return X, y


def read_cifar10(
    path: str | os.PathLike, split: str = "all"
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Read images, labels and class names from the CIFAR-10 python tarball.

    Parameters
    ----------
    path : str or path-like
        ``cifar-10-python.tar.gz``, already checked against its published checksum.
    split : {"all", "train", "test"}, default="all"
        ``"train"``: ``data_batch_1`` to ``data_batch_5``; ``"test"``: ``test_batch``;
        ``"all"``: the training batches followed by the test batch.

    Returns
    -------
    X : np.ndarray of uint8, shape (n, 32, 32, 3)
        Images as height, width, colour channel (the usual layout for image files).
    y : np.ndarray of int64, shape (n,)
    classes : list of str
        ``label_names`` from ``batches.meta``, indexed by class number.

    Raises
    ------
    ValueError
        If ``split`` is unknown, or a member of the archive is missing or malformed.

    Examples
    --------
    A tarball with the real layout and one test image:

    >>> import io, tarfile, tempfile
    >>> def add(tar, name, obj):
    ...     blob = pickle.dumps(obj)
    ...     member = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
    ...     member.size = len(blob)
    ...     tar.addfile(member, io.BytesIO(blob))
    >>> path = Path(tempfile.mkdtemp()) / "tiny.tar.gz"
    >>> with tarfile.open(path, "w:gz") as tar:
    ...     add(tar, "batches.meta", {"label_names": ["cat", "dog"]})
    ...     add(tar, "test_batch", {"data": np.zeros((1, 3072), np.uint8), "labels": [1]})
    >>> X, y, classes = read_cifar10(path, "test")
    >>> X.shape, y, classes
    ((1, 32, 32, 3), array([1]), ['cat', 'dog'])
    """
    split = one_of("split", split, _CIFAR_MEMBERS)
    path = Path(path)
    # Unpickling can run code, so we only open a tarball whose checksum matched the published
    # one (labkit.datasets.download.fetch checks it before we get here), and _ArraysOnly
    # refuses anything but arrays. Members are read in memory by their exact names: nothing
    # is extracted to disk, so a crafted member name cannot write outside the cache.
    with tarfile.open(path, "r:gz") as tar:
        meta = _read_pickle(tar, "batches.meta", path)
        batches = [_read_pickle(tar, member, path) for member in _CIFAR_MEMBERS[split]]
    parts = [_batch_rows(batch, path) for batch in batches]
    rows = np.concatenate([data for data, _ in parts])
    y = np.concatenate([labels for _, labels in parts])
    # Each row is 3 colour planes of 32x32; move the channel last (height, width, channel)
    # and copy, so that the images lie in memory in that order.
    X = np.ascontiguousarray(rows.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
    return X, y, [str(name) for name in meta["label_names"]]


def _read_pickle(tar: tarfile.TarFile, member: str, path: Path) -> dict:
    """Unpickle one member of the CIFAR tarball (``latin1``: the pickles come from Python 2)."""
    name = f"{_CIFAR_FOLDER}/{member}"
    try:
        file = tar.extractfile(name)
    except KeyError:
        file = None
    if file is None:
        raise ValueError(
            f"{path.name} has no member {name!r}: this is not the CIFAR-10 python tarball. "
            f"File: {path}"
        )
    with file:
        try:
            return _ArraysOnly(file, encoding="latin1").load()
        except pickle.UnpicklingError as error:
            raise ValueError(f"{path.name}, member {name!r}: {error}. File: {path}") from error


class _ArraysOnly(pickle.Unpickler):
    """An unpickler that can build arrays, lists, dicts, strings and numbers, nothing else."""

    def find_class(self, module: str, name: str) -> Callable[..., Any]:
        """Return an allowed class or function; refuse any other (it could run code)."""
        # A second line of defence after the checksum: a pickle can name any function to
        # call while loading, so only the few that rebuild NumPy arrays are let through.
        if (module, name) not in _ALLOWED_GLOBALS:
            raise pickle.UnpicklingError(
                f"refusing to load {module}.{name} from a CIFAR-10 pickle: only NumPy arrays "
                f"are expected there"
            )
        return super().find_class(module, name)


def _batch_rows(batch: dict, path: Path) -> tuple[np.ndarray, np.ndarray]:
    """One batch's (n, 3072) uint8 image rows and its n labels, checked."""
    data = np.asarray(batch["data"], dtype=np.uint8)
    labels = np.asarray(batch["labels"], dtype=np.int64)
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or len(labels) != len(data):
        raise ValueError(
            f"{path.name}: a batch holds data of shape {data.shape} and {len(labels)} labels; "
            f"expected (n, 3072) and n labels. File: {path}"
        )
    return data, labels
