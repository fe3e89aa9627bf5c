"""Tests for labkit.datasets.formats: IDX files and the CIFAR-10 python tarball."""

import gzip
import io
import os
import pickle
import struct
import tarfile

import numpy as np
import pytest
from torchvision.datasets.mnist import read_sn3_pascalvincent_tensor

from labkit.datasets.formats import read_cifar10, read_idx

TYPE_CODES = {"uint8": 0x08, "int8": 0x09, ">i2": 0x0B, ">i4": 0x0C, ">f4": 0x0D, ">f8": 0x0E}


def idx_bytes(array: np.ndarray, dtype: str = "uint8") -> bytes:
    """Encode an array as IDX, written independently of the reader (struct, big-endian)."""
    header = bytes([0, 0, TYPE_CODES[dtype], array.ndim])
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(dtype).tobytes()


def cifar_tarball(batches: dict[str, tuple[np.ndarray, list[int]]], label_names, protocol=2):
    """The CIFAR-10 python tarball's layout, holding the given (data, labels) batches."""
    buffer = io.BytesIO()
    members = {"batches.meta": {"label_names": label_names, "num_vis": 3072}}
    for name, (data, labels) in batches.items():
        members[name] = {"batch_label": name, "data": data, "labels": labels}
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, content in members.items():
            blob = pickle.dumps(content, protocol=protocol)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    return buffer.getvalue()


def random_cifar_batches(rng, sizes):
    """Batches ``data_batch_1..5`` and ``test_batch`` of random images and labels."""
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    return {
        name: (rng.integers(0, 256, (n, 3072), dtype=np.uint8), rng.integers(0, 10, n).tolist())
        for name, n in zip(names, sizes, strict=True)
    }


@pytest.mark.parametrize("compress", [False, True])
def test_idx_images_round_trip(tmp_path, compress):
    images = np.random.default_rng(0).integers(0, 256, (20, 28, 28), dtype=np.uint8)
    raw = idx_bytes(images)
    path = tmp_path / "images-idx3-ubyte"
    path.write_bytes(gzip.compress(raw) if compress else raw)
    result = read_idx(path)
    assert result.dtype == np.uint8 and result.shape == (20, 28, 28)
    np.testing.assert_array_equal(result, images)


def test_idx_matches_torchvision_reader(tmp_path):
    labels = np.random.default_rng(1).integers(0, 10, 50, dtype=np.uint8)
    path = tmp_path / "labels-idx1-ubyte"
    path.write_bytes(idx_bytes(labels))
    np.testing.assert_array_equal(read_idx(path), read_sn3_pascalvincent_tensor(str(path)).numpy())


@pytest.mark.parametrize("dtype", ["int8", ">i2", ">i4", ">f4", ">f8"])
def test_idx_other_types_come_back_in_native_byte_order(tmp_path, dtype):
    values = np.array([[-3, 0, 7], [100, -100, 1]])
    path = tmp_path / "values.idx"
    path.write_bytes(idx_bytes(values, dtype))
    result = read_idx(path)
    assert result.dtype == np.dtype(dtype).newbyteorder("=") and result.dtype.isnative
    np.testing.assert_array_equal(result, values)


def test_idx_wrong_magic_number_names_the_file(tmp_path):
    path = tmp_path / "not-idx.gz"
    path.write_bytes(gzip.compress(b"\x08\x03\x00\x00" + bytes(12)))
    with pytest.raises(
        ValueError, match=r"not-idx.gz is not an IDX file: its magic number is 08030000"
    ):
        read_idx(path)
    path.write_bytes(bytes([0, 0, 0x07, 1, 0, 0, 0, 1, 5]))  # 0x07 is no type code
    with pytest.raises(ValueError, match="not-idx.gz is not an IDX file"):
        read_idx(path)
    path.write_bytes(b"")
    with pytest.raises(ValueError, match="magic number is missing"):
        read_idx(path)


@pytest.mark.parametrize(("cut", "extra"), [(1, b""), (0, b"\x00")])
def test_idx_wrong_size_names_the_file(tmp_path, cut, extra):
    raw = idx_bytes(np.zeros((4, 28, 28), np.uint8))
    path = tmp_path / "short-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(raw[: len(raw) - cut] + extra))
    with pytest.raises(
        ValueError, match=r"short-idx3-ubyte.gz: the header announces shape \(4, 28, 28\)"
    ):
        read_idx(path)


def test_idx_header_cut_short(tmp_path):
    path = tmp_path / "cut.idx"
    path.write_bytes(bytes([0, 0, 8, 3, 0, 0, 0, 4]))
    with pytest.raises(ValueError, match=r"cut.idx: the header is cut short \(8 bytes for 3"):
        read_idx(path)


@pytest.mark.parametrize("protocol", [2, pickle.HIGHEST_PROTOCOL])
def test_cifar10_every_split_matches_what_was_written(tmp_path, protocol):
    rng = np.random.default_rng(2)
    batches = random_cifar_batches(rng, [3, 2, 4, 1, 2, 5])
    names = ["plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    path = tmp_path / "cifar-10-python.tar.gz"
    path.write_bytes(cifar_tarball(batches, names, protocol))
    train_rows = np.concatenate([batches[f"data_batch_{i}"][0] for i in range(1, 6)])
    train_labels = sum((batches[f"data_batch_{i}"][1] for i in range(1, 6)), [])
    test_rows, test_labels = batches["test_batch"]
    expected = {
        "train": (train_rows, train_labels),
        "test": (test_rows, test_labels),
        "all": (np.concatenate([train_rows, test_rows]), train_labels + test_labels),
    }
    for split, (rows, labels) in expected.items():
        X, y, classes = read_cifar10(path, split)
        assert X.shape == (len(rows), 32, 32, 3) and X.dtype == np.uint8 and X.flags.c_contiguous
        assert y.dtype == np.int64 and y.tolist() == labels and classes == names
        # Each row is the red plane, then green, then blue, each 32 rows of 32 pixels.
        for i, row in enumerate(rows):
            for channel in range(3):
                plane = row[channel * 1024 : (channel + 1) * 1024].reshape(32, 32)
                np.testing.assert_array_equal(X[i, :, :, channel], plane)


def test_cifar10_unknown_split(tmp_path):
    with pytest.raises(
        ValueError, match=r"split must be one of 'train', 'test', 'all'. Received: split='val'"
    ):
        read_cifar10(tmp_path / "any.tar.gz", "val")


def test_cifar10_missing_member_names_it(tmp_path):
    batches = random_cifar_batches(np.random.default_rng(3), [1] * 6)
    del batches["data_batch_3"]
    path = tmp_path / "cifar.tar.gz"
    path.write_bytes(cifar_tarball(batches, ["a"] * 10))
    assert read_cifar10(path, "test")[0].shape == (1, 32, 32, 3)
    with pytest.raises(
        ValueError, match=r"cifar.tar.gz has no member 'cifar-10-batches-py/data_batch_3'"
    ):
        read_cifar10(path, "train")


def test_cifar10_malformed_batch(tmp_path):
    batches = random_cifar_batches(np.random.default_rng(4), [1] * 6)
    batches["test_batch"] = (np.zeros((2, 100), np.uint8), [0, 1])
    path = tmp_path / "cifar.tar.gz"
    path.write_bytes(cifar_tarball(batches, ["a"] * 10))
    with pytest.raises(
        ValueError, match=r"data of shape \(2, 100\) and 2 labels; expected \(n, 3072\)"
    ):
        read_cifar10(path, "test")


class _RunsCode:
    """An object whose unpickling would call os.getcwd: what a malicious pickle does."""

    def __reduce__(self):
        return (os.getcwd, ())


def test_cifar10_refuses_a_pickle_that_would_call_a_function(tmp_path):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        blob = pickle.dumps({"label_names": _RunsCode()})
        info = tarfile.TarInfo("cifar-10-batches-py/batches.meta")
        info.size = len(blob)
        tar.addfile(info, io.BytesIO(blob))
    path = tmp_path / "evil.tar.gz"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(ValueError, match=r"evil.tar.gz, member .*refusing to load .*getcwd"):
        read_cifar10(path, "test")
