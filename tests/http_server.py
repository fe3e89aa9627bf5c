"""A tiny HTTP server on 127.0.0.1 for the download tests.

It serves bytes the tests give it, and on request misbehaves the way real servers do:
an HTTP error status, a connection dropped mid-file, a redirect, a slow answer. It never
listens on anything but the loopback address, so tests using it need no internet.

>>> import urllib.request
>>> no_proxy = urllib.request.build_opener(urllib.request.ProxyHandler({}))
>>> with LocalServer() as server:
...     server.serve("hello.txt", b"hello")
...     with no_proxy.open(server.url("hello.txt"), timeout=5) as response:
...         body = response.read()
...     body, server.requests("hello.txt")
(b'hello', 1)
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["LocalServer", "unused_url"]


def _key(path: str) -> str:
    """The path as the handler sees it: always with one leading slash."""
    return "/" + path.lstrip("/")


class LocalServer:
    """A threaded HTTP server on ``127.0.0.1`` (a free port) that the tests script.

    Use it as a context manager, or call :meth:`close` when done. Paths may be given
    with or without a leading slash.

    Examples
    --------
    >>> with LocalServer() as server:
    ...     server.url("data/file.gz").startswith("http://127.0.0.1:")
    True
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()  # the handler threads and the test share the plans
        self._files: dict[str, tuple[bytes, float]] = {}
        self._failures: dict[str, list[int]] = {}  # path -> [status, times left]
        self._drops: dict[str, list[int]] = {}  # path -> [after_bytes, times left]
        self._redirects: dict[str, tuple[int, str]] = {}
        self._requests: Counter[str] = Counter()
        self._completed: Counter[str] = Counter()
        # Requests still being answered: the client may have read the last byte before the
        # handler thread records what it sent, so the counts wait for the handlers to finish.
        self._in_flight: Counter[str] = Counter()
        self._answered = threading.Condition(self._lock)
        self._httpd = _QuietServer(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self.port: int = self._httpd.server_address[1]
        # A short poll interval makes close() quick: shutdown waits for the next poll.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def url(self, path: str) -> str:
        """The full URL of ``path`` on this server, e.g. ``http://127.0.0.1:PORT/path``."""
        return f"http://127.0.0.1:{self.port}{_key(path)}"

    def serve(self, path: str, data: bytes, *, delay: float = 0.0) -> None:
        """Answer GET ``path`` with ``data``, after waiting ``delay`` seconds (a slow server)."""
        with self._lock:
            self._files[_key(path)] = (bytes(data), delay)

    def fail(self, path: str, status: int, times: int = 10**6) -> None:
        """Answer the next ``times`` requests for ``path`` with HTTP ``status``, then serve."""
        with self._lock:
            self._failures[_key(path)] = [status, times]

    def drop(self, path: str, after_bytes: int, times: int = 1) -> None:
        """Promise the whole file but close the connection after ``after_bytes`` bytes."""
        with self._lock:
            self._drops[_key(path)] = [after_bytes, times]

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        """Answer every request for ``path`` with a redirect to ``location``."""
        with self._lock:
            self._redirects[_key(path)] = (status, location)

    def requests(self, path: str) -> int:
        """How many GET requests ``path`` received (once every answer to it has finished)."""
        with self._answered:
            self._answered.wait_for(lambda: self._in_flight[_key(path)] == 0, timeout=5)
            return self._requests[_key(path)]

    def completed(self, path: str) -> int:
        """How many times the whole of ``path`` was sent (not failed, not dropped)."""
        with self._answered:
            self._answered.wait_for(lambda: self._in_flight[_key(path)] == 0, timeout=5)
            return self._completed[_key(path)]

    def close(self) -> None:
        """Stop serving and free the port."""
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self) -> LocalServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _plan(self, path: str) -> tuple[str, object]:
        """Count one request for ``path`` and decide how to answer it."""
        with self._lock:
            self._requests[path] += 1
            self._in_flight[path] += 1
            if path in self._redirects:
                return "redirect", self._redirects[path]
            failure = self._failures.get(path)
            if failure and failure[1] > 0:
                failure[1] -= 1
                return "fail", failure[0]
            if path not in self._files:
                return "fail", 404
            data, delay = self._files[path]
            drop = self._drops.get(path)
            if drop and drop[1] > 0:
                drop[1] -= 1
                return "drop", (data, delay, drop[0])
            return "serve", (data, delay, len(data))

    def _count_completed(self, path: str) -> None:
        """Record that ``path`` was sent in full."""
        with self._lock:
            self._completed[path] += 1

    def _answered_one(self, path: str) -> None:
        """Record that one answer to ``path`` has finished (sent, failed or dropped)."""
        with self._answered:
            self._in_flight[path] -= 1
            self._answered.notify_all()


class _QuietServer(ThreadingHTTPServer):
    """A threaded server that keeps quiet when a client hangs up early."""

    owner: LocalServer

    def handle_error(self, request: object, client_address: object) -> None:
        """Ignore errors such as a broken pipe: the tests provoke them on purpose."""


class _Handler(BaseHTTPRequestHandler):
    """Answers each GET as the owning :class:`LocalServer` planned."""

    server: _QuietServer

    def do_GET(self) -> None:
        """Send a file, an error status, a redirect, or part of a file then hang up."""
        path = self.path.split("?", 1)[0]
        action, detail = self.server.owner._plan(path)
        try:
            if action == "redirect":
                status, location = detail
                self.send_response(status)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif action == "fail":
                body = f"simulated HTTP {detail}".encode()
                self.send_response(detail)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                data, delay, n_bytes = detail
                if delay:
                    time.sleep(delay)
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                # The whole file's length, even when the connection is dropped part-way.
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[:n_bytes])
                self.wfile.flush()
                if action == "serve":
                    self.server.owner._count_completed(path)
        finally:
            self.server.owner._answered_one(path)
        self.close_connection = True  # HTTP/1.0: one request per connection

    def log_message(self, format: str, *args: object) -> None:
        """Stay silent: no request log on stderr during the tests."""


def unused_url(path: str = "offline") -> str:
    """A loopback URL on a port nobody listens on: connecting is refused, like being offline.

    Examples
    --------
    >>> unused_url("mnist").startswith("http://127.0.0.1:")
    True
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}{_key(path)}"
