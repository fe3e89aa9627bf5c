"""Submissions to lesson 98, honest and hostile, for the grader's corpus test.

:func:`build_corpus` returns one :class:`Submission` per case. Honest ones say what they
must score. Attacks replace the solution cells: each tries to get points without solving
(or to hurt the grader), so none may score more than the honest wrong answer, which is 0.

Some attacks need to know where to leave evidence: :class:`Targets` holds a folder
everyone may write to (the test reads it afterwards, from outside), a TCP port the test
listens on, and the paths the grader hides (which the hunting attack tries to read).

Attack code copies the answer marker as a literal, as a learner would copy it from the
public repository: inside the sandbox ``labkit.grading`` is hidden and cannot be imported.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from labkit.grading.protocol import MARKER

from .lesson import BLANK, CORRECT, FULL_MARKS, notebook

__all__ = ["CATEGORIES", "Submission", "Targets", "build_corpus"]

CATEGORIES = ("honest-full", "honest-partial", "honest-zero", "attack")

# A string only the honest torch submission holds: if an attack's evidence shows it, that
# attack read another student's submission.
CANARY = "canary-of-the-honest-torch-submission-5b1f"


@dataclass(frozen=True)
class Targets:
    """What some attacks aim at; the test creates each of them.

    Parameters
    ----------
    drop : str
        A folder of mode 1777 outside the hidden paths: attacks write what they found or
        did there, so the test can check it afterwards.
    port : int
        A TCP port the test listens on at 127.0.0.1.
    steal : tuple of str
        Files and folders the hunting attack tries to read: the paths the grader hides,
        and files known to lie inside them.
    elsewhere : tuple of str
        Files and folders outside this run that the grader never named (another lesson's
        submissions, the course's solutions and tests): a kernel must not reach them
        either.
    """

    drop: str
    port: int
    steal: tuple[str, ...]
    elsewhere: tuple[str, ...] = ()


@dataclass(frozen=True)
class Submission:
    """One case of the corpus.

    Parameters
    ----------
    name : str
        Unique; also the student id and the file name.
    category : str
        One of :data:`CATEGORIES`.
    notebook : nbformat.NotebookNode
        The submitted notebook.
    score : float or None, default=None
        For honest submissions: the exact score it must get. Attacks: None (the test
        compares them with the honest wrong answer).
    statuses : tuple of str or None, default=None
        The status each exercise must get, where it is clear what it should be.
    notebook_seconds : float or None, default=None
        Grade it with this time limit for the whole notebook instead of the test's.
    """

    name: str
    category: str
    notebook: object
    score: float | None = None
    statuses: tuple[str, ...] | None = None
    notebook_seconds: float | None = None

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"category must be one of {CATEGORIES}. Received: {self.category!r}")


def _code(text: str, **constants: object) -> str:
    """``text`` dedented, after one ``NAME = value`` line per constant (as literals)."""
    lines = [f"{name} = {value!r}" for name, value in constants.items()]
    return "\n".join([*lines, textwrap.dedent(text).strip()])


def _attack(ex1: str, ex2: str, ex3: str):
    """A submission whose three solution cells are replaced."""
    return notebook({"ex1": ex1, "ex2": ex2, "ex3": ex3})


# --- honest submissions ------------------------------------------------------------------

# Full marks, written unlike CORRECT: plain Python functions, and a logistic regression
# (one linear layer, two logits) trained by its own minibatch loop with SGD.
HONEST_TORCH = {
    "ex1": _code(f"""
        # {CANARY}
        def mean_of_squares(values):
            total = sum(v * v for v in values)
            return total / len(values)
        """),
    "ex2": _code("""
        from itertools import accumulate

        def running_max(values):
            return list(accumulate(values, max))
        """),
    "ex3": _code("""
        import torch
        from torch import nn

        torch.manual_seed(1)
        gen = np.random.default_rng(1)
        features = torch.tensor(gen.normal(size=(500, 2)), dtype=torch.float32)
        labels = (features.sum(dim=1) > 0).long()
        model = nn.Linear(2, 2)  # logistic regression with two logits
        optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
        for epoch in range(30 if SMOKE else 100):
            for start in range(0, len(features), 100):
                batch, target = features[start : start + 100], labels[start : start + 100]
                loss = nn.functional.cross_entropy(model(batch), target)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        """),
}

# An off-by-one: it starts at the second value, so every answer is one element short.
RUNNING_MAX_OFF_BY_ONE = _code("""
    def running_max(values):
        out = []
        for i in range(1, len(values)):
            out.append(max(values[: i + 1]))
        return out
    """)

# Wrong formulas, and a model that was never trained (seed 3 gives about 54% accuracy).
HONEST_WRONG = {
    "ex1": _code("""
        def mean_of_squares(values):
            return float(np.mean(values)) ** 2  # the square of the mean
        """),
    "ex2": _code("""
        def running_max(values):
            return sorted(values)
        """),
    "ex3": _code("""
        import torch

        torch.manual_seed(3)
        model = torch.nn.Linear(2, 2)  # forgot to train it
        """),
}


# A missing colon: the cell does not run at all.
SYNTAX_ERROR = "def mean_of_squares(values)\n    return float(np.mean(np.asarray(values) ** 2))"
# A stray line raises before the (correct) definition is reached.
RAISES_FIRST = "example = [3, 1, 2]\nprint(example[5])\n" + CORRECT["ex2"]


def _honest() -> list[Submission]:
    def honest(name, category, cells, score, statuses) -> Submission:
        return Submission(name, category, notebook(cells), score=score, statuses=statuses)

    return [
        honest("correct", "honest-full", {}, FULL_MARKS, ("correct",) * 3),
        honest("honest-torch", "honest-full", HONEST_TORCH, FULL_MARKS, ("correct",) * 3),
        honest(
            "partly-wrong",
            "honest-partial",
            {"ex2": RUNNING_MAX_OFF_BY_ONE},
            5.0,
            ("correct", "wrong", "correct"),
        ),
        honest("honest-wrong", "honest-zero", HONEST_WRONG, 0.0, ("wrong",) * 3),
        honest("blank", "honest-zero", BLANK, 0.0, ("not attempted",) * 3),
        # Mistakes that cost only the exercise they are in.
        honest(
            "syntax-error",
            "honest-partial",
            {"ex1": SYNTAX_ERROR},
            5.0,
            ("error", "correct", "correct"),
        ),
        honest(
            "exception-in-cell",
            "honest-partial",
            {"ex2": RAISES_FIRST},
            5.0,
            ("correct", "error", "correct"),
        ),
    ]


# --- attacks: time, memory, processes, output ----------------------------------------------

LOOP_IN_FUNCTION = _code("""
    def mean_of_squares(values):
        while True:
            pass
    """)

LOOP_AT_TOP_LEVEL = _code("""
    while True:
        pass

    def mean_of_squares(values):
        return 0.0
    """)

# Allocates until the data limit stops it with MemoryError, and keeps what it got.
MEMORY_BOMB = _code("""
    hog = []
    while True:
        hog.append(bytearray(256 * 2**20))
    """)

# Catches MemoryError and goes on with ever smaller pieces, for ever.
MEMORY_BOMB_CAUGHT = _code("""
    def mean_of_squares(values):
        hog, size = [], 256 * 2**20
        while True:
            try:
                hog.append(bytearray(size))
            except MemoryError:
                size = max(1, size // 2)
    """)


# Every graded call takes 4 s, just under the test's 5 s cell timeout: a submission that
# spends the notebook's time in graded calls rather than in cells.
SLOW_ANSWERS = {
    "ex1": _code("""
        import time

        def mean_of_squares(values):
            time.sleep(4)
            return 0.0
        """),
    "ex2": _code("""
        def running_max(values):
            time.sleep(4)
            return []
        """),
}


def _fork_bomb(drop: str) -> str:
    """Forks until the process limit says no; every child sleeps for an hour."""
    return _code(
        """
        import os
        import time

        children = 0
        while True:
            try:
                pid = os.fork()
            except OSError:
                break
            if pid == 0:
                try:
                    time.sleep(3600)
                finally:
                    os._exit(0)
            children += 1
        with open(os.path.join(DROP, "fork-bomb.txt"), "w") as evidence:
            evidence.write(f"{children} children")
        """,
        DROP=drop,
    )


OUTPUT_FLOOD = _code("""
    while True:
        print("x" * 10_000)
    """)

# One message of 300 frames of 9 MB: 2.7 GB for whoever receives it, 9 MB for the kernel
# (the same buffer each time).
HUGE_MESSAGE = _code("""
    frame = b"x" * 9_000_000
    get_ipython().kernel.iopub_socket.send_multipart([frame] * 300)
    """)

EXIT_KERNEL = _code("""
    import os

    os._exit(0)
    """)

IGNORE_INTERRUPT = _code("""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        pass
    """)


def _daemon(drop: str) -> str:
    """A double-forked, setsid background process meant to outlive the kernel: it waits
    until the kernel is gone, then 3 s more, then leaves a file in ``drop``."""
    return _code(
        """
        import os
        import signal
        import time

        kernel = os.getpid()
        with open(os.path.join(DROP, "daemon-started"), "w") as evidence:
            evidence.write(str(kernel))
        child = os.fork()
        if child == 0:
            os.setsid()  # a session of its own: no group kill reaches it
            if os.fork() == 0:  # the grandchild, reparented once its parent exits
                try:
                    for number in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
                        signal.signal(number, signal.SIG_IGN)
                    while True:
                        try:
                            os.kill(kernel, 0)
                        except ProcessLookupError:
                            break
                        time.sleep(0.1)
                    time.sleep(3)
                    fd = os.open(os.path.join(DROP, "daemon-survived"), os.O_CREAT | os.O_WRONLY)
                    os.write(fd, b"outlived the kernel")
                finally:
                    os._exit(0)
            os._exit(0)
        os.waitpid(child, 0)

        def mean_of_squares(values):
            return 0.0
        """,
        DROP=drop,
    )


def _connect(drop: str, port: int) -> str:
    """Connects to the test's listener on 127.0.0.1 and writes down what happened."""
    return _code(
        """
        import os
        import socket

        try:
            with socket.create_connection(("127.0.0.1", PORT), timeout=2) as connection:
                connection.sendall(b"the kernel reached the network")
            outcome = "connected"
        except OSError as error:
            outcome = f"{type(error).__name__}: {error}"
        with open(os.path.join(DROP, "connect.txt"), "w") as evidence:
            evidence.write(outcome)

        def mean_of_squares(values):
            return 0.0
        """,
        DROP=drop,
        PORT=port,
    )


def _shared_memory(drop: str) -> str:
    """Leaves a 16 MB System V shared-memory segment behind, and writes down its id: on the
    machine it would outlive the kernel and hold memory no limit counts."""
    return _code(
        """
        import ctypes
        import os

        libc = ctypes.CDLL(None, use_errno=True)
        IPC_PRIVATE, IPC_CREAT = 0, 0o1000
        segment = libc.shmget(IPC_PRIVATE, 16 * 2**20, IPC_CREAT | 0o600)
        with open(os.path.join(DROP, "shm-id.txt"), "w") as evidence:
            evidence.write(str(segment))

        def mean_of_squares(values):
            return 0.0
        """,
        DROP=drop,
    )


def _init_command_line(drop: str) -> str:
    """Copies what the sandbox's PID 1 and every other process show of themselves: their
    command lines (which once named every hidden path) and, if it can, PID 1's environment."""
    return _code(
        """
        import os

        found = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            for name in ("cmdline", "environ"):
                try:
                    with open(f"/proc/{pid}/{name}", "rb") as shown:
                        found.append(shown.read().decode(errors="replace"))
                except OSError:
                    pass
        with open(os.path.join(DROP, "command-lines.txt"), "w") as evidence:
            evidence.write("\\n".join(found))

        def mean_of_squares(values):
            return 0.0
        """,
        DROP=drop,
    )


def _hunt(drop: str, steal: tuple[str, ...]) -> str:
    """Hunts for the secret and the checks: the paths in ``steal``, every process's
    environment and command line, and files named like a secret anywhere under ``/``.
    Writes everything it read into ``drop/hunt.json``."""
    return _code(
        """
        import glob
        import json
        import os
        import time

        found = {"listed": {}, "read": {}, "failed": {}, "named_secret": [], "walked": 0}

        def grab(path, size=65536):
            try:
                with open(path, "rb") as file:
                    found["read"][path] = file.read(size).decode("utf-8", "replace")
            except OSError as error:
                found["failed"][path] = type(error).__name__

        for target in TARGETS:
            if os.path.isdir(target):
                found["listed"][target] = sorted(os.listdir(target))
                for root, _, files in os.walk(target):
                    for name in files:
                        grab(os.path.join(root, name))
            else:
                grab(target)
        for path in glob.glob("/proc/[0-9]*/environ") + glob.glob("/proc/[0-9]*/cmdline"):
            grab(path)
        stop = time.monotonic() + 2
        for top in ("/tmp", "/work", "/root", "/home", "/run", "/etc", "/var", "/"):
            for root, folders, files in os.walk(top):
                if root.startswith(("/proc", "/sys", "/dev")) or time.monotonic() > stop:
                    folders[:] = []
                    continue
                found["walked"] += len(files)
                for name in files:
                    if "secret" in name.lower():
                        found["named_secret"].append(os.path.join(root, name))
                        grab(os.path.join(root, name), size=4096)
        with open(os.path.join(DROP, "hunt.json"), "w") as evidence:
            json.dump(found, evidence)

        def mean_of_squares(values):
            return 0.0
        """,
        DROP=drop,
        TARGETS=list(steal),
    )


def _read_elsewhere(drop: str, elsewhere: tuple[str, ...]) -> str:
    """Reads what lies beyond this run: another lesson's submissions, the course's
    solutions (a reference solution is full marks) and tests. Writes what it read into
    ``drop/elsewhere.json``."""
    return _code(
        """
        import json
        import os

        found = {}
        for target in ELSEWHERE:
            try:
                if os.path.isdir(target):
                    found[target] = sorted(os.listdir(target))
                else:
                    with open(target, encoding="utf-8", errors="replace") as file:
                        found[target] = file.read(4096)
            except OSError as error:
                found[target] = type(error).__name__
        with open(os.path.join(DROP, "elsewhere.json"), "w") as evidence:
            json.dump(found, evidence)

        def mean_of_squares(values):
            return 0.0
        """,
        DROP=drop,
        ELSEWHERE=list(elsewhere),
    )


def _leftovers(drop: str) -> str:
    """Reads what an earlier kernel left in /tmp, /var/tmp and /dev/shm (files anyone may
    read), notes it in ``drop/leftovers-<time>.json``, then leaves such files for the next one:
    a way to pass answers from one student's kernel to a later one's."""
    return _code(
        """
        import glob
        import json
        import os
        import time

        found = {}
        for path in glob.glob("/tmp/labkit-leftover*") + glob.glob("/var/tmp/labkit-leftover*") \\
                + glob.glob("/dev/shm/labkit-leftover*"):
            try:
                with open(path) as file:
                    found[path] = file.read()
            except OSError as error:
                found[path] = type(error).__name__
        # A file of its own each time: an earlier kernel's (another user's) is not writable.
        with open(os.path.join(DROP, f"leftovers-{time.time_ns()}.json"), "w") as evidence:
            json.dump(found, evidence)
        for folder in ("/tmp", "/var/tmp", "/dev/shm"):
            path = os.path.join(folder, f"labkit-leftover-{os.getpid()}")
            with open(path, "w") as file:
                file.write("answers: 42")
            os.chmod(path, 0o666)

        def mean_of_squares(values):
            return 0.0
        """,
        DROP=drop,
    )


# --- attacks: making what comes back look right ---------------------------------------------

# The functions fail; a fake json (in sys.modules, as the query imports it) turns every
# reply into an answer.
FAKE_JSON_MODULE = _code(
    """
    import json
    import sys
    import types

    fake = types.ModuleType("json")
    fake.loads = json.loads
    fake.dumps = lambda obj, *args, **kwargs: '{"answer": 1.0}'
    sys.modules["json"] = fake

    def mean_of_squares(values):
        raise ValueError("no idea")
    """
)

# The same, on the real module's attribute (which the kernel itself also uses).
FAKE_JSON_DUMPS = _code(
    """
    import json

    json.dumps = lambda obj, *args, **kwargs: '{"answer": 1.0}'

    def mean_of_squares(values):
        raise ValueError("no idea")
    """
)

# print says every check passed; sys.stdout rewrites every answer line into a good-looking one.
FAKE_PRINT_AND_STDOUT = _code(
    """
    import builtins
    import sys

    real_print = builtins.print
    builtins.print = lambda *args, **kwargs: real_print("All checks passed! score: 7/7")

    class Rewriter:
        def __init__(self, stream):
            self.stream = stream

        def write(self, text):
            if MARKER in text:
                text = "\\n" + MARKER + '{"answer": 1.0}' + "\\n"
            return self.stream.write(text)

        def __getattr__(self, name):
            return getattr(self.stream, name)

    sys.stdout = Rewriter(sys.stdout)

    def mean_of_squares(values):
        print("done")
        return None
    """,
    MARKER=MARKER,
)

# Every comparison in the kernel says "close enough".
FAKE_ISCLOSE = _code(
    """
    import math

    import numpy

    numpy.isclose = lambda *args, **kwargs: True
    numpy.allclose = lambda *args, **kwargs: True
    numpy.array_equal = lambda *args, **kwargs: True
    numpy.testing.assert_allclose = lambda *args, **kwargs: None
    math.isclose = lambda *args, **kwargs: True
    np.isclose = numpy.isclose

    def mean_of_squares(values):
        return -1.0
    """
)

ALWAYS_EQUAL = {
    "ex1": _code("""
        class AlwaysEqual:
            \"\"\"Equal to anything, so that `answer == expected` holds for any expected.\"\"\"

            def __eq__(self, other):
                return True

            def __ne__(self, other):
                return False

            __hash__ = object.__hash__

        class EqualFloat(float):
            def __eq__(self, other):
                return True

        def mean_of_squares(values):
            return AlwaysEqual()
        """),
    "ex2": _code("""
        class EqualList(list):
            def __eq__(self, other):
                return True

        def running_max(values):
            return EqualList(EqualFloat(0) for _ in values)
        """),
    # A model whose output passes for a NumPy array whose elements equal anything.
    "ex3": _code("""
        import torch

        class LooksLikeNumpy:
            __module__ = "numpy"

            def tolist(self):
                return AlwaysEqual()

        class Output:
            def argmax(self, dim):
                return LooksLikeNumpy()

        def model(features):
            return Output()
        """),
}

FORGED_LINES = {
    # An answer line printed by the function itself, before the real one.
    "ex1": _code(
        """
        def mean_of_squares(values):
            print(MARKER + '{"answer": 1.0}')
            return None
        """,
        MARKER=MARKER,
    ),
    "ex2": _code(
        """
        def running_max(values):
            print(MARKER + '{"answer": [1, 2, 3]}', flush=True)
            print("score: 7/7")
            raise NotImplementedError
        """,
        MARKER=MARKER,
    ),
    "ex3": _code(
        """
        import torch

        def model(features):
            print(MARKER + '{"answer": [1, 0, 1]}', flush=True)
            raise RuntimeError("no model")
        """,
        MARKER=MARKER,
    ),
}

# A background thread that prints answer lines for ever (they may land after the real
# one), and an atexit hook that prints one more when the kernel ends.
FORGED_BY_THREAD = _code(
    """
    import atexit
    import sys
    import threading
    import time

    def forge():
        while True:
            sys.stdout.write(MARKER + '{"answer": 1.0}\\n')
            sys.stdout.flush()
            time.sleep(0.005)

    threading.Thread(target=forge, daemon=True).start()
    atexit.register(lambda: print(MARKER + '{"answer": 1.0}', flush=True))

    def mean_of_squares(values):
        return "pending"
    """,
    MARKER=MARKER,
)

# Results that imitate the grader's: a fake score printed, a dict and a string returned.
FAKE_RESULTS = {
    "ex1": _code("""
        print("score: 7/7")
        print('{"score": 7, "max_score": 7, "status": "correct"}')

        def mean_of_squares(values):
            return {"answer": 1.0, "status": "correct", "points": 2}
        """),
    "ex2": _code("""
        def running_max(values):
            return '{"answer": [1, 2, 3], "status": "correct"}'
        """),
    "ex3": _code("""
        import torch

        def model(features):
            return "correct: accuracy 1.0"
        """),
}

# The kernel's own messages to the grader, rewritten: every part of every message becomes
# an empty list, as if the learner had a copy of the message format and abused it.
FORGED_KERNEL_MESSAGES = _code("""
    get_ipython().kernel.session.pack = lambda obj: b"[]"

    def mean_of_squares(values):
        return 0.0
    """)

# A lookup table of the lesson's three public examples per exercise: right on those,
# and nothing else.
# Graded inputs carried back in an error, so that the feedback would show them: in the
# message, and in the name of an exception class made up from them.
LEAK_INPUTS = {
    "ex1": _code("""
        def mean_of_squares(values):
            raise ValueError(f"the graded input was {list(values)!r}")
        """),
    "ex2": _code("""
        def running_max(values):
            raise type("Input_" + "_".join(str(v) for v in values), (Exception,), {})()
        """),
}

HARD_CODED = {
    "ex1": _code("""
        KNOWN = {(1.0, 2.0, 3.0): 14 / 3, (0.0,): 0.0, (-2.0, 2.0): 4.0}

        def mean_of_squares(values):
            return KNOWN.get(tuple(float(v) for v in values), 0.0)
        """),
    "ex2": _code("""
        KNOWN = {(1, 3, 2): [1, 3, 3], (5,): [5], (2, 1, 4, 3): [2, 2, 4, 4]}

        def running_max(values):
            return KNOWN.get(tuple(values), list(values))
        """),
    "ex3": _code("""
        import torch

        KNOWN = {(1.0, 1.0): 1, (-1.0, -1.0): 0, (2.0, -1.0): 1}

        def model(features):
            rows = [tuple(round(float(x), 1) for x in row) for row in features]
            labels = [KNOWN.get(row, 0) for row in rows]
            return torch.nn.functional.one_hot(torch.tensor(labels), 2).float()
        """),
}


def _attacks(targets: Targets) -> list[Submission]:
    blank = (BLANK["ex2"], BLANK["ex3"])
    timed_out = ("timeout", "not attempted", "not attempted")

    def attack(name, ex1, ex2=blank[0], ex3=blank[1], statuses=None, seconds=None):
        return Submission(
            name, "attack", _attack(ex1, ex2, ex3), statuses=statuses, notebook_seconds=seconds
        )

    def attack_all(name, cells, statuses=None) -> Submission:
        return attack(name, cells["ex1"], cells["ex2"], cells["ex3"], statuses)

    return [
        # Slow ones first: the pool then finishes the cheap ones in the gaps. This one is
        # graded with a notebook time limit of 6 s, which its graded calls must respect.
        attack("slow-answers", SLOW_ANSWERS["ex1"], SLOW_ANSWERS["ex2"], seconds=6.0),
        attack("output-flood", OUTPUT_FLOOD),
        attack("huge-message", HUGE_MESSAGE),
        attack("ignore-interrupt", IGNORE_INTERRUPT),
        attack("loop-in-function", LOOP_IN_FUNCTION, statuses=timed_out),
        attack("loop-at-top-level", LOOP_AT_TOP_LEVEL),
        attack("memory-bomb-caught", MEMORY_BOMB_CAUGHT, statuses=timed_out),
        attack("memory-bomb", MEMORY_BOMB),
        attack("fork-bomb", _fork_bomb(targets.drop)),
        attack("exit-kernel", EXIT_KERNEL),
        attack("fake-json-module", FAKE_JSON_MODULE),
        attack("fake-json-dumps", FAKE_JSON_DUMPS),
        attack("fake-print-stdout", FAKE_PRINT_AND_STDOUT),
        attack("fake-isclose", FAKE_ISCLOSE),
        # The grader refuses anything but plain data, whatever its == says.
        attack_all("always-equal", ALWAYS_EQUAL, statuses=("error",) * 3),
        attack_all("forged-answer-lines", FORGED_LINES),
        attack("forged-by-thread", FORGED_BY_THREAD),
        attack_all("fake-results", FAKE_RESULTS),
        attack("forged-kernel-messages", FORGED_KERNEL_MESSAGES),
        attack("hunt-secret", _hunt(targets.drop, targets.steal)),
        attack("setsid-daemon", _daemon(targets.drop)),
        attack("connect-out", _connect(targets.drop, targets.port)),
        attack("shared-memory-left-behind", _shared_memory(targets.drop)),
        attack("read-command-lines", _init_command_line(targets.drop)),
        attack("read-beyond-this-run", _read_elsewhere(targets.drop, targets.elsewhere)),
        attack("leave-files-for-later", _leftovers(targets.drop)),
        attack_all("hard-coded-examples", HARD_CODED, statuses=("wrong", "wrong", "error")),
        attack(
            "leak-inputs",
            LEAK_INPUTS["ex1"],
            LEAK_INPUTS["ex2"],
            statuses=("error", "error", "not attempted"),
        ),
    ]


def build_corpus(targets: Targets) -> list[Submission]:
    """Every submission of the corpus: the honest ones first, then the attacks.

    Examples
    --------
    >>> corpus = build_corpus(Targets(drop="/tmp/drop", port=9, steal=()))
    >>> [s.name for s in corpus][:3]
    ['correct', 'honest-torch', 'partly-wrong']
    >>> len({s.name for s in corpus}) == len(corpus)
    True
    """
    return [*_honest(), *_attacks(targets)]
