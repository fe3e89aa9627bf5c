"""Set rlimits, start a session of its own, drop root, then become the given command.

Where the grader cannot isolate a command in namespaces (not root, or no namespaces) it
still limits it with this small launcher::

    python -I -S rlimit_exec.py RLIMITS_JSON [--uid N] -- COMMAND...

It sets the kernel limits ``{"cpu": [soft, hard], ...}`` (as
:func:`~labkit.grading.limits.rlimits` computes them), starts a session of its own (so
that killing its process group reaches everything it starts), becomes user ``N`` with no
other groups when given, and replaces itself with ``COMMAND``. It imports nothing but the
standard library, so it starts in milliseconds: its CPU time counts toward the command's.
:meth:`~labkit.grading.sandbox.Sandbox.command` is the one place that writes this line.

>>> import json, subprocess, sys
>>> code = "import resource; print(resource.getrlimit(resource.RLIMIT_NOFILE))"
>>> subprocess.run([sys.executable, "-I", "-S", __file__, json.dumps({"nofile": [40, 40]}),
...                 "--", sys.executable, "-c", code], capture_output=True, text=True).stdout
'(40, 40)\\n'
"""

from __future__ import annotations

import json
import os
import resource
import sys
from contextlib import suppress

USAGE = "usage: python -I -S rlimit_exec.py RLIMITS_JSON [--uid N] -- COMMAND..."


def apply_rlimits(pairs: dict[str, tuple[int, int]]) -> None:
    """Set each ``RLIMIT_<NAME>`` to ``(soft, hard)``; a limit above the current hard one is
    lowered to it (only root may raise a hard limit).

    >>> apply_rlimits({"core": (0, 0)})
    >>> resource.getrlimit(resource.RLIMIT_CORE)
    (0, 0)
    """
    for name, (soft, hard) in pairs.items():
        kind = getattr(resource, f"RLIMIT_{name.upper()}")
        current = resource.getrlimit(kind)[1]
        if current != resource.RLIM_INFINITY:
            soft, hard = min(soft, current), min(hard, current)
        resource.setrlimit(kind, (soft, hard))


def main(argv: list[str]) -> None:
    """Parse ``RLIMITS_JSON [--uid N] -- COMMAND...``, apply all of it, exec the command."""
    uid = None
    if len(argv) > 2 and argv[1] == "--uid":
        uid, argv = int(argv[2]), [argv[0], *argv[3:]]
    if len(argv) < 3 or argv[1] != "--":
        sys.exit(USAGE)
    apply_rlimits(json.loads(argv[0]))
    program = _find_program(argv[2])  # while still able to read the standard library
    with suppress(PermissionError):  # already a session leader: its group is its own
        os.setsid()
    if uid is not None:
        # For good: no supplementary groups, then the group, then the user.
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        os.umask(0o077)
    os.execv(program, argv[2:])


def _find_program(name: str) -> str:
    """``name`` looked up in ``PATH`` unless it is a path (``execvp`` would import more)."""
    if "/" in name:
        return name
    for folder in os.environ.get("PATH", os.defpath).split(os.pathsep):
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    sys.exit(f"rlimit_exec: {name} not found in PATH")


if __name__ == "__main__":
    main(sys.argv[1:])
