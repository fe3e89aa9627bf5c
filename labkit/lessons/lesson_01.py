"""Lesson 01 (models, weights and loss): exercises and expected results.

- ``01.ex1``: ``binary_cross_entropy(p, y)`` with y all 0, all 1 or mixed (as integers or
  floats), one sample, and confident predictions both right and wrong.
- ``01.ex2``: ``gradient_step(X, y, w, b, lr)`` with one or several inputs, one sample,
  more inputs than samples, and weights that already fit. The query also reads ``w`` back
  after the call, because the task says not to change it in place.
- ``01.ex3``: ``early_stopping_epochs(val_losses, patience)`` on runs that stop, runs that
  never stop (patience larger than the run), equal losses, an improvement that resets the
  count just in time, and patience 1.
"""

from __future__ import annotations

import math

import numpy as np

from labkit.exercises.declare import BENIGN, Example, Exercise, Expect, Mistake

__all__ = ["EXERCISES", "EXPECTATIONS"]


# ---------------------------------------------------------------- 01.ex1: binary_cross_entropy
def binary_cross_entropy(p, y):
    """Mean over the samples of -log p (where y = 1) and -log(1 - p) (where y = 0)."""
    losses = []
    for p_i, y_i in zip(p, y, strict=True):
        losses.append(-math.log(p_i) if y_i == 1 else -math.log(1 - p_i))
    return sum(losses) / len(losses)


def _probabilities(rng: np.random.Generator, size: int, low: float = 0.01) -> np.ndarray:
    """``size`` probabilities in [low, 1 - low], rounded to 4 decimals: strictly inside (0, 1)."""
    return np.round(rng.uniform(low, 1 - low, size=size), 4)


def _cross_entropy_inputs(rng: np.random.Generator) -> list[tuple]:
    """Six (p, y) pairs of 1-D arrays covering the edge cases of the task."""
    n = int(rng.integers(5, 30))
    mixed = (_probabilities(rng, n), rng.integers(0, 2, size=n))
    n = int(rng.integers(3, 12))
    all_ones = (_probabilities(rng, n), np.ones(n, dtype=int))
    n = int(rng.integers(3, 12))
    all_zeros = (_probabilities(rng, n), np.zeros(n, dtype=int))
    one_sample = (_probabilities(rng, 1), rng.integers(0, 2, size=1))
    # Confident predictions, from 1e-4 away from 0 or 1: right ones cost almost nothing,
    # wrong ones cost a lot. No clipping a learner might add (1e-7 and below) changes them.
    y = rng.integers(0, 2, size=int(rng.integers(4, 10)))
    near = 10 ** rng.uniform(-4, -2, size=len(y))
    right = np.where(y == 1, 1 - near, near)  # confident and right
    confident = (np.where(rng.random(len(y)) < 0.5, right, 1 - right), y)  # about half wrong
    n = int(rng.integers(5, 20))
    float_labels = (_probabilities(rng, n), rng.integers(0, 2, size=n).astype(float))
    return [mixed, all_ones, all_zeros, one_sample, confident, float_labels]


def _losses(p, y, log=np.log):
    return -(y * log(p) + (1 - y) * log(1 - p))


def _negated(p, y):
    return float(-np.mean(_losses(p, y)))  # no minus sign in front of the logarithms


def _summed(p, y):
    return float(np.sum(_losses(p, y)))  # a sum, not a mean


def _log10(p, y):
    return float(np.mean(_losses(p, y, log=np.log10)))


# ---------------------------------------------------------------- 01.ex2: gradient_step
def gradient_step(X, y, w, b, lr):
    """One gradient-descent step on the mean squared error of y_hat = X w + b."""
    n = len(y)
    error = X @ w + b - y
    grad_w = 2 / n * (X.T @ error)
    grad_b = 2 / n * float(error.sum())
    return w - lr * grad_w, b - lr * grad_b


def _gradient_inputs(rng: np.random.Generator) -> list[tuple]:
    """Five (X, y, w, b, lr) inputs: d = 1, several inputs, n = 1, d > n, an exact fit."""

    def numbers(*shape: int) -> np.ndarray:
        return np.round(rng.normal(0, 2, size=shape), 2)

    def step_size() -> float:
        return float(rng.choice([0.001, 0.01, 0.05, 0.1, 0.2]))

    inputs = []
    for n, d in [(int(rng.integers(3, 10)), 1), (int(rng.integers(6, 15)), 3), (1, 2), (2, 4)]:
        inputs.append((numbers(n, d), numbers(n), numbers(d), float(numbers()), step_size()))
    # Weights that fit exactly: the gradient is zero and nothing moves.
    X, w, b = numbers(int(rng.integers(3, 8)), 2), numbers(2), float(numbers())
    inputs.append((X, X @ w + b, w, b, step_size()))
    return inputs


def _step(X, y, w, b, lr, sign=1.0, factor=2.0, divide=True):
    """A gradient step as a learner might write it, with one of the usual slips."""
    error = X @ w + b - y
    n = len(y) if divide else 1
    return w - sign * lr * factor * X.T @ error / n, b - sign * lr * factor * error.sum() / n


def _ascent(X, y, w, b, lr):
    return _step(X, y, w, b, lr, sign=-1.0)


def _no_factor_two(X, y, w, b, lr):
    return _step(X, y, w, b, lr, factor=1.0)


def _summed_gradient(X, y, w, b, lr):
    return _step(X, y, w, b, lr, divide=False)


def _in_place(X, y, w, b, lr):
    error = X @ w + b - y
    w -= lr * 2 * X.T @ error / len(y)  # right numbers, but w changes in place
    return w, b - lr * 2 * np.mean(error)


# ---------------------------------------------------------------- 01.ex3: early_stopping_epochs
def early_stopping_epochs(val_losses, patience):
    """(epochs_run, best_epoch), both from 1, as ``labkit.EarlyStopping`` replays them."""
    best, best_epoch, waited = math.inf, 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best:  # strictly lower: an equal loss is not an improvement
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if waited == patience:
                return epoch, best_epoch
    return len(val_losses), best_epoch


def _falling(rng: np.random.Generator, epochs: int, start: float = 2.0) -> list[float]:
    """``epochs`` strictly falling losses from below ``start``, rounded to 3 decimals."""
    steps = np.round(rng.uniform(0.01, 0.2, size=epochs), 3)
    return np.round(start - np.cumsum(steps), 3).tolist()


def _worse(rng: np.random.Generator, best: float, epochs: int) -> list[float]:
    """``epochs`` losses above ``best``: none of them improves."""
    return np.round(best + rng.uniform(0.001, 0.3, size=epochs), 3).tolist()


def _early_stopping_inputs(rng: np.random.Generator) -> list[tuple]:
    """Six (val_losses, patience) runs covering the edge cases of the task."""
    runs = []
    # Stops: the best epoch, `patience` worse epochs, then a new best it must never see.
    patience = int(rng.integers(2, 5))
    losses = _falling(rng, int(rng.integers(2, 6)))
    best = losses[-1]
    runs.append((losses + _worse(rng, best, patience) + [best - 0.5], patience))
    # Never stops: the patience is larger than the whole run.
    losses = np.round(rng.uniform(0.2, 1.0, size=int(rng.integers(4, 9))), 3).tolist()
    runs.append((losses, len(losses) + int(rng.integers(1, 4))))
    # Equal losses: repeating the best loss is not an improvement, so the count goes on.
    patience = int(rng.integers(2, 4))
    losses = _falling(rng, int(rng.integers(1, 4)))
    best = losses[-1]
    runs.append((losses + [best] * patience + _falling(rng, 2, start=best), patience))
    # An improvement one epoch before running out of patience resets the count.
    patience = int(rng.integers(2, 5))
    losses = _falling(rng, int(rng.integers(1, 4)))
    best, new_best = losses[-1], losses[-1] - 0.05
    losses += _worse(rng, best, patience - 1) + [new_best] + _worse(rng, new_best, patience + 2)
    runs.append((losses, patience))
    # Patience 1: the first epoch without improvement stops training.
    losses = _falling(rng, int(rng.integers(2, 6)))
    runs.append((losses + _worse(rng, losses[-1], 3), 1))
    # The first epoch is the best one: training stops right after `patience` more epochs.
    patience = int(rng.integers(1, 4))
    runs.append(([0.5, *_worse(rng, 0.5, patience + 2)], patience))
    return runs


def _equal_improves(val_losses, patience):
    best, best_epoch, waited = math.inf, 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss <= best:  # counts an equal loss as an improvement
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if waited >= patience:
                return epoch, best_epoch
    return len(val_losses), best_epoch


def _arrays(*rows):
    return tuple(np.array(row, dtype=float) for row in rows)


EXERCISES = [
    Exercise(
        id="01.ex1",
        name="binary_cross_entropy",
        points=2,
        reference=binary_cross_entropy,
        examples=[
            Example((np.array([0.5]), np.array([1])), "-log(0.5) = log 2"),
            Example((np.array([0.5, 0.5]), np.array([1, 0])), "both samples cost log 2"),
            Example((np.array([0.99]), np.array([1])), "confident and right: a small loss"),
            Example((np.array([0.01]), np.array([1])), "confident and wrong: a large loss"),
            Example((np.array([0.9, 0.2]), np.array([1, 0])), "(-log 0.9 - log 0.8) / 2"),
        ],
        inputs=_cross_entropy_inputs,
        mistakes=[
            Mistake(
                _negated,
                "That is the negative of the loss: a loss is never negative. "
                "Put a minus sign in front of the logarithms.",
            ),
            Mistake(
                _summed,
                "That is the sum over the samples: return their mean instead "
                "(divide by the number of samples).",
            ),
            Mistake(_log10, "That is a base-10 logarithm: use the natural logarithm np.log."),
        ],
    ),
    Exercise(
        id="01.ex2",
        name="gradient_step",
        points=3,
        reference=gradient_step,
        examples=[
            Example(
                _arrays([[1], [2]], [3, 5], [0]) + (0.0, 0.1),
                "shown as [(new_w, new_b), w after the call]: dL/dw = -13 and dL/db = -8, "
                "so new w = 0 - 0.1 × -13, new b = 0 - 0.1 × -8, and w stays [0]",
            ),
            Example(
                _arrays([[1], [2]], [3, 5], [2]) + (1.0, 0.1),
                "the line y = 2x + 1 fits exactly: the gradient is 0, nothing moves",
            ),
            Example(
                _arrays([[1, 0], [0, 1]], [1, 2], [0, 0]) + (0.0, 0.5),
                "two inputs: dL/dw = [-1, -2] and dL/db = -3",
            ),
        ],
        inputs=_gradient_inputs,
        mistakes=[
            Mistake(
                _ascent, "You added the gradient: a descent step subtracts it (w - lr * grad)."
            ),
            Mistake(
                _no_factor_two, "The factor 2 from the square is missing from the derivatives."
            ),
            Mistake(
                _summed_gradient, "You summed over the samples: the loss is a mean, so divide by n."
            ),
            Mistake(
                _in_place,
                "You changed w in place (w -= ...): return a new array and leave w as it was.",
            ),
        ],
        # The answer, then w after the call, which must still be the w that was sent.
        expression="[gradient_step(*args), args[2]]",
    ),
    Exercise(
        id="01.ex3",
        name="early_stopping_epochs",
        points=2,
        reference=early_stopping_epochs,
        examples=[
            Example(
                ([1.0, 0.8, 0.9, 0.85, 0.95], 2),
                "best at epoch 2; epochs 3 and 4 do not improve, so it stops after epoch 4",
            ),
            Example(([3.0, 2.0, 1.0], 2), "it improves every epoch, so it never stops early"),
            Example(
                ([0.5, 0.6, 0.4, 0.45, 0.41, 0.42], 3),
                "the improvement at epoch 3 resets the count; epochs 4, 5, 6 do not improve",
            ),
            Example(([1.0, 1.0, 1.0, 1.0], 2), "an equal loss is not an improvement"),
            Example(([1.0, 0.9, 0.95, 0.5], 1), "with patience 1, one bad epoch stops training"),
        ],
        inputs=_early_stopping_inputs,
        mistakes=[Mistake(_equal_improves)],
    ),
]


EXPECTATIONS = [
    Expect("test_accuracy", smoke=0.90, default=0.95, baseline=0.624, baseline_is=BENIGN),
    Expect("rule_test_accuracy", smoke=0.85, default=0.85, baseline=0.624, baseline_is=BENIGN),
    # Early stopping must save real compute in the default run (smoke runs are too short).
    Expect(
        "epochs_saved",
        smoke=None,
        default=30,
        baseline=0,
        baseline_is="training all epochs without early stopping",
    ),
]
