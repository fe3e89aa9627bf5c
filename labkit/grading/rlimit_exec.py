"""Set rlimits, start a session of its own, then become the given command (degraded mode).

Where the grader cannot isolate a kernel (not root, or no namespaces) it still limits it:
``python -m labkit.grading.rlimit_exec LIMITS_JSON -- COMMAND...`` sets the rlimits of
:class:`~labkit.grading.limits.Limits` and replaces itself with ``COMMAND``.

>>> import json, subprocess, sys
>>> limits = json.dumps({"open_files": 40})
>>> code = "import resource; print(resource.getrlimit(resource.RLIMIT_NOFILE))"
>>> subprocess.run([sys.executable, "-m", "labkit.grading.rlimit_exec", limits, "--",
...                 sys.executable, "-c", code], capture_output=True, text=True).stdout
'(40, 40)\\n'
"""

from __future__ import annotations

import json
import os
import sys

from labkit.grading.limits import Limits, set_rlimits


def main(argv: list[str]) -> None:
    """Parse ``LIMITS_JSON -- COMMAND...``, apply the limits and exec the command."""
    if len(argv) < 3 or argv[1] != "--":
        sys.exit("usage: python -m labkit.grading.rlimit_exec LIMITS_JSON -- COMMAND...")
    limits = Limits(**json.loads(argv[0]))
    set_rlimits(limits, per_user=False)
    os.execv(argv[2], argv[2:])


if __name__ == "__main__":
    main(sys.argv[1:])
