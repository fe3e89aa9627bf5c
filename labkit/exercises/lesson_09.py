"""Public checks for lesson 09 (transfer learning).

Every input here is small enough to work out on paper; the messages say which usual mistake
a wrong answer points to.
"""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np

from labkit.selfcheck import CheckFailed, expect

__all__ = ["PUBLIC_CHECKS"]


# ---------------------------------------------------------------- 09.ex1: count_trainable
def _trainable(layer_sizes: list[int], frozen: list[int]) -> int:
    return sum(a * b + b for i, (a, b) in enumerate(pairwise(layer_sizes)) if i not in frozen)


def check_ex1(count_trainable: object) -> None:
    """09.ex1: ``count_trainable(layer_sizes, frozen)``: weights and biases of unfrozen layers."""
    expect(callable(count_trainable), "expected a function count_trainable(layer_sizes, frozen).")
    cases = [
        # (layer_sizes, frozen, how to see it)
        ([64, 32, 10], [], "nothing frozen: 64·32 + 32 + 32·10 + 10"),
        ([64, 32, 10], [0], "the first layer frozen: only 32·10 + 10 are trained"),
        ([64, 32, 10], [1], "the head frozen: only 64·32 + 32"),
        ([64, 32, 10], [0, 1], "everything frozen: nothing is trained"),
        ([3, 2], [], "one layer: 3·2 weights + 2 biases"),
        ([128, 64, 64, 5], [0, 1], "a frozen body, a trained head: 64·5 + 5"),
    ]
    for sizes, frozen, why in cases:
        call = f"count_trainable({sizes}, {frozen})"
        got = count_trainable(list(sizes), list(frozen))
        if isinstance(got, bool) or not isinstance(got, int | np.integer):
            raise CheckFailed(f"{call} should return an int; got {got!r}.")
        expected = _trainable(sizes, frozen)
        if got == expected:
            continue
        hint = ""
        no_bias = sum(a * b for i, (a, b) in enumerate(pairwise(sizes)) if i not in frozen)
        if got == no_bias:
            hint = " Did you forget the biases? Each layer has one bias per output."
        elif got == _trainable(sizes, []) - expected:
            hint = " That is the number of frozen parameters: count the layers NOT in `frozen`."
        raise CheckFailed(f"{call}: expected {expected} ({why}), got {got}.{hint}")


# ---------------------------------------------------------------- 09.ex2: layer_learning_rates
def check_ex2(layer_learning_rates: object) -> None:
    """09.ex2: ``layer_learning_rates(n_layers, head_lr, decay)``, first layer to last."""
    expect(
        callable(layer_learning_rates),
        "expected a function layer_learning_rates(n_layers, head_lr, decay).",
    )
    cases = [
        (3, 0.01, 0.1, "the head gets 0.01, each layer before it 10 times less"),
        (1, 0.003, 0.5, "one layer: it is the head"),
        (4, 0.001, 1.0, "decay 1: every layer gets the same rate"),
        (5, 0.1, 0.5, "halving from the head back to the first layer"),
    ]
    for n, lr, decay, why in cases:
        call = f"layer_learning_rates({n}, {lr}, {decay})"
        got = layer_learning_rates(n, lr, decay)
        expect(isinstance(got, list), f"{call} should return a list; got {type(got).__name__}.")
        expected = [lr * decay ** (n - 1 - i) for i in range(n)]
        expect(len(got) == n, f"{call} should return {n} learning rates; got {len(got)}.")
        try:
            values = [float(v) for v in got]
        except (TypeError, ValueError):
            raise CheckFailed(f"{call} should hold numbers; got {got!r}.") from None
        if all(math.isclose(a, b, rel_tol=1e-9) for a, b in zip(values, expected, strict=True)):
            continue
        hint = ""
        if all(
            math.isclose(a, b, rel_tol=1e-9) for a, b in zip(values, expected[::-1], strict=True)
        ):
            hint = (
                " The order is reversed: the FIRST layer gets the smallest rate, the last head_lr."
            )
        elif all(
            math.isclose(a, lr * decay ** (n - i), rel_tol=1e-9) for i, a in enumerate(values)
        ):
            hint = " Off by one power: the last layer gets head_lr itself (decay ** 0)."
        raise CheckFailed(f"{call}: expected {expected} ({why}), got {got}.{hint}")


PUBLIC_CHECKS = {"09.ex1": check_ex1, "09.ex2": check_ex2}
