"""One HTTP(S) download into a file, with a progress bar — and the rules it never breaks.

Only https is used, except plain http to a loopback address (127.0.0.1, which the tests
serve from); a redirect that would leave https is refused. :func:`get` reports a dropped
connection (fewer bytes than announced) as :class:`Incomplete`, so the caller can retry.

>>> url_allowed("https://example.org/data.gz"), url_allowed("http://example.org/data.gz")
(True, False)
>>> url_allowed("http://127.0.0.1:8000/data.gz")
True
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import urllib.error
import urllib.request
from http.client import HTTPException, HTTPMessage
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from tqdm.auto import tqdm

from labkit.datasets.checksums import CHUNK

__all__ = ["Refused", "Incomplete", "TRANSIENT", "url_allowed", "get", "describe", "unreachable"]


class Refused(Exception):
    """The server redirected us somewhere we will not go."""


class Incomplete(Exception):
    """The server sent fewer bytes than it announced."""


def _is_loopback(host: str | None) -> bool:
    """True for ``localhost`` and loopback IP literals; never looks a name up."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def url_allowed(url: str) -> bool:
    """True for https URLs, and for plain http to a loopback host."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return bool(parts.hostname)
    return parts.scheme == "http" and _is_loopback(parts.hostname)


TRANSIENT = (urllib.error.URLError, ConnectionError, TimeoutError, HTTPException, Incomplete)


def unreachable(error: Exception) -> str | None:
    """Why the host cannot be reached at all (no network), or None for any other failure.

    A host name that cannot be looked up (``[Errno -2] Name or service not known``, also
    ``-3 Temporary failure in name resolution``) or no route to any network is what being
    offline looks like; asking again a few seconds later will not help.

    >>> unreachable(urllib.error.URLError(socket.gaierror(-2, "Name or service not known")))
    'its name could not be looked up'
    >>> unreachable(ConnectionRefusedError()) is None
    True
    """
    if isinstance(error, urllib.error.URLError) and isinstance(error.reason, Exception):
        error = error.reason
    if isinstance(error, socket.gaierror):
        return "its name could not be looked up"
    if isinstance(error, OSError) and error.errno == errno.ENETUNREACH:
        return "no network is reachable"
    return None


def describe(error: Exception, timeout: float) -> str:
    """A short, readable reason for a failed attempt."""
    if isinstance(error, urllib.error.URLError) and isinstance(error.reason, Exception):
        error = error.reason
    if isinstance(error, TimeoutError):
        return f"no answer within timeout={timeout:g} s"
    if isinstance(error, ConnectionRefusedError):
        return "the connection was refused (no network, or the server is down)"
    return str(error) or type(error).__name__


class SafeRedirect(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to a URL :class:`~labkit.datasets.download.RemoteFile` would
    accept, never https → http."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        """Refuse a redirect that leaves https, or goes to plain http on another machine."""
        leaves_https = req.full_url.startswith("https:") and not newurl.startswith("https:")
        if leaves_https or not url_allowed(newurl):
            fp.close()
            raise Refused(f"{req.full_url} redirected to {newurl}, which is not https")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def get(url: str, part: Path, *, label: str, timeout: float, progress: bool = True) -> None:
    """One GET of ``url`` into the file ``part``, with a progress bar labelled ``label``.

    Raises :class:`Incomplete` when fewer bytes arrive than the server announced, and
    :class:`Refused` for a redirect away from https.
    """
    # Built per call so that proxy settings in the environment are read now, not at import.
    opener = urllib.request.build_opener(SafeRedirect())
    request = urllib.request.Request(url, headers={"User-Agent": "labkit"})
    with opener.open(request, timeout=timeout) as response, open(part, "wb") as out:
        length = response.headers.get("Content-Length", "")
        total = int(length) if length.isdigit() else None
        received = 0
        with tqdm(total=total, unit="B", unit_scale=True, desc=label, disable=not progress) as bar:
            while chunk := response.read(CHUNK):
                out.write(chunk)
                received += len(chunk)
                bar.update(len(chunk))
    if total is not None and received < total:
        raise Incomplete(f"the connection dropped after {received:,} of {total:,} bytes")
