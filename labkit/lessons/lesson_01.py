"""Lesson 01 (models, weights and loss): exercises and expected results.

- ``01.ex1``: ``binary_cross_entropy(p, y)`` with y all 0, all 1 or mixed (as integers or
  floats), one sample, and confident predictions both right and wrong.
- ``01.ex2``: ``gradient_step(X, y, w, b, lr)`` with one or several inputs, one sample,
  more inputs than samples, and weights that already fit. The query also reads ``w`` back
  after the call, because the task says not to change it in place.
- ``01.ex3``: ``early_stopping_epochs(val_losses, patience)`` on runs that stop, runs that
  never stop (patience larger than the run), equal losses, an improvement that resets the
  count just in time, and patience 1.
- ``01.ex4``: ``stable_learning_rates(X, y, rates, steps)``, an experiment: full-batch
  gradient descent from zero weights for each rate, keeping the rates whose final loss is
  finite and below the starting loss. Graded on one and several inputs, rates in increasing,
  decreasing and shuffled order, rates that all train and none that does, a centred input
  whose bias sets the edge, and a single step; every rate's final loss is at least 10 % away
  from the starting loss, so no way of summing the gradient lands on the other side.
- ``01.ex5``: ``curve_diagnoses``, a judgement: what to do next for four described
  training runs (too small and too large a learning rate, overfitting, a noise floor).
- ``01.ex6``: the quiz.
"""

from __future__ import annotations

import math

import numpy as np

from labkit.exercises.declare import BENIGN, Example, Exercise, Expect, Mistake
from labkit.exercises.questions import Question

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


# ---------------------------------------------------------------- 01.ex4: stable_learning_rates
def _final_losses(X, y, rates, steps, factor=2.0, divide=True, bias=True):
    """The mean squared error after ``steps`` full-batch steps from w = 0, b = 0, per rate;
    the keywords make the usual slips (no factor 2, a summed gradient, no bias)."""
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    n = len(y) if divide else 1
    losses = []
    for lr in rates:
        w, b = np.zeros(X.shape[1]), 0.0
        with np.errstate(over="ignore", invalid="ignore"):  # large rates overflow
            for _ in range(steps):
                error = X @ w + b - y
                w = w - lr * factor * (X.T @ error) / n
                b = b - lr * factor * float(error.sum()) / n if bias else 0.0
            losses.append(float(np.mean((X @ w + b - y) ** 2)))
    return losses


def stable_learning_rates(X, y, rates, steps):
    """The rates, in the given order, whose final loss is finite and below the start."""
    start = float(np.mean(np.asarray(y, dtype=float) ** 2))  # the loss of w = 0, b = 0
    losses = _final_losses(X, y, rates, steps)
    return [
        lr for lr, loss in zip(rates, losses, strict=True) if math.isfinite(loss) and loss < start
    ]


def _edge(X: np.ndarray, y: np.ndarray, steps: int) -> float:
    """The learning rate where training starts to diverge: 1 / (largest eigenvalue of
    [X 1]ᵀ[X 1] / n); for a single step, the rate above which that step raises the loss."""
    A = np.column_stack([X, np.ones(len(X))])
    if steps > 1:
        return float(1 / np.linalg.eigvalsh(A.T @ A / len(X)).max())
    g = -2 * A.T @ y / len(y)  # the gradient at w = 0, b = 0
    return float(g @ g / (g @ (A.T @ A / len(y)) @ g))


def _clear_of_the_start(X, y, rates, steps) -> bool:
    """True if every finite final loss is at least 10 % away from the starting loss."""
    start = float(np.mean(y**2))
    finite = [loss for loss in _final_losses(X, y, rates, steps) if math.isfinite(loss)]
    return all(abs(loss - start) > 0.1 * start for loss in finite)


def _rate_inputs(rng: np.random.Generator) -> list[tuple]:
    """Six (X, y, rates, steps) inputs covering the edge cases of the task."""

    def weights(d: int) -> np.ndarray:  # |w| from 1 to 3: a clear signal above the noise
        return rng.choice([-1.0, 1.0], size=d) * rng.uniform(1, 3, size=d)

    def case(X, y, factors, steps, order="up"):
        """Rates at ``factors()`` times the edge, 3 significant digits, none near the edge."""
        for _ in range(100):
            rates = [float(f"{r:.3g}") for r in _edge(X, y, steps) * factors()]
            if order == "shuffled":
                rates = [rates[i] for i in rng.permutation(len(rates))]
            else:
                rates = sorted(rates, reverse=order == "down")
            if len(set(rates)) == len(rates) and _clear_of_the_start(X, y, rates, steps):
                return X, y, rates, steps
        raise RuntimeError("no learning rates clear of the edge")  # never seen

    inputs = []
    # One input, as the toy line: rates from far below to far above the edge.
    n = int(rng.integers(20, 60))
    x = np.round(rng.uniform(-2, 2, size=n) * rng.uniform(0.5, 3), 3)
    y = np.round(weights(1)[0] * x + rng.normal(0, 2) + rng.normal(0, 0.5, size=n), 3)
    inputs.append(
        case(
            x[:, None],
            y,
            lambda: np.concatenate(
                [rng.uniform(0.02, 0.2, 2), rng.uniform(0.4, 0.85, 2), rng.uniform(1.15, 1.5, 2)]
                + [rng.uniform(2, 4, 1)]
            ),
            int(rng.integers(30, 80)),
        )
    )
    # Three inputs of different sizes and centres, the rates in a shuffled order.
    n = int(rng.integers(30, 80))
    X = np.round(rng.normal(rng.uniform(-3, 3, 3), rng.uniform(0.3, 5, 3), size=(n, 3)), 3)
    y = np.round(X @ weights(3) + rng.normal(0, 3) + rng.normal(0, 0.5, n), 3)
    factors = lambda: np.concatenate([rng.uniform(0.05, 0.9, 4), rng.uniform(1.1, 3, 3)])  # noqa: E731
    inputs.append(case(X, y, factors, int(rng.integers(40, 100)), order="shuffled"))
    # Every rate trains (the largest first); then none does.
    n = int(rng.integers(10, 40))
    X = np.round(rng.normal(0, rng.uniform(0.5, 3), size=(n, 2)), 3)
    y = np.round(X @ weights(2) + rng.normal(0, 0.3, n), 3)
    inputs.append(case(X, y, lambda: rng.uniform(0.05, 0.85, 5), int(rng.integers(20, 60)), "down"))
    n = int(rng.integers(10, 40))
    X = np.round(rng.normal(1, rng.uniform(0.5, 3), size=(n, 2)), 3)
    y = np.round(X @ weights(2) + rng.normal(0, 0.3, n), 3)
    inputs.append(case(X, y, lambda: rng.uniform(1.3, 4, 4), int(rng.integers(30, 60))))
    # A centred input of small spread and a target far from 0: the bias sets the edge, so
    # forgetting it lets rates through that diverge.
    n = int(rng.integers(20, 50))
    x = rng.normal(0, rng.uniform(0.1, 0.4), size=n)
    x = np.round(x - x.mean(), 4)
    y = np.round(rng.uniform(3, 8) + rng.normal(1, 0.5) * x + rng.normal(0, 0.2, n), 3)
    factors = lambda: np.concatenate(  # noqa: E731
        [rng.uniform(0.1, 0.8, 2), rng.uniform(1.3, 1.9, 1), rng.uniform(2.5, 5, 2)]
    )
    inputs.append(case(x[:, None], y, factors, int(rng.integers(30, 60)), "shuffled"))
    # A single step.
    n = int(rng.integers(5, 20))
    X = np.round(rng.normal(0, 1, size=(n, 2)), 3)
    y = np.round(X @ weights(2) + rng.normal(0, 0.3, n), 3)
    factors = lambda: np.concatenate([rng.uniform(0.05, 0.5, 2), rng.uniform(1.5, 3, 2)])  # noqa: E731
    inputs.append(case(X, y, factors, 1))
    return inputs


def _kept(X, y, rates, steps, **slip):
    start = float(np.mean(np.asarray(y, dtype=float) ** 2))
    losses = _final_losses(X, y, rates, steps, **slip)
    return [
        lr for lr, loss in zip(rates, losses, strict=True) if math.isfinite(loss) and loss < start
    ]


def _finite_only(X, y, rates, steps):
    losses = _final_losses(X, y, rates, steps)
    return [lr for lr, loss in zip(rates, losses, strict=True) if math.isfinite(loss)]


def _half_steps(X, y, rates, steps):
    return _kept(X, y, rates, steps, factor=1.0)


def _summed_steps(X, y, rates, steps):
    return _kept(X, y, rates, steps, divide=False)


def _no_bias(X, y, rates, steps):
    return _kept(X, y, rates, steps, bias=False)


def _sorted_rates(X, y, rates, steps):
    return sorted(stable_learning_rates(X, y, rates, steps))


def _true_or_false(X, y, rates, steps):
    kept = stable_learning_rates(X, y, rates, steps)
    return [lr in kept for lr in rates]


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
    Exercise(
        id="01.ex4",
        name="stable_learning_rates",
        points=3,
        reference=stable_learning_rates,
        examples=[
            Example(
                _arrays([[0], [1], [2]], [1, 3, 5]) + ([0.01, 0.1, 0.3, 0.5, 0.7, 1.0], 20),
                "the line y = 2x + 1: from 0.5 on, every step overshoots and the loss grows",
            ),
            Example(
                _arrays([[0], [1], [2]], [1, 3, 5]) + ([0.5, 0.2, 1.0, 0.05], 20),
                "the rates that train, in the order they were given",
            ),
            Example(
                _arrays([[1, 100], [2, 300], [3, 200]], [1, 2, 3]) + ([1e-6, 1e-5, 1e-4, 0.01], 50),
                "a column in the hundreds: only tiny learning rates train",
            ),
            Example(
                _arrays([[0], [1], [2]], [1, 3, 5]) + ([2.0, 5.0], 10),
                "no rate trains: an empty list",
            ),
        ],
        inputs=_rate_inputs,
        mistakes=[
            Mistake(
                _finite_only,
                "A run whose loss is still a finite number may have diverged all the same: "
                "keep only the rates whose final loss is also below the starting loss, the "
                "mean of y².",
            ),
            Mistake(
                _half_steps,
                "The factor 2 from the square is missing from the derivatives, so every step "
                "is half as long and some diverging rates look fine.",
            ),
            Mistake(
                _summed_steps,
                "You summed the gradient over the samples: the loss is a mean, so divide by n.",
            ),
            Mistake(
                _no_bias,
                "The bias b must learn too: start it at 0 and step it with its own "
                "derivative, as in exercise 01.ex2.",
            ),
            Mistake(_sorted_rates, "Return the rates in the order they were given, not sorted."),
            Mistake(
                _true_or_false,
                "Return the learning rates themselves (a list of numbers), not True or False "
                "for each one.",
            ),
        ],
    ),
    Exercise(
        id="01.ex5",
        name="curve_diagnoses",
        points=2,
        kind="questions",
        questions=[
            Question(
                "c",
                choices="abcd",
                hint="Section 7: which learning rate left the loss far from its floor after "
                "all the epochs, and what would make it go further?",
            ),
            Question(
                "b",
                choices="abcd",
                hint="Section 7: what does a loss that grows epoch after epoch say about the "
                "size of each step?",
            ),
            Question(
                "d",
                choices="abcd",
                hint="Section 8: which part of the data may choose the epoch, and which "
                "weights does early stopping put back?",
            ),
            Question(
                "a",
                choices="abcd",
                hint="Section 3: why was the loss of the true weights not 0 on the toy line?",
            ),
        ],
    ),
    Exercise(
        id="01.ex6",
        name="quiz",
        points=4,
        kind="questions",
        questions=[
            Question(
                266,
                hint="Section 2 counts them for the 16-unit network: per layer, "
                "inputs × outputs weights plus one bias per output.",
            ),
            Question(160, hint="Steps per epoch first (a last, smaller batch is a step too)."),
            Question(
                0.40,
                decimals=2,
                hint="Section 4's two derivatives at the start, one step for w and for b, "
                "then the mean squared error of the new line on both points.",
            ),
            Question(
                0.86,
                decimals=2,
                hint="Section 8: −log of the probability of the correct class, averaged over "
                "the patients; np.log is the natural logarithm.",
            ),
            Question(
                "c",
                choices="abcd",
                hint="Section 5: what does backward() do to a .grad that already holds numbers?",
            ),
            Question("a", choices="abcd", hint="Section 8: what chose the early-stopped epoch?"),
            Question(
                "d",
                choices="abcd",
                hint="Section 9: how much does one patient move an accuracy measured on 85?",
            ),
            Question(
                "b",
                choices="abcd",
                hint="Section 2: during inference, what changes and what stays fixed?",
            ),
            Question(
                "b",
                choices="abcd",
                hint="Section 6: count the steps of one epoch for each batch size.",
            ),
        ],
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
