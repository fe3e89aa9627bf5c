"""A Jupyter kernel inside a :class:`~labkit.grading.sandbox.Sandbox`, run one cell at a time.

The grader never trusts the kernel: it only sends code and reads back what the kernel
printed, at most ``output_limit_bytes`` per cell. A cell that runs too long is interrupted;
a kernel that cannot be interrupted, floods its output or dies is killed, and every later
cell gets the status ``"dead"``. Whatever the kernel started dies with it.

>>> from labkit.grading import Limits, Sandbox
>>> with Sandbox(Limits(wall_seconds=120)) as box, SandboxedKernel(box) as kernel:
...     outcome = kernel.run_cell("print(6 * 7)")
>>> outcome.status, outcome.stdout
('ok', '42\\n')
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import zmq
from jupyter_client import BlockingKernelClient
from jupyter_client.connect import write_connection_file

from labkit.grading import relay as relay_module
from labkit.grading.limits import Limits
from labkit.grading.sandbox import Sandbox
from labkit.validation import real_number

__all__ = ["CellOutcome", "SandboxedKernel"]

# The relay's own limits: little memory (a message too large to hold ends it), CPU for a
# whole notebook's output.
RELAY_LIMITS = Limits(memory_mb=256, cpu_seconds=1200, open_files=64)
# Seconds a kernel gets to stop after an interrupt before it is killed.
INTERRUPT_GRACE = 5.0
# Characters kept of an error's message: a cell can raise one of megabytes.
ERROR_CHARS = 300


@dataclass(frozen=True)
class CellOutcome:
    """What one cell did in the kernel.

    Parameters
    ----------
    status : str
        ``"ok"``; ``"error"`` (it raised: see ``error``); ``"timeout"`` (interrupted at the
        time limit; the kernel lives on); ``"flood"`` (printed more than the limit: the
        kernel was killed); ``"dead"`` (the kernel ended, now or in an earlier cell).
    stdout : str
        What it printed (stdout and stderr streams), at most the output limit.
    error : str or None
        For ``"error"``: the exception's name and message, e.g. ``"NameError: name 'x' is
        not defined"``. For the other failures: why, in words.
    seconds : float
        Wall-clock time the cell took.

    Examples
    --------
    >>> CellOutcome("ok", "3\\n", None, 0.01).status
    'ok'
    """

    status: str
    stdout: str
    error: str | None
    seconds: float


class SandboxedKernel:
    """An IPython kernel started in ``box``, with per-cell time and output limits.

    Parameters
    ----------
    box : Sandbox
        An open sandbox. The kernel is started as
        :meth:`~labkit.grading.sandbox.Sandbox.command` says (with full isolation: its own
        user, no network, a root of its own; otherwise the degraded mode, see
        ``docs/SANDBOX.md``), and its messages reach the grader only through
        :mod:`~labkit.grading.relay`, in a sandbox of its own.
    cell_timeout : float, default=60.0
        Seconds a cell may run before it is interrupted.
    output_limit_bytes : int, default=2_000_000
        Most bytes of output (text and figures) one cell may send; beyond, the kernel is
        killed.
    startup_timeout : float, default=60.0
        Seconds the kernel may take to answer its first request.
    env : dict of str to str or None, default=None
        Added to the sandbox's minimal environment.
    """

    def __init__(
        self,
        box: Sandbox,
        *,
        cell_timeout: float = 60.0,
        output_limit_bytes: int = 2_000_000,
        startup_timeout: float = 60.0,
        env: dict[str, str] | None = None,
    ):
        if box.workdir is None:
            raise RuntimeError("The sandbox is not open: use `with Sandbox() as box:` first.")
        self.box = box
        self.cell_timeout = real_number("cell_timeout", cell_timeout, above=0)
        self.output_limit_bytes = output_limit_bytes
        self.startup_timeout = real_number("startup_timeout", startup_timeout, above=0)
        self.env = box.environment(env)
        self.dead_reason: str | None = None
        self._private: tempfile.TemporaryDirectory | None = None
        self._context: zmq.Context | None = None
        self._kernel: subprocess.Popen | None = None
        self._relay: subprocess.Popen | None = None
        self._kc: BlockingKernelClient | None = None

    # --- starting and stopping ---------------------------------------------------------

    def __enter__(self) -> SandboxedKernel:
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _start(self) -> None:
        box, workdir = self.box, self.box.workdir
        # The grader's end of the relay: a folder of its own that the kernel cannot see
        # (only the relay, the kernel's user in a sandbox of its own, may enter it).
        self._private = tempfile.TemporaryDirectory(prefix="labkit-kernel-")
        private = Path(self._private.name)
        private.chmod(0o711)
        relay_folder = private / "relay"
        relay_folder.mkdir(mode=0o700)
        connection_file, connection = write_connection_file(
            str(workdir / "connection.json"), transport="ipc", ip=str(workdir / "kernel")
        )
        if box.uid is not None:
            os.chown(relay_folder, box.uid, box.uid)
            os.chown(connection_file, box.uid, box.uid)
        quiet = {
            "stdin": subprocess.DEVNULL,
            "stdout": subprocess.DEVNULL,
            "stderr": subprocess.DEVNULL,
            "cwd": workdir,
        }
        # parent_handle=1: no watching for the parent's death. In the PID namespace the
        # kernel's parent is PID 1, which ipykernel would take for a dead parent; the
        # sandbox kills the kernel when the grader goes, anyway.
        launch = [
            sys.executable,
            "-m",
            "ipykernel_launcher",
            "-f",
            connection_file,
            "--IPKernelApp.parent_handle=1",
        ]
        self._kernel = subprocess.Popen(box.command(launch), env=self.env, **quiet)
        ends = {
            channel: [
                f"ipc://{workdir / 'kernel'}-{connection[f'{channel}_port']}",
                f"ipc://{relay_folder / 'grader'}-{connection[f'{channel}_port']}",
            ]
            for channel in ("shell", "control", "iopub")
        }
        # The relay runs from a copy: labkit/grading itself is hidden from sandboxes.
        script = shutil.copy(relay_module.__file__, relay_folder / "relay.py")
        relay = [sys.executable, "-I", str(script), json.dumps(ends)]
        relay_command = box.command(relay, limits=RELAY_LIMITS, shared=[relay_folder])
        self._relay = subprocess.Popen(relay_command, env=box.environment(), **quiet)
        # A context of our own whose sockets bound what the relay may queue here: frames
        # over 16 MB are dropped, at most 16 messages wait.
        self._context = zmq.Context()
        self._context.setsockopt(zmq.MAXMSGSIZE, 16 * 2**20)
        self._context.setsockopt(zmq.RCVHWM, 16)
        self._context.setsockopt(zmq.LINGER, 0)
        self._kc = BlockingKernelClient(context=self._context)
        self._kc.load_connection_info({**connection, "ip": str(relay_folder / "grader")})
        self._kc.start_channels(shell=True, iopub=True, stdin=False, hb=False, control=True)
        self._wait_for_ready()

    def _wait_for_ready(self) -> None:
        """Return once the kernel answers on shell and its IOPub messages reach us."""
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            self._kc.kernel_info()
            with suppress(queue.Empty):
                reply = self._kc.get_shell_msg(timeout=1.0)
                if _well_formed(reply) and reply["msg_type"] == "kernel_info_reply":
                    with suppress(queue.Empty):
                        self._kc.get_iopub_msg(timeout=0.2)  # IOPub is connected too
                        return
            if self._ended() is not None:
                raise RuntimeError(f"The sandboxed kernel did not start: {self._ended()}")
        raise RuntimeError(
            f"The sandboxed kernel did not start: no answer within {self.startup_timeout:g} s"
        )

    def _ended(self) -> str | None:
        """Why the kernel or its relay has ended, or None while both run."""
        code = None if self._relay is None else self._relay.poll()
        if code == relay_module.DROPPED:
            # The kernel ended, or sent what the relay could not hold: which one shows
            # in a moment, as an ended kernel is gone by then.
            with suppress(subprocess.TimeoutExpired):
                self._kernel.wait(timeout=1.0)
        if self._kernel is not None and self._kernel.poll() is not None:
            return "the kernel ended (crashed, was killed by a limit, or exited)"
        if code in (relay_module.OVERSIZED, relay_module.DROPPED):
            return (
                f"the kernel sent a message larger than the grader accepts (over "
                f"{relay_module.MAX_MESSAGE_BYTES // 2**20} MB or {relay_module.MAX_FRAMES} "
                "parts), so it was stopped"
            )
        if code is not None:
            return f"the grader's relay for the kernel's messages failed (exit status {code})"
        return None

    def close(self) -> None:
        """Stop the kernel, its relay and everything they started; harmless if stopped."""
        if self._kc is not None:
            with suppress(Exception):
                self._kc.stop_channels()
            self._kc = None
        self._kill()
        if self._context is not None:
            self._context.destroy(linger=0)
            self._context = None
        if self._private is not None:
            self._private.cleanup()
            self._private = None

    def _kill(self) -> None:
        """SIGKILL the kernel, its relay and all they started; return once they are gone."""
        for process in (self._kernel, self._relay):
            if process is not None:
                self.box.kill(process)

    # --- running cells -----------------------------------------------------------------

    def run_cell(self, source: str, *, timeout: float | None = None) -> CellOutcome:
        """Run ``source`` in the kernel and wait for it, within the time and output limits.

        Parameters
        ----------
        source : str
            The cell's code.
        timeout : float or None, default=None
            Seconds it may take; None: ``cell_timeout``.

        Returns
        -------
        CellOutcome
        """
        start = time.monotonic()
        if self.dead_reason is not None:
            return CellOutcome("dead", "", self.dead_reason, 0.0)
        limit = self.cell_timeout if timeout is None else timeout
        msg_id = self._kc.execute(
            source, store_history=True, allow_stdin=False, stop_on_error=False
        )
        printed: list[str] = []
        size, error = 0, None
        deadline = start + limit
        while True:
            msg = self._next_message(deadline)
            if msg is None:  # the deadline passed, or the kernel died
                if self.dead_reason is not None:
                    return self._outcome("dead", printed, self.dead_reason, start)
                return self._interrupt(msg_id, printed, start, limit)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            size += len(json.dumps(content)) if kind != "status" else 0
            if size > self.output_limit_bytes:
                self._die(f"a cell printed more than {self.output_limit_bytes:,} bytes")
                return self._outcome("flood", printed, self.dead_reason, start)
            if kind == "stream":
                printed.append(str(content.get("text", "")))
            elif kind == "error":
                name, value = str(content.get("ename", "Error")), str(content.get("evalue", ""))
                error = f"{name[:80]}: {value[:ERROR_CHARS]}"
            elif kind == "status" and content.get("execution_state") == "idle":
                status = "ok" if error is None else "error"
                return self._outcome(status, printed, error, start)

    def _next_message(self, deadline: float) -> dict | None:
        """The next iopub message, or None at ``deadline`` or when the kernel has died."""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            try:
                msg = self._kc.get_iopub_msg(timeout=min(remaining, 0.5))
            except queue.Empty:
                if (ended := self._ended()) is not None:
                    self._die(ended)
                    return None
                continue
            except Exception:  # the learner's code can break the kernel's own messaging
                msg = None
            if not _well_formed(msg):
                self._die("the kernel sent a message the grader cannot read, so it was stopped")
                return None
            return msg

    def _interrupt(
        self, msg_id: str, printed: list[str], start: float, limit: float
    ) -> CellOutcome:
        """Interrupt a cell past its time; kill the kernel if it does not stop."""
        reason = f"the cell ran longer than {limit:.0f} s and was interrupted"
        with suppress(Exception):  # through the relay's control channel, like the rest
            self._kc.control_channel.send(self._kc.session.msg("interrupt_request", content={}))
        deadline = time.monotonic() + INTERRUPT_GRACE
        while (msg := self._next_message(deadline)) is not None:
            ours = msg["parent_header"].get("msg_id") == msg_id
            idle = msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle"
            if ours and idle:
                return self._outcome("timeout", printed, reason, start)
        if self.dead_reason is None:
            self._die(
                f"did not stop within {limit:.0f} s (a long loop, an ignored interrupt or "
                "a flood of output), so the kernel was stopped"
            )
        return self._outcome("timeout", printed, self.dead_reason, start)

    def _die(self, reason: str) -> None:
        """Kill the kernel and remember why, for every later cell."""
        self.dead_reason = reason
        self._kill()

    def _outcome(
        self, status: str, printed: list[str], error: str | None, start: float
    ) -> CellOutcome:
        text = "".join(printed)[: self.output_limit_bytes]
        return CellOutcome(status, text, error, round(time.monotonic() - start, 3))


def _well_formed(msg: object) -> bool:
    """True if ``msg`` has the parts the grader reads, of the right types."""
    return (
        isinstance(msg, dict)
        and isinstance(msg.get("parent_header"), dict)
        and isinstance(msg.get("content"), dict)
        and isinstance(msg.get("msg_type"), str)
    )
