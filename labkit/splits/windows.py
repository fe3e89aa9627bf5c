"""Sliding windows: turn one ordered series into many (input window, target) examples.

To forecast a series with an ordinary model, we cut it into examples: the model sees
``input_length`` consecutive steps and must predict the ``target_length`` steps that follow
(after skipping ``gap`` steps, if the forecast is for further ahead).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike

from labkit.validation import whole_number

__all__ = ["make_windows"]


def make_windows(
    series: ArrayLike,
    *,
    input_length: int,
    target_length: int = 1,
    gap: int = 0,
    stride: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Cut an ordered series into input windows ``X`` and the targets ``y`` that follow them.

    Window ``i`` starts at step ``s = i * stride``::

        X[i] = series[s : s + input_length]
        y[i] = series[s + input_length + gap : s + input_length + gap + target_length]

    Parameters
    ----------
    series : array-like of shape (T,) or (T, n_features)
        The series, oldest step first.
    input_length : int
        Steps the model sees in each input window; at least 1.
    target_length : int, default=1
        Steps to predict after each window; at least 1.
    gap : int, default=0
        Steps skipped between the end of the input window and the first target step.
        ``gap=0`` predicts the very next step; ``gap=6`` on hourly data predicts the value
        7 hours after the last input.
    stride : int, default=1
        Steps between the starts of consecutive windows; ``stride=input_length`` gives
        windows that do not overlap.

    Returns
    -------
    X : np.ndarray of shape (N, input_length) or (N, input_length, n_features)
        The input windows, ``N = (T - input_length - gap - target_length) // stride + 1``.
    y : np.ndarray of shape (N, target_length) or (N, target_length, n_features)
        The targets (use ``y[:, 0]`` for a flat target when ``target_length=1``).

    Notes
    -----
    ``X`` and ``y`` are copies. The windows could be views into ``series`` (no memory
    used), but then the windows overlap in memory: writing to ``X[0, 1]`` would also change
    ``X[1, 0]`` and the series itself, a surprising bug when scaling or augmenting ``X``.

    Consecutive windows overlap in time, so split them into train and test by *position*
    (e.g. with ``TimeSeriesSplit(gap=...)``), never by shuffling.

    Examples
    --------
    >>> X, y = make_windows(np.arange(7), input_length=3)
    >>> X
    array([[0, 1, 2],
           [1, 2, 3],
           [2, 3, 4],
           [3, 4, 5]])
    >>> y
    array([[3],
           [4],
           [5],
           [6]])
    >>> X, y = make_windows(np.arange(10), input_length=3, target_length=2, gap=1, stride=3)
    >>> X.tolist(), y.tolist()
    ([[0, 1, 2], [3, 4, 5]], [[4, 5], [7, 8]])
    """
    series = np.asarray(series)
    if series.ndim not in (1, 2):
        raise ValueError(
            f"series must have shape (T,) or (T, n_features). Received: series with shape "
            f"{series.shape}. Flatten the features first: series.reshape(len(series), -1)"
        )
    input_length = whole_number(
        "input_length", input_length, minimum=1, why="steps per input window"
    )
    target_length = whole_number("target_length", target_length, minimum=1, why="steps to predict")
    gap = whole_number("gap", gap, minimum=0, why="0 predicts the very next step")
    stride = whole_number("stride", stride, minimum=1, why="1 starts a window at every step")
    window_length = input_length + gap + target_length
    if len(series) < window_length:
        raise ValueError(
            f"series has only {len(series)} steps, but one window needs input_length + gap + "
            f"target_length = {input_length} + {gap} + {target_length} = {window_length}. "
            f"Use a longer series or shorter windows."
        )
    # sliding_window_view puts the window axis last: shape (N, [n_features,] window_length).
    windows = sliding_window_view(series, window_length, axis=0)[::stride]
    windows = np.moveaxis(windows, -1, 1)  # -> (N, window_length[, n_features])
    X = windows[:, :input_length].copy()
    y = windows[:, input_length + gap :].copy()
    return X, y
