"""Tests for ``labkit data list|info|fetch|verify``; remote sets come from a local server."""

import re
import socket
from urllib.parse import urlsplit

import pytest
from test_datasets_remote import make_fake_files, point_catalogue_at

from labkit import datasets
from labkit.cli import main
from labkit.datasets import remote

# No test here may resolve a host name other than loopback (fixture in conftest.py).
pytestmark = pytest.mark.usefixtures("loopback_only")


@pytest.fixture
def cache(monkeypatch, tmp_path):
    """An empty cache folder ($LABKIT_DATA_DIR), and retries without waiting."""
    monkeypatch.setenv("LABKIT_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(remote, "BACKOFF", 0.0)
    return tmp_path


@pytest.fixture
def served(http_server, monkeypatch, cache):
    """The remote catalogue pointed at the local server; returns the server."""
    files, _ = make_fake_files()
    point_catalogue_at(http_server, monkeypatch, files)
    return http_server


def rows(text: str) -> dict[str, dict[str, str]]:
    """The table printed by ``labkit data list`` (columns two or more spaces apart), by name."""
    header, *lines = (re.split(r"\s{2,}", line) for line in text.splitlines())
    return {cells[0]: dict(zip(header, cells, strict=True)) for cells in lines}


def test_list_shows_every_dataset_with_kind_size_cache_and_source(cache, capsys):
    assert main(["data", "list"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["name", "kind", "size", "cached", "source"]
    table = rows(out)
    assert sorted(table) == datasets.names()
    assert table["iris"] == {
        "name": "iris",
        "kind": "bundled",
        "size": "150 samples",
        "cached": "offline",
        "source": "scikit-learn's bundled copy (sklearn.datasets), no download needed",
    }
    assert table["scaling"]["kind"] == "generated" and table["scaling"]["size"] == "1000 samples"
    assert table["cifar10"]["size"] == "60000 samples, 163 MB download"
    assert table["cifar10"]["cached"] == "no"
    assert table["cifar10"]["source"] == "https://www.cs.toronto.edu/~kriz/cifar.html"


def test_fetch_downloads_then_list_and_verify_see_it(served, cache, capsys):
    assert main(["data", "fetch", "mnist"]) == 0
    assert f"mnist: 4 file(s) present and verified in {cache / 'mnist'}" in capsys.readouterr().out
    assert main(["data", "list"]) == 0
    table = rows(capsys.readouterr().out)
    assert table["mnist"]["cached"] == "yes" and table["fashion_mnist"]["cached"] == "no"
    assert main(["data", "verify", "mnist"]) == 0
    out = capsys.readouterr().out
    assert out.count(": ok") == 4 and "mnist: t10k-labels-idx1-ubyte.gz: ok" in out
    requests = served.requests("mnist/train-images-idx3-ubyte.gz")
    assert main(["data", "fetch", "mnist"]) == 0  # already there: no download
    assert served.requests("mnist/train-images-idx3-ubyte.gz") == requests == 1


def test_verify_fails_on_a_corrupt_or_missing_file(served, cache, capsys):
    assert main(["data", "fetch", "fashion_mnist"]) == 0
    (cache / "fashion_mnist" / "train-labels-idx1-ubyte.gz").write_bytes(b"bad")
    (cache / "fashion_mnist" / "t10k-images-idx3-ubyte.gz").unlink()
    capsys.readouterr()
    assert main(["data", "verify", "fashion_mnist"]) == 1
    captured = capsys.readouterr()
    assert "fashion_mnist: train-labels-idx1-ubyte.gz: corrupt" in captured.out
    assert "fashion_mnist: t10k-images-idx3-ubyte.gz: missing" in captured.out
    assert "To fix this: labkit data fetch fashion_mnist" in captured.err


def test_verify_with_nothing_cached_fails(cache, capsys):
    assert main(["data", "verify", "cifar10"]) == 1
    assert "cifar10: cifar-10-python.tar.gz: missing" in capsys.readouterr().out


def test_root_option_chooses_the_cache_folder(served, tmp_path_factory, capsys):
    root = tmp_path_factory.mktemp("binder")
    assert main(["data", "fetch", "cifar10", "--root", str(root)]) == 0
    assert (root / "cifar10" / "cifar-10-python.tar.gz").is_file()
    assert main(["data", "verify", "cifar10", "--root", str(root)]) == 0
    assert main(["data", "verify", "cifar10"]) == 1  # not in $LABKIT_DATA_DIR


def test_fetch_failure_prints_the_download_error(served, capsys):
    served.fail("cifar10/cifar-10-python.tar.gz", 404)
    assert main(["data", "fetch", "cifar10"]) == 1
    assert "HTTP 404" in capsys.readouterr().err


def test_info_prints_the_paragraph_from_info(cache, capsys):
    for name in ("digits", "mnist"):
        assert main(["data", "info", name]) == 0
        assert capsys.readouterr().out == datasets.info(name) + "\n"


@pytest.mark.parametrize("action", ["fetch", "verify"])
def test_offline_sets_need_no_fetch_or_verify(action, capsys):
    assert main(["data", action, "iris"]) == 0
    assert (
        capsys.readouterr().out
        == f"iris is already available offline (bundled): nothing to {action}.\n"
    )


def test_unknown_or_missing_name_is_a_usage_error(capsys):
    assert main(["data", "info", "imagenet"]) == 2
    assert "Unknown dataset 'imagenet'. Available: ['breast_cancer'" in capsys.readouterr().err
    assert main(["data", "fetch"]) == 2
    assert "labkit data fetch needs a dataset name" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["data", "download", "mnist"])  # argparse: invalid choice


def data_help(capsys, monkeypatch) -> str:
    """``labkit data --help``, one line per option (a terminal wide enough for no wrapping)."""
    monkeypatch.setenv("COLUMNS", "300")
    with pytest.raises(SystemExit):
        main(["data", "--help"])
    return capsys.readouterr().out


def test_help_names_the_real_default_cache_folder(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("LABKIT_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert f"(default: {tmp_path / 'xdg' / 'labkit'}, " in data_help(capsys, monkeypatch)
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    default = tmp_path / "home" / ".cache" / "labkit"
    assert default == datasets.data_dir()  # the folder the downloads really go to
    assert f"(default: {default}, " in data_help(capsys, monkeypatch)
    monkeypatch.setenv("LABKIT_DATA_DIR", str(tmp_path / "100%"))  # argparse %-formats help
    assert f"(default: {tmp_path / '100%'}, " in data_help(capsys, monkeypatch)


def test_fetch_offline_says_so_once_and_leaves_no_lock_file(cache, monkeypatch, capsys):
    # No network: every host name fails to resolve, as on a machine without a connection.
    def no_network(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    assert main(["data", "fetch", "mnist"]) == 1
    captured = capsys.readouterr()
    first = next(iter(remote.CATALOGUE["mnist"].files.values()))  # the first one fetched
    host = urlsplit(first.url).hostname
    assert captured.err.count("seems to be offline") == 1  # said once, no retries announced
    assert f"cannot reach {host}: its name could not be looked up" in captured.err
    assert "Errno" not in captured.err and "retrying" not in captured.err
    assert f"copy the file(s) into {cache / 'mnist'}" in captured.err
    assert "LABKIT_DATA_DIR" in captured.err
    assert list((cache / "mnist").iterdir()) == []  # no lock file, no partial download
