"""Public checks for lesson 04 (support vector machines).

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


def check_ex1(hinge_loss: object) -> None:
    """04.ex1: ``hinge_loss(scores, y)``, the mean of max(0, 1 - y * score), y in {-1, +1}."""
    expect(callable(hinge_loss), "expected a function hinge_loss(scores, y).")
    cases = [
        # (scores, y, expected, how to see it)
        ([2.0, 0.5, -1.0], [1, 1, 1], 2.5 / 3, "losses 0, 0.5 and 2: their mean"),
        ([3.0], [1], 0.0, "beyond the edge of the street: no loss"),
        ([1.0, -1.0], [1, -1], 0.0, "exactly on the edges of the street: no loss"),
        ([0.5, -2.0], [-1, 1], 2.25, "both on the wrong side: losses 1.5 and 3"),
        ([-0.5, 0.2, 4.0, -3.0], [-1, -1, 1, -1], 0.425, "losses 0.5, 1.2, 0 and 0"),
    ]
    for scores, y, expected, why in cases:
        call = f"hinge_loss(np.array({scores}), np.array({y}))"
        got = _number(hinge_loss(np.array(scores), np.array(y)), call)
        margins = np.array(y) * np.array(scores)
        if len(y) > 1 and math.isclose(got, expected * len(y), abs_tol=1e-9) and expected:
            raise CheckFailed(
                f"{call} returned {got:.6g}, the sum over the samples: return their mean "
                "instead (divide by the number of samples)."
            )
        if not math.isclose(got, expected, abs_tol=1e-9):
            if math.isclose(got, float(np.mean(1 - margins)), abs_tol=1e-9):
                raise CheckFailed(
                    f"{call} returned {got:.6g}, the mean of 1 - y * score: a sample beyond "
                    "its edge of the street must cost 0, not a negative amount. Take "
                    "np.maximum(0, 1 - y * scores) before the mean."
                )
            if math.isclose(got, float(np.mean(np.maximum(0, -margins))), abs_tol=1e-9):
                raise CheckFailed(
                    f"{call} returned {got:.6g}, the mean of max(0, -y * score) (the "
                    "perceptron's loss): the hinge is at 1, so use max(0, 1 - y * score)."
                )
        expect_close(got, expected, what=f"{call} ({why})")
    got = _number(hinge_loss([0.5, 2.0], [1.0, -1.0]), "hinge_loss([0.5, 2.0], [1.0, -1.0])")
    expect_close(got, 1.75, what="hinge_loss([0.5, 2.0], [1.0, -1.0]) with lists (losses 0.5, 3)")


def check_ex2(rbf_kernel: object) -> None:
    """04.ex2: ``rbf_kernel(X, Y, gamma)``, the (n, m) matrix exp(-gamma ||X[i] - Y[j]||^2)."""
    expect(callable(rbf_kernel), "expected a function rbf_kernel(X, Y, gamma).")
    X, Y = [[0.0, 0.0]], [[1.0, 0.0], [0.0, 2.0]]
    call = "rbf_kernel([[0, 0]], [[1, 0], [0, 2]], 0.5)"
    got = np.asarray(rbf_kernel(np.array(X), np.array(Y), 0.5), dtype=float)
    expect(
        got.shape == (1, 2),
        f"{call} should have shape (1, 2): one row per row of X, one column per row of Y; "
        f"got shape {got.shape}.",
    )
    # Squared distances 1 and 4: K = [[exp(-0.5), exp(-2)]].
    hints = {
        (math.exp(-0.5), math.exp(-1.0)): "the distance is not squared: use ||x - y||**2.",
        (math.exp(0.5), math.exp(2.0)): "the sign is missing: exp(-gamma * distance**2).",
        (math.exp(-2.0), math.exp(-8.0)): "you divided by gamma: multiply by it.",
    }
    for (a, b), hint in hints.items():
        if np.allclose(got, [[a, b]], rtol=1e-6):
            raise CheckFailed(f"{call} gave {got.round(4).tolist()}: {hint}")
    expect_close(got, [[math.exp(-0.5), math.exp(-2.0)]], what=f"{call} (distances² 1 and 4)")

    # n != m catches a transposed answer; the reference is the formula written out.
    X = np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 1.0], [2.0, 2.0, 2.0]])
    Y = np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]])
    expected = np.array([[math.exp(-0.2 * ((x - y) ** 2).sum()) for y in Y] for x in X])
    got = np.asarray(rbf_kernel(X, Y, 0.2), dtype=float)
    what = "rbf_kernel(X of shape (3, 3), Y of shape (2, 3), 0.2)"
    if got.shape == (2, 3):
        raise CheckFailed(f"{what} has shape (2, 3): it should be (3, 2), rows of X by rows of Y.")
    expect_close(got, expected, what=what)

    same = np.asarray(rbf_kernel(X.tolist(), X.tolist(), 1.5), dtype=float)
    expect(
        same.shape == (3, 3), f"rbf_kernel(X, X, 1.5) should have shape (3, 3), got {same.shape}."
    )
    expect_close(
        np.diag(same), np.ones(3), what="rbf_kernel(X, X, 1.5) with lists: its diagonal (k(x, x))"
    )
    expect_close(same, same.T, what="rbf_kernel(X, X, 1.5) with lists: it must be symmetric")


def check_ex3(count_margin_violations: object) -> None:
    """04.ex3: ``count_margin_violations(X, y, w, b)``, how many samples have y (w.x + b) < 1."""
    expect(
        callable(count_margin_violations),
        "expected a function count_margin_violations(X, y, w, b).",
    )
    cases = [
        # (X, y, w, b, expected, the values y * (w . x + b))
        ([[2, 0], [0.5, 3], [-1, 1], [1, 1]], [1, 1, -1, -1], [1, 0], 0, 2, "2, 0.5, 1 and -1"),
        ([[3, 1], [-2, 0]], [1, -1], [1, 0], 0, 0, "3 and 2: both beyond the street"),
        ([[0, 1], [0, 2]], [1, 1], [0, 1], 0, 0, "1 (on the edge: not a violation) and 2"),
        ([[1.0], [0.0], [-1.0]], [1, -1, 1], [2.0], -0.5, 2, "1.5, 0.5 and -2.5"),
        ([[1, 2], [2, 1], [0, 0]], [-1, 1, 1], [0.5, 0.5], 0.5, 2, "-2, 2 and 0.5"),
        ([[1, 1], [2, 0]], [1, -1], [1, -1], 1.5, 1, "1.5 and -3.5: b is added, w · x + b"),
    ]
    for X, y, w, b, expected, margins in cases:
        call = f"count_margin_violations({X}, {y}, w={w}, b={b})"
        got = count_margin_violations(np.array(X), np.array(y), np.array(w), b)
        expect(
            isinstance(got, int | np.integer) and not isinstance(got, bool),
            f"{call} should return an int (a count); got {got!r} of type {type(got).__name__}.",
        )
        values = np.array(y) * (np.array(X, dtype=float) @ np.array(w, dtype=float) + b)
        if got != expected and got == int(np.sum(values <= 1)):
            raise CheckFailed(
                f"{call} returned {got}: you also counted a sample exactly on the edge of the "
                f"street (y * (w · x + b) = 1). Only values below 1 are violations "
                f"(here the values are {margins})."
            )
        if got != expected and got == int(np.sum(values < 0)):
            raise CheckFailed(
                f"{call} returned {got}: you counted only the samples on the wrong side of the "
                f"boundary (below 0); samples inside the street (0 to 1) violate the margin too "
                f"(here the values are {margins})."
            )
        expect(got == expected, f"{call}: expected {expected} (values {margins}), got {got}.")
    got = count_margin_violations([[2, 0], [0.5, 3]], [1, -1], [1, 0], 0.0)
    expect(
        got == 1,
        f"count_margin_violations with lists [[2, 0], [0.5, 3]], [1, -1], [1, 0], 0.0: expected "
        f"1 (values 2 and -0.5), got {got!r}.",
    )


PUBLIC_CHECKS = {"04.ex1": check_ex1, "04.ex2": check_ex2, "04.ex3": check_ex3}
