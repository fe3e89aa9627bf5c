"""Graded checks for lesson 01 (models, weights and loss).

- ``01.ex1``: ``binary_cross_entropy(p, y)`` with y all 0, all 1 or mixed (as integers or
  floats), one sample, and confident predictions both right and wrong.
- ``01.ex2``: ``gradient_step(X, y, w, b, lr)`` with one or several inputs, one sample,
  more inputs than samples, and weights that already fit. The query also reads ``w`` back
  after the call, because the task says not to change it in place.
- ``01.ex3``: ``early_stopping_epochs(val_losses, patience)`` on runs that stop, runs that
  never stop (patience larger than the run), equal losses, an improvement that resets the
  count just in time, and patience 1.

The public checks (``labkit/exercises/lesson_01.py``) use small fixed examples; these draw
other inputs from ``rng``, a generator seeded by the course secret and the student.
"""

from __future__ import annotations

import math

import numpy as np

from labkit.grading.exercise import Case, GradedExercise

__all__ = ["EXERCISES"]


# ---------------------------------------------------------------- 01.ex1: binary_cross_entropy
def _cross_entropy(p: np.ndarray, y: np.ndarray) -> float:
    """Mean over the samples of -log p (where y = 1) and -log(1 - p) (where y = 0)."""
    losses = []
    for p_i, y_i in zip(p, y, strict=True):
        losses.append(-math.log(p_i) if y_i == 1 else -math.log(1 - p_i))
    return sum(losses) / len(losses)


def _probabilities(rng: np.random.Generator, size: int, low: float = 0.01) -> np.ndarray:
    """``size`` probabilities in [low, 1 - low], rounded to 4 decimals: strictly inside (0, 1)."""
    return np.round(rng.uniform(low, 1 - low, size=size), 4)


def _cross_entropy_cases(rng: np.random.Generator) -> list[Case]:
    """Six (p, y) pairs of 1-D arrays covering the edge cases of the task.

    Parameters
    ----------
    rng : np.random.Generator
        Seeded from the course secret, the student and the exercise.

    Returns
    -------
    list of Case
    """
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
    pairs = [mixed, all_ones, all_zeros, one_sample, confident, float_labels]
    return [Case(args=pair, expected=_cross_entropy(*pair)) for pair in pairs]


# ---------------------------------------------------------------- 01.ex2: gradient_step
def _gradient_step(
    X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, lr: float
) -> tuple[np.ndarray, float]:
    """One gradient-descent step on the mean squared error of y_hat = X w + b."""
    n = len(y)
    error = X @ w + b - y
    grad_w = 2 / n * (X.T @ error)
    grad_b = 2 / n * float(error.sum())
    return w - lr * grad_w, b - lr * grad_b


def _gradient_cases(rng: np.random.Generator) -> list[Case]:
    """Five (X, y, w, b, lr) inputs: d = 1, several inputs, n = 1, d > n, an exact fit.

    Parameters
    ----------
    rng : np.random.Generator
        Seeded from the course secret, the student and the exercise.

    Returns
    -------
    list of Case
    """

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
    cases = []
    for X, y, w, b, lr in inputs:
        # The query returns [gradient_step(*args), args[2]]: the answer, then w after the
        # call, which must still be the w that was sent.
        expected = [_gradient_step(X, y, w, b, lr), w.copy()]
        cases.append(Case(args=(X, y, w, b, lr), expected=expected))
    return cases


# ---------------------------------------------------------------- 01.ex3: early_stopping_epochs
def _early_stopping(val_losses: list[float], patience: int) -> tuple[int, int]:
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


def _early_stopping_cases(rng: np.random.Generator) -> list[Case]:
    """Six (val_losses, patience) runs covering the edge cases of the task.

    Parameters
    ----------
    rng : np.random.Generator
        Seeded from the course secret, the student and the exercise.

    Returns
    -------
    list of Case
    """
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
    losses = _worse(rng, 0.5, patience + 2)
    runs.append(([0.5, *losses], patience))
    return [Case(args=run, expected=_early_stopping(*run)) for run in runs]


EXERCISES: list[GradedExercise] = [
    GradedExercise(id="01.ex1", name="binary_cross_entropy", points=2, cases=_cross_entropy_cases),
    GradedExercise(
        id="01.ex2",
        name="gradient_step",
        points=3,
        cases=_gradient_cases,
        expression="[gradient_step(*args), args[2]]",
    ),
    GradedExercise(
        id="01.ex3", name="early_stopping_epochs", points=2, cases=_early_stopping_cases
    ),
]
