"""Tests for labkit.grading: limits, isolation detection, the command line and the sandbox.

The attack tests run real attacks (memory, fork and output bombs, an escaping background
process, a network connection, a secret file) inside the sandbox. They need root on Linux
with namespaces; elsewhere they are skipped with the reason, and the degraded mode, which
any machine has, is tested on its own.
"""

from __future__ import annotations

import errno
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from labkit.grading import (
    Isolation,
    Limits,
    RunResult,
    Sandbox,
    detect_isolation,
    sandbox_command,
)
from labkit.grading.command import _init_script, visible_folders
from labkit.grading.isolation import UID_BASE, UID_SLOTS, claim_uid, processes_of
from labkit.grading.limits import set_rlimits
from labkit.paths import COURSE_ROOT

PYTHON = sys.executable


def _python(code: str) -> list[str]:
    """The argv that runs ``code`` with the interpreter running these tests."""
    return [PYTHON, "-c", code]


@pytest.fixture(scope="module")
def full() -> Isolation:
    """This machine's isolation, or skip: the attack tests need all of it."""
    isolation = detect_isolation()
    if not (isolation.switch_user and isolation.network and isolation.pid_namespace):
        pytest.skip(f"needs root on Linux with unshare, setpriv, prlimit: {isolation.notes}")
    return isolation


def _folder(mode: int) -> Iterator[Path]:
    """A new folder in /tmp with ``mode``, deleted afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="labkit-test-"))
    folder.chmod(mode)
    yield folder
    shutil.rmtree(folder)


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A folder everyone may enter (pytest's tmp_path lies in a folder only root may)."""
    yield from _folder(0o755)


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder everyone may write to, as an escaped process would want one."""
    yield from _folder(0o1777)


# --- Limits -------------------------------------------------------------------------------


def test_limits_defaults() -> None:
    limits = Limits()
    assert (limits.memory_mb, limits.cpu_seconds, limits.processes) == (3072, 120, 64)
    assert (limits.file_size_mb, limits.open_files, limits.wall_seconds) == (64, 256, 300.0)


@pytest.mark.parametrize(
    "name", ["memory_mb", "cpu_seconds", "processes", "file_size_mb", "open_files"]
)
@pytest.mark.parametrize("value", ["8", 2.5, True, None])
def test_limits_reject_non_int(name: str, value: object) -> None:
    with pytest.raises(TypeError, match=rf"{name} must be a whole number.*Received: {name}="):
        Limits(**{name: value})


@pytest.mark.parametrize("value", [0, -3])
def test_limits_reject_too_small(value: int) -> None:
    with pytest.raises(
        ValueError,
        match=rf"open_files must be a whole number >= 1 \(e.g. open_files=256\). "
        rf"Received: open_files={value}",
    ):
        Limits(open_files=value)


@pytest.mark.parametrize("value", [0, -1.0, float("inf"), float("nan")])
def test_limits_reject_bad_wall_time(value: float) -> None:
    with pytest.raises(ValueError, match="wall_seconds must be a finite number > 0. Received: "):
        Limits(wall_seconds=value)


@pytest.mark.parametrize("value", ["60", False])
def test_limits_reject_wall_time_of_wrong_type(value: object) -> None:
    with pytest.raises(TypeError, match="wall_seconds must be a number. Received: wall_seconds="):
        Limits(wall_seconds=value)


def _child_limits(limits: Limits, per_user: bool) -> dict[str, tuple[int, int]]:
    """The rlimits a child process sees after ``set_rlimits``, read by resource itself."""
    code = (
        "import resource\n"
        "for name in ['DATA', 'CPU', 'NPROC', 'FSIZE', 'NOFILE', 'CORE']:\n"
        "    print(name, *resource.getrlimit(getattr(resource, 'RLIMIT_' + name)))"
    )
    preexec = lambda: set_rlimits(limits, per_user=per_user)  # noqa: E731
    out = subprocess.run(_python(code), capture_output=True, text=True, preexec_fn=preexec)
    return {n: (int(s), int(h)) for n, s, h in (line.split() for line in out.stdout.splitlines())}


def test_set_rlimits_sets_what_limits_say() -> None:
    seen = _child_limits(
        Limits(memory_mb=700, cpu_seconds=9, processes=33, file_size_mb=5, open_files=77),
        per_user=True,
    )
    mb = 1024 * 1024
    assert seen == {
        "DATA": (700 * mb, 700 * mb),
        "CPU": (9, 10),
        "NPROC": (33, 33),
        "FSIZE": (5 * mb, 5 * mb),
        "NOFILE": (77, 77),
        "CORE": (0, 0),
    }


def test_set_rlimits_leaves_nproc_alone_for_the_callers_user() -> None:
    seen = _child_limits(Limits(processes=33), per_user=False)
    assert seen["NPROC"] == resource.getrlimit(resource.RLIMIT_NPROC)


# --- detect_isolation and sandbox_command -------------------------------------------------


def test_detect_isolation_here_has_everything(full: Isolation) -> None:
    assert full.switch_user and full.network and full.pid_namespace
    assert not [note for note in full.notes if note.startswith("no ")]


def test_each_sandbox_gets_a_uid_of_its_own(full: Isolation) -> None:
    first, second = claim_uid(), claim_uid()
    try:
        assert first.uid != second.uid
        assert UID_BASE <= min(first.uid, second.uid) < UID_BASE + UID_SLOTS
        with Sandbox(isolation=full) as box:
            assert box.uid not in (first.uid, second.uid)
    finally:
        first.release()
        second.release()
        second.release()  # harmless twice


def test_detect_isolation_degraded_says_what_is_missing() -> None:
    isolation = detect_isolation(use_root=False)
    assert (isolation.switch_user, isolation.network, isolation.pid_namespace) == (False,) * 3
    text = " ".join(isolation.notes)
    for missing in ["no user switch", "no network namespace", "setsid() escapes"]:
        assert missing in text


def test_detect_isolation_rejects_non_bool() -> None:
    with pytest.raises(TypeError, match="use_root must be True or False. Received: use_root=1"):
        detect_isolation(use_root=1)


def test_sandbox_command_chain(tmp_path: Path) -> None:
    full = Isolation(switch_user=True, network=True, pid_namespace=True, notes=[])
    command = sandbox_command(["prog", "arg"], workdir=tmp_path, uid=4321, isolation=full)
    names = [os.path.basename(word) for word in command]
    # The tools in their order, each exec-ing the next; the command comes last.
    order = [names.index(tool) for tool in ["prlimit", "unshare", "sh", "setpriv"]]
    assert order == sorted(order)
    assert command[-2:] == ["prog", "arg"]
    for word in [
        "--net",
        "--pid",
        "--kill-child",
        f"--wd={tmp_path}",
        "--no-new-privs",
        "--reuid=4321",
        "--regid=4321",
        "--clear-groups",
        "--nproc=64:64",
        "--cpu=120:121",
    ]:
        assert word in command


def test_sandbox_command_refuses_without_isolation(tmp_path: Path) -> None:
    degraded = detect_isolation(use_root=False)
    with pytest.raises(RuntimeError, match="cannot isolate commands.*no network namespace"):
        sandbox_command(["prog"], workdir=tmp_path, uid=4321, isolation=degraded)


def test_sandbox_command_checks_its_arguments(tmp_path: Path) -> None:
    nobody = Isolation(switch_user=True, network=True, pid_namespace=True, notes=[])
    with pytest.raises(
        ValueError, match="uid must be a whole number >= 1 .not root's 0.. Received: uid=0"
    ):
        sandbox_command(["prog"], workdir=tmp_path, uid=0, isolation=nobody)
    with pytest.raises(ValueError, match="Cannot hide /tmp: the sandbox's workdir"):
        sandbox_command(["prog"], workdir="/tmp", uid=5, isolation=nobody, hidden=["/tmp"])
    with pytest.raises(TypeError, match="hidden must be a list of paths"):
        sandbox_command(["prog"], workdir=tmp_path, uid=5, isolation=nobody, hidden="/etc")
    with pytest.raises(ValueError, match="workdir must be an existing folder"):
        sandbox_command(["prog"], workdir=tmp_path / "missing", uid=5, isolation=nobody)
    with pytest.raises(TypeError, match="argv must be a list of str.*Received: argv='prog'"):
        sandbox_command("prog", workdir=tmp_path, uid=5, isolation=nobody)
    with pytest.raises(ValueError, match="argv must be a non-empty list of str"):
        sandbox_command([], workdir=tmp_path, uid=5, isolation=nobody)
    with pytest.raises(ValueError, match=r"Received: argv=\['prog', 3\]"):
        sandbox_command(["prog", 3], workdir=tmp_path, uid=5, isolation=nobody)
    with pytest.raises(TypeError, match="limits must be a Limits or None"):
        sandbox_command(
            ["prog"], workdir=tmp_path, uid=5, limits={"cpu_seconds": 1}, isolation=nobody
        )
    with pytest.raises(TypeError, match="isolation must be an Isolation or None"):
        sandbox_command(["prog"], workdir=tmp_path, uid=5, isolation="full")


def test_init_script_builds_a_root_of_its_own(open_dir: Path) -> None:
    script = _init_script(
        str(open_dir / "work"),
        [str(open_dir), "/etc/hostname"],
        shared=[str(open_dir / "drop")],
        scratch_mb=32,
    ).splitlines()
    stage = script[3].split()[-1]  # mount -t tmpfs ... labkit-root STAGE
    assert script[:3] == ["unset LABKIT_SANDBOX_INIT", "set -e", "umask 022"]
    assert f"mount --bind -o ro /usr {stage}/usr" in script
    assert f"mount --bind -o rw {open_dir}/work {stage}{open_dir}/work" in script
    assert f"mount --bind -o rw {open_dir}/drop {stage}{open_dir}/drop" in script
    for folder in visible_folders():
        assert any(line.startswith(f"mount --bind -o ro {folder} ") for line in script) or (
            Path(folder).is_relative_to("/usr")
        )
    for folder in ("/tmp", "/var/tmp", "/dev/shm"):
        assert (
            f"mount -t tmpfs -o mode=1777,size=32m,nosuid,nodev labkit-scratch {stage}{folder}"
            in script
        )
    assert script.index(
        f"mount --bind -o rw {open_dir}/work {stage}{open_dir}/work"
    ) < script.index(
        f"if [ -d {stage}{open_dir} ]; then mount -t tmpfs -o ro,mode=0755,size=4k labkit-hidden "
        f"{stage}{open_dir}; fi"
    )  # hiding comes after every bind
    assert (
        f"if [ -e {stage}/etc/hostname ]; then mount --bind /dev/null {stage}/etc/hostname; fi"
        in script
    )
    tail = script[script.index(f"cd {stage}") :]
    assert tail[1].endswith("pivot_root . .old-root")
    assert tail[2:5] == ["umount -l /.old-root", "rmdir /.old-root", "mount -o remount,ro,bind /"]
    assert tail[5:] == [
        f"cd {open_dir}/work",
        "unset OLDPWD",
        "umask 077",
        "set +e",
        '"$@"',
        "exit $?",
    ]


def test_the_repository_around_labkit_is_out_of_sight(full: Isolation) -> None:
    """A kernel sees the system, this Python and labkit: never the course's solutions, its
    tests or anything else on the machine (another course's submissions, home folders)."""
    code = (
        "import json, os, sys\n"
        "root = sys.argv[1]\n"
        "print(json.dumps({'top': sorted(os.listdir('/')), 'course': sorted(os.listdir(root)),\n"
        "                  'solutions': os.path.exists(os.path.join(root, 'notebooks')),\n"
        "                  'tmp': os.listdir('/tmp'), 'shm': os.listdir('/dev/shm')}))"
    )
    with Sandbox(isolation=full) as box:
        result = box.run([*_python(code), str(COURSE_ROOT)])
        # In the new /tmp: only the folders of what is visible (the workdir; Python and
        # labkit too when they live under /tmp, as in a CI clone there).
        in_tmp = {
            Path(p).relative_to("/tmp").parts[0]
            for p in [box.workdir, *visible_folders()]
            if Path(p).is_relative_to("/tmp")
        }
    seen = json.loads(result.stdout)
    assert seen["solutions"] is False
    assert set(seen["course"]) <= {"labkit", "datasets", ".venv"}, seen["course"]
    allowed = {
        "bin",
        "dev",
        "etc",
        "lib",
        "lib32",
        "lib64",
        "libx32",
        "proc",
        "sbin",
        "sys",
        "tmp",
        "usr",
        "var",
        *(Path(p).parts[1] for p in visible_folders()),
    }
    assert set(seen["top"]) <= allowed, seen["top"]
    assert set(seen["tmp"]) == in_tmp and seen["shm"] == []


def test_scratch_folders_are_the_sandboxs_own(full: Isolation) -> None:
    """What a command leaves in /tmp, /var/tmp or /dev/shm dies with its sandbox: the next
    sandbox (the same user id, reused) finds nothing, and neither does the machine."""
    leave = (
        "import os\n"
        "for folder in ('/tmp', '/var/tmp', '/dev/shm'):\n"
        "    with open(os.path.join(folder, 'left-behind'), 'w') as f:\n"
        "        f.write('answers')\n"
        "    os.chmod(os.path.join(folder, 'left-behind'), 0o666)\n"
        "print('left')"
    )
    find = (
        "import os\n"
        "print(sorted(f for d in ('/tmp', '/var/tmp', '/dev/shm') for f in os.listdir(d)"
        " if f == 'left-behind'))"
    )
    with Sandbox(isolation=full) as first:
        left = first.run(_python(leave))
        uid = first.uid
    with Sandbox(isolation=full) as second:
        found = second.run(_python(find))
        assert second.uid == uid  # the lease was handed on: only the private folders protect
    assert left.stdout == "left\n" and found.stdout == "[]\n"
    assert not any(Path(d, "left-behind").exists() for d in ("/tmp", "/var/tmp", "/dev/shm"))


# --- The isolated sandbox: honest commands ---------------------------------------------------


def test_honest_numpy_command(full: Isolation) -> None:
    with Sandbox(isolation=full) as box:
        result = box.run(_python("import numpy; print(numpy.ones(3).sum())"))
    assert result == RunResult(0, "3.0\n", "", False, None, False, result.seconds)


def test_torch_imports_within_the_default_limits(full: Isolation) -> None:
    with Sandbox(isolation=full) as box:
        result = box.run(_python("import torch; print(torch.ones(2).sum().item())"))
    assert (result.returncode, result.stdout, result.stderr) == (0, "2.0\n", "")
    print(f"import torch in the sandbox: {result.seconds:.2f} s")


def test_runs_the_graders_python_as_the_sandbox_user(full: Isolation) -> None:
    code = (
        "import os, sys\n"
        "print(sys.version)\n"
        "print(os.getresuid(), os.getresgid(), os.getgroups())\n"
        "status = open('/proc/self/status').read()\n"
        "print([line.split()[1] for line in status.splitlines()\n"
        "       if line.startswith(('CapEff', 'CapPrm', 'NoNewPrivs'))])\n"
        "print(os.getcwd() == os.environ['HOME'] == os.environ['TMPDIR'], os.listdir())"
    )
    with Sandbox(isolation=full) as box:
        lines = box.run(_python(code)).stdout.splitlines()
        workdir, base, uid = box.workdir.stat(), box.workdir.parent.stat(), box.uid
    assert lines[0] == sys.version.splitlines()[0]
    assert lines[1] == f"{(uid,) * 3} {(uid,) * 3} []"
    assert lines[2] == "['0000000000000000', '0000000000000000', '1']"
    assert lines[3] == "True []"
    assert (workdir.st_uid, workdir.st_mode & 0o777) == (uid, 0o700)
    assert (base.st_uid, base.st_mode & 0o777) == (0, 0o711)  # enter, but not list


def test_sandboxes_cannot_find_each_others_workdir(full: Isolation) -> None:
    code = "import os, sys\ntry:\n    os.listdir(sys.argv[1])\nexcept OSError as e:\n    print(e)"
    with Sandbox(isolation=full) as first, Sandbox(isolation=full) as second:
        result = second.run([*_python(code), str(first.workdir.parent)])
    # Not even there: each sandbox sees its own workdir only.
    assert result.stdout.startswith("[Errno 2] No such file or directory")


def test_exit_status_crash_and_stdin(full: Isolation) -> None:
    with Sandbox(isolation=full) as box:
        exited = box.run(_python("import os; os._exit(3)"))
        crashed = box.run(_python("import ctypes; ctypes.string_at(0)"))
        echoed = box.run(_python("print(input()[::-1])"), stdin=b"sandbox\n")
    assert (exited.returncode, exited.killed_by_limit) == (3, None)
    assert (crashed.returncode, crashed.killed_by_limit) == (-signal.SIGSEGV, None)
    assert echoed.stdout == "xobdnas\n"


def test_sandbox_cleans_up_its_workdir(full: Isolation) -> None:
    with Sandbox(isolation=full) as box:
        box.run(_python("open('left.txt', 'w').write('x')"))
        workdir = box.workdir
        assert (workdir / "left.txt").read_text() == "x"
    assert box.workdir is None and not workdir.parent.exists()


# --- The isolated sandbox: attacks ----------------------------------------------------------


def test_secrets_stay_secret(full: Isolation, monkeypatch, open_dir: Path) -> None:
    folder = open_dir  # everyone may enter it: only the file's own mode protects the secret
    (folder / "secret.txt").write_text("root only")
    (folder / "secret.txt").chmod(0o600)
    (folder / "public.txt").write_text("anyone")
    (folder / "public.txt").chmod(0o644)
    monkeypatch.setenv("LABKIT_GRADER_TOKEN", "hunter2")
    code = (
        "import os, sys\n"
        "print(open(sys.argv[1] + '/public.txt').read())\n"
        "print(sorted(os.environ), os.environ.get('LABKIT_GRADER_TOKEN'))\n"
        "open(sys.argv[1] + '/secret.txt').read()"
    )
    with Sandbox(isolation=full, shared=[folder]) as box:
        result = box.run([*_python(code), str(folder)], env={"SEED": "7"})
    public, names = result.stdout.splitlines()
    assert public == "anyone"
    # PWD comes from the sandbox's shell; nothing else beyond what we set.
    assert names == "['HOME', 'LANG', 'PATH', 'PWD', 'SEED', 'TMPDIR', 'USER'] None"
    assert result.returncode == 1 and "PermissionError" in result.stderr


def test_memory_bomb_is_stopped(full: Isolation) -> None:
    code = "chunks = []\nfor _ in range(200):\n    chunks.append(b'x' * (100 * 2**20))"  # 20 GB
    with Sandbox(Limits(memory_mb=1024), isolation=full) as box:
        result = box.run(_python(code))
    assert result.returncode == 1 and result.stderr.endswith("MemoryError\n")
    assert result.seconds < 10
    print(f"memory bomb stopped after {result.seconds:.2f} s")


def test_fork_bomb_is_stopped_and_nothing_remains(full: Isolation) -> None:
    code = (
        "import os, time\n"
        "for attempt in range(10_000):\n"
        "    try:\n"
        "        if os.fork() == 0:\n"
        "            time.sleep(60)  # each child holds a process slot\n"
        "            os._exit(0)\n"
        "    except BlockingIOError:\n"
        "        print(f'refused after {attempt} children')\n"
        "        break"
    )
    with Sandbox(isolation=full) as box:
        result = box.run(_python(code))
        assert processes_of(box.uid) == []
    children = int(re.fullmatch(r"refused after (\d+) children\n", result.stdout).group(1))
    assert 0 < children < Limits().processes
    print(f"fork bomb stopped after {result.seconds:.2f} s, at {children} children")


def test_cpu_loop_hits_the_cpu_limit(full: Isolation) -> None:
    with Sandbox(Limits(cpu_seconds=1), isolation=full) as box:
        result = box.run(_python("while True: pass"))
    assert (result.returncode, result.killed_by_limit) == (-signal.SIGXCPU, "cpu_seconds")
    assert not result.timed_out and 1 <= result.seconds < 5


def test_sleeper_hits_the_wall_clock_limit(full: Isolation) -> None:
    with Sandbox(Limits(wall_seconds=1), isolation=full) as box:
        result = box.run(_python("import time; time.sleep(60)"))
        assert processes_of(box.uid) == []
    assert (result.timed_out, result.returncode, result.killed_by_limit) == (True, -9, None)
    assert 1 <= result.seconds < 3


def test_output_flood_is_cut(full: Isolation) -> None:
    with Sandbox(isolation=full) as box:
        result = box.run(_python("while True: print('x' * 999)"), output_limit_bytes=100_000)
        errors = box.run(_python("import os\nwhile True: os.write(2, b'e' * 4096)"))
    assert result.output_truncated and len(result.stdout) == 100_000
    assert set(result.stdout) == {"x", "\n"} and result.returncode == -9
    assert errors.output_truncated and len(errors.stderr) == 1_000_000
    assert result.seconds < 5 and errors.seconds < 5
    print(f"output flood stopped after {result.seconds:.2f} s")


def test_no_network_even_to_the_hosts_loopback(full: Isolation) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        port = listener.getsockname()[1]
        code = (
            f"import socket\ntry:\n    socket.create_connection(('127.0.0.1', {port}), 3)\n"
            f"    print('connected')\nexcept OSError as error:\n    print(error.errno)"
        )
        with Sandbox(isolation=full) as box:
            result = box.run(_python(code))
        with pytest.raises(BlockingIOError):
            listener.accept()
    assert result.stdout == f"{errno.ENETUNREACH}\n"  # the sandbox's loopback is down


def test_unix_socket_in_the_workdir_reaches_the_grader(full: Isolation) -> None:
    # How a kernel without network will talk to the grader (ZeroMQ's "ipc" transport).
    received = []

    def connect(path: Path) -> None:
        for _ in range(100):
            with socket.socket(socket.AF_UNIX) as client:
                try:
                    client.connect(str(path))
                except OSError:
                    time.sleep(0.05)
                    continue
                received.append(client.recv(100))
                return

    code = (
        "import socket, sys\nserver = socket.socket(socket.AF_UNIX)\nserver.bind(sys.argv[1])\n"
        "server.listen()\nserver.accept()[0].sendall(b'hello from the sandbox')"
    )
    with Sandbox(Limits(wall_seconds=10), isolation=full) as box:
        path = box.workdir / "kernel.sock"
        client = threading.Thread(target=connect, args=(path,))
        client.start()
        result = box.run([*_python(code), str(path)])
        client.join()
    assert result.returncode == 0 and received == [b"hello from the sandbox"]


def test_setsid_background_process_dies_with_the_command(full: Isolation, shared_dir: Path) -> None:
    escaped = shared_dir / "escaped.txt"
    code = (
        "import os, sys, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        time.sleep(1)\n"
        "        open(sys.argv[1], 'w').write('I escaped')\n"
        "    os._exit(0)\n"
        "time.sleep(0.2)\n"
        "print('parent done')"
    )
    with Sandbox(isolation=full, shared=[shared_dir]) as box:
        result = box.run([*_python(code), str(escaped)])
        assert processes_of(box.uid) == []
    assert result.stdout == "parent done\n"
    time.sleep(2)
    assert not escaped.exists()


def test_file_size_and_open_files_limits(full: Isolation) -> None:
    limits = Limits(file_size_mb=1, open_files=64)
    with Sandbox(limits, isolation=full) as box:
        big = box.run(["dd", "if=/dev/zero", "of=big", "bs=1M", "count=2"])
        files = box.run(_python("handles = [open('/dev/null') for _ in range(100)]"))
    assert (big.returncode, big.killed_by_limit) == (-signal.SIGXFSZ, "file_size_mb")
    assert files.returncode == 1 and "Too many open files" in files.stderr


def test_root_folder_shows_only_the_interpreter(full: Isolation) -> None:
    with Sandbox(isolation=full) as box:
        result = box.run(_python("import os; print(os.listdir('/root'))"))
    if os.stat("/root").st_mode & 0o001:
        assert result.returncode == 0  # /root is open to all: nothing was hidden
    else:
        prefix = Path(os.path.realpath(sys.base_prefix)).relative_to("/root")
        assert result.stdout == f"{[prefix.parts[0]]}\n"


def test_kill_all_from_another_thread(full: Isolation) -> None:
    with Sandbox(isolation=full) as box:
        timer = threading.Timer(0.5, box.kill_all)
        timer.start()
        result = box.run(_python("import subprocess; subprocess.run(['sleep', '60'])"))
        timer.join()
        assert processes_of(box.uid) == []
    assert (result.returncode, result.timed_out, result.killed_by_limit) == (-9, False, None)
    assert result.seconds < 3


def test_killing_unshare_alone_ends_the_sandbox(full: Isolation) -> None:
    # As a kernel launcher would use sandbox_command: it knows only the outer process.
    code = "import os, time\nif os.fork() == 0:\n    os.setsid()\ntime.sleep(60)"
    with Sandbox(isolation=full) as box:
        command = sandbox_command(_python(code), workdir=box.workdir, uid=box.uid, isolation=full)
        outer = subprocess.Popen(command, env={"PATH": "/usr/bin:/bin"})
        deadline = time.monotonic() + 5
        while len(processes_of(box.uid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(processes_of(box.uid)) == 2
        outer.kill()
        outer.wait()
        while processes_of(box.uid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert processes_of(box.uid) == []


# --- Usage errors ------------------------------------------------------------------------------


def test_run_needs_an_open_sandbox() -> None:
    box = Sandbox(isolation=detect_isolation(use_root=False))
    with pytest.raises(RuntimeError, match="The sandbox is not open: use `with Sandbox"):
        box.run(_python("pass"))


def test_run_checks_its_arguments() -> None:
    with Sandbox(isolation=detect_isolation(use_root=False)) as box:
        with pytest.raises(TypeError, match="env must be a dict of str to str.*SEED': 7"):
            box.run(_python("pass"), env={"SEED": 7})
        with pytest.raises(TypeError, match="stdin must be bytes or None.*Received: stdin='hi'"):
            box.run(_python("pass"), stdin="hi")
        with pytest.raises(
            TypeError, match="output_limit_bytes must be a whole number. Received: .*=1000000.0"
        ):
            box.run(_python("pass"), output_limit_bytes=1e6)
        with pytest.raises(
            ValueError, match="output_limit_bytes must be a whole number >= 0. Received: .*=-1"
        ):
            box.run(_python("pass"), output_limit_bytes=-1)
        with pytest.raises(TypeError, match="argv must be a list of str"):
            box.run("python -V")


def test_sandbox_checks_its_arguments() -> None:
    with pytest.raises(TypeError, match="limits must be a Limits or None.*Received: limits=5"):
        Sandbox(5)
    with pytest.raises(TypeError, match="isolation must be an Isolation or None"):
        Sandbox(isolation=True)


def test_workdir_must_be_reachable(full: Isolation, tmp_path: Path, monkeypatch) -> None:
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o700)
    monkeypatch.setattr(tempfile, "tempdir", str(closed))
    with pytest.raises(RuntimeError, match="The sandbox user cannot enter .*Set TMPDIR"):
        Sandbox(isolation=full).__enter__()
    assert list(closed.iterdir()) == []


# --- Other machines: degraded mode, and root without namespaces ---------------------------------


def test_degraded_mode_still_limits_and_kills() -> None:
    degraded = detect_isolation(use_root=False)
    with Sandbox(Limits(cpu_seconds=1, wall_seconds=10), isolation=degraded) as box:
        honest = box.run(_python("import os; print(os.getuid(), sorted(os.environ))"))
        memory = box.run(_python("x = b'x' * (4 * 2**30)"))
        cpu = box.run(_python("while True: pass"))
        flood = box.run(_python("while True: print('x')"), output_limit_bytes=1000)
    assert honest.stdout == f"{os.getuid()} ['HOME', 'LANG', 'PATH', 'TMPDIR', 'USER']\n"
    assert memory.returncode == 1 and memory.stderr.endswith("MemoryError\n")
    assert (cpu.returncode, cpu.killed_by_limit) == (-signal.SIGXCPU, "cpu_seconds")
    assert flood.output_truncated and len(flood.stdout) == 1000


def test_degraded_mode_kills_the_process_group(shared_dir: Path) -> None:
    late = shared_dir / "late.txt"
    code = (
        "import subprocess, sys\n"
        "subprocess.Popen([sys.executable, '-c', 'import time, sys; time.sleep(1); "
        'open(sys.argv[1], "w").write("late")\', sys.argv[1]])'
    )
    with Sandbox(Limits(wall_seconds=5), isolation=detect_isolation(use_root=False)) as box:
        result = box.run([*_python(code), str(late)])
    assert result.returncode == 0
    time.sleep(1.5)
    assert not late.exists()


def test_root_without_namespaces_still_switches_user(full: Isolation) -> None:
    # As root in a container that forbids namespaces. /bin/sh, not this Python: without a
    # mount namespace, a Python in a folder closed to others (pyenv in /root) is out of reach.
    no_namespaces = Isolation(switch_user=True, network=False, pid_namespace=False, notes=[])
    script = "id -u; id -G; for i in $(seq 30); do sleep 60 & done"
    with Sandbox(Limits(processes=10), isolation=no_namespaces) as box:
        result = box.run(["sh", "-c", script])
        uid = box.uid
        # The final kill reached the process group (SIGKILL takes effect within moments).
        time.sleep(0.1)
        assert processes_of(uid) == []
    assert result.stdout == f"{uid}\n{uid}\n"
    assert "Cannot fork" in result.stderr  # RLIMIT_NPROC binds the sandbox user
