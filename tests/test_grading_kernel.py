"""Tests for labkit.grading.kernel: a Jupyter kernel in the sandbox, one cell at a time."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from labkit.grading import Limits, Sandbox, detect_isolation
from labkit.grading.isolation import processes_of
from labkit.grading.kernel import SandboxedKernel


@pytest.fixture(scope="module")
def full_isolation():
    isolation = detect_isolation()
    if not (isolation.switch_user and isolation.network and isolation.pid_namespace):
        pytest.skip(f"needs root on Linux with namespaces: {isolation.notes}")
    return isolation


@pytest.fixture
def hidden_folder() -> Iterator[Path]:
    """A world-readable folder holding a world-readable 'secret', as a careless setup would."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="labkit-hidden-", dir="/var/tmp"))
    folder.chmod(0o755)
    (folder / "secret.txt").write_text("the course secret")
    (folder / "secret.txt").chmod(0o644)
    yield folder
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()


def test_cells_run_fail_and_time_out(full_isolation) -> None:
    with (
        Sandbox(Limits(wall_seconds=120), isolation=full_isolation) as box,
        SandboxedKernel(box, cell_timeout=2) as kernel,
    ):
        assert kernel.run_cell("x = 6 * 7\nprint(x)").stdout == "42\n"
        error = kernel.run_cell("1 / 0")
        assert (error.status, error.error) == ("error", "ZeroDivisionError: division by zero")
        looped = kernel.run_cell("while True: pass")
        assert looped.status == "timeout" and "interrupted" in looped.error
        assert kernel.run_cell("print(x)").stdout == "42\n"  # the state survived
        stubborn = kernel.run_cell(
            "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True: pass"
        )
        assert stubborn.status == "timeout" and "kernel was stopped" in stubborn.error
        assert kernel.run_cell("print(x)").status == "dead"
        uid = box.uid
        assert processes_of(uid) == []


def test_kernel_is_isolated(full_isolation, hidden_folder: Path) -> None:
    code = (
        "import os, socket, json\n"
        "found = {'uid': os.getuid(), 'pids': sorted(int(p) for p in os.listdir('/proc') "
        "if p.isdigit())}\n"
        "try:\n"
        f"    found['secret'] = open({str(hidden_folder / 'secret.txt')!r}).read()\n"
        "except OSError as error:\n"
        "    found['secret'] = type(error).__name__\n"
        "try:\n"
        "    socket.create_connection(('127.0.0.1', 22), 2)\n"
        "except OSError as error:\n"
        "    found['net'] = error.errno\n"
        "found['env'] = sorted(os.environ)\n"
        "print(json.dumps(found))"
    )
    with (
        Sandbox(isolation=full_isolation, hidden=[str(hidden_folder)]) as box,
        SandboxedKernel(box) as kernel,
    ):
        found = json.loads(kernel.run_cell(code).stdout)
        uid = box.uid
    assert found["uid"] == uid != os.getuid()
    assert found["secret"] == "FileNotFoundError"  # an empty folder covers the real one
    assert found["net"] == 101  # ENETUNREACH: no network, not even loopback
    assert len(found["pids"]) == 2 and 1 in found["pids"]  # its own PID namespace: its PID 1
    # and the kernel, nothing else
    assert "LABKIT_COURSE_SECRET" not in found["env"] and "PATH" in found["env"]


@pytest.mark.parametrize(
    "frames",
    [
        "[b'x' * 1000] * 100",  # more parts than a message has: refused as it comes
        "[frame] * 20",  # 180 MB: held by the relay, then refused
        "[frame] * 300",  # 2.7 GB for 9 MB of the kernel's: the relay cannot even hold it
    ],
)
def test_messages_too_large_for_the_grader_stop_the_kernel(full_isolation, frames) -> None:
    """The grader receives through a relay with a small memory limit: a message it should
    not hold stops the kernel, in moments, and never reaches the grader's memory
    (``benchmarks/bench_grader_memory.py`` measures the grader's peak)."""
    code = f"frame = b'x' * 9_000_000\nget_ipython().kernel.iopub_socket.send_multipart({frames})"
    with (
        Sandbox(Limits(wall_seconds=60), isolation=full_isolation) as box,
        SandboxedKernel(box, cell_timeout=20) as kernel,
    ):
        sent = kernel.run_cell(code)
        after = kernel.run_cell("print(1)")
    assert sent.status == "dead" and "larger than the grader accepts" in sent.error, sent
    assert sent.seconds < 10
    assert after.status == "dead"


def test_degraded_mode_runs_and_limits() -> None:
    degraded = detect_isolation(use_root=False)
    with (
        Sandbox(Limits(memory_mb=1024, wall_seconds=60), isolation=degraded) as box,
        SandboxedKernel(box, cell_timeout=5) as kernel,
    ):
        assert kernel.run_cell("print(1 + 1)").stdout == "2\n"
        bomb = kernel.run_cell("x = bytearray(4 * 2**30)")
        assert (bomb.status, bomb.error) == ("error", "MemoryError: ")


def test_kernel_needs_an_open_sandbox() -> None:
    with pytest.raises(RuntimeError, match="The sandbox is not open"):
        SandboxedKernel(Sandbox())
    with (
        Sandbox(isolation=detect_isolation(use_root=False)) as box,
        pytest.raises(
            ValueError, match="cell_timeout must be a finite number > 0. Received: cell_timeout=0"
        ),
    ):
        SandboxedKernel(box, cell_timeout=0)
