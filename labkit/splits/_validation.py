"""Argument checks shared by the splitters (private: the public names live elsewhere)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def _check_int(name: str, value: object, minimum: int, why: str) -> int:
    """Return ``value`` as an int, or raise if it is not an int >= ``minimum``."""
    # bool is a subclass of int in Python, but n_splits=True is surely a mistake.
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an int. Received: {name}={value!r}")
    if value < minimum:
        raise ValueError(
            f"{name}={value} is too small: must be at least {minimum} ({why}). "
            f"Received: {name}={value}"
        )
    return int(value)


def _check_shuffle(shuffle: bool, random_state: int | None) -> tuple[bool, int | None]:
    """Check ``shuffle`` and ``random_state`` and that the seed is not silently unused."""
    if not isinstance(shuffle, bool | np.bool_):
        raise TypeError(f"shuffle must be True or False. Received: shuffle={shuffle!r}")
    if random_state is not None:
        random_state = _check_int("random_state", random_state, 0, "or None")
        if not shuffle:
            raise ValueError(
                f"random_state={random_state} has no effect because shuffle=False: without "
                f"shuffling the folds never change. Either set shuffle=True to shuffle with "
                f"this seed, or leave random_state=None. Received: shuffle=False, "
                f"random_state={random_state}"
            )
    return bool(shuffle), random_state


def _n_samples(X: ArrayLike) -> int:
    """Return the number of samples (rows) in ``X``."""
    # np.shape reads .shape when there is one, so big arrays and tensors are not copied.
    shape = np.shape(X)
    if len(shape) == 0:
        raise TypeError(
            f"X must be array-like with one row per sample (use np.zeros(n_samples) if you "
            f"only have a count). Received: X={X!r}"
        )
    return shape[0]


def _as_1d(name: str, values: ArrayLike | None, n_samples: int) -> np.ndarray | None:
    """Return ``values`` as a 1-D array with one entry per sample (None stays None)."""
    if values is None:
        return None
    values = np.asarray(values)
    if values.shape != (n_samples,):
        raise ValueError(
            f"{name} must be 1-D with one entry per sample of X (n_samples={n_samples}). "
            f"Received: {name} with shape {values.shape}"
        )
    return values
