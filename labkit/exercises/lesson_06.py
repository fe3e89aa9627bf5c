"""Public checks for lesson 06 (feed-forward networks).

- ``06.ex1``: ``count_parameters(layer_sizes)``, weights plus biases of a fully connected net.
- ``06.ex2``: ``softmax(z)``, row by row and numerically stable.
- ``06.ex3``: ``digits_model``, a trained network of at most 3 000 parameters that classifies
  digit images.

Every input here is small enough to check on paper (ex3 uses a fixed sixth of the digits
images); the messages say which usual mistake a wrong answer points to.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from labkit.selfcheck import CheckFailed, expect, expect_close

__all__ = ["PUBLIC_CHECKS", "MAX_PARAMETERS", "MIN_ACCURACY"]

MAX_PARAMETERS = 3000  # 06.ex3: the network must be small
MIN_ACCURACY = 0.9  # 06.ex3: and still right for 9 digits in 10


# ---------------------------------------------------------------- 06.ex1: count_parameters
# (layer sizes, expected count, how to see it)
_COUNT_CASES = [
    ([64, 10], 650, "one layer: 64 * 10 weights + 10 biases"),
    ([2, 3, 1], 13, "(2 * 3 + 3) + (3 * 1 + 1)"),
    ([3, 1], 4, "3 weights + 1 bias"),
    ([64, 128, 128, 10], 26122, "the lesson's digits network: 8320 + 16512 + 1290"),
    ([1, 1, 1, 1], 6, "three layers of one weight and one bias each"),
]


def _weights_only(sizes: list[int]) -> int:
    return sum(a * b for a, b in zip(sizes, sizes[1:], strict=False))


def check_ex1(count_parameters: object) -> None:
    """06.ex1: ``count_parameters(layer_sizes)`` → the number of weights and biases (an int)."""
    expect(callable(count_parameters), "expected a function count_parameters(layer_sizes).")
    for sizes, expected, why in _COUNT_CASES:
        call = f"count_parameters({sizes})"
        got = count_parameters(list(sizes))
        if isinstance(got, bool) or not isinstance(got, numbers.Integral):
            raise CheckFailed(
                f"{call} returned {got!r} ({type(got).__name__}): a count is a whole number. "
                "Return an int (e.g. int(total)), not a float or a list."
            )
        got = int(got)
        if got == _weights_only(sizes) and got != expected:
            raise CheckFailed(
                f"{call} returned {got}, the weights alone: every layer also has one bias per "
                "output unit (nn.Linear(n_in, n_out) has n_in * n_out + n_out parameters)."
            )
        if got == expected + sizes[0]:
            raise CheckFailed(
                f"{call} returned {got}: you gave the input layer biases too. The inputs are "
                "just numbers; only the layers that compute (hidden and output) have biases."
            )
        expect(got == expected, f"{call}: expected {expected} ({why}), got {got}.")


# ---------------------------------------------------------------- 06.ex2: softmax
def _reference_softmax(z: np.ndarray) -> np.ndarray:
    shifted = np.exp(z - z.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


# (scores, what the case tests)
_SOFTMAX_CASES = [
    ([[1.0, 2.0, 3.0]], "one row of three scores"),
    ([[0.0, 0.0], [5.0, 5.0]], "equal scores give equal probabilities"),
    ([[2.0, 0.0, -1.0], [0.0, 3.0, 1.0]], "two rows: each row on its own"),
    ([[1000.0, 1001.0, 1002.0]], "large scores: np.exp(1000) overflows to inf"),
    ([[-1000.0, -1001.0]], "very negative scores: np.exp(-1000) underflows to 0"),
    ([[7.0], [-3.0]], "a single class: its probability is 1"),
]


def check_ex2(softmax: object) -> None:
    """06.ex2: ``softmax(z)`` on small 2-D arrays, including huge and tiny scores."""
    expect(callable(softmax), "expected a function softmax(z).")
    for scores, why in _SOFTMAX_CASES:
        z = np.array(scores)
        call = f"softmax(np.array({scores}))"
        with np.errstate(all="ignore"):  # a naive version overflows: report it, don't warn
            got = softmax(z.copy())
        try:
            got = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            raise CheckFailed(f"{call} should return an array of numbers, got {got!r}.") from None
        expect(
            got.shape == z.shape,
            f"{call}: expected shape {z.shape} (one probability per score), got {got.shape}.",
        )
        if not np.all(np.isfinite(got)):
            raise CheckFailed(
                f"{call} returned {got.tolist()} ({why}). Subtract each row's largest score "
                "before np.exp: the probabilities do not change, and no exp overflows."
            )
        expected = _reference_softmax(z)
        if not np.allclose(got, expected) and np.allclose(got.sum(axis=0), 1):
            raise CheckFailed(
                f"{call}: each column sums to 1, but each ROW should (one row per sample). "
                "Use axis=1 with keepdims=True."
            )
        if not np.allclose(got, expected) and math.isclose(got.sum(), 1.0, rel_tol=1e-6):
            raise CheckFailed(
                f"{call}: the whole array sums to 1; each row should. Divide each row by its "
                "own sum (axis=1, keepdims=True)."
            )
        expect_close(got, expected, what=f"{call} ({why})")


# ---------------------------------------------------------------- 06.ex3: digits_model
def _accuracy(model: object, X: np.ndarray, y: np.ndarray) -> float:
    """Accuracy of ``model`` on float inputs ``X``, predicted as the grader does."""
    import torch

    from labkit.train.evaluation import predict

    outputs = predict(model, torch.as_tensor(X, dtype=torch.float32))
    expect(
        outputs.ndim == 2 and outputs.shape[1] == 10,
        f"For {len(X)} images the model should return {len(X)} rows of 10 scores (one per "
        f"digit), got a tensor of shape {tuple(outputs.shape)}.",
    )
    return float((outputs.argmax(1).numpy() == y).mean())


def check_ex3(digits_model: object) -> None:
    """06.ex3: a trained ``digits_model`` with at most 3 000 parameters, ≥ 90 % right."""
    from torch import nn

    from labkit.datasets import load

    expect(
        isinstance(digits_model, nn.Module),
        f"expected a PyTorch model (an nn.Module such as nn.Sequential), got "
        f"{type(digits_model).__name__}.",
    )
    n_parameters = sum(p.numel() for p in digits_model.parameters())
    expect(n_parameters > 0, "The model has no parameters: it cannot have learned anything.")
    expect(
        n_parameters <= MAX_PARAMETERS,
        f"The model has {n_parameters} parameters; at most {MAX_PARAMETERS} are allowed. "
        "Use fewer hidden units (count them with your count_parameters from 06.ex1).",
    )
    digits = load("digits")
    X, y = digits.X[::6], digits.y[::6]  # a fixed sixth of the images: 300 of them
    try:
        accuracy = _accuracy(digits_model, X / 16, y)
    except CheckFailed:
        raise
    except Exception as error:
        raise CheckFailed(
            f"The model failed on a float32 tensor of shape ({len(X)}, 64): "
            f"{type(error).__name__}: {error}. Its first layer must take 64 numbers per image "
            "(start with nn.Flatten() if you trained it on (n, 8, 8) images)."
        ) from None
    if accuracy < MIN_ACCURACY:
        raw = _accuracy(digits_model, X, y)
        if raw >= MIN_ACCURACY:
            raise CheckFailed(
                f"On pixel values divided by 16 the model is right for {accuracy:.1%} of "
                f"{len(y)} images, but for {raw:.1%} on the raw ink values 0-16: train it on "
                "inputs divided by 16, as in the lesson (X_train already is)."
            )
        hint = " (about chance: is it trained?)" if accuracy < 0.2 else ""
        raise CheckFailed(
            f"The model is right for {accuracy:.1%} of {len(y)} digit images{hint}; at least "
            f"{MIN_ACCURACY:.0%} is needed. Train longer or with another learning rate."
        )


PUBLIC_CHECKS = {"06.ex1": check_ex1, "06.ex2": check_ex2, "06.ex3": check_ex3}
