"""The command line that runs one command isolated, on Linux as root.

:func:`sandbox_command` writes a chain of util-linux tools, each doing one thing and then
starting the next: ``prlimit`` (kernel limits), ``unshare`` (no network, a PID and a mount
namespace), a root ``sh`` as the namespace's PID 1 (hides files, then runs the command as
a child), and ``setpriv`` (becomes the sandbox's own unprivileged user for good).
``docs/SANDBOX.md`` explains each step.

>>> full = Isolation(switch_user=True, network=True, pid_namespace=True, notes=[])
>>> command = sandbox_command(["python3", "-V"], workdir="/tmp", uid=3_000_000_000,
...                          isolation=full)
>>> os.path.basename(command[0]), command[-2:]
('prlimit', ['python3', '-V'])
"""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import sys
from collections.abc import Sequence
from pathlib import Path

from labkit.grading.isolation import SYSTEM_PATH, Isolation, detect_isolation
from labkit.grading.limits import Limits, _rlimits

__all__ = ["sandbox_command"]

INIT_VARIABLE = "LABKIT_SANDBOX_INIT"


def sandbox_command(
    argv: Sequence[str],
    *,
    workdir: str | os.PathLike,
    uid: int,
    limits: Limits | None = None,
    isolation: Isolation | None = None,
    hidden: Sequence[str | os.PathLike] = (),
) -> list[str]:
    """The command line that runs ``argv`` isolated: for a kernel spec, or ``Popen``.

    Parameters
    ----------
    argv : sequence of str
        The command, e.g. ``[sys.executable, "-m", "ipykernel_launcher", "-f", path]``.
    workdir : str or path
        An existing folder that ``uid`` owns; the command starts in it.
    uid : int
        The user (and group) id the command runs as: see
        :func:`~labkit.grading.isolation.claim_uid`.
    limits : Limits or None, default=None
        None means ``Limits()``. Enforcing ``wall_seconds`` is the caller's job.
    isolation : Isolation or None, default=None
        None means :func:`detect_isolation`; it must provide a user and both namespaces.
    hidden : sequence of paths, default=()
        Files and folders the command must not read, whatever their mode: in its mount
        namespace an empty read-only folder covers each folder, ``/dev/null`` each file.
        Paths that do not exist are skipped; a folder holding ``workdir`` is refused.

    Returns
    -------
    list of str
        To start as root, with the environment the command should see. Its exit status
        is the command's, or 128 + N if signal N killed the command.

    Examples
    --------
    >>> full = Isolation(switch_user=True, network=True, pid_namespace=True, notes=[])
    >>> command = sandbox_command(["python3", "-V"], workdir="/tmp", uid=3_000_000_000,
    ...                           isolation=full)
    >>> command[1], "--net" in command, "--no-new-privs" in command
    ('--data=3221225472:3221225472', True, True)
    """
    argv = _check_argv(argv)
    limits, isolation = _check_setup(limits, isolation)
    isolation = detect_isolation() if isolation is None else isolation
    if not (isolation.switch_user and isolation.network and isolation.pid_namespace):
        raise RuntimeError(
            f"This machine cannot isolate commands ({'; '.join(isolation.notes)}). Run the "
            f"grader as root on Linux, or use Sandbox.run, which falls back to rlimits only."
        )
    if not os.path.isdir(workdir):
        raise ValueError(f"workdir must be an existing folder. Received: workdir={workdir!r}")
    if isinstance(uid, bool) or not isinstance(uid, int) or uid <= 0:
        raise ValueError(f"uid must be a positive int, not root's 0. Received: uid={uid!r}")
    workdir = os.path.realpath(workdir)
    hidden = _check_hidden(hidden, workdir)
    rlimits = [f"--{name}={soft}:{hard}" for name, (soft, hard) in _rlimits(limits, True).items()]
    return [
        # 1. Kernel limits, set while still root: the command may lower them, never raise.
        _tool("prlimit"), *rlimits, "--",
        # 2. New network namespace: a loopback that is down, so no network at all. New PID
        #    namespace: when its PID 1 ends, the kernel kills every process left in it.
        #    --kill-child: killing unshare kills the namespace too. --mount-proc: a /proc
        #    that shows the sandbox's processes only (and a mount namespace for step 3).
        #    New IPC namespace: System V shared memory, semaphores and message queues die
        #    with the sandbox instead of staying on the machine.
        _tool("unshare"), "--net", "--pid", "--ipc", "--fork", "--kill-child", "--mount-proc",
        f"--wd={workdir}",
        # 3. PID 1: a root shell that hides files, makes this Python reachable and runs
        #    the command as its child. Its script comes in an environment variable, not on
        #    its command line: /proc/1/cmdline is readable by the command, /proc/1/environ
        #    (root's) is not, and the script names every hidden path.
        _tool("env"), f"{INIT_VARIABLE}={_init_script(workdir, hidden)}",
        _tool("sh"), "-c", f'eval "${INIT_VARIABLE}"', "labkit-init",
        # 4. Become the sandbox's own user for good: its uid and group, no other groups,
        #    no capabilities, and no_new_privs, so that no setuid program gives root back.
        _tool("setpriv"), f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
        "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--",
        *argv,
    ]  # fmt: skip


def _check_hidden(hidden: object, workdir: str) -> list[str]:
    """The existing paths of ``hidden``, resolved; refuse one that holds ``workdir``."""
    if isinstance(hidden, str | os.PathLike) or not isinstance(hidden, Sequence):
        raise TypeError(f"hidden must be a list of paths. Received: hidden={hidden!r}")
    found = []
    for path in hidden:
        real = os.path.realpath(path)
        if not os.path.exists(real):
            continue
        if Path(workdir).is_relative_to(real):
            raise ValueError(
                f"Cannot hide {real}: the sandbox's workdir {workdir} lies inside it. Keep "
                f"submissions, results and secrets out of the temporary folder's root."
            )
        found.append(real)
    return found


def _init_script(workdir: str, hidden: Sequence[str] = ()) -> str:
    """The script of the namespace's PID 1: reach this Python, hide files, run the command."""
    lines = [f"unset {INIT_VARIABLE}", "set -e"]  # the command never sees the script
    for closed, prefixes in _closed_prefixes().items():
        # Where the sandbox user may not go (pyenv in /root), put a stand-in: an empty
        # tmpfs holding only this Python, read-only. It is built on the workdir (any folder
        # would do) and then moved in place, in this mount namespace only.
        lines.append(f"mount -t tmpfs -o mode=0755,size=1m labkit {shlex.quote(workdir)}")
        for prefix in prefixes:
            inside = shlex.quote(os.path.join(workdir, os.path.relpath(prefix, closed)))
            lines += [f"mkdir -p {inside}", f"mount --bind -o ro {shlex.quote(prefix)} {inside}"]
        lines.append(f"mount --move {shlex.quote(workdir)} {shlex.quote(closed)}")
    # Hiding comes last: a bind mount made after it would show what it hides again.
    for path in hidden:
        if os.path.isdir(path):
            lines.append(
                f"mount -t tmpfs -o ro,mode=0755,size=4k labkit-hidden {shlex.quote(path)}"
            )
        else:
            lines.append(f"mount --bind /dev/null {shlex.quote(path)}")
    # umask 077: what the command writes (in /tmp too) only its own user may read.
    # The command runs as a child, not by exec: this root shell stays PID 1, out of the
    # command's reach, and the command gets ordinary signals (PID 1 ignores SIGXCPU).
    return "\n".join([*lines, "umask 077", "set +e", '"$@"', "exit $?"])


def _closed_prefixes() -> dict[str, list[str]]:
    """This Python's folders (and labkit's) that lie in a folder closed to others."""
    # labkit's own folder too: an editable install imports it from the repository.
    package_root = Path(__file__).resolve().parents[2]
    wanted = {os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix), str(package_root)}
    found: dict[str, list[str]] = {}
    for prefix in sorted(wanted):
        closed = _closed_folder(prefix)
        if closed and not any(Path(prefix).is_relative_to(p) for p in found.get(closed, [])):
            found.setdefault(closed, []).append(prefix)
    return found


def _closed_folder(path: str | os.PathLike) -> str | None:
    """The outermost folder above ``path`` that other users may not enter, or None."""
    for folder in reversed(Path(path).parents):
        if not os.stat(folder).st_mode & stat.S_IXOTH:
            return str(folder)
    return None


def _tool(name: str) -> str:
    """The full path of a system tool, so the caller's PATH cannot swap it; else its name."""
    return shutil.which(name, path=SYSTEM_PATH) or name


def _check_argv(argv: object) -> list[str]:
    """``argv`` as a list, or raise unless it is a non-empty sequence of str."""
    if isinstance(argv, str) or not isinstance(argv, Sequence):
        raise TypeError(
            f"argv must be a list of str, e.g. ['python3', '-V']. Received: argv={argv!r}"
        )
    if not argv or not all(isinstance(word, str) for word in argv):
        raise ValueError(f"argv must be a non-empty list of str. Received: argv={argv!r}")
    return list(argv)


def _check_setup(limits: object, isolation: object) -> tuple[Limits, Isolation | None]:
    """``limits`` (None becomes ``Limits()``) and ``isolation``, or raise TypeError."""
    if not isinstance(limits, Limits | None):
        raise TypeError(
            f"limits must be a Limits or None, e.g. Limits(). Received: limits={limits!r}"
        )
    if not isinstance(isolation, Isolation | None):
        raise TypeError(
            f"isolation must be an Isolation or None. Received: isolation={isolation!r}"
        )
    return Limits() if limits is None else limits, isolation
