"""Public checks for lesson 01 (models, weights and loss).

Every input here is small enough to work out on paper; the messages say which usual mistake
a wrong answer points to.
"""

from __future__ import annotations

import math

import numpy as np

from labkit.selfcheck import CheckFailed, expect, expect_close

__all__ = ["PUBLIC_CHECKS"]


def _number(value: object, what: str) -> float:
    """``value`` as a float, or a failed check saying that one number was expected."""
    expect(np.ndim(value) == 0, f"{what}: expected one number, got {value!r}.")
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise CheckFailed(f"{what}: expected a number, got {value!r}.") from None


def check_ex1(binary_cross_entropy: object) -> None:
    """01.ex1: ``binary_cross_entropy(p, y)``, the mean of -log p (y=1) and -log(1-p) (y=0)."""
    expect(callable(binary_cross_entropy), "expected a function binary_cross_entropy(p, y).")
    cases = [
        # (p, y, expected, how to see it)
        ([0.5], [1], math.log(2), "-log(0.5) = log 2"),
        ([0.5, 0.5], [1, 0], math.log(2), "both samples cost log 2"),
        ([0.99], [1], -math.log(0.99), "confident and right: a small loss"),
        ([0.01], [1], -math.log(0.01), "confident and wrong: a large loss"),
        ([0.9, 0.2], [1, 0], (-math.log(0.9) - math.log(0.8)) / 2, "(-log 0.9 - log 0.8) / 2"),
    ]
    for p, y, expected, why in cases:
        call = f"binary_cross_entropy(np.array({p}), np.array({y}))"
        got = _number(binary_cross_entropy(np.array(p), np.array(y)), call)
        if math.isclose(got, -expected, rel_tol=1e-6):
            raise CheckFailed(
                f"{call} returned {got:.6g}, the negative of the loss: a loss is "
                "never negative. Put a minus sign in front of the logarithms."
            )
        if len(p) > 1 and math.isclose(got, expected * len(p), rel_tol=1e-6):
            raise CheckFailed(
                f"{call} returned {got:.6g}, the sum over the samples: return "
                "their mean instead (divide by the number of samples)."
            )
        if math.isclose(got, expected / math.log(10), rel_tol=1e-6):
            raise CheckFailed(
                f"{call} returned {got:.6g}, a base-10 logarithm: use the natural logarithm np.log."
            )
        expect_close(got, expected, what=f"{call} ({why})")


def check_ex2(gradient_step: object) -> None:
    """01.ex2: ``gradient_step(X, y, w, b, lr)`` returns ``(new_w, new_b)`` after one MSE step."""
    expect(callable(gradient_step), "expected a function gradient_step(X, y, w, b, lr).")
    X, y, w = np.array([[1.0], [2.0]]), np.array([3.0, 5.0]), np.zeros(1)
    call = "gradient_step(X=[[1], [2]], y=[3, 5], w=[0], b=0, lr=0.1)"
    result = gradient_step(X, y, w, 0.0, 0.1)
    expect(
        isinstance(result, tuple | list) and len(result) == 2,
        f"{call} should return a pair (new_w, new_b); got {result!r}.",
    )
    new_w, new_b = result
    expect(
        np.shape(new_w) == (1,),
        f"{call}: new_w should have shape (1,) like w; got shape {np.shape(new_w)}.",
    )
    got_w, got_b = float(np.asarray(new_w)[0]), _number(new_b, f"{call}: new_b")
    # The errors are -3 and -5: dL/dw = 2/2 * (-3*1 - 5*2) = -13, dL/db = 2/2 * (-8) = -8.
    hints = {
        (-1.3, -0.8): "you added the gradient: a descent step subtracts it (w - lr * grad).",
        (0.65, 0.4): "the factor 2 from the square is missing from the derivatives.",
        (2.6, 1.6): "you summed over the samples: the loss is a mean, so divide by n.",
    }
    for (hint_w, hint_b), hint in hints.items():
        if math.isclose(got_w, hint_w, abs_tol=1e-9) and math.isclose(got_b, hint_b, abs_tol=1e-9):
            raise CheckFailed(f"{call} gave w=[{got_w:.4g}], b={got_b:.4g}: {hint}")
    expect_close(got_w, 1.3, what=f"{call}: new w (dL/dw = -13, so 0 - 0.1 * -13)")
    expect_close(got_b, 0.8, what=f"{call}: new b (dL/db = -8, so 0 - 0.1 * -8)")
    expect(np.array_equal(w, [0.0]), f"{call} changed w in place to {w}: return a new array.")

    # At the best weights (y = 2x + 1 exactly) the gradient is 0, so nothing moves.
    new_w, new_b = gradient_step(X, y, np.array([2.0]), 1.0, 0.1)
    what = "gradient_step(X=[[1], [2]], y=[3, 5], w=[2], b=1, lr=0.1): the line fits exactly,"
    expect_close(new_w, [2.0], what=f"{what} so w stays")
    expect_close(_number(new_b, "new_b"), 1.0, what=f"{what} so b stays")

    # Two inputs: errors -1 and -2, dL/dw = [-1, -2], dL/db = -3.
    X2, y2 = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([1.0, 2.0])
    new_w, new_b = gradient_step(X2, y2, np.zeros(2), 0.0, 0.5)
    what = "gradient_step(X=[[1, 0], [0, 1]], y=[1, 2], w=[0, 0], b=0, lr=0.5)"
    expect_close(new_w, [0.5, 1.0], what=f"{what}: new w (dL/dw = [-1, -2])")
    expect_close(_number(new_b, "new_b"), 1.5, what=f"{what}: new b (dL/db = -3)")


def check_ex3(early_stopping_epochs: object) -> None:
    """01.ex3: ``early_stopping_epochs(val_losses, patience)`` → ``(epochs_run, best_epoch)``."""
    expect(
        callable(early_stopping_epochs),
        "expected a function early_stopping_epochs(val_losses, patience).",
    )
    cases = [
        (
            [1.0, 0.8, 0.9, 0.85, 0.95],
            2,
            (4, 2),
            "best at epoch 2; epochs 3 and 4 do not improve, so it stops after epoch 4",
        ),
        ([3.0, 2.0, 1.0], 2, (3, 3), "it improves every epoch, so it never stops early"),
        (
            [0.5, 0.6, 0.4, 0.45, 0.41, 0.42],
            3,
            (6, 3),
            "the improvement at epoch 3 resets the count; epochs 4, 5, 6 do not improve",
        ),
        ([1.0, 1.0, 1.0, 1.0], 2, (3, 1), "an equal loss is not an improvement"),
        ([1.0, 0.9, 0.95, 0.5], 1, (3, 2), "with patience 1, one bad epoch stops training"),
    ]
    for losses, patience, expected, why in cases:
        call = f"early_stopping_epochs({losses}, patience={patience})"
        got = early_stopping_epochs(list(losses), patience)
        expect(
            isinstance(got, tuple | list) and len(got) == 2,
            f"{call} should return a pair (epochs_run, best_epoch); got {got!r}.",
        )
        expect(tuple(got) == expected, f"{call}: expected {expected} ({why}), got {tuple(got)}.")


PUBLIC_CHECKS = {"01.ex1": check_ex1, "01.ex2": check_ex2, "01.ex3": check_ex3}
