"""Shared fixtures: a local HTTP server and an address nobody listens on.

Download tests use these instead of the internet: ``http_server`` serves files from
127.0.0.1 and can fail on request; ``offline_url`` is a loopback URL whose connection is
refused, which is what "no network" looks like to the code under test.
"""

import socket
from collections.abc import Iterator

import pytest
from http_server import LocalServer, unused_url

_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy")


def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make loopback requests bypass any proxy set in the environment."""
    # A proxy from the environment would otherwise receive requests meant for 127.0.0.1.
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost,::1")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost,::1")


@pytest.fixture
def http_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalServer]:
    """A :class:`LocalServer` on 127.0.0.1, stopped after the test.

    Its API: ``url(path)``, ``serve(path, data, *, delay=0.0)``, ``fail(path, status, times)``,
    ``drop(path, after_bytes, times)``, ``redirect(path, location)``, ``requests(path)`` and
    ``completed(path)``.
    """
    _no_proxy(monkeypatch)
    with LocalServer() as server:
        yield server


@pytest.fixture
def offline_url(monkeypatch: pytest.MonkeyPatch) -> str:
    """A loopback URL (``http://127.0.0.1:PORT/offline``) on which connections are refused."""
    _no_proxy(monkeypatch)
    return unused_url()


@pytest.fixture
def loopback_only(monkeypatch):
    """Fail the test if anything tries to resolve a host name other than loopback."""
    real_getaddrinfo = socket.getaddrinfo

    def guarded(host, *args, **kwargs):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise AssertionError(f"the code tried to resolve {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)
