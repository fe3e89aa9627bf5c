"""Argument checks shared by the splitters (private: the public names live elsewhere)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from labkit.validation import flag, whole_number


def _check_shuffle(shuffle: bool, random_state: int | None) -> tuple[bool, int | None]:
    """Check ``shuffle`` and ``random_state`` and that the seed is not silently unused."""
    shuffle = flag("shuffle", shuffle)
    if random_state is not None:
        random_state = whole_number("random_state", random_state, minimum=0, why="or None")
        if not shuffle:
            raise ValueError(
                f"random_state={random_state} has no effect because shuffle=False: without "
                f"shuffling the folds never change. Either set shuffle=True to shuffle with "
                f"this seed, or leave random_state=None. Received: shuffle=False, "
                f"random_state={random_state}"
            )
    return shuffle, random_state


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
