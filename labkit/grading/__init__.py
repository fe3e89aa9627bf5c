"""The grader's isolation layer: run one untrusted command, and leave nothing behind.

:mod:`~labkit.grading.limits` says what a command may use and what this machine can
enforce; :mod:`~labkit.grading.sandbox` runs the command under those rules
(``docs/SANDBOX.md`` explains the mechanisms, platform by platform).

>>> import sys
>>> from labkit.grading import Limits, Sandbox
>>> with Sandbox(Limits(wall_seconds=60)) as box:
...     print(box.run([sys.executable, "-c", "print('hello')"]).stdout.strip())
hello
"""

from labkit.grading.command import sandbox_command
from labkit.grading.isolation import Isolation, detect_isolation
from labkit.grading.limits import Limits
from labkit.grading.sandbox import RunResult, Sandbox

__all__ = ["Limits", "Isolation", "detect_isolation", "RunResult", "Sandbox", "sandbox_command"]
