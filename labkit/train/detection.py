"""Training and running torchvision's detectors, whose training step differs from fit's.

torchvision's detection models (Faster R-CNN, RetinaNet, SSD, Mask R-CNN) take a *list* of
images and, while training, a list of target dicts (``boxes``, ``labels``, ``masks``), and
return their own losses: a dict such as ``{"loss_classifier": ..., "loss_box_reg": ...}``.
Scenes hold different numbers of objects, so their targets do not stack into one tensor as
:func:`labkit.fit` expects. :func:`fit_detector` is the same loop for this calling
convention: a seeded batch order per epoch, the sum of the model's losses, one optimizer
step per batch, the mean of each loss per epoch in a :class:`~labkit.train.history.History`.
:func:`detect` runs the trained model in evaluation mode and returns its detections.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn
from tqdm.auto import tqdm

from labkit.train.batches import epoch_generator
from labkit.train.history import History
from labkit.validation import flag, whole_number

__all__ = ["fit_detector", "detect"]

Target = dict[str, torch.Tensor]


def fit_detector(
    model: nn.Module,
    images: torch.Tensor,
    targets: Sequence[Target],
    *,
    epochs: int,
    optimizer: torch.optim.Optimizer,
    batch_size: int = 16,
    seed: int = 0,
    progress: bool = True,
) -> History:
    """Train a torchvision detection model; the per-epoch mean of each of its losses.

    Parameters
    ----------
    model : nn.Module
        A torchvision detector: in training mode ``model(images, targets)`` returns a dict
        of losses. It stays on the CPU (the course's detectors are small).
    images : tensor of shape (n, 3, H, W)
        Float images in [0, 1], e.g. ``Scenes.tensors()``.
    targets : sequence of n dicts
        One per image, as ``Scenes.targets(i)`` gives them.
    epochs : int
    optimizer : torch.optim.Optimizer
        Built on the model's parameters.
    batch_size : int, default=16
    seed : int, default=0
        Decides every epoch's batch order (as in :func:`labkit.fit`).
    progress : bool, default=True
        A progress bar over the epochs, with the last epoch's total loss.

    Returns
    -------
    History
        ``loss`` (the sum) and each of the model's losses, one mean per epoch.

    Raises
    ------
    ValueError
        If images and targets differ in number, or a loss stops being finite (the message
        names the epoch and the step).

    Examples
    --------
    A model that follows torchvision's convention (lesson 10 trains real detectors):

    >>> class Toy(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.w = nn.Parameter(torch.tensor(2.0))
    ...     def forward(self, images, targets):
    ...         return {"loss_a": self.w**2, "loss_b": self.w.abs()}
    >>> toy = Toy()
    >>> sgd = torch.optim.SGD(toy.parameters(), lr=0.1)
    >>> history = fit_detector(toy, torch.zeros(4, 3, 8, 8), [{}] * 4, epochs=2,
    ...                        optimizer=sgd, batch_size=4, progress=False)
    >>> sorted(history), [round(v, 2) for v in history["loss_a"]]
    (['loss', 'loss_a', 'loss_b'], [4.0, 2.25])
    """
    epochs = whole_number("epochs", epochs, minimum=1)
    batch_size = whole_number("batch_size", batch_size, minimum=1)
    seed = whole_number("seed", seed, minimum=0)
    progress = flag("progress", progress)
    if len(images) != len(targets):
        raise ValueError(
            f"images and targets must have one entry per scene. Received: {len(images)} "
            f"images and {len(targets)} targets"
        )
    history = History()
    model.train()
    for epoch in tqdm(range(epochs), desc="training", unit="epoch", disable=not progress):
        order = torch.randperm(len(images), generator=epoch_generator(seed, epoch))
        sums: dict[str, float] = {}
        for step, batch in enumerate(order.split(batch_size)):
            losses = model(list(images[batch]), [targets[int(i)] for i in batch])
            loss = sum(losses.values())
            if not math.isfinite(loss.item()):
                raise ValueError(
                    f"the loss is {loss.item()} in epoch {epoch + 1}, step {step + 1}: training "
                    f"diverged. Try a smaller learning rate."
                )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            for name, value in {"loss": loss, **losses}.items():
                sums[name] = sums.get(name, 0.0) + value.item() * len(batch)
        history.append({name: total / len(images) for name, total in sums.items()})
    return history


def detect(model: nn.Module, images: torch.Tensor, *, batch_size: int = 50) -> list[Target]:
    """The model's detections for every image, in evaluation mode, without gradients.

    Returns
    -------
    list of dict
        One per image, as torchvision's detectors give them: ``boxes`` (k, 4), ``scores``
        (k,), ``labels`` (k,), and ``masks`` for Mask R-CNN.
    """
    batch_size = whole_number("batch_size", batch_size, minimum=1)
    was_training = model.training
    model.eval()
    with torch.inference_mode():
        found = [
            result
            for start in range(0, len(images), batch_size)
            for result in model(list(images[start : start + batch_size]))
        ]
    model.train(was_training)
    return found
