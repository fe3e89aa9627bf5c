"""What a sandboxed command may use: :class:`Limits`, and the kernel limits that impose it.

Most of :class:`Limits` is enforced per process by the kernel (rlimits), set by ``prlimit``
in :func:`~labkit.grading.command.sandbox_command` or by :func:`set_rlimits` in a
``preexec_fn``. :mod:`~labkit.grading.isolation` says what a machine adds on top.

>>> Limits(memory_mb=512).memory_mb
512
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from labkit.grading.rlimit_exec import apply_rlimits
from labkit.validation import real_number, whole_number

__all__ = ["Limits", "rlimits", "set_rlimits"]


@dataclass(frozen=True)
class Limits:
    """How much one sandboxed command may use.

    Parameters
    ----------
    memory_mb : int, default=3072
        Memory each process may allocate (RLIMIT_DATA: heap and private mappings). Not
        the address space (RLIMIT_AS): importing torch alone maps 3.1 GB of libraries.
    cpu_seconds : int, default=120
        CPU time of each process (RLIMIT_CPU): then SIGXCPU, and SIGKILL a second later.
    processes : int, default=64
        Processes and threads the sandbox's user may have (RLIMIT_NPROC). The kernel counts
        them per user and exempts root: each sandbox gets a user of its own for this.
    file_size_mb : int, default=64
        Largest file a process may write (RLIMIT_FSIZE).
    open_files : int, default=256
        Open file descriptors per process (RLIMIT_NOFILE).
    wall_seconds : float, default=300.0
        Real time after which the supervisor kills everything the command started.

    Examples
    --------
    >>> Limits(cpu_seconds=5).cpu_seconds
    5
    >>> Limits(processes=0)
    Traceback (most recent call last):
    ...
    ValueError: processes must be a whole number >= 1 (e.g. processes=64). Received: processes=0
    """

    memory_mb: int = 3072
    cpu_seconds: int = 120
    processes: int = 64
    file_size_mb: int = 64
    open_files: int = 256
    wall_seconds: float = 300.0

    def __post_init__(self) -> None:
        """Check that counts are ints of at least 1 and the wall time is positive."""
        for field in fields(self)[:-1]:
            value = getattr(self, field.name)
            whole_number(field.name, value, minimum=1, why=f"e.g. {field.name}={field.default}")
        real_number("wall_seconds", self.wall_seconds, above=0)


def rlimits(limits: Limits, per_user: bool) -> dict[str, tuple[int, int]]:
    """(soft, hard) kernel limits for ``limits`` by ``prlimit`` name; nproc only ``per_user``.

    >>> rlimits(Limits(cpu_seconds=5), per_user=False)["cpu"]
    (5, 6)
    """
    memory, file_size = limits.memory_mb * 1024 * 1024, limits.file_size_mb * 1024 * 1024
    values = {
        "data": (memory, memory),
        # The soft limit sends SIGXCPU, which a program may catch; the hard one SIGKILL.
        "cpu": (limits.cpu_seconds, limits.cpu_seconds + 1),
        "nproc": (limits.processes, limits.processes),
        "fsize": (file_size, file_size),
        "nofile": (limits.open_files, limits.open_files),
        "core": (0, 0),  # a crash must not write a core file as large as its memory
    }
    if not per_user:
        # For the caller's own user it would count a whole desktop session's processes.
        del values["nproc"]
    return values


def set_rlimits(limits: Limits, *, per_user: bool = True) -> None:
    """Set ``limits`` on the current process; meant for ``preexec_fn``.

    Soft and hard limits are equal (the CPU's hard one is a second later), so the command
    may lower a limit but never raise it. A limit above the current hard one is lowered.

    Parameters
    ----------
    limits : Limits
        What the command may use.
    per_user : bool, default=True
        Also set RLIMIT_NPROC; leave it out when the command keeps the caller's user.

    Examples
    --------
    >>> import subprocess, sys
    >>> code = "import resource; print(resource.getrlimit(resource.RLIMIT_NOFILE))"
    >>> subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
    ...                preexec_fn=lambda: set_rlimits(Limits(open_files=50))).stdout
    '(50, 50)\\n'
    """
    apply_rlimits(rlimits(limits, per_user))
