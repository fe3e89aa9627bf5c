"""Tests for labkit.datasets.download, against the local server in ``http_server.py``.

Nothing here leaves the machine: files are served from 127.0.0.1, "offline" is a refused
loopback connection, and the ``loopback_only`` fixture fails a test that tries to resolve
any other host name.
"""

import errno
import hashlib
import io
import re
import socket
import subprocess
import sys
import urllib.request
from email.message import Message
from pathlib import Path

import numpy as np
import pytest
from filelock import FileLock

from labkit.datasets import download, transfer
from labkit.datasets.download import (
    DownloadError,
    RemoteFile,
    data_dir,
    fetch,
    file_checksum,
    is_valid,
)

DATA = np.random.default_rng(0).bytes(300_000)  # a few chunks of the progress bar
FAST = {"backoff": 0.001, "progress": False}  # tests must not wait for real backoff


def md5(data: bytes) -> str:
    """The checksum string for ``data``, computed independently of the code under test."""
    return f"md5:{hashlib.md5(data).hexdigest()}"


def remote(url: str, checksum: str = md5(DATA), filename: str = "data.bin") -> RemoteFile:
    """A RemoteFile for ``url`` whose checksum is that of DATA unless given."""
    return RemoteFile(url, filename, checksum, "computed by the test")


def leftovers(folder: Path) -> list[str]:
    """Temporary files left in ``folder``."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def files_in(folder: Path) -> list[str]:
    """The files in ``folder``, lock files included (fetch deletes its lock file)."""
    return sorted(p.name for p in folder.iterdir())


# Success and the cache ----------------------------------------------------------------


def test_download_is_verified_and_moved_into_place(http_server, tmp_path, loopback_only):
    http_server.serve("data.bin", DATA)
    path = fetch(remote(http_server.url("data.bin")), tmp_path / "demo", dataset="demo", **FAST)
    assert path == tmp_path / "demo" / "data.bin"
    assert path.read_bytes() == DATA
    assert leftovers(path.parent) == []
    assert files_in(path.parent) == ["data.bin"]  # no lock file either
    assert http_server.requests("data.bin") == 1


def test_a_valid_copy_is_used_without_the_network(http_server, tmp_path):
    http_server.serve("data.bin", DATA)
    file = remote(http_server.url("data.bin"))
    first = fetch(file, tmp_path, dataset="demo", **FAST)
    second = fetch(file, tmp_path, dataset="demo", **FAST)
    assert first == second and http_server.requests("data.bin") == 1


def test_progress_bar_names_the_dataset_and_file(http_server, tmp_path, capsys):
    http_server.serve("data.bin", DATA)
    fetch(remote(http_server.url("data.bin")), tmp_path, dataset="demo", progress=True)
    assert "demo: data.bin" in capsys.readouterr().err


def test_sha256_checksums_work_too(http_server, tmp_path):
    http_server.serve("data.bin", DATA)
    checksum = f"sha256:{hashlib.sha256(DATA).hexdigest()}"
    path = fetch(remote(http_server.url("data.bin"), checksum), tmp_path, dataset="d", **FAST)
    assert path.read_bytes() == DATA


def test_a_redirect_within_loopback_is_followed(http_server, tmp_path):
    http_server.serve("new/data.bin", DATA)
    http_server.redirect("old/data.bin", http_server.url("new/data.bin"))
    fetch(remote(http_server.url("old/data.bin")), tmp_path, dataset="demo", **FAST)
    assert (tmp_path / "data.bin").read_bytes() == DATA
    assert http_server.requests("new/data.bin") == 1


# HTTP errors, retries and backoff -----------------------------------------------------


def test_404_is_final_and_says_the_url_may_have_moved(http_server, tmp_path):
    url = http_server.url("gone.bin")
    with pytest.raises(DownloadError, match=r"demo: .*gone.bin answered HTTP 404.*may have moved"):
        fetch(remote(url), tmp_path, dataset="demo", retries=3, **FAST)
    assert http_server.requests("gone.bin") == 1  # a 404 is not retried
    assert files_in(tmp_path) == []


def test_500_then_success_is_retried(http_server, tmp_path, capsys):
    http_server.serve("data.bin", DATA)
    http_server.fail("data.bin", 500, times=2)
    path = fetch(remote(http_server.url("data.bin")), tmp_path, dataset="demo", retries=3, **FAST)
    assert path.read_bytes() == DATA
    assert http_server.requests("data.bin") == 3
    assert capsys.readouterr().err.count("HTTP 500") == 2  # each retry is announced


def test_500_forever_gives_up_after_the_retries(http_server, tmp_path):
    http_server.serve("data.bin", DATA)
    http_server.fail("data.bin", 503)
    with pytest.raises(DownloadError, match=r"demo: could not .* HTTP 503 .*tried 3 times"):
        fetch(remote(http_server.url("data.bin")), tmp_path, dataset="demo", retries=2, **FAST)
    assert http_server.requests("data.bin") == 3
    assert not (tmp_path / "data.bin").exists() and leftovers(tmp_path) == []


def test_backoff_doubles_after_each_failure(http_server, tmp_path, monkeypatch):
    waits = []
    monkeypatch.setattr(download.time, "sleep", waits.append)
    http_server.serve("data.bin", DATA)
    http_server.fail("data.bin", 500, times=3)
    file = remote(http_server.url("data.bin"))
    fetch(file, tmp_path, dataset="demo", retries=3, backoff=0.5, progress=False)
    assert waits == [0.5, 1.0, 2.0]


def test_a_slow_server_times_out(http_server, tmp_path):
    http_server.serve("data.bin", DATA, delay=1.0)
    with pytest.raises(DownloadError, match=r"no answer within timeout=0\.2 s \(tried 1 times\)"):
        fetch(
            remote(http_server.url("data.bin")),
            tmp_path,
            dataset="demo",
            retries=0,
            timeout=0.2,
            progress=False,
        )


# Dropped connections and checksums ----------------------------------------------------


def test_a_dropped_connection_is_retried(http_server, tmp_path):
    http_server.serve("data.bin", DATA)
    http_server.drop("data.bin", after_bytes=1000, times=1)
    path = fetch(remote(http_server.url("data.bin")), tmp_path, dataset="demo", **FAST)
    assert path.read_bytes() == DATA
    assert http_server.requests("data.bin") == 2 and http_server.completed("data.bin") == 1


def test_a_connection_dropped_every_time_is_an_error(http_server, tmp_path):
    http_server.serve("data.bin", DATA)
    http_server.drop("data.bin", after_bytes=1000, times=10**6)
    with pytest.raises(DownloadError, match=r"dropped after 1,000 of 300,000 bytes"):
        fetch(remote(http_server.url("data.bin")), tmp_path, dataset="demo", retries=1, **FAST)
    assert http_server.requests("data.bin") == 2
    assert not (tmp_path / "data.bin").exists() and leftovers(tmp_path) == []


def test_a_wrong_checksum_names_both_digests_and_leaves_nothing(http_server, tmp_path):
    http_server.serve("data.bin", DATA)
    expected = hashlib.md5(b"something else").hexdigest()
    actual = hashlib.md5(DATA).hexdigest()
    file = remote(http_server.url("data.bin"), f"md5:{expected}")
    with pytest.raises(DownloadError, match=rf"expected md5 {expected} .*got {actual}"):
        fetch(file, tmp_path, dataset="demo", **FAST)
    assert http_server.requests("data.bin") == 2  # one more try, no more
    assert files_in(tmp_path) == []


def test_a_truncated_cache_file_is_downloaded_again(http_server, tmp_path):
    http_server.serve("data.bin", DATA)
    (tmp_path / "data.bin").write_bytes(DATA[:5000])
    file = remote(http_server.url("data.bin"))
    with pytest.warns(
        UserWarning, match=r"data.bin is corrupt or incomplete.*downloading it again"
    ):
        path = fetch(file, tmp_path, dataset="demo", **FAST)
    assert path.read_bytes() == DATA and http_server.requests("data.bin") == 1


def test_a_truncated_cache_file_without_download_is_an_error_naming_it(http_server, tmp_path):
    target = tmp_path / "data.bin"
    target.write_bytes(DATA[:5000])
    file = remote(http_server.url("data.bin"))
    with pytest.raises(DownloadError, match=rf"{re.escape(str(target))} is corrupt.*delete"):
        fetch(file, tmp_path, dataset="demo", download=False, **FAST)
    assert http_server.requests("data.bin") == 0
    assert target.read_bytes() == DATA[:5000]  # reported, not deleted behind the user's back


def test_a_missing_file_without_download_is_an_error_with_the_fix(http_server, tmp_path):
    folder = tmp_path / "cache" / "demo"
    with pytest.raises(DownloadError) as caught:
        fetch(remote(http_server.url("data.bin")), folder, dataset="demo", download=False)
    message = str(caught.value)
    assert "data.bin is not in" in message and str(folder) in message
    assert "download=True" in message and "`labkit data fetch demo`" in message
    assert http_server.requests("data.bin") == 0


def test_offline_names_the_dataset_the_reason_and_the_fix(offline_url, tmp_path):
    folder = tmp_path / "demo"
    with pytest.raises(DownloadError) as caught:
        fetch(remote(f"{offline_url}/data.bin"), folder, dataset="demo", retries=1, **FAST)
    message = str(caught.value)
    assert message.startswith("demo: could not download data.bin")
    assert "connection was refused" in message
    assert "`labkit data fetch demo`" in message and f"into {folder} yourself" in message
    assert "LABKIT_DATA_DIR" in message


def no_network(monkeypatch, error: OSError) -> list[str]:
    """Make every connection fail with ``error``, as without a network; returns the hosts tried."""
    tried = []

    def getaddrinfo(host, *args, **kwargs):
        tried.append(host)
        raise error

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return tried


@pytest.mark.parametrize(
    ("error", "why"),
    [
        (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), "its name could not"),
        (socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution"), "its name"),
        (OSError(errno.ENETUNREACH, "Network is unreachable"), "no network is reachable"),
    ],
)
def test_an_unreachable_host_says_offline_once_with_the_fixes(
    monkeypatch, tmp_path, capsys, error, why
):
    tried = no_network(monkeypatch, error)
    folder = tmp_path / "demo"
    url = "https://data.example.org/files/data.bin"
    with pytest.raises(DownloadError) as caught:
        fetch(remote(url), folder, dataset="demo", retries=3, **FAST)
    message = str(caught.value)
    assert message.startswith("demo: cannot download data.bin: this computer seems to be offline")
    assert f"(cannot reach data.example.org: {why}" in message
    assert "`labkit data fetch demo`" in message and f"copy the file(s) into {folder};" in message
    assert url in message and "LABKIT_DATA_DIR" in message
    assert "Errno" not in message and caught.value.__cause__ is None
    assert tried == ["data.example.org"]  # asking again will not help: no retries...
    assert capsys.readouterr().err == ""  # ...and nothing printed before the error
    assert files_in(folder) == []  # no lock file, no partial download


def test_an_unreachable_host_keeps_a_valid_cached_copy_usable(monkeypatch, tmp_path):
    tried = no_network(monkeypatch, socket.gaierror(socket.EAI_NONAME, "unknown"))
    (tmp_path / "data.bin").write_bytes(DATA)
    assert fetch(remote("https://data.example.org/data.bin"), tmp_path, dataset="demo") == (
        tmp_path / "data.bin"
    )
    assert tried == [] and files_in(tmp_path) == ["data.bin"]


def test_the_lock_file_is_deleted_after_a_failure(http_server, tmp_path):
    http_server.serve("data.bin", DATA)
    http_server.fail("data.bin", 503)
    with pytest.raises(DownloadError, match="HTTP 503"):
        fetch(remote(http_server.url("data.bin")), tmp_path, dataset="demo", retries=1, **FAST)
    assert files_in(tmp_path) == []


def test_a_lock_file_held_by_another_process_is_left_alone(http_server, tmp_path, monkeypatch):
    # Deleting a lock file that another process holds would let a third one in.
    monkeypatch.setattr(download, "_LOCK_TIMEOUT_S", 0.1)
    lock_path = tmp_path / "data.bin.lock"
    with FileLock(lock_path), pytest.raises(DownloadError, match="waited 0.1 s"):
        fetch(remote(http_server.url("data.bin")), tmp_path, dataset="demo", **FAST)
    assert lock_path.exists()


# Only https (plain http for loopback alone) -------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://data.example.invalid/data.bin",
        "http://10.0.0.1/data.bin",
        "ftp://127.0.0.1/data.bin",
        "file:///etc/data.bin",
        "https:///data.bin",
    ],
)
def test_urls_other_than_https_or_loopback_http_are_refused(url, loopback_only):
    with pytest.raises(ValueError, match=rf"url must start with https://.*{re.escape(url)}"):
        remote(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/d.bin",
        "http://127.0.0.1:8000/d.bin",
        "http://[::1]/d",
        "http://localhost/d",
    ],
)
def test_https_and_loopback_http_are_accepted(url, loopback_only):
    assert remote(url).url == url


def test_a_redirect_to_plain_http_elsewhere_is_refused(http_server, tmp_path, loopback_only):
    http_server.redirect("data.bin", "http://data.example.invalid/data.bin")
    with pytest.raises(DownloadError, match=r"demo: .*redirected to http://data.example.invalid"):
        fetch(remote(http_server.url("data.bin")), tmp_path, dataset="demo", **FAST)
    assert not (tmp_path / "data.bin").exists()


def test_a_redirect_from_https_to_http_is_refused_even_to_loopback(loopback_only):
    # No TLS server here, so ask the redirect handler directly what it would do.
    request = urllib.request.Request("https://example.org/data.bin")
    with pytest.raises(transfer.Refused, match="which is not https"):
        transfer.SafeRedirect().redirect_request(
            request, io.BytesIO(), 302, "Found", Message(), "http://127.0.0.1/data.bin"
        )


# Two processes at once ----------------------------------------------------------------

_WORKER = """
import sys
from pathlib import Path
from labkit.datasets.download import RemoteFile, fetch

url, checksum, folder = sys.argv[1:]
file = RemoteFile(url, "data.bin", checksum, "computed by the test")
print("ready", flush=True)
sys.stdin.readline()  # start both downloads at the same moment
print(fetch(file, Path(folder), dataset="demo", backoff=0.01, progress=False))
"""


def test_two_processes_fetching_the_same_file_download_it_once(http_server, tmp_path):
    http_server.serve("data.bin", DATA, delay=1.0)  # slow, so the second must wait for the lock
    args = [sys.executable, "-c", _WORKER, http_server.url("data.bin"), md5(DATA), str(tmp_path)]
    workers = [
        subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    for worker in workers:
        assert worker.stdout.readline() == "ready\n"
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    results = [worker.communicate(timeout=60) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], results
    assert [out.strip() for out, _ in results] == [str(tmp_path / "data.bin")] * 2
    assert sum("another process is fetching data.bin" in err for _, err in results) == 1
    assert http_server.requests("data.bin") == 1 and http_server.completed("data.bin") == 1
    assert is_valid(tmp_path / "data.bin", md5(DATA)) and leftovers(tmp_path) == []
    assert files_in(tmp_path) == ["data.bin"]  # each deleted the lock file it held


def test_a_stuck_lock_is_an_error_naming_the_lock_file(http_server, tmp_path, monkeypatch):
    monkeypatch.setattr(download, "_LOCK_TIMEOUT_S", 0.1)
    lock_path = tmp_path / "data.bin.lock"
    with FileLock(lock_path), pytest.raises(DownloadError, match=r"waited 0.1 s for the lock"):
        fetch(remote(http_server.url("data.bin")), tmp_path, dataset="demo", **FAST)
    assert http_server.requests("data.bin") == 0


# data_dir, checksums and argument checks ----------------------------------------------


def test_data_dir_prefers_root_then_environment_then_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("LABKIT_DATA_DIR", raising=False)
    assert data_dir() == tmp_path / "home" / ".cache" / "labkit"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
    assert data_dir() == tmp_path / "home" / ".cache" / "labkit"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert data_dir() == tmp_path / "xdg" / "labkit"
    monkeypatch.setenv("LABKIT_DATA_DIR", str(tmp_path / "env"))
    assert data_dir() == tmp_path / "env"
    assert data_dir(tmp_path / "root") == tmp_path / "root"
    assert data_dir("~/x") == tmp_path / "home" / "x"


def test_data_dir_rejects_a_root_of_the_wrong_type():
    with pytest.raises(TypeError, match=r"root must be a str, a path or None. Received: root=3"):
        data_dir(3)


def test_file_checksum_matches_hashlib_across_chunks(tmp_path):
    data = np.random.default_rng(1).bytes(2 * 1024 * 1024 + 123)  # more than two 1 MiB chunks
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    assert file_checksum(path, "md5") == hashlib.md5(data).hexdigest()
    assert file_checksum(path, "sha256") == hashlib.sha256(data).hexdigest()
    assert is_valid(path, f"sha256:{hashlib.sha256(data).hexdigest()}")
    assert not is_valid(path, f"sha256:{hashlib.sha256(b'').hexdigest()}")
    with pytest.raises(
        ValueError, match=r"algorithm must be one of 'md5', 'sha256'. Received: algorithm='sha1'"
    ):
        file_checksum(path, "sha1")


@pytest.mark.parametrize(
    ("checksum", "filename"),
    [
        ("md5:123", "data.bin"),
        (f"MD5:{hashlib.md5(b'').hexdigest()}", "data.bin"),
        (f"md5:{hashlib.md5(b'').hexdigest().upper()}", "data.bin"),
        (f"crc32:{hashlib.md5(b'').hexdigest()}", "data.bin"),
        (hashlib.md5(b"").hexdigest(), "data.bin"),
    ],
)
def test_a_malformed_checksum_is_refused(checksum, filename):
    with pytest.raises(ValueError, match=rf"checksum must be 'md5:'.*{re.escape(repr(checksum))}"):
        remote("https://example.org/d", checksum, filename)
    with pytest.raises(ValueError, match="checksum must be"):
        is_valid(__file__, checksum)


@pytest.mark.parametrize("filename", ["", "..", "../data.bin", "sub/data.bin", "sub\\data.bin"])
def test_a_filename_with_folders_is_refused(filename):
    with pytest.raises(ValueError, match=rf"plain file name.*{re.escape(repr(filename))}"):
        remote("https://example.org/d", filename=filename)


def test_remote_file_fields_must_be_strings():
    with pytest.raises(TypeError, match=r"url must be a str. Received: url=None"):
        remote(None)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"file": "https://example.org/d"}, TypeError, r"file must be a RemoteFile"),
        ({"folder": 3}, TypeError, r"folder must be a str or a path. Received: folder=3"),
        ({"dataset": ""}, TypeError, r"dataset must be a non-empty str. Received: dataset=''"),
        ({"retries": -1}, ValueError, r"retries must be a whole number >= 0. Received: retries=-1"),
        ({"retries": True}, TypeError, r"retries must be a whole number. Received: retries=True"),
        ({"backoff": -0.5}, ValueError, r"backoff must be a finite number >= 0. Received: backoff"),
        ({"timeout": "30"}, TypeError, r"timeout must be a number. Received: timeout='30'"),
        ({"timeout": 0}, ValueError, r"timeout must be a finite number > 0. Received: timeout=0"),
    ],
)
def test_fetch_rejects_bad_arguments(kwargs, error, match, tmp_path):
    arguments = {"file": remote("https://example.org/d"), "folder": tmp_path, "dataset": "demo"}
    arguments.update(kwargs)
    file, folder = arguments.pop("file"), arguments.pop("folder")
    with pytest.raises(error, match=match):
        fetch(file, folder, **arguments)
    assert list(tmp_path.iterdir()) == []  # nothing created before the arguments are checked
