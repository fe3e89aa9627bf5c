"""Download a dataset's files safely: https only, checksum-verified, atomic, one writer at a time.

:func:`fetch` is the one function the catalogue calls, once per :class:`RemoteFile`. It

1. holds a lock file, so two notebook kernels never write the same file;
2. uses the copy already in the cache folder if its checksum matches (no network at all);
3. otherwise streams the file into ``<name>.part`` with a progress bar, retrying dropped
   connections and server errors with growing pauses;
4. checks the checksum and only then renames ``<name>.part`` to ``<name>``.

A file whose checksum does not match is never loaded. Plain http is refused, also after a
redirect, except for loopback addresses such as 127.0.0.1, which the tests use.

>>> data_dir("/tmp/course-data").as_posix()
'/tmp/course-data'
"""

from __future__ import annotations

import os
import sys
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from filelock import FileLock, Timeout

from labkit.datasets.checksums import file_checksum, is_valid, parse_checksum
from labkit.datasets.transfer import TRANSIENT, Refused, describe, get, unreachable, url_allowed
from labkit.validation import real_number, whole_number

__all__ = ["RemoteFile", "DownloadError", "data_dir", "file_checksum", "is_valid", "fetch"]

_LOCK_TIMEOUT_S = 30 * 60  # generous: another kernel may be fetching CIFAR-10 on a slow link


class DownloadError(RuntimeError):
    """A dataset file could not be downloaded or verified; the message says why and the fix.

    Examples
    --------
    >>> issubclass(DownloadError, RuntimeError)
    True
    """


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset: where to download it and how to check it.

    Parameters
    ----------
    url : str
        An ``https://`` address (plain ``http://`` only for loopback hosts such as 127.0.0.1).
    filename : str
        The file's name in the dataset's cache folder (a plain name, no folders).
    checksum : str
        ``"md5:<hex>"`` or ``"sha256:<hex>"``, as published by the dataset's authors.
    checksum_source : str
        Where that checksum was published (a file and attribute, or a web page).
    size_bytes : int or None, default=None
        The file's size, for information only.

    Examples
    --------
    >>> file = RemoteFile(
    ...     url="https://example.org/hello.txt",
    ...     filename="hello.txt",
    ...     checksum="md5:5d41402abc4b2a76b9719d911017c592",
    ...     checksum_source="computed for this example",
    ... )
    >>> file.filename
    'hello.txt'
    """

    url: str
    filename: str
    checksum: str
    checksum_source: str
    size_bytes: int | None = None

    def __post_init__(self) -> None:
        for name in ("url", "filename", "checksum", "checksum_source"):
            value = getattr(self, name)
            if not isinstance(value, str):
                raise TypeError(f"{name} must be a str. Received: {name}={value!r}")
        if not url_allowed(self.url):
            raise ValueError(
                "url must start with https:// (plain http:// only for loopback hosts such as "
                f"127.0.0.1): a plain-http download can be altered in transit. "
                f"Received: url={self.url!r}"
            )
        if self.filename in ("", ".", "..") or any(sep in self.filename for sep in "/\\"):
            raise ValueError(
                "filename must be a plain file name, without folders, so the file stays in its "
                f"dataset's folder. Received: filename={self.filename!r}"
            )
        parse_checksum(self.checksum)


def data_dir(root: str | os.PathLike | None = None) -> Path:
    """The folder holding downloaded datasets, one sub-folder per dataset.

    Parameters
    ----------
    root : str, path or None, default=None
        Use this folder. If None: ``$LABKIT_DATA_DIR`` if set, else ``$XDG_CACHE_HOME/labkit``,
        else ``~/.cache/labkit``.

    Returns
    -------
    Path
        The folder (not created here).

    Examples
    --------
    >>> data_dir("~/datasets") == Path.home() / "datasets"
    True
    """
    if root is not None:
        if not isinstance(root, str | os.PathLike):
            raise TypeError(f"root must be a str, a path or None. Received: root={root!r}")
        return Path(root).expanduser()
    from_env = os.environ.get("LABKIT_DATA_DIR")
    if from_env:
        return Path(from_env).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME", "")
    # The XDG spec says to ignore a relative XDG_CACHE_HOME.
    base = Path(cache) if Path(cache).is_absolute() else Path.home() / ".cache"
    return base / "labkit"


def fetch(
    file: RemoteFile,
    folder: str | os.PathLike,
    *,
    dataset: str,
    download: bool = True,
    retries: int = 3,
    backoff: float = 1.0,
    timeout: float = 30.0,
    progress: bool = True,
) -> Path:
    """The path of a verified copy of ``file`` in ``folder``, downloading it if needed.

    A valid copy already in ``folder`` is used without touching the network. A corrupt or
    truncated copy is reported and downloaded again (or, with ``download=False``, reported
    as an error). The lock file ``<filename>.lock`` is held while checking and writing, and
    deleted before it is released: no lock file stays in the folder, whatever the outcome.

    Parameters
    ----------
    file : RemoteFile
    folder : str or path
        The dataset's cache folder (created if missing).
    dataset : str
        The dataset's name, used in messages.
    download : bool, default=True
        If False, never use the network: raise :class:`DownloadError` if no valid copy exists.
    retries : int, default=3
        Further attempts after a connection error, timeout, dropped connection or HTTP 5xx.
    backoff : float, default=1.0
        Before retry ``k`` (0, 1, ...) wait ``backoff * 2**k`` seconds.
    timeout : float, default=30.0
        Seconds to wait for the server to answer or send more data.
    progress : bool, default=True
        Show a progress bar while downloading.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "hello.txt").write_bytes(b"hello")
    >>> file = RemoteFile("https://example.org/hello.txt", "hello.txt",
    ...                   "md5:5d41402abc4b2a76b9719d911017c592", "computed for this example")
    >>> fetch(file, folder, dataset="demo").name  # already there and valid: no download
    'hello.txt'
    """
    if not isinstance(file, RemoteFile):
        raise TypeError(f"file must be a RemoteFile. Received: file={file!r}")
    if not isinstance(folder, str | os.PathLike):
        raise TypeError(f"folder must be a str or a path. Received: folder={folder!r}")
    how = _Transfer(dataset, retries, backoff, timeout, progress)
    folder = Path(folder).expanduser().absolute()  # messages print the exact folder
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / file.filename
    with _locked(folder / f"{file.filename}.lock", dataset):
        if not _usable(file, target, dataset=dataset, download=download):
            _download(file, target, how)
    return target


@dataclass(frozen=True)
class _Transfer:
    """How :func:`fetch` was asked to download; checks its arguments."""

    dataset: str
    retries: int
    backoff: float
    timeout: float
    progress: bool

    def __post_init__(self) -> None:
        if not isinstance(self.dataset, str) or not self.dataset:
            raise TypeError(f"dataset must be a non-empty str. Received: dataset={self.dataset!r}")
        whole_number("retries", self.retries, minimum=0)
        real_number("backoff", self.backoff, minimum=0)
        real_number("timeout", self.timeout, above=0)


@contextmanager
def _locked(path: Path, dataset: str) -> Iterator[None]:
    """Hold the lock file ``path``, saying so if another process holds it first."""
    lock = FileLock(path)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        print(f"{dataset}: another process is fetching {path.stem}; waiting...", file=sys.stderr)
        try:
            lock.acquire(timeout=_LOCK_TIMEOUT_S)
        except Timeout:
            raise DownloadError(
                f"{dataset}: waited {_LOCK_TIMEOUT_S} s for the lock {path}, held by another "
                "process (perhaps another notebook kernel) fetching the same file. Let it "
                f"finish or restart that kernel; if no such process exists, delete {path}."
            ) from None
    try:
        yield
    finally:
        _delete_lock_file(path)
        lock.release()


def _delete_lock_file(path: Path) -> None:
    """Delete the lock file ``path`` that this process holds, so no lock file stays behind.

    Only while the lock is held is this safe: a process waiting for the lock then gets an
    unlinked file, which filelock sees (``st_nlink == 0``) and replaces by locking a new one.
    Deleted after the release, a waiting process could lock the old file while a third locks
    a new one. Only the empty file of an operating-system lock is deleted: filelock's soft
    fallback (file systems without locking) writes its marker and deletes it itself, and
    Windows deletes the file on release (deleting an open file fails there, harmlessly).
    """
    with suppress(OSError):
        if path.stat().st_size == 0:
            path.unlink()


def _usable(file: RemoteFile, target: Path, *, dataset: str, download: bool) -> bool:
    """True if ``target`` is valid; otherwise warn (and download) or raise, as allowed."""
    if not target.is_file():
        if download:
            return False
        raise DownloadError(
            f"{dataset}: {file.filename} is not in {target.parent} and download=False. "
            f"To fix this: pass download=True, or run `labkit data fetch {dataset}`, or copy "
            f"{file.filename} (from {file.url}) into {target.parent}."
        )
    algorithm, expected = parse_checksum(file.checksum)
    actual = file_checksum(target, algorithm)
    if actual == expected:
        return True
    problem = (
        f"{dataset}: {target} is corrupt or incomplete: its {algorithm} is {actual}, "
        f"expected {expected} ({file.checksum_source})"
    )
    if not download:
        raise DownloadError(
            f"{problem}. It was not loaded. To fix this: delete {target} and pass "
            f"download=True, or run `labkit data fetch {dataset}`."
        )
    warnings.warn(f"{problem}; downloading it again.", UserWarning, stacklevel=3)
    return False


def _download(file: RemoteFile, target: Path, how: _Transfer) -> None:
    """Download to ``<name>.part``, verify, then rename; a wrong checksum gets one more try."""
    part = target.with_name(f"{target.name}.part")
    algorithm, expected = parse_checksum(file.checksum)
    try:
        for attempt in range(2):  # a wrong checksum may be a glitch in transit: retry once
            if attempt:
                print(f"{how.dataset}: wrong checksum; downloading once more.", file=sys.stderr)
            _download_with_retries(file, part, how)
            actual = file_checksum(part, algorithm)
            if actual == expected:
                os.replace(part, target)  # atomic: readers see no file or the whole file
                return
        raise DownloadError(
            f"{how.dataset}: the downloaded {file.filename} does not match its published "
            f"checksum: expected {algorithm} {expected} ({file.checksum_source}), got {actual}. "
            f"Nothing was saved. The file at {file.url} may have changed: report this to the "
            "course maintainers."
        )
    finally:
        part.unlink(missing_ok=True)


# Failures worth another try: the next attempt may well succeed.
def _download_with_retries(file: RemoteFile, part: Path, how: _Transfer) -> None:
    """Stream ``file`` into ``part``, retrying transient failures; raise DownloadError at last."""
    for attempt in range(how.retries + 1):
        try:
            get(
                file.url,
                part,
                label=f"{how.dataset}: {file.filename}",
                timeout=how.timeout,
                progress=how.progress,
            )
            return
        except urllib.error.HTTPError as error:
            error.close()
            if error.code < 500:  # the request itself is wrong: asking again will not help
                raise DownloadError(
                    f"{how.dataset}: {file.url} answered HTTP {error.code} ({error.reason}): the "
                    "file may have moved. Update labkit or report this to the course; or copy "
                    f"{file.filename} into {part.parent} yourself."
                ) from None
            reason = f"the server answered HTTP {error.code} ({error.reason})"
        except Refused as error:
            raise DownloadError(f"{how.dataset}: {error}; nothing was downloaded.") from None
        except TRANSIENT as error:
            if (why := unreachable(error)) is not None:  # offline: retrying will not help
                raise DownloadError(_offline_message(file, part.parent, how, why)) from None
            reason = describe(error, how.timeout)
        if attempt < how.retries:
            wait = how.backoff * 2**attempt
            print(f"{how.dataset}: {reason}; retrying in {wait:g} s.", file=sys.stderr)
            time.sleep(wait)
    raise DownloadError(
        f"{how.dataset}: could not download {file.filename} from {file.url}: {reason} (tried "
        f"{how.retries + 1} times). To fix this: check the network and try again; or run "
        f"`labkit data fetch {how.dataset}` on a machine with a network and copy the files; or "
        f"copy {file.filename} into {part.parent} yourself; or pass root= (or set "
        "LABKIT_DATA_DIR) to a folder that already holds the dataset."
    )


def _offline_message(file: RemoteFile, folder: Path, how: _Transfer, why: str) -> str:
    """The error for a host that cannot be reached at all: this machine seems offline."""
    host = urlsplit(file.url).hostname
    return (
        f"{how.dataset}: cannot download {file.filename}: this computer seems to be offline "
        f"(cannot reach {host}: {why}). Nothing was downloaded. To fix this: connect to the "
        f"network (or check the proxy settings) and try again; or, on a computer with a "
        f"network, run `labkit data fetch {how.dataset}` (or download {file.url}) and copy "
        f"the file(s) into {folder}; or set LABKIT_DATA_DIR (or pass root=) to a folder that "
        f"already holds the dataset in a sub-folder {how.dataset}/."
    )
