"""The public checks of exercises that are not a function: a value, a trained model.

A function exercise is checked from its declaration (examples, reference, mistakes); these
exercises need a check of their own, named in the declaration
(``public_check=custom_checks.digits_model``). Each takes the learner's answer and raises
:class:`~labkit.selfcheck.CheckFailed` with a message that says what to change. None holds
a solution, so they ship in the student kit.
"""

from __future__ import annotations

import numpy as np

from labkit.device import choose_device, read_capabilities
from labkit.selfcheck import CheckFailed, expect

__all__ = [
    "device_string",
    "digits_model",
    "digits_cnn",
    "deep_plain_model",
    "small_detector",
    "small_char_model",
    "noisy_digits",
    "run_as_graded",
    "run_on_noisy_digits",
    "noisy_digit_cases",
    "graded_accuracy",
    "MAX_PARAMETERS",
    "MIN_ACCURACY",
    "MAX_CNN_NUMBERS",
    "MIN_CNN_ACCURACY",
]

MAX_PARAMETERS = 3000  # 06.ex3: the network must be small (every number it holds counts)
MIN_ACCURACY = 0.9  # 06.ex3: and still right for 9 digits in 10
# 07.ex4: a CNN in a budget where a fully connected network has at most 3 hidden units
# (64 * 3 + 3 + 3 * 10 + 10 = 235 numbers; the best we trained stayed below 89 %), and still
# right for 92 % (one conv layer of four 5 x 5 kernels, 274 numbers, scores about 96 %).
MAX_CNN_NUMBERS = 300
MIN_CNN_ACCURACY = 0.92
MIN_DEEP_ACCURACY = 0.85  # 08.ex4: right for at least 85 % of the noisy test digits
MIN_DEEP_NUMBERS = 80_000  # 08.ex4: about the size of 20 hidden layers of 64 units
MIN_DEEP_LINEAR = 22  # 08.ex4: 20 hidden linear layers, the first and the last
# 08.ex4: what a plain network may hold (nothing that can add a layer's input to its output)
PLAIN_LAYERS = ("Linear", "BatchNorm1d", "ReLU", "Dropout", "Flatten", "Identity", "Sequential")


# ---------------------------------------------------------------- 00.ex1: MY_DEVICE
def device_string(answer: object) -> None:
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


# ---------------------------------------------------------------- 06.ex3: digits_model
def noisy_digits(rng: np.random.Generator, per_digit: int) -> tuple[np.ndarray, np.ndarray]:
    """``per_digit`` images of each digit (none twice, shuffled), as float32 of shape
    ``(10 * per_digit, 64)`` in 0..1: ink divided by 16, scaled by 0.9-1.1 per image, plus
    Gaussian noise of 0.04, clipped to 0..1. Also their labels.

    The images come from the digits' fixed test part (``load("digits", split="test")``,
    359 images, at least 35 of each digit), which the exercises tell learners never to
    train on; drawn from ``rng``, the noise makes every image new besides.

    >>> images, labels = noisy_digits(np.random.default_rng(0), 3)
    >>> images.shape, images.dtype.name, np.bincount(labels).tolist()
    ((30, 64), 'float32', [3, 3, 3, 3, 3, 3, 3, 3, 3, 3])
    """
    from labkit.datasets import load

    digits = load("digits", split="test")
    by_digit = [
        rng.choice(np.flatnonzero(digits.y == d), size=per_digit, replace=False) for d in range(10)
    ]
    rows = rng.permutation(np.concatenate(by_digit))
    gain = rng.uniform(0.9, 1.1, size=(len(rows), 1))
    images = digits.X[rows] / 16 * gain + rng.normal(0.0, 0.04, size=(len(rows), 64))
    return np.clip(images, 0.0, 1.0).astype(np.float32), digits.y[rows]


def noisy_digit_cases(rng: np.random.Generator, shape: tuple[int, ...] = (64,)) -> list:
    """A model exercise's one graded case: 300 noisy test-part digits (30 of each, see
    :func:`noisy_digits`) shaped ``(300, *shape)``; the labels stay with the grader."""
    from labkit.exercises.declare import Case

    images, labels = noisy_digits(rng, 30)
    return [Case(args=(images.reshape(-1, *shape),), expected=labels.tolist())]


def graded_accuracy(got: object, labels: object) -> tuple[float, int]:
    """A model judge's ``(outputs, numbers)`` read as ``(accuracy, numbers)``: accuracy 0.0
    for outputs that are not finite scores of shape ``(len(labels), 10)`` or junk.

    >>> graded_accuracy((np.eye(10)[[1, 2, 3, 0]], 2410), [1, 2, 3, 3])
    (0.75, 2410)
    >>> graded_accuracy(("junk", 5), [1])
    (0.0, 0)
    """
    try:
        outputs, numbers = got  # type: ignore[misc]
        outputs = np.asarray(outputs, dtype=float)
        if outputs.shape != (len(labels), 10) or not np.isfinite(outputs).all():  # type: ignore[arg-type]
            return 0.0, int(numbers)
        right = np.argmax(outputs, axis=1) == np.asarray(labels)
        return float(right.mean()), int(numbers)
    except (TypeError, ValueError):
        return 0.0, 0


def run_as_graded(model: object, images: np.ndarray, shape_hint: str) -> tuple[np.ndarray, int]:
    """Export ``model`` and run the exported graph on ``images`` as the grader does:
    ``(outputs, numbers the model holds)``. The model is exported on zeros of the shape and
    type of ``images`` (float32 images, int64 character numbers).

    Raises CheckFailed, with ``shape_hint`` (what input the model must take), if ``model``
    is not a PyTorch model or cannot be exported or run.
    """
    import torch
    from torch import nn

    from labkit.exercises.model_graph import ModelFileError, export_model, run_model_file

    expect(
        isinstance(model, nn.Module),
        f"expected a PyTorch model (an nn.Module such as nn.Sequential), got "
        f"{type(model).__name__}.",
    )
    try:
        [outputs], numbers = run_model_file(
            export_model(model, torch.zeros(images.shape, dtype=torch.as_tensor(images).dtype)),
            [images],
        )
    except ModelFileError as error:
        reason = str(error).rstrip(".")
        raise CheckFailed(f"The grader could not run your model: {reason}. {shape_hint}") from None
    return outputs, numbers


def run_on_noisy_digits(
    model: object, seed: int, shape_hint: str
) -> tuple[np.ndarray, np.ndarray, int]:
    """:func:`run_as_graded` on 300 noisy test-part digits drawn with ``seed``:
    ``(outputs, labels, numbers the model holds)``; fails unless the outputs are 10 scores
    per image.
    """
    images, labels = noisy_digits(np.random.default_rng(seed), 30)
    outputs, numbers = run_as_graded(model, images, shape_hint)
    expect(
        outputs.shape == (len(images), 10),
        f"For {len(images)} images the model should return {len(images)} rows of 10 scores "
        f"(one per digit), got an output of shape {outputs.shape}.",
    )
    return outputs, labels, numbers


def _accuracy_at_least(
    outputs: np.ndarray,
    labels: np.ndarray,
    least: float,
    advice: str,
    at_chance: str = "is it trained?",
) -> None:
    """Fail unless the outputs' highest scores are right for ``least`` of the images."""
    accuracy = float((outputs.argmax(1) == labels).mean())
    hint = f" (about chance: {at_chance})" if accuracy < 0.2 else ""
    expect(
        accuracy >= least,
        f"The model is right for {accuracy:.1%} of {len(labels)} noisy test digits{hint}; at "
        f"least {least:.0%} is needed. {advice}",
    )


def digits_model(digits_model: object) -> None:
    """06.ex3: a trained ``digits_model`` with at most 3 000 numbers, ≥ 90 % right.

    Judged as the grader judges it: exported with torch.export and the exported graph run
    here (:mod:`labkit.exercises.model_graph`), on a fixed set of 300 noisy images.
    """
    outputs, labels, numbers = run_on_noisy_digits(
        digits_model,
        6,
        "It must take a float32 tensor of shape (n, 64), the flattened images.",
    )
    expect(numbers > 0, "The model holds no numbers: it cannot have learned anything.")
    expect(
        numbers <= MAX_PARAMETERS,
        f"The model holds {numbers} numbers (parameters, buffers and constants); at "
        f"most {MAX_PARAMETERS} are allowed. Use fewer hidden units (count them with your "
        "count_parameters from 06.ex1).",
    )
    _accuracy_at_least(
        outputs,
        labels,
        MIN_ACCURACY,
        "Train it on inputs divided by 16, as in the lesson, longer or with another learning rate.",
    )


# ---------------------------------------------------------------- 08.ex4: deep_plain_model
def deep_plain_model(deep_plain_model: object) -> None:
    """08.ex4: a trained plain ``nn.Sequential`` of ≥ 22 linear layers, ≥ 85 % right.

    Plain: only linear, batch-norm, ReLU, dropout, flatten and identity layers, inside
    ``nn.Sequential`` containers, so that nothing can add a layer's input to its output.
    Scored as the grader scores it, on 300 fixed noisy images of the test part.
    """
    from torch import nn

    expect(
        isinstance(deep_plain_model, nn.Sequential),
        f"expected a plain network built as an nn.Sequential (such as make_net(DEPTH, ...) "
        f"gives), got {type(deep_plain_model).__name__}.",
    )
    kinds = {type(m).__name__ for m in deep_plain_model.modules()}
    others = sorted(kinds - set(PLAIN_LAYERS))
    expect(
        not others,
        f"A plain network holds only {', '.join(PLAIN_LAYERS)} layers; yours also holds "
        f"{', '.join(others)}. A skip connection (Residual) is not allowed in this exercise.",
    )
    linear = sum(isinstance(m, nn.Linear) for m in deep_plain_model.modules())
    expect(
        linear >= MIN_DEEP_LINEAR,
        f"The network has {linear} nn.Linear layers; at least {MIN_DEEP_LINEAR} are needed "
        "(20 hidden layers between the first and the last one): keep it deep.",
    )
    outputs, labels, numbers = run_on_noisy_digits(
        deep_plain_model, 8, "It must take a float32 tensor of shape (n, 64), the flattened images."
    )
    expect(
        numbers >= MIN_DEEP_NUMBERS,
        f"The model holds {numbers} numbers; the graded one must hold at least "
        f"{MIN_DEEP_NUMBERS} (hidden layers of WIDTH = 64 units, as in the lesson).",
    )
    _accuracy_at_least(
        outputs,
        labels,
        MIN_DEEP_ACCURACY,
        "Sections 7 and 8 show which change makes a deep plain network learn.",
        at_chance="does its initialisation let the signal through?",
    )


# ---------------------------------------------------------------- 07.ex4: digits_cnn
def digits_cnn(digits_cnn: object) -> None:
    """07.ex4: a trained ``digits_cnn`` on (n, 1, 8, 8) images, with at most 300 numbers,
    at least 92 % right.

    Scored as the grader scores it, on 300 fixed noisy images of the test part: the
    flattened images are unflattened to (n, 1, 8, 8) in front of the model (a reshape that
    holds no numbers), then exported and run like :func:`digits_model`.
    """
    from torch import nn

    model = digits_cnn
    if isinstance(digits_cnn, nn.Module):  # anything else: the runner says what it got
        model = nn.Sequential(nn.Unflatten(1, (1, 8, 8)), digits_cnn)
    outputs, labels, numbers = run_on_noisy_digits(
        model,
        7,
        "It must take a float32 tensor of shape (n, 1, 8, 8): images with one channel of "
        "8 x 8 pixels, as X_fixed.",
    )
    expect(numbers > 0, "The model holds no numbers: it cannot have learned anything.")
    expect(
        numbers <= MAX_CNN_NUMBERS,
        f"The model holds {numbers} numbers (parameters, buffers and constants); at most "
        f"{MAX_CNN_NUMBERS} are allowed. Kernels are cheap, a linear layer on large maps is "
        "not: pool the maps smaller before the linear layer, or use fewer kernels.",
    )
    _accuracy_at_least(
        outputs,
        labels,
        MIN_CNN_ACCURACY,
        "Train it on the images divided by 16, longer or with another learning rate; or "
        "spend the numbers differently (more kernels, a smaller linear layer).",
    )


# ---------------------------------------------------------------- 10.ex5: small_detector
PUBLIC_SCENES_SEED = 1  # the graded scenes use other seeds (see lesson 10's declaration)


def small_detector(small_detector: object) -> None:
    """10.ex5: a trained detector with at most 25 000 numbers that answers the lesson's 768
    anchors (``(n, 3, 64, 64)`` in, ``(n, 768, 9)`` out, like ``TinySSD``) and reaches
    mAP@0.5 of 0.70 on 60 new test scenes.

    Exported and run as the grader runs it; the outputs are decoded, suppressed and scored
    by :mod:`labkit.exercises.detection_judge`, on 60 fixed scenes of the test split drawn
    with another seed than the lesson's.
    """
    from labkit.datasets import load_scenes
    from labkit.exercises import detection_judge as judge

    scenes = load_scenes("test", n=judge.GRADED_SCENES, seed=PUBLIC_SCENES_SEED)
    images = scenes.tensors().numpy()
    outputs, numbers = run_as_graded(
        small_detector,
        images,
        "It must take a float32 tensor of shape (n, 3, 64, 64), images as X.",
    )
    wanted = (len(images), judge.N_ANCHORS, judge.N_CLASSES + 5)
    expect(
        outputs.shape == wanted,
        f"For {len(images)} scenes the model should return shape {wanted}: per anchor, in the "
        f"order of ANCHORS, 5 class scores and 4 offsets (as TinySSD); got {outputs.shape}.",
    )
    expect(
        0 < numbers <= judge.MAX_DETECTOR_NUMBERS,
        f"The model holds {numbers:,} numbers (parameters, buffers and constants); at most "
        f"{judge.MAX_DETECTOR_NUMBERS:,} are allowed. Count them before you train: which "
        "layers hold most of TinySSD's?",
    )
    found = judge.graded_map50(outputs, scenes.boxes, scenes.labels)
    expect(
        found >= judge.MIN_DETECTOR_MAP50,
        f"mAP@0.5 on {len(images)} new test scenes: {found:.3f}, with {numbers:,} numbers; at "
        f"least {judge.MIN_DETECTOR_MAP50:.2f} is needed. Is it trained long enough for its "
        "size? Watch its validation loss, and train on the 1000 training scenes.",
    )


# ---------------------------------------------------------------- 14.ex3: small_char_model
PUBLIC_WINDOWS_SEED = 14  # the graded windows are drawn from each student's own generator


def small_char_model(small_char_model: object) -> None:
    """14.ex3: a trained character model with at most 30 000 numbers that takes ``(n, 128)``
    character numbers (int64) and returns ``(n, 128, 65)`` scores of the next character,
    never looks ahead, and reaches 2.0 nats per character on the validation text.

    Exported and run as the grader runs it, on 48 fixed windows of the validation text
    (:func:`labkit.exercises.charlm_judge.graded_windows`): 40 scored, 8 that test that no
    prediction depends on a later character.
    """
    from labkit.exercises import charlm_judge as judge

    inputs, targets, cuts = judge.graded_windows(np.random.default_rng(PUBLIC_WINDOWS_SEED))
    outputs, numbers = run_as_graded(
        small_char_model,
        inputs,
        "It must take an int64 tensor of shape (n, 128), character numbers as X, and return "
        "scores of shape (n, 128, 65).",
    )
    wanted = (judge.ROWS, judge.WINDOW, judge.VOCAB)
    expect(
        outputs.shape == wanted,
        f"For {judge.ROWS} windows of {judge.WINDOW} characters the model should return shape "
        f"{wanted}: at every position a score for each of the {judge.VOCAB} characters; got "
        f"{outputs.shape}.",
    )
    expect(bool(np.isfinite(outputs).all()), "The model's scores hold inf or nan values.")
    expect(
        0 < numbers <= judge.MAX_CHAR_MODEL_NUMBERS,
        f"The model holds {numbers:,} numbers (parameters, buffers and constants); at most "
        f"{judge.MAX_CHAR_MODEL_NUMBERS:,} are allowed. The embedding, the recurrent layer "
        "and the output layer all count: which one grows fastest with the hidden size?",
    )
    peek = judge.look_ahead(outputs, cuts)
    expect(
        peek <= judge.CAUSAL_TOLERANCE,
        f"The model's prediction at some position changes (by {peek:.2g} in log-probability) "
        "when a LATER character changes: it looks ahead at the characters it must predict. "
        "Read the window from left to right only (no bidirectional layer, no convolution "
        "that sees the future).",
    )
    loss = judge.mean_cross_entropy(outputs[: judge.SCORED], targets)
    expect(
        loss <= judge.MAX_CHAR_MODEL_LOSS,
        f"Validation loss on {judge.SCORED} windows of {judge.WINDOW} characters: {loss:.3f} "
        f"nats per character, with {numbers:,} numbers; at most {judge.MAX_CHAR_MODEL_LOSS} is "
        "needed. Train on the training part only, longer or with another learning rate.",
    )
