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
from labkit.grading.limits import Limits, rlimits
from labkit.validation import whole_number

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
    shared: Sequence[str | os.PathLike] = (),
) -> list[str]:
    """The command line that runs ``argv`` isolated, to start with ``Popen`` as root.

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
    shared : sequence of paths, default=()
        Existing folders the command may read and write besides ``workdir`` (the tests
        use one to collect what an attack did). The command sees nothing else of the
        machine but the system's folders and this Python's, read-only: see
        :func:`_init_script`.

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
    argv = check_argv(argv)
    limits, isolation = check_setup(limits, isolation)
    isolation = detect_isolation() if isolation is None else isolation
    if not (isolation.switch_user and isolation.network and isolation.pid_namespace):
        raise RuntimeError(
            f"This machine cannot isolate commands ({'; '.join(isolation.notes)}). Run the "
            f"grader as root on Linux, or use Sandbox.run, which falls back to rlimits only."
        )
    if not os.path.isdir(workdir):
        raise ValueError(f"workdir must be an existing folder. Received: workdir={workdir!r}")
    uid = whole_number("uid", uid, minimum=1, why="not root's 0")
    workdir = os.path.realpath(workdir)
    hidden = _check_hidden(hidden, workdir)
    shared = _check_shared(shared)
    limit_flags = [
        f"--{name}={soft}:{hard}" for name, (soft, hard) in rlimits(limits, True).items()
    ]
    script = _init_script(workdir, hidden, shared, scratch_mb=limits.file_size_mb * 2)
    return [
        # 1. Kernel limits, set while still root: the command may lower them, never raise.
        _tool("prlimit"),
        *limit_flags,
        "--",
        # 2. New network namespace: a loopback that is down, so no network at all. New PID
        #    namespace: when its PID 1 ends, the kernel kills every process left in it.
        #    --kill-child: killing unshare kills the namespace too. --mount-proc: a /proc
        #    that shows the sandbox's processes only (and a mount namespace for step 3).
        #    New IPC namespace: System V shared memory, semaphores and message queues die
        #    with the sandbox instead of staying on the machine.
        _tool("unshare"),
        "--net",
        "--pid",
        "--ipc",
        "--fork",
        "--kill-child",
        "--mount-proc",
        f"--wd={workdir}",
        # 3. PID 1: a root shell that builds the command's own root (the system's folders,
        #    this Python and labkit, the workdir, empty /tmp), hides files in it and runs
        #    the command as its child. Its script comes in an environment variable, not on
        #    its command line: /proc/1/cmdline is readable by the command, /proc/1/environ
        #    (root's) is not, and the script names every hidden path.
        _tool("env"),
        f"{INIT_VARIABLE}={script}",
        _tool("sh"),
        "-c",
        f'eval "${INIT_VARIABLE}"',
        "labkit-init",
        # 4. Become the sandbox's own user for good: its uid and group, no other groups,
        #    no capabilities, and no_new_privs, so that no setuid program gives root back.
        _tool("setpriv"),
        f"--reuid={uid}",
        f"--regid={uid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--no-new-privs",
        "--",
        *argv,
    ]


def _check_shared(shared: object) -> list[str]:
    """``shared`` as resolved paths; refuse anything but a list of existing folders."""
    if isinstance(shared, str | os.PathLike) or not isinstance(shared, Sequence):
        raise TypeError(f"shared must be a list of folders. Received: shared={shared!r}")
    missing = [str(path) for path in shared if not os.path.isdir(path)]
    if missing:
        raise ValueError(f"shared must name existing folders. Received: {missing}")
    return [os.path.realpath(path) for path in shared]


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


# What a sandboxed command sees of the machine, read-only: programs, libraries, settings.
# Everything else (home folders, other courses, the repository around labkit) is absent.
SYSTEM_FOLDERS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/sys")
DEVICES = ("null", "zero", "full", "random", "urandom")
# Empty folders of its own where a command may write: /tmp, /var/tmp and /dev/shm.
SCRATCH_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm")
# Where the new root is put together before it becomes "/": any folder of the machine's
# that the command will not need (a mount in the sandbox's namespace changes nothing
# outside it).
STAGING_CANDIDATES = ("/mnt", "/media", "/srv", "/opt", "/home")


def visible_folders() -> list[str]:
    """The folders a sandboxed command sees besides the system's, read-only: this
    Python's and labkit's (the package and the course's generated data, never the rest
    of the repository: its solutions and tests)."""
    package = Path(__file__).resolve().parents[1]
    wanted = [sys.prefix, sys.base_prefix, package, package.parent / "datasets"]
    return sorted({os.path.realpath(path) for path in wanted if os.path.isdir(path)})


def _init_script(
    workdir: str,
    hidden: Sequence[str] = (),
    shared: Sequence[str] = (),
    scratch_mb: int = 128,
) -> str:
    """The script of the namespace's PID 1: build the command's own root, run the command.

    The root is a new, empty tmpfs holding only the system folders and this Python and
    labkit, read-only; the workdir (and ``shared`` folders) read-write; an empty /tmp,
    /var/tmp and /dev/shm of its own (``scratch_mb`` each), and /dev with a few devices.
    It becomes ``/`` (``pivot_root``) and the machine's root is detached: nothing of the
    machine that is not named here can be reached, and nothing written outside the
    workdir outlives the sandbox. ``hidden`` paths inside what is visible are covered.
    """
    visible = visible_folders()
    stage = _staging_folder([workdir, *shared, *visible])
    q = shlex.quote
    root = q(stage)

    def inside(path: str) -> str:
        return q(stage + path)

    lines = [
        f"unset {INIT_VARIABLE}",
        "set -e",
        "umask 022",
        f"mount -t tmpfs -o mode=0755,size=1m labkit-root {root}",
    ]
    for folder in SYSTEM_FOLDERS:
        if os.path.islink(folder):  # /bin -> usr/bin on merged-/usr systems
            lines.append(f"ln -s {q(os.readlink(folder))} {inside(folder)}")
        elif os.path.isdir(folder):
            lines += [f"mkdir {inside(folder)}", f"mount --bind -o ro {folder} {inside(folder)}"]
    dev = inside("/dev")
    lines += [
        f"mkdir -p {dev} {inside('/proc')}",
        f"mount -t tmpfs -o mode=0755,size=1m,nosuid labkit-dev {dev}",
    ]
    for device in DEVICES:
        lines += [
            f"touch {inside('/dev/' + device)}",
            f"mount --bind /dev/{device} {inside('/dev/' + device)}",
        ]
    for number, name in enumerate(("stdin", "stdout", "stderr")):
        lines.append(f"ln -s /proc/self/fd/{number} {inside('/dev/' + name)}")
    lines += [
        f"ln -s /proc/self/fd {inside('/dev/fd')}",
        f"mount -t proc -o nosuid,nodev,noexec proc {inside('/proc')}",
    ]
    for folder in SCRATCH_FOLDERS:
        lines += [
            f"mkdir -p {inside(folder)}",
            f"mount -t tmpfs -o mode=1777,size={scratch_mb}m,nosuid,nodev labkit-scratch "
            f"{inside(folder)}",
        ]
    covered = [folder for folder in SYSTEM_FOLDERS if os.path.isdir(folder)]
    for path, mode in [*[(p, "ro") for p in visible], *[(p, "rw") for p in [workdir, *shared]]]:
        if mode == "ro" and any(Path(path).is_relative_to(c) for c in covered):
            continue  # already visible, e.g. a Python in /usr
        lines += [f"mkdir -p {inside(path)}", f"mount --bind -o {mode} {q(path)} {inside(path)}"]
        covered.append(path)
    # Hiding comes last: a bind mount made after it would show what it hides again. What
    # is not in the new root at all needs no hiding.
    for path in hidden:
        if os.path.isdir(path):
            lines.append(
                f"if [ -d {inside(path)} ]; then mount -t tmpfs -o "
                f"ro,mode=0755,size=4k labkit-hidden {inside(path)}; fi"
            )
        else:
            lines.append(
                f"if [ -e {inside(path)} ]; then mount --bind /dev/null {inside(path)}; fi"
            )
    # The new root becomes "/", the machine's root is detached, and the new root's own
    # folder tree (not the folders mounted in it) becomes read-only.
    lines += [
        f"mkdir {inside('/.old-root')}",
        f"cd {root}",
        f"{_tool('pivot_root', sbin=True)} . .old-root",
        "umount -l /.old-root",
        "rmdir /.old-root",
        "mount -o remount,ro,bind /",
        f"cd {q(workdir)}",
        "unset OLDPWD",
    ]
    # umask 077: what the command writes (in /tmp too) only its own user may read.
    # The command runs as a child, not by exec: this root shell stays PID 1, out of the
    # command's reach, and the command gets ordinary signals (PID 1 ignores SIGXCPU).
    return "\n".join([*lines, "umask 077", "set +e", '"$@"', "exit $?"])


def _staging_folder(needed: Sequence[str]) -> str:
    """A folder of the machine's to build the new root on: one the command does not need."""
    for folder in STAGING_CANDIDATES:
        real = os.path.realpath(folder)
        if (
            os.path.isdir(folder)
            and not os.path.islink(folder)
            and not any(
                Path(path).is_relative_to(real) or Path(real).is_relative_to(path)
                for path in needed
            )
        ):
            return real
    raise RuntimeError(
        f"No folder to build the sandbox's root on: each of {', '.join(STAGING_CANDIDATES)} is "
        "missing or holds the workdir, Python or labkit. Create an empty /mnt."
    )


def closed_folder(path: str | os.PathLike) -> str | None:
    """The outermost folder above ``path`` that other users may not enter, or None."""
    for folder in reversed(Path(path).parents):
        if not os.stat(folder).st_mode & stat.S_IXOTH:
            return str(folder)
    return None


def _tool(name: str, *, sbin: bool = False) -> str:
    """The full path of a system tool, so the caller's PATH cannot swap it; else its name.
    ``sbin``: look in /usr/sbin and /sbin too (pivot_root lives there)."""
    path = f"/usr/sbin:/sbin:{SYSTEM_PATH}" if sbin else SYSTEM_PATH
    return shutil.which(name, path=path) or name


def check_argv(argv: object) -> list[str]:
    """``argv`` as a list, or raise unless it is a non-empty sequence of str."""
    if isinstance(argv, str) or not isinstance(argv, Sequence):
        raise TypeError(
            f"argv must be a list of str, e.g. ['python3', '-V']. Received: argv={argv!r}"
        )
    if not argv or not all(isinstance(word, str) for word in argv):
        raise ValueError(f"argv must be a non-empty list of str. Received: argv={argv!r}")
    return list(argv)


def check_setup(limits: object, isolation: object) -> tuple[Limits, Isolation | None]:
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
