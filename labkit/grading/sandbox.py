"""Run one untrusted command in isolation, and make sure everything it started is gone.

:class:`Sandbox` gives commands a private workdir and supervises each one: it reads its
output up to a cap, kills it at the wall-clock limit, and does not return before every
process it started is gone. On Linux as root the command runs through
:func:`~labkit.grading.command.sandbox_command` (rlimits, no network, a PID namespace, an
unprivileged user, a root of its own); elsewhere it falls back to rlimits and a process
group (:mod:`~labkit.grading.rlimit_exec`), and
:func:`~labkit.grading.isolation.detect_isolation` says what is then missing.
``docs/SANDBOX.md`` says what holds where, and why.

>>> import sys
>>> with Sandbox(Limits(wall_seconds=60)) as box:
...     result = box.run([sys.executable, "-c", "print(6 * 7)"])
>>> result.returncode, result.stdout
(0, '42\\n')
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from labkit.grading import rlimit_exec
from labkit.grading.command import check_argv, check_setup, closed_folder, sandbox_command
from labkit.grading.isolation import SYSTEM_PATH, Isolation, UidLease, claim_uid, detect_isolation
from labkit.grading.limits import Limits, rlimits
from labkit.validation import whole_number

__all__ = ["RunResult", "Sandbox"]

# Only the kernel sends these: SIGXCPU at the CPU soft limit and SIGKILL at the hard one,
# SIGXFSZ at the file size limit. Kills by the supervisor are reported otherwise.
_LIMIT_SIGNALS = {
    -signal.SIGXCPU: "cpu_seconds",
    -signal.SIGKILL: "cpu_seconds",
    -signal.SIGXFSZ: "file_size_mb",
}


@dataclass(frozen=True)
class RunResult:
    """What a sandboxed command did.

    Parameters
    ----------
    returncode : int
        Its exit status; -N if signal N killed it, as in :mod:`subprocess`.
    stdout, stderr : str
        Its output (UTF-8, bad bytes replaced), at most ``output_limit_bytes`` of each.
    timed_out : bool
        The supervisor killed it at ``Limits.wall_seconds``.
    killed_by_limit : str or None
        ``"cpu_seconds"`` or ``"file_size_mb"`` if the kernel killed it at that limit.
    output_truncated : bool
        It wrote more than ``output_limit_bytes`` to a stream, so it was killed.
    seconds : float
        Wall-clock time from its start until everything it started was gone.

    Examples
    --------
    >>> RunResult(0, "3.0\\n", "", False, None, False, 0.1).stdout.strip()
    '3.0'
    """

    returncode: int
    stdout: str
    stderr: str
    timed_out: bool
    killed_by_limit: str | None
    output_truncated: bool
    seconds: float


class Sandbox:
    """A private workdir, and a supervisor that runs untrusted commands inside it.

    Parameters
    ----------
    limits : Limits or None, default=None
        What each command may use; None means ``Limits()``.
    isolation : Isolation or None, default=None
        None: :func:`detect_isolation` on entering. ``detect_isolation(use_root=False)``
        gives the degraded mode: rlimits, a process group, no user switch.
    hidden : sequence of paths, default=()
        Files and folders the commands must not read even where their mode allows it
        (needs the mount namespace; see :func:`~labkit.grading.command.sandbox_command`).
    shared : sequence of paths, default=()
        Existing folders the commands may read and write besides the workdir (with the
        mount namespace they see nothing else of the machine but its system folders and
        this Python, read-only).

    Attributes
    ----------
    workdir : pathlib.Path or None
        While open: a new folder, mode 0700, owned by the sandbox user; the commands'
        working folder, HOME and TMPDIR. Deleted on closing.
    uid : int or None
        While open, with a user switch: the sandbox's own user (and group) id.

    Examples
    --------
    >>> import sys
    >>> with Sandbox() as box:
    ...     box.run([sys.executable, "-c", "import os; os._exit(3)"]).returncode
    3
    """

    def __init__(
        self,
        limits: Limits | None = None,
        *,
        isolation: Isolation | None = None,
        hidden: Sequence[str | os.PathLike] = (),
        shared: Sequence[str | os.PathLike] = (),
    ):
        self.limits, self.isolation = check_setup(limits, isolation)
        for name, paths in [("hidden", hidden), ("shared", shared)]:
            if isinstance(paths, str | os.PathLike) or not isinstance(paths, Sequence):
                raise TypeError(f"{name} must be a list of paths. Received: {name}={paths!r}")
        self.hidden, self.shared = list(hidden), list(shared)
        self.workdir: Path | None = None
        self.uid: int | None = None
        self._lease: UidLease | None = None
        self._running: list[subprocess.Popen] = []
        self._killed: set[int] = set()

    def __enter__(self) -> Sandbox:
        if self.isolation is None:
            self.isolation = detect_isolation()
        # The workdir gets a random name in a folder that others may enter but not list,
        # so other sandboxes (the same user) can neither find it nor rename it.
        base = Path(tempfile.mkdtemp(prefix="labkit-sandbox-"))
        base.chmod(0o711)
        closed = closed_folder(base / "work") if self.isolation.switch_user else None
        if closed is not None:
            base.rmdir()
            raise RuntimeError(
                f"The sandbox user cannot enter {closed}, so not a workdir in {base}. Set "
                f"TMPDIR to a folder everyone may enter, such as /tmp. "
                f"Received: TMPDIR={os.environ.get('TMPDIR')!r}"
            )
        self.workdir = Path(tempfile.mkdtemp(dir=base))  # mode 0700
        if self.isolation.switch_user:
            self._lease = claim_uid()
            self.uid = self._lease.uid
            os.chown(self.workdir, self.uid, self.uid)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.kill_all()
        if self._lease is not None:
            self._lease.release()  # also kills anything left with its uid
            self._lease, self.uid = None, None
        if self.workdir is not None:
            shutil.rmtree(self.workdir.parent, ignore_errors=True)
            self.workdir = None

    def run(
        self,
        argv: Sequence[str],
        *,
        env: dict[str, str] | None = None,
        stdin: bytes | None = None,
        output_limit_bytes: int = 1_000_000,
    ) -> RunResult:
        """Run ``argv`` in the sandbox; return once everything it started is gone.

        Parameters
        ----------
        argv : sequence of str
            The command. Its program is looked up in ``/usr/local/bin:/usr/bin:/bin``
            unless given as a path (such as ``sys.executable``).
        env : dict of str to str or None, default=None
            Added to the command's minimal environment: PATH, LANG, and HOME and TMPDIR
            set to the workdir. Nothing of the caller's environment is passed on.
        stdin : bytes or None, default=None
            What the command reads from its standard input; None: nothing.
        output_limit_bytes : int, default=1_000_000
            Most bytes kept of stdout and of stderr each. A command that writes more is
            killed, so a print loop cannot fill the grader's memory.

        Returns
        -------
        RunResult

        Examples
        --------
        >>> import sys
        >>> with Sandbox() as box:
        ...     result = box.run([sys.executable, "-c", "print(input()[::-1])"], stdin=b"abc")
        >>> result.stdout
        'cba\\n'
        """
        if self.workdir is None:
            raise RuntimeError("The sandbox is not open: use `with Sandbox() as box: box.run(...)`")
        argv, env = check_argv(argv), self.environment(env)
        _check_run_options(stdin, output_limit_bytes)
        start = time.monotonic()
        output = {"stdout": bytearray(), "stderr": bytearray()}
        process = self._start(argv, env, stdin)
        try:
            deadline = start + self.limits.wall_seconds
            stopped = _read_outputs(process, output, deadline, output_limit_bytes)
        finally:
            # Close first: a writer blocked on a full pipe (even unshare) fails, not hangs.
            process.stdout.close()
            process.stderr.close()
            self.kill(process)
            self._running.remove(process)
        killed_by_us = stopped is not None or process.pid in self._killed
        returncode = _returncode(process, self.isolation.pid_namespace, killed_by_us)
        return RunResult(
            returncode=returncode,
            stdout=output["stdout"].decode(errors="replace"),
            stderr=output["stderr"].decode(errors="replace"),
            timed_out=stopped == "timeout",
            killed_by_limit=None if killed_by_us else _LIMIT_SIGNALS.get(returncode),
            output_truncated=stopped == "output",
            seconds=round(time.monotonic() - start, 3),
        )

    def kill_all(self) -> None:
        """Kill every process started in this sandbox, and wait until all are gone.

        Safe to call from another thread while :meth:`run` waits: that run then returns
        at once, with ``returncode`` -9.

        Examples
        --------
        >>> with Sandbox() as box:
        ...     box.kill_all()  # nothing is running: nothing to do
        """
        for process in list(self._running):
            self._killed.add(process.pid)
            self.kill(process)

    # --- the one way to wrap, start and kill a sandboxed command ---------------------------

    def command(
        self,
        argv: Sequence[str],
        *,
        limits: Limits | None = None,
        shared: Sequence[str | os.PathLike] = (),
    ) -> list[str]:
        """The command line that runs ``argv`` in this sandbox, as root would start it.

        ``limits`` replaces the sandbox's own for this command; ``shared`` folders are
        added to the sandbox's (the kernel's relay gets its own folder this way).

        With namespaces: :func:`~labkit.grading.command.sandbox_command`. Otherwise (the
        degraded mode) :mod:`labkit.grading.rlimit_exec`: rlimits, a session of its own,
        and the sandbox's user when there is one. Start it in the workdir with
        :meth:`environment`; stop it with :meth:`kill`. ``SandboxedKernel`` starts its
        kernel this way; :meth:`run` does all three.

        Examples
        --------
        >>> import sys
        >>> with Sandbox() as box:
        ...     box.command([sys.executable, "-V"])[-2:] == [sys.executable, "-V"]
        True
        """
        if self.workdir is None:
            raise RuntimeError("The sandbox is not open: use `with Sandbox() as box:` first.")
        argv = check_argv(argv)
        limits = self.limits if limits is None else limits
        if self.isolation.pid_namespace:
            return sandbox_command(
                argv,
                workdir=self.workdir,
                uid=self.uid,
                limits=limits,
                isolation=self.isolation,
                hidden=self.hidden,
                shared=[*self.shared, *shared],
            )
        pairs = rlimits(limits, per_user=self.uid is not None)
        user = [] if self.uid is None else ["--uid", str(self.uid)]
        return [
            sys.executable,
            "-I",
            "-S",
            rlimit_exec.__file__,
            json.dumps(pairs),
            *user,
            "--",
            *argv,
        ]

    def environment(self, env: dict[str, str] | None = None) -> dict[str, str]:
        """A command's whole environment: a minimal base (PATH, LANG, and HOME and TMPDIR
        set to the workdir), plus ``env``. Nothing of the caller's is passed on."""
        env = {} if env is None else env
        if not isinstance(env, dict) or not all(isinstance(x, str) for x in [*env, *env.values()]):
            raise TypeError(
                f"env must be a dict of str to str, e.g. {{'SEED': '0'}}. Received: env={env!r}"
            )
        base = {
            "PATH": SYSTEM_PATH,
            "LANG": "C.UTF-8",
            "HOME": str(self.workdir),
            "TMPDIR": str(self.workdir),
            "USER": "sandbox",
        }
        return base | env

    def kill(self, process: subprocess.Popen) -> None:
        """Kill everything ``process`` (started from :meth:`command`) started, and wait
        until it is gone; harmless if it is."""
        if self.isolation.pid_namespace:
            # Not unshare itself: it would die at once, while the namespace's processes
            # may still be ending. Killed through PID 1, it exits once they are gone.
            self._kill_namespace(process)
        else:
            # Degraded: the command's process group. Its number stays taken while any
            # member lives, so this reaches only the command and children that kept it.
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            with suppress(ProcessLookupError):
                process.kill()  # in case it had not yet started its session
        process.wait()

    def _start(self, argv: list[str], env: dict[str, str], stdin: bytes | None) -> subprocess.Popen:
        """Start ``argv`` as :meth:`command` says, with ``stdin`` from a file."""
        # From a file, not a pipe: writing to a command that never reads could block us.
        with tempfile.TemporaryFile() as stdin_file:
            stdin_file.write(stdin or b"")
            stdin_file.seek(0)
            process = subprocess.Popen(
                self.command(argv),
                env=env,
                cwd=self.workdir,
                stdin=stdin_file,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        self._running.append(process)
        return process

    def _kill_namespace(self, process: subprocess.Popen) -> None:
        """Send SIGKILL to the PID namespace of ``process`` (unshare), or to unshare itself."""
        if process.poll() is not None:
            # unshare has ended, which it does only after everything in the namespace.
            # (Its number may now belong to another process: do not look it up.)
            return
        init = _namespace_init(process.pid)
        if init is None:
            # unshare has not forked yet, or its child has ended: killing it is enough.
            with suppress(ProcessLookupError):
                process.kill()
            return
        # Killing the namespace's PID 1 makes the kernel kill all the rest. unshare waits
        # for that, so once it has exited nothing of the sandbox is left.
        with suppress(ProcessLookupError):
            signal.pidfd_send_signal(init, signal.SIGKILL)
        os.close(init)


def _read_outputs(
    process: subprocess.Popen, output: dict[str, bytearray], deadline: float, cap: int
) -> str | None:
    """Read stdout and stderr into ``output`` until the command ends; why it stopped early.

    None if it ended by itself, ``"timeout"`` at ``deadline``, ``"output"`` when a stream
    passed ``cap`` bytes. Never keeps more than ``cap`` bytes of a stream.
    """
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ, output["stdout"])
        selector.register(process.stderr, selectors.EVENT_READ, output["stderr"])
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return "timeout"
            for key, _ in selector.select(min(remaining, 0.1)):
                chunk, kept = os.read(key.fd, 65536), key.data
                if not chunk:  # end of file: every process holding the pipe has closed it
                    selector.unregister(key.fileobj)
                    continue
                room = cap - len(kept)
                kept += chunk[:room]
                if len(chunk) > room:
                    return "output"
            # The command has ended and nothing is left to read, yet a pipe is open: in the
            # degraded mode a background process holds it. Stop, so the final kill comes now.
            if process.poll() is not None and not selector.select(0):
                break
    try:
        process.wait(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        return "timeout"
    return None


def _returncode(process: subprocess.Popen, isolated: bool, killed_by_us: bool) -> int:
    """The command's exit status, or -N if signal N killed it (-9 if the supervisor did)."""
    if killed_by_us:
        return -signal.SIGKILL
    code = process.returncode
    # Through the sandbox's shell (PID 1), a death by signal N arrives as 128 + N.
    if isolated and 128 < code < 128 + signal.NSIG:
        return 128 - code
    return code


def _namespace_init(pid: int) -> int | None:
    """A pidfd for PID 1 of the namespace, the only child of unshare ``pid``; else None."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return None
    for child in map(int, children):
        try:
            pidfd = os.pidfd_open(child)
        except ProcessLookupError:
            continue
        # The number may have been reused between reading and opening it: the pidfd is
        # the right process only if its parent is still unshare (which forks only once).
        if _parent_pid(child) == pid:
            return pidfd
        os.close(pidfd)
    return None


def _parent_pid(pid: int) -> int | None:
    """The parent of process ``pid`` according to /proc, or None if it is gone."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The program name, in parentheses, may hold spaces; after it come state and parent.
    return int(status.rsplit(")", 1)[1].split()[1])


def _check_run_options(stdin: object, output_limit_bytes: object) -> None:
    """Raise unless ``stdin`` is bytes or None and ``output_limit_bytes`` an int >= 0."""
    if not isinstance(stdin, bytes | None):
        raise TypeError(f"stdin must be bytes or None, e.g. b'3\\n'. Received: stdin={stdin!r}")
    whole_number("output_limit_bytes", output_limit_bytes, minimum=0)
