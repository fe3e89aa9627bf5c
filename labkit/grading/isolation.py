"""What this machine can enforce beyond the rlimits, and a user of its own for each sandbox.

:func:`detect_isolation` finds out whether commands can run as another user, without
network and in a PID namespace of their own (Linux, as root, where namespaces are allowed).
:func:`claim_uid` hands each open sandbox a numeric user id that nothing else uses, so
that two sandboxes never count toward each other's process limit, never signal each
other and never read each other's files.

>>> isolation = detect_isolation(use_root=False)
>>> isolation.switch_user, isolation.network, isolation.pid_namespace
(False, False, False)
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from labkit.validation import flag

__all__ = [
    "Isolation",
    "UidLease",
    "claim_uid",
    "detect_isolation",
    "leftover_processes",
    "processes_of",
    "uid_in_use",
]

# Where tools and the command's programs are looked up: folders only root may change.
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"
# Sandbox users are numbers with no account: far above people's (1000+) and the ranges
# container tools hand out (100000 + 65536 per user), below the largest (2**32 - 2).
UID_BASE = 3_000_000_000
UID_SLOTS = 1024
# One lock file per uid, held while a sandbox uses it: in /run, where only root may write
# (in the temporary folder where there is no /run; the owner and mode are checked).
LOCK_FOLDER = Path(
    "/run/labkit-sandbox"
    if os.path.isdir("/run")
    else os.path.join(tempfile.gettempdir(), "labkit-sandbox-locks")
)


@dataclass(frozen=True)
class Isolation:
    """What this machine enforces beyond the rlimits, as :func:`detect_isolation` found it.

    Parameters
    ----------
    switch_user : bool
        Commands run as an unprivileged user of their own (see :func:`claim_uid`).
    network : bool
        Commands get a network namespace of their own, hence no network at all.
    pid_namespace : bool
        Commands get a PID namespace of their own: everything they start dies with them.
    notes : list of str
        What is not enforced, and why, in plain words for reports.

    Examples
    --------
    >>> Isolation(switch_user=False, network=False, pid_namespace=False, notes=[]).network
    False
    """

    switch_user: bool
    network: bool
    pid_namespace: bool
    notes: list[str]


def detect_isolation(*, use_root: bool = True) -> Isolation:
    """Find out what this machine can enforce.

    Parameters
    ----------
    use_root : bool, default=True
        False: do not use root's powers even when running as root, so run as on a machine
        without root (the degraded mode; for tests and comparisons).

    Returns
    -------
    Isolation

    Examples
    --------
    >>> print(detect_isolation(use_root=False).notes[0])
    no user switch (not root on Linux): the command can read every file you can, ...
    """
    use_root = flag("use_root", use_root)
    as_root = use_root and sys.platform == "linux" and os.geteuid() == 0
    namespaces = as_root and _namespaces_work()
    return Isolation(as_root, namespaces, namespaces, _notes(as_root, namespaces))


def _namespaces_work() -> bool:
    """True if the tools exist and may create namespaces here (containers often forbid it)."""
    tools = ("prlimit", "setpriv", "mount", "unshare", "sh")
    if not all(shutil.which(name, path=SYSTEM_PATH) for name in tools):
        return False
    unshare, true = (shutil.which(name, path=SYSTEM_PATH) for name in ("unshare", "true"))
    probe = [unshare, "--net", "--pid", "--ipc", "--fork", "--mount-proc", true]
    with suppress(OSError, subprocess.TimeoutExpired):
        return subprocess.run(probe, capture_output=True, timeout=30).returncode == 0
    return False


def _notes(switch_user: bool, namespaces: bool) -> list[str]:
    """What is not enforced with ``switch_user`` and ``namespaces``, in plain words."""
    notes = []
    if not switch_user:
        notes.append(
            "no user switch (not root on Linux): the command can read every file "
            "you can, and `processes` is not enforced (RLIMIT_NPROC would count "
            "all your processes)"
        )
    if not namespaces:
        notes.append("no network namespace: the command can reach the network")
        notes.append("no PID namespace: a process that calls setsid() escapes the final kill")
        notes.append("no mount namespace: files cannot be hidden from the command")
    notes.append(
        "memory_mb limits each process's private memory, not the total of all "
        "processes nor shared memory (mmap MAP_SHARED, /dev/shm)"
    )
    notes.append("file_size_mb limits each file, not the total written to disk")
    return notes


class UidLease:
    """A sandbox user id held by this process until :meth:`release`.

    Attributes
    ----------
    uid : int
        The user id (also used as the group id); no account has it.

    Examples
    --------
    >>> lease = UidLease(UID_BASE + 7, os.open(os.devnull, os.O_RDONLY))
    >>> lease.uid - UID_BASE
    7
    >>> lease.release()  # nothing runs as that uid; closes the lock
    """

    def __init__(self, uid: int, lock_fd: int):
        self.uid = uid
        self._lock_fd: int | None = lock_fd

    def release(self) -> None:
        """Kill whatever still runs as this uid, then give the uid back; harmless twice."""
        if self._lock_fd is None:
            return
        kill_processes_of(self.uid)
        os.close(self._lock_fd)  # closing the file drops its lock
        self._lock_fd = None


def claim_uid() -> UidLease:
    """A user id for one sandbox, unused by any other sandbox, even in another grader.

    The lock on ``/run/labkit-sandbox/N.lock`` is the claim: the kernel drops it when the
    holder ends, even if it crashed. Processes a crashed grader left behind with that uid
    are killed before the uid is handed out again. Needs root.
    """
    if os.geteuid() != 0:
        raise PermissionError("Only root can run commands as another user.")
    LOCK_FOLDER.mkdir(mode=0o700, exist_ok=True)
    info = LOCK_FOLDER.stat()
    if info.st_uid != 0 or info.st_mode & 0o077 or LOCK_FOLDER.is_symlink():
        raise RuntimeError(f"{LOCK_FOLDER} must belong to root with mode 0700; remove it.")
    for slot in range(UID_SLOTS):
        fd = os.open(LOCK_FOLDER / f"{slot}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        kill_processes_of(UID_BASE + slot)
        return UidLease(UID_BASE + slot, fd)
    raise RuntimeError(f"All {UID_SLOTS} sandbox users are in use: too many graders at once.")


def uid_in_use(uid: int) -> bool:
    """True while an open sandbox (of any grader on this machine) holds ``uid``."""
    path = LOCK_FOLDER / f"{uid - UID_BASE}.lock"
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also drops the lock if we got it
    return False


def leftover_processes() -> dict[int, list[int]]:
    """Processes of sandbox users that no open sandbox holds: what escaped, by uid.

    Other graders' running sandboxes are left out, so this is safe to call at any time.
    """
    found: dict[int, list[int]] = {}
    for uid in range(UID_BASE, UID_BASE + UID_SLOTS):
        if not (LOCK_FOLDER / f"{uid - UID_BASE}.lock").exists():
            continue
        pids = processes_of(uid)
        if pids and not uid_in_use(uid):
            found[uid] = pids
    return found


def processes_of(uid: int) -> list[int]:
    """Live processes (zombies and dying ones left out) whose real user is ``uid``.

    Examples
    --------
    >>> os.getpid() in processes_of(os.getuid())
    True
    """
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:  # ended while we looked
            continue
        user = re.search(r"^Uid:\s+(\d+)", status, re.MULTILINE)
        zombie = re.search(r"^State:\s+[ZX]", status, re.MULTILINE)  # zombie or dead
        if user and int(user.group(1)) == uid and not zombie:
            found.append(int(entry.name))
    return found


def kill_processes_of(uid: int) -> None:
    """SIGKILL every process of ``uid`` until none is left (a fork may race the first pass)."""
    for _ in range(100):
        pids = processes_of(uid)
        if not pids:
            return
        for pid in pids:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
