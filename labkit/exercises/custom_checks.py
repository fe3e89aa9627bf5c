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

__all__ = ["device_string", "digits_model", "MAX_PARAMETERS", "MIN_ACCURACY"]

MAX_PARAMETERS = 3000  # 06.ex3: the network must be small
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


def digits_model(digits_model: object) -> None:
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
