"""Shared fixtures: a local HTTP server and an address nobody listens on.

Download tests use these instead of the internet: ``http_server`` serves files from
127.0.0.1 and can fail on request; ``offline_url`` is a loopback URL whose connection is
refused, which is what "no network" looks like to the code under test.
"""

import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from http_server import LocalServer, unused_url

# `pytest -n 2` runs two workers on the suite's two cores: each worker, and every kernel,
# JupyterLab server or process it starts, gets one CPU thread. With PyTorch's and the BLAS
# libraries' default of a thread per core, the processes oversubscribe the cores and
# OpenMP's waiting threads slow everything down several times over (measured, the same
# tests on two workers: a browser run of lesson 09 207 s with default threads, 55 s with
# one; lesson 10's exercise fixture 158 s and 20 s).
if os.environ.get("PYTEST_XDIST_WORKER"):
    for _variable in ("LABKIT_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[_variable] = "1"
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(1)
    threadpool_limits(limits=1)  # NumPy's BLAS, if it was loaded before this file

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


# --- the notebook run report: seconds and peak memory per lesson, printed at the end ---------
RUN_REPORT = Path(__file__).resolve().parents[1] / "test-artifacts" / "notebooks" / "report.jsonl"


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):  # the controller, not an xdist worker
        RUN_REPORT.unlink(missing_ok=True)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Print each lesson's default and smoke run: seconds and peak memory (a report only)."""
    if hasattr(config, "workerinput") or not RUN_REPORT.exists():
        return
    runs: dict[str, dict[str, str]] = {}
    for line in RUN_REPORT.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        runs.setdefault(row["notebook"], {})[row["run"]] = (
            f"{row['seconds']:6.1f} s {row['peak_memory_mb']:5d} MB"
        )
    columns = ["source, default", "source, smoke", "learner, smoke"]
    terminalreporter.section("lesson runs (seconds, peak memory)")
    terminalreporter.write_line(f"{'lesson':34s}" + "".join(f"{c:>26s}" for c in columns))
    for notebook in sorted(runs):
        cells = [runs[notebook].get(column, "-") for column in columns]
        terminalreporter.write_line(f"{notebook:34s}" + "".join(f"{c:>26s}" for c in cells))
