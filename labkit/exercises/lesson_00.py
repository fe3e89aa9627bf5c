"""Public checks for lesson 00 (welcome and setup).

- ``00.ex1``: the device string labkit chose on this machine (``MY_DEVICE``).
- ``00.ex2``: ``my_accuracy(predictions, labels)``, the fraction of right predictions.
- ``00.ex3``: ``matmul_gflops(m, k, n, seconds)``, the speed of an (m × k) @ (k × n) product.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from labkit.device import choose_device, read_capabilities
from labkit.selfcheck import expect, expect_close, is_finite_number

__all__ = ["PUBLIC_CHECKS"]


def check_ex1(answer: object) -> None:
    """00.ex1: the device string chosen on this machine."""
    expect(
        answer in ("cpu", "cuda", "mps"),
        f"expected one of the strings 'cpu', 'cuda' or 'mps', got {answer!r}.",
    )
    chosen = choose_device(read_capabilities()).device
    expect(
        answer == chosen,
        f"labkit chooses {chosen!r} on this machine, but your answer is {answer!r}. "
        "Read it from DEVICE (the DeviceChoice that labkit.pick_device() returned).",
    )


def _call(function: Callable, *args: object) -> object:
    """Call the learner's function with args; its result must be a finite number."""
    result = function(*args)
    call = f"{function.__name__}({', '.join(_show(a) for a in args)})"
    expect(
        is_finite_number(result),
        f"{call} returned {result!r} ({type(result).__name__}); expected a number (a float).",
    )
    return result


def _show(value: object) -> str:
    """An argument as it would be typed: a list, np.array([...]) or a number."""
    if isinstance(value, np.ndarray):
        return f"np.array({value.tolist()})"
    return repr(value)


def check_ex2(my_accuracy: object) -> None:
    """00.ex2: ``my_accuracy(predictions, labels)`` on small lists and arrays."""
    expect(callable(my_accuracy), f"expected a function, got {my_accuracy!r}.")
    examples = [
        ([1, 2, 3], [1, 2, 0], 2 / 3, "2 of 3 predictions are right"),
        ([0, 0, 1, 1], [0, 0, 1, 1], 1.0, "every prediction is right"),
        ([5], [4], 0.0, "no prediction is right"),
        (np.array([3, 1, 4, 1, 5]), np.array([3, 1, 4, 1, 9]), 0.8, "4 of 5 are right (arrays)"),
    ]
    for predictions, labels, expected, why in examples:
        got = _call(my_accuracy, predictions, labels)
        call = f"my_accuracy({_show(predictions)}, {_show(labels)})"
        expect_close(got, expected, what=f"{call} ({why})")


def check_ex3(matmul_gflops: object) -> None:
    """00.ex3: ``matmul_gflops(m, k, n, seconds)`` on shapes whose FLOP count is easy to verify."""
    expect(callable(matmul_gflops), f"expected a function, got {matmul_gflops!r}.")
    examples = [
        ((2, 3, 4, 1e-9), 48.0, "2·2·3·4 = 48 operations in one nanosecond"),
        ((512, 512, 512, 0.001), 268.435456, "2·512³ = 268,435,456 operations in 1 ms"),
        ((1000, 1, 1000, 0.001), 2.0, "an outer product: 2·1000·1·1000 = 2 million in 1 ms"),
        ((10, 100, 1, 2.0), 1e-6, "2·10·100·1 = 2000 operations in 2 seconds"),
    ]
    for args, expected, why in examples:
        got = _call(matmul_gflops, *args)
        call = f"matmul_gflops{args}"
        expect_close(got, expected, what=f"{call} ({why}), in GFLOP/s", tol=1e-9)


PUBLIC_CHECKS = {"00.ex1": check_ex1, "00.ex2": check_ex2, "00.ex3": check_ex3}
