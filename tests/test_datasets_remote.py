"""Tests for labkit.datasets.remote: the catalogue, and loading through the real code path.

The catalogue entries are pointed at a server on 127.0.0.1 (``http_server`` in conftest.py)
that serves small files the tests write in each dataset's real format, with those files'
checksums. Nothing here may reach any other address: ``loopback_only`` fails the test if
anything tries to resolve another host name.
"""

import dataclasses
import gzip
import hashlib
import json
import re
import subprocess
import sys

import numpy as np
import pytest
from test_datasets_formats import cifar_tarball, idx_bytes, random_cifar_batches

from labkit import datasets
from labkit.datasets import DownloadError, remote
from labkit.datasets.download import RemoteFile

# No test here may resolve a host name other than loopback (fixture in conftest.py).
pytestmark = pytest.mark.usefixtures("loopback_only")


TORCHVISION = "torchvision/datasets"


def md5(data: bytes) -> str:
    """``md5:<hex>`` of some bytes."""
    return f"md5:{hashlib.md5(data).hexdigest()}"


def make_fake_files(seed: int = 0) -> tuple[dict, dict]:
    """Small files in each dataset's real format, and the arrays they hold.

    Returns ``files[name][filename] = bytes`` and ``expected[name][split] = (X, y, classes)``.
    """
    rng = np.random.default_rng(seed)
    files, expected = {}, {}
    for name in ("mnist", "fashion_mnist"):
        parts = {
            "train": (rng.integers(0, 256, (20, 28, 28), dtype=np.uint8), rng.integers(0, 10, 20)),
            "test": (rng.integers(0, 256, (8, 28, 28), dtype=np.uint8), rng.integers(0, 10, 8)),
        }
        prefix = {"train": "train", "test": "t10k"}
        files[name] = {}
        for part, (X, y) in parts.items():
            files[name][f"{prefix[part]}-images-idx3-ubyte.gz"] = gzip.compress(idx_bytes(X))
            files[name][f"{prefix[part]}-labels-idx1-ubyte.gz"] = gzip.compress(idx_bytes(y))
        classes = remote.CATALOGUE[name].classes
        parts["all"] = tuple(np.concatenate(a) for a in zip(*parts.values(), strict=True))
        expected[name] = {split: (X, y, classes) for split, (X, y) in parts.items()}
    batches = random_cifar_batches(rng, [3, 2, 4, 1, 2, 5])
    names = [f"class{k}" for k in range(10)]
    files["cifar10"] = {"cifar-10-python.tar.gz": cifar_tarball(batches, names)}
    hwc = {k: (d.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), y) for k, (d, y) in batches.items()}
    train = [hwc[f"data_batch_{i}"] for i in range(1, 6)]
    splits = {"train": train, "test": [hwc["test_batch"]], "all": [*train, hwc["test_batch"]]}
    expected["cifar10"] = {
        split: (np.concatenate([x for x, _ in parts]), np.concatenate([y for _, y in parts]), names)
        for split, parts in splits.items()
    }
    return files, expected


def point_catalogue_at(server, monkeypatch, files: dict) -> None:
    """Serve ``files`` and make each catalogue entry download them from ``server``."""
    for name, contents in files.items():
        entry = remote.CATALOGUE[name]
        patched = {}
        for role, file in entry.files.items():
            data = contents[file.filename]
            server.serve(f"{name}/{file.filename}", data)
            url = server.url(f"{name}/{file.filename}")
            patched[role] = RemoteFile(url, file.filename, md5(data), "computed by the test")
        monkeypatch.setitem(remote.CATALOGUE, name, dataclasses.replace(entry, files=patched))


@pytest.fixture
def cache(monkeypatch, tmp_path):
    """An empty cache folder ($LABKIT_DATA_DIR), and retries without waiting."""
    monkeypatch.setenv("LABKIT_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(remote, "BACKOFF", 0.0)
    monkeypatch.setattr(remote, "TIMEOUT", 5.0)
    return tmp_path


@pytest.fixture
def fake(http_server, monkeypatch, cache):
    """The catalogue pointed at the local server; returns (files, expected arrays)."""
    files, expected = make_fake_files()
    point_catalogue_at(http_server, monkeypatch, files)
    return files, expected


# The catalogue itself -------------------------------------------------------------------


def test_catalogue_checksums_are_the_ones_torchvision_publishes():
    from torchvision.datasets import CIFAR10, MNIST, FashionMNIST

    for name, published in [("mnist", MNIST), ("fashion_mnist", FashionMNIST)]:
        entry = remote.CATALOGUE[name]
        ours = [(f.filename, f.checksum) for f in entry.files.values()]
        assert ours == [(filename, f"md5:{md5sum}") for filename, md5sum in published.resources]
        assert all(f"{TORCHVISION}/mnist.py" in f.checksum_source for f in entry.files.values())
    archive = remote.CATALOGUE["cifar10"].files["archive"]
    assert (archive.url, archive.filename) == (CIFAR10.url, CIFAR10.filename)
    assert archive.checksum == f"md5:{CIFAR10.tgz_md5}"
    assert f"{TORCHVISION}/cifar.py, CIFAR10.tgz_md5" in archive.checksum_source
    assert remote.CATALOGUE["fashion_mnist"].classes == FashionMNIST.classes


def test_catalogue_urls_are_https_and_mnist_uses_torchvision_https_mirror():
    from torchvision.datasets import MNIST

    for entry in remote.CATALOGUE.values():
        assert all(f.url.startswith("https://") for f in entry.files.values())
        assert entry.licence and entry.source and entry.description and entry.download_size
        assert len(entry.classes) == 10
    assert MNIST.mirrors[0].startswith("https://")
    for file in remote.CATALOGUE["mnist"].files.values():
        assert file.url == f"{MNIST.mirrors[0]}{file.filename}"
    fashion = "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/"
    assert all(f.url.startswith(fashion) for f in remote.CATALOGUE["fashion_mnist"].files.values())
    sizes = [f.size_bytes for f in remote.CATALOGUE["mnist"].files.values()]
    assert sum(sizes) / 1e6 == pytest.approx(11.6, abs=0.05)


# Loading through the real code path ------------------------------------------------------


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist", "cifar10"])
@pytest.mark.parametrize("split", ["train", "test", "all"])
def test_every_split_equals_what_was_written(fake, name, split):
    _, expected = fake
    X, y, classes = expected[name][split]
    data = datasets.load(name, split=split)
    assert data.X.dtype == np.uint8 and data.y.dtype == np.int64
    np.testing.assert_array_equal(data.X, X)
    np.testing.assert_array_equal(data.y, y)
    assert data.classes == classes and data.task == "classification"
    assert data.shape == X.shape[1:] and data.feature_names == []
    assert data.licence == remote.CATALOGUE[name].licence
    Xt, yt = data.tensors()
    assert Xt.shape == X.shape and yt.tolist() == y.tolist()


def test_files_land_in_the_dataset_folder_and_are_reused(fake, http_server, cache):
    datasets.load("mnist")
    names = sorted(p.name for p in (cache / "mnist").iterdir() if not p.name.endswith(".lock"))
    assert names == sorted(fake[0]["mnist"])
    requests = http_server.requests("mnist/train-images-idx3-ubyte.gz")
    datasets.load("mnist", split="test")
    assert http_server.requests("mnist/train-images-idx3-ubyte.gz") == requests == 1


def test_root_argument_wins_over_the_environment(fake, cache, tmp_path_factory):
    root = tmp_path_factory.mktemp("elsewhere")
    datasets.load("cifar10", root=root)
    assert (root / "cifar10" / "cifar-10-python.tar.gz").is_file()
    assert not (cache / "cifar10").exists()


def test_seed_does_not_change_an_official_split(fake):
    a = datasets.load("fashion_mnist", split="test", seed=0)
    b = datasets.load("fashion_mnist", split="test", seed=1)
    np.testing.assert_array_equal(a.X, b.X)


def test_404_is_an_error_that_says_the_url_may_have_moved(fake, http_server):
    http_server.fail("mnist/train-labels-idx1-ubyte.gz", 404)
    with pytest.raises(DownloadError, match=r"mnist: .*train-labels.* HTTP 404.*may have moved"):
        datasets.load("mnist")
    assert http_server.requests("mnist/train-labels-idx1-ubyte.gz") == 1  # a 404 is final


def test_a_500_is_retried_then_loads(fake, http_server):
    http_server.fail("cifar10/cifar-10-python.tar.gz", 500, times=2)
    data = datasets.load("cifar10", split="test")
    np.testing.assert_array_equal(data.X, fake[1]["cifar10"]["test"][0])
    assert http_server.requests("cifar10/cifar-10-python.tar.gz") == 3


def test_a_500_every_time_gives_up_with_the_fix(fake, http_server):
    http_server.fail("cifar10/cifar-10-python.tar.gz", 500)
    with pytest.raises(
        DownloadError, match=r"cifar10: could not download .*HTTP 500.*fetch cifar10"
    ):
        datasets.load("cifar10")
    assert http_server.requests("cifar10/cifar-10-python.tar.gz") == remote.RETRIES + 1


def test_a_connection_dropped_mid_file_is_retried_then_loads(fake, http_server, cache):
    http_server.drop("fashion_mnist/t10k-images-idx3-ubyte.gz", after_bytes=100)
    data = datasets.load("fashion_mnist", split="test")
    np.testing.assert_array_equal(data.X, fake[1]["fashion_mnist"]["test"][0])
    assert http_server.completed("fashion_mnist/t10k-images-idx3-ubyte.gz") == 1
    assert not list((cache / "fashion_mnist").glob("*.part"))


def test_a_wrong_checksum_is_an_error_and_nothing_is_kept(fake, http_server, cache, monkeypatch):
    entry = remote.CATALOGUE["cifar10"]
    wrong = dataclasses.replace(entry.files["archive"], checksum=f"md5:{'0' * 32}")
    monkeypatch.setitem(
        remote.CATALOGUE, "cifar10", dataclasses.replace(entry, files={"archive": wrong})
    )
    with pytest.raises(
        DownloadError, match=r"does not match its published checksum: expected md5 0{32}"
    ):
        datasets.load("cifar10")
    assert [p.name for p in (cache / "cifar10").iterdir() if not p.name.endswith(".lock")] == []


def test_a_truncated_cache_file_is_detected_and_fetched_again(fake, http_server, cache):
    datasets.load("mnist")
    path = cache / "mnist" / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:50])
    with pytest.warns(UserWarning, match=r"t10k-images-idx3-ubyte.gz is corrupt or incomplete"):
        data = datasets.load("mnist", split="test")
    np.testing.assert_array_equal(data.X, fake[1]["mnist"]["test"][0])
    assert http_server.requests("mnist/t10k-images-idx3-ubyte.gz") == 2


def test_a_corrupt_cache_file_without_download_is_reported_not_loaded(fake, cache):
    datasets.load("mnist")
    path = cache / "mnist" / "train-labels-idx1-ubyte.gz"
    path.write_bytes(b"garbage")
    with pytest.raises(DownloadError, match=r"train-labels-idx1-ubyte.gz is corrupt.*not loaded"):
        datasets.load("mnist", download=False)


def test_nothing_cached_and_download_false_says_how_to_fix_it(cache):
    folder = cache / "fashion_mnist"
    message = (
        rf"fashion_mnist: train-images-idx3-ubyte.gz is not in {re.escape(str(folder))} and "
        r"download=False.*labkit data fetch fashion_mnist"
    )
    with pytest.raises(DownloadError, match=message):
        datasets.load("fashion_mnist", download=False)


def test_offline_is_a_clear_error_naming_dataset_reason_and_fix(cache, offline_url, monkeypatch):
    entry = remote.CATALOGUE["cifar10"]
    file = RemoteFile(offline_url, "cifar-10-python.tar.gz", f"md5:{'1' * 32}", "test")
    monkeypatch.setitem(
        remote.CATALOGUE, "cifar10", dataclasses.replace(entry, files={"archive": file})
    )
    with pytest.raises(DownloadError) as error:
        datasets.load("cifar10")
    message = str(error.value)
    assert message.startswith("cifar10: could not download cifar-10-python.tar.gz")
    assert "connection was refused" in message and "labkit data fetch cifar10" in message
    assert str(cache / "cifar10") in message


def test_a_wrong_magic_number_in_a_verified_file_is_a_value_error(http_server, monkeypatch, cache):
    files, _ = make_fake_files()
    files["mnist"]["t10k-labels-idx1-ubyte.gz"] = gzip.compress(b"\x00\x00\x08\x00 not idx")
    point_catalogue_at(http_server, monkeypatch, files)
    assert len(datasets.load("mnist", split="train")) == 20
    with pytest.raises(ValueError, match="t10k-labels-idx1-ubyte.gz is not an IDX file"):
        datasets.load("mnist", split="test")


def test_images_and_labels_of_different_lengths(http_server, monkeypatch, cache):
    files, _ = make_fake_files()
    files["mnist"]["t10k-labels-idx1-ubyte.gz"] = gzip.compress(idx_bytes(np.zeros(7, np.uint8)))
    point_catalogue_at(http_server, monkeypatch, files)
    with pytest.raises(
        ValueError, match=r"t10k-images-idx3-ubyte.gz holds 8 images but .* 7 labels"
    ):
        datasets.load("mnist", split="test")


def test_images_of_the_wrong_shape(http_server, monkeypatch, cache):
    files, _ = make_fake_files()
    images = gzip.compress(idx_bytes(np.zeros((8, 32, 32), np.uint8)))
    files["fashion_mnist"]["t10k-images-idx3-ubyte.gz"] = images
    point_catalogue_at(http_server, monkeypatch, files)
    with pytest.raises(
        ValueError, match=r"fashion_mnist: .*shape \(32, 32\), expected uint8 of shape \(28, 28\)"
    ):
        datasets.load("fashion_mnist", split="test")


def test_load_remote_checks_the_split_itself():
    with pytest.raises(ValueError, match=r"split must be one of .*Received: split='dev'"):
        remote.load_remote("mnist", split="dev")


# fetch_files and cache_status ------------------------------------------------------------


def test_cache_status_reports_ok_missing_and_corrupt(fake, cache):
    assert set(remote.cache_status("mnist").values()) == {"missing"}
    paths = remote.fetch_files("mnist")
    assert sorted(paths) == ["test_images", "test_labels", "train_images", "train_labels"]
    assert set(remote.cache_status("mnist").values()) == {"ok"}
    paths["train_labels"].write_bytes(b"x")
    paths["test_images"].unlink()
    status = remote.cache_status("mnist")
    assert status["train-labels-idx1-ubyte.gz"] == "corrupt"
    assert status["t10k-images-idx3-ubyte.gz"] == "missing"
    assert status["t10k-labels-idx1-ubyte.gz"] == "ok"
    assert datasets.summary("mnist")["cached"] == "no"


# Two processes at once ----------------------------------------------------------------

_WORKER = """
import dataclasses, json, sys
from labkit import datasets
from labkit.datasets import remote
from labkit.datasets.download import RemoteFile

name, spec, root = sys.argv[1:]
files = {role: RemoteFile(*fields) for role, fields in json.loads(spec).items()}
remote.CATALOGUE[name] = dataclasses.replace(remote.CATALOGUE[name], files=files)
print("ready", flush=True)
sys.stdin.readline()  # start both loads at the same moment
data = datasets.load(name, root=root)
print(len(data), int(data.X.sum()), int(data.y.sum()))
"""


def test_two_processes_loading_the_same_dataset_download_it_once(fake, http_server, tmp_path):
    files, expected = fake
    data = files["cifar10"]["cifar-10-python.tar.gz"]
    http_server.serve("cifar10/cifar-10-python.tar.gz", data, delay=1.0)  # the second must wait
    file = remote.CATALOGUE["cifar10"].files["archive"]
    spec = json.dumps({"archive": [file.url, file.filename, file.checksum, "test"]})
    args = [sys.executable, "-c", _WORKER, "cifar10", spec, str(tmp_path)]
    pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    workers = [subprocess.Popen(args, text=True, **pipes) for _ in range(2)]
    for worker in workers:
        assert worker.stdout.readline() == "ready\n"
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    results = [worker.communicate(timeout=60) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], results
    X, y, _ = expected["cifar10"]["all"]
    assert [out.strip() for out, _ in results] == [f"{len(X)} {X.sum()} {y.sum()}"] * 2
    assert sum("another process is fetching" in err for _, err in results) == 1
    assert http_server.requests("cifar10/cifar-10-python.tar.gz") == 1
