"""Argument checks that every part of labkit shares, so each rule reads and fails one way.

Each check returns the value it accepted (converted to a plain Python type), so a caller
writes ``epochs = whole_number("epochs", epochs, minimum=1)`` and moves on. Every message
names the argument, says what it must be, and ends with ``Received: name=value``; a value
of the wrong kind raises ``TypeError``, a value out of range raises ``ValueError``.

``bool`` is a subclass of ``int`` in Python, but ``epochs=True`` is surely a mistake, so no
check here accepts a bool where it wants a number.

Examples
--------
>>> whole_number("epochs", 3, minimum=1)
3
>>> whole_number("epochs", 0, minimum=1)
Traceback (most recent call last):
...
ValueError: epochs must be a whole number >= 1. Received: epochs=0
>>> real_number("lr", 0.1, minimum=0)
0.1
>>> one_of("mode", "max", ("min", "max"))
'max'
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Collection

import numpy as np

__all__ = ["flag", "one_of", "real_number", "whole_number"]


def whole_number(name: str, value: object, *, minimum: int | None = None, why: str = "") -> int:
    """``value`` as an int: a whole number (not a bool), at least ``minimum`` if given.

    ``why`` is added to the message, e.g. ``"one fold per part"``.

    >>> whole_number("n_splits", np.int64(5), minimum=2)
    5
    >>> whole_number("batch_size", 2.0)
    Traceback (most recent call last):
    ...
    TypeError: batch_size must be a whole number. Received: batch_size=2.0
    """
    reason = f" ({why})" if why else ""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be a whole number{reason}. Received: {name}={value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(
            f"{name} must be a whole number >= {minimum}{reason}. Received: {name}={value!r}"
        )
    return int(value)


def real_number(
    name: str,
    value: object,
    *,
    minimum: float | None = None,
    above: float | None = None,
    maximum: float | None = None,
) -> float:
    """``value`` as a finite float (not a bool), within the bounds that are given.

    ``minimum`` and ``maximum`` are inclusive; ``above`` is a strict lower bound (``above=0``
    means "more than 0").

    >>> real_number("timeout", 2, above=0)
    2.0
    >>> real_number("grad_clip", 0.0, above=0)
    Traceback (most recent call last):
    ...
    ValueError: grad_clip must be a finite number > 0. Received: grad_clip=0.0
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number. Received: {name}={value!r}")
    number = float(value)
    bounds = []
    if minimum is not None:
        bounds.append((number >= minimum, f">= {minimum}"))
    if above is not None:
        bounds.append((number > above, f"> {above}"))
    if maximum is not None:
        bounds.append((number <= maximum, f"<= {maximum}"))
    wanted = " and ".join(text for _, text in bounds)
    if not math.isfinite(number) or not all(ok for ok, _ in bounds):
        kind = f"finite number {wanted}" if wanted else "finite number"
        raise ValueError(f"{name} must be a {kind}. Received: {name}={value!r}")
    return number


def flag(name: str, value: object) -> bool:
    """``value`` as a bool: only True or False (or NumPy's bools) are accepted.

    >>> flag("shuffle", True)
    True
    >>> flag("shuffle", "yes")
    Traceback (most recent call last):
    ...
    TypeError: shuffle must be True or False. Received: shuffle='yes'
    """
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False. Received: {name}={value!r}")
    return bool(value)


def one_of(name: str, value: object, choices: Collection[str]) -> str:
    """``value``, which must be one of the strings in ``choices``.

    >>> one_of("interval", "week", ("epoch", "step"))
    Traceback (most recent call last):
    ...
    ValueError: interval must be one of 'epoch', 'step'. Received: interval='week'
    """
    if not isinstance(value, str) or value not in choices:
        listed = ", ".join(repr(choice) for choice in choices)
        raise ValueError(f"{name} must be one of {listed}. Received: {name}={value!r}")
    return value
