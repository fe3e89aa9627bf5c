"""Lesson 14's model exercise scored as a language model: validation text, causality, nats.

The learner's character model reads a batch of :data:`ROWS` windows of :data:`WINDOW`
character numbers (int64, the numbers of :class:`labkit.text.CharVocab` over the whole
tinyshakespeare text) and returns a score for each of the :data:`VOCAB` characters at every
position: its prediction of the *next* character. The grader runs the exported graph on
windows of the validation part (the last 10 %, :func:`labkit.text.split_text`) that it
picks for each student, and scores the outputs here:

1. **causality**: the last :data:`PROBES` rows are copies of the first ones, changed after a
   position drawn in each eighth of the window. A model that predicts from characters it is
   meant to predict (a look ahead) gives different predictions up to that position, and
   scores nothing;
2. **loss**: the mean cross-entropy, in nats per character, of the first :data:`SCORED`
   rows' predictions against the characters that follow, as
   :func:`labkit.text.sequence_cross_entropy` computes it.

>>> inputs, targets, cuts = graded_windows(np.random.default_rng(0))
>>> inputs.shape, inputs.dtype.name, targets.shape, len(cuts)
((48, 128), 'int64', (40, 128), 8)
>>> uniform = np.zeros((48, 128, 65), dtype=np.float32)  # the same score for every character
>>> round(graded_loss(uniform, targets, cuts), 4)  # ln 65
4.1744
"""

from __future__ import annotations

import functools
import math

import numpy as np

__all__ = [
    "WINDOW",
    "SCORED",
    "PROBES",
    "ROWS",
    "VOCAB",
    "MAX_CHAR_MODEL_NUMBERS",
    "MAX_CHAR_MODEL_LOSS",
    "validation_ids",
    "graded_windows",
    "look_ahead",
    "mean_cross_entropy",
    "graded_loss",
]

WINDOW = 128  # characters per window: the model predicts the next one at each position
SCORED = 40  # windows whose 40 x 128 = 5 120 predictions are scored
PROBES = 8  # rows that test causality (copies of scored rows, changed after a position)
ROWS = SCORED + PROBES
VOCAB = 65  # the characters of tinyshakespeare
# 14.ex3: at most 30 000 numbers and 2.0 nats per character. The lesson's reference (an
# LSTM of 64 units, 26 257 numbers, 1 500 steps, about 10 s on one core) scores 1.81-1.83 on
# the whole validation text (training seeds 0-2), and 1.72-1.96 on 200 draws of these windows
# for each seed (mean 1.81-1.83); the bigram table (4 225 numbers) 2.43-2.54 on the same draws,
# and the frequencies of the characters alone about 3.35.
MAX_CHAR_MODEL_NUMBERS = 30_000
MAX_CHAR_MODEL_LOSS = 2.0
CAUSAL_TOLERANCE = 1e-3  # on log-probabilities: far above float rounding, far below a peek


@functools.cache
def validation_ids() -> np.ndarray:
    """The validation part of tinyshakespeare (its last 10 %) as character numbers."""
    from labkit.datasets import load_corpus
    from labkit.text import CharVocab, split_text

    text = load_corpus("tinyshakespeare")
    _, val = split_text(text)
    return CharVocab(text).encode(val).numpy()


def graded_windows(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """``(inputs, targets, cuts)``: :data:`ROWS` windows of the validation text as
    ``(ROWS, WINDOW)`` int64, the next characters of the first :data:`SCORED` as
    ``(SCORED, WINDOW)``, and for each probe row the last position it shares with its
    scored row (one cut drawn in each eighth of the window).

    >>> inputs, targets, cuts = graded_windows(np.random.default_rng(1))
    >>> bool((inputs[:40, 1:] == targets[:, :-1]).all())  # targets: inputs moved one on
    True
    >>> all((inputs[40 + k, : c + 1] == inputs[k, : c + 1]).all() for k, c in enumerate(cuts))
    True
    >>> all(inputs[40 + k, c + 1] != inputs[k, c + 1] for k, c in enumerate(cuts))
    True
    """
    ids = validation_ids()
    starts = rng.integers(0, len(ids) - WINDOW, size=SCORED)
    positions = starts[:, None] + np.arange(WINDOW)
    scored, targets = ids[positions], ids[positions + 1]
    probes, cuts = scored[:PROBES].copy(), []
    edges = np.linspace(0, WINDOW - 1, PROBES + 1).astype(int)
    for k in range(PROBES):
        cut = int(rng.integers(edges[k], edges[k + 1]))  # shares positions 0..cut
        other = ids[int(rng.integers(0, len(ids) - WINDOW)) :][: WINDOW - cut - 1]
        probes[k, cut + 1 :] = other
        if probes[k, cut + 1] == scored[k, cut + 1]:  # the next character must differ
            probes[k, cut + 1] = (probes[k, cut + 1] + 1) % VOCAB
        cuts.append(cut)
    return np.concatenate([scored, probes]).astype(np.int64), targets.astype(np.int64), cuts


def _log_probs(outputs: np.ndarray) -> np.ndarray:
    """Log-softmax over the last axis, in float64."""
    scores = outputs.astype(np.float64)
    scores = scores - scores.max(-1, keepdims=True)
    return scores - np.log(np.exp(scores).sum(-1, keepdims=True))


def look_ahead(outputs: np.ndarray, cuts: list[int]) -> float:
    """The largest change of a log-probability, at positions up to each cut, between a
    scored row and its probe: 0 for a causal model (float rounding aside)."""
    log_probs = _log_probs(np.asarray(outputs))
    changes = [
        np.abs(log_probs[SCORED + k, : cut + 1] - log_probs[k, : cut + 1]).max()
        for k, cut in enumerate(cuts)
    ]
    return float(max(changes))


def mean_cross_entropy(outputs: np.ndarray, targets: np.ndarray) -> float:
    """Mean cross-entropy (nats) of scores ``(n, T, VOCAB)`` against next characters ``(n, T)``."""
    log_probs = _log_probs(np.asarray(outputs))
    picked = np.take_along_axis(log_probs, np.asarray(targets)[..., None], -1)
    return float(-picked.mean())


def graded_loss(outputs: object, targets: object, cuts: object) -> float:
    """The scored rows' mean cross-entropy in nats per character, or ``inf`` for outputs
    the grader cannot trust: not finite scores of shape ``(ROWS, WINDOW, VOCAB)``, or a
    model that looks ahead.

    >>> graded_loss("junk", np.zeros((40, 128), dtype=np.int64), [0] * 8)
    inf
    """
    try:
        array = np.asarray(outputs, dtype=np.float32)
        targets = np.asarray(targets, dtype=np.int64)
        cuts = [int(c) for c in np.asarray(cuts).ravel()]
    except (TypeError, ValueError, OverflowError):
        return math.inf
    if (
        array.shape != (ROWS, WINDOW, VOCAB)
        or not np.isfinite(array).all()
        or targets.shape != (SCORED, WINDOW)
        or len(cuts) != PROBES
        or not all(0 <= c < WINDOW - 1 for c in cuts)
        or not ((targets >= 0) & (targets < VOCAB)).all()
    ):
        return math.inf
    with np.errstate(over="ignore", invalid="ignore"):
        if not look_ahead(array, cuts) <= CAUSAL_TOLERANCE:
            return math.inf
        loss = mean_cross_entropy(array[:SCORED], targets)
    return loss if math.isfinite(loss) else math.inf
