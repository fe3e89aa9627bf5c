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

__all__ = ["device_string", "digits_model", "noisy_digits", "MAX_PARAMETERS", "MIN_ACCURACY"]

MAX_PARAMETERS = 3000  # 06.ex3: the network must be small (every number it holds counts)
MIN_ACCURACY = 0.9  # 06.ex3: and still right for 9 digits in 10


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


def digits_model(digits_model: object) -> None:
    """06.ex3: a trained ``digits_model`` with at most 3 000 numbers, ≥ 90 % right.

    Judged as the grader judges it: exported with torch.export and the exported graph run
    here (:mod:`labkit.exercises.model_graph`), on a fixed set of 300 noisy images.
    """
    import torch
    from torch import nn

    from labkit.exercises.model_graph import ModelFileError, export_model, run_model_file

    expect(
        isinstance(digits_model, nn.Module),
        f"expected a PyTorch model (an nn.Module such as nn.Sequential), got "
        f"{type(digits_model).__name__}.",
    )
    images, labels = noisy_digits(np.random.default_rng(6), 30)
    try:
        [outputs], numbers = run_model_file(
            export_model(digits_model, torch.zeros(images.shape)), [images]
        )
    except ModelFileError as error:
        raise CheckFailed(
            f"The grader could not run your model: {error}. It must take a float32 tensor of "
            "shape (n, 64) (start with nn.Flatten() if you trained it on (n, 8, 8) images)."
        ) from None
    expect(numbers > 0, "The model holds no numbers: it cannot have learned anything.")
    expect(
        numbers <= MAX_PARAMETERS,
        f"The model holds {numbers} numbers (parameters, buffers and constants); at "
        f"most {MAX_PARAMETERS} are allowed. Use fewer hidden units (count them with your "
        "count_parameters from 06.ex1).",
    )
    expect(
        outputs.shape == (len(images), 10),
        f"For {len(images)} images the model should return {len(images)} rows of 10 scores "
        f"(one per digit), got an output of shape {outputs.shape}.",
    )
    accuracy = float((outputs.argmax(1) == labels).mean())
    hint = " (about chance: is it trained?)" if accuracy < 0.2 else ""
    expect(
        accuracy >= MIN_ACCURACY,
        f"The model is right for {accuracy:.1%} of {len(labels)} noisy digit images{hint}; at "
        f"least {MIN_ACCURACY:.0%} is needed. Train it on inputs divided by 16, as in the "
        "lesson (X_train already is), longer or with another learning rate.",
    )
