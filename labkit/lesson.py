"""Helpers every lesson calls: sizes that shrink in smoke mode, and recorded metrics.

Smoke mode is what the test suite runs: the same code path with tiny sizes. A lesson's
parameters cell sets its size knobs to None ("the lesson's default"), and
:func:`choose_size` turns None into the full or the smoke size. A value passed explicitly
(by a learner, by ``labkit run -p EPOCHS=5``, by papermill) is never overridden.

:func:`record` shows the lesson's headline numbers and, when the environment variable
``LABKIT_METRICS_FILE`` names a file, appends them to it (one JSON object per line), so any
runner — the test suite, ``labkit run``, the grader — can read them back.
"""

from __future__ import annotations

import json
import math
import numbers
import os
from pathlib import Path

from labkit.validation import flag

__all__ = ["choose_size", "record", "read_metrics", "METRICS_FILE_VARIABLE"]

METRICS_FILE_VARIABLE = "LABKIT_METRICS_FILE"


def choose_size(value: object, *, full: object, smoke: object, smoke_mode: bool) -> object:
    """The value to use for a size knob: ``value`` if given, else the full or smoke size.

    Parameters
    ----------
    value : object
        The knob from the parameters cell; None means "use the lesson's default".
    full : object
        The default for a normal run.
    smoke : object
        The default for a smoke run (tiny, for the test suite).
    smoke_mode : bool
        The lesson's ``SMOKE`` parameter.

    Examples
    --------
    >>> choose_size(None, full=40, smoke=3, smoke_mode=False)
    40
    >>> choose_size(None, full=40, smoke=3, smoke_mode=True)
    3
    >>> choose_size(10, full=40, smoke=3, smoke_mode=True)  # passed explicitly: kept
    10
    """
    smoke_mode = flag("smoke_mode", smoke_mode)
    if value is not None:
        return value
    return smoke if smoke_mode else full


def _check_metric(name: str, value: object) -> float:
    """A finite real number, as a float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        # Tensors and NumPy scalars hold one number: take it out with float().
        try:
            value = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise TypeError(
                f"record() takes numbers. Received: {name}={value!r} ({type(value).__name__})"
            ) from None
    if not math.isfinite(value):
        raise ValueError(f"record() takes finite numbers. Received: {name}={value}")
    return float(value)


def record(**metrics: float) -> None:
    """Show a lesson's headline numbers and save them for the test suite.

    Parameters
    ----------
    **metrics : float
        Name and value of each number, e.g. ``test_accuracy=0.97``.

    Examples
    --------
    >>> record(test_accuracy=0.975, train_seconds=12.5)
    recorded: test_accuracy = 0.975, train_seconds = 12.5
    """
    if not metrics:
        raise ValueError("record() needs at least one metric, e.g. record(test_accuracy=0.97).")
    values = {name: _check_metric(name, value) for name, value in metrics.items()}
    path = os.environ.get(METRICS_FILE_VARIABLE)
    if path:
        with Path(path).open("a", encoding="utf-8") as f:
            f.write(json.dumps(values) + "\n")
    print("recorded: " + ", ".join(f"{name} = {value:.4g}" for name, value in values.items()))


def read_metrics(path: str | os.PathLike) -> dict[str, float]:
    """Every metric recorded into ``path`` (later records of a name win)."""
    merged: dict[str, float] = {}
    file = Path(path)
    if file.exists():
        for line in file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                merged.update(json.loads(line))
    return merged
