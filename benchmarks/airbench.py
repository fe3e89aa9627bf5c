"""The airbench94 network and training recipe, as pieces a learner can read one by one.

Used by ``benchmarks/bench_gpu.py``, which trains this recipe twice from the same weights:
with ``labkit.fit`` (the pieces below as callbacks) and with a hand-written loop in
airbench's style. airbench94 (Keller Jordan, github.com/KellerJordan/cifar10-airbench,
``airbench94.py``) reaches 94 % on CIFAR-10 in 3.83 s on an A100 (3.09 s compiled). Its
ideas, each one a name here:

* :func:`airbench_net`: three conv groups (widths 64, 256, 256; conv, max-pool,
  BatchNorm, GELU, conv, BatchNorm, GELU), after a frozen 2x2 *whitening* convolution, and a
  linear head whose outputs are scaled by 1/9. Convolutions start as identities (an implicit
  residual); BatchNorm learns only its biases.
* :func:`whiten_first_conv`: the first convolution's filters are the eigenvectors of the
  training patches' covariance, scaled so that its outputs are decorrelated.
* :func:`airbench_optimizer` and :func:`triangle_schedule`: Nesterov SGD whose learning
  rate and weight decay are given per 1024 images (BatchNorm biases learn 64x faster), and
  a learning rate that rises from 0.2 to 1 over the first 23 % of the steps, then falls to
  0.07.
* :class:`Lookahead`: from epoch 3, every 5 steps the weights are pulled towards a running
  average of themselves, more strongly as training ends; each epoch ends on the average.
* :class:`FlipAndTranslate`: random mirror images and shifts of up to 2 pixels, made for
  a whole batch on its device, in training mode only.
* ``nn.CrossEntropyLoss(label_smoothing=0.2, reduction="sum")`` and
  :func:`predict_with_flip_tta` (each image and its mirror image, outputs averaged).

``benchmarks/airbench_train.py`` trains with these pieces, with ``labkit.fit`` and by hand.

Differences from airbench94, all so that the two loops compute the same numbers: whole
epochs instead of 9.9; mixed precision by autocast (labkit's) instead of fp16 weights;
the batch augmented as it is drawn, instead of the whole set once per epoch (and random
flips every epoch instead of alternating ones); flip-only test-time augmentation
(airbench94's default also averages two one-pixel shifts).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

import labkit
from labkit.train.state import TrainState

__all__ = [
    "AirbenchRecipe",
    "airbench_net",
    "whitening_conv",
    "whiten_first_conv",
    "FlipAndTranslate",
    "translate",
    "airbench_optimizer",
    "triangle_schedule",
    "LookaheadAverage",
    "lookahead_decay",
    "lookahead_due",
    "Lookahead",
    "TrainWhiteningBias",
    "predict_with_flip_tta",
    "steps_per_epoch",
]


@dataclass(frozen=True)
class AirbenchRecipe:
    """airbench94's hyperparameters (learning rate and weight decay per 1024 images)."""

    widths: tuple[int, int, int] = (64, 256, 256)
    batch_size: int = 1024
    lr: float = 11.5
    momentum: float = 0.85
    weight_decay: float = 0.0153
    bias_lr_factor: float = 64.0  # BatchNorm biases learn this much faster (no more decay)
    label_smoothing: float = 0.2
    lookahead_start_epoch: int = 3
    lookahead_every: int = 5
    lookahead_decay_base: float = 0.95  # per step; raised to lookahead_every per update
    lookahead_power: float = 3.0
    whiten_bias_epochs: int = 3  # the whitening bias trains this many epochs, then freezes
    max_shift: int = 2  # random translation, pixels
    batchnorm_momentum: float = 0.6  # airbench's convention: weight of the old statistics
    output_scale: float = 1 / 9


def _conv(c_in: int, c_out: int) -> nn.Conv2d:
    """A 3x3 convolution whose first ``c_in`` filters start by passing their input through."""
    conv = nn.Conv2d(c_in, c_out, 3, padding="same", bias=False)
    nn.init.dirac_(conv.weight.data[:c_in])  # an implicit residual connection at the start
    return conv


def _batch_norm(channels: int, recipe: AirbenchRecipe) -> nn.BatchNorm2d:
    """BatchNorm that learns only its bias (its scale stays 1)."""
    norm = nn.BatchNorm2d(channels, eps=1e-12, momentum=1 - recipe.batchnorm_momentum)
    norm.weight.requires_grad = False
    return norm


def _conv_group(c_in: int, c_out: int, recipe: AirbenchRecipe) -> nn.Sequential:
    """conv, max-pool, BatchNorm, GELU, conv, BatchNorm, GELU: halves the image size."""
    return nn.Sequential(
        _conv(c_in, c_out),
        nn.MaxPool2d(2),
        _batch_norm(c_out, recipe),
        nn.GELU(),
        _conv(c_out, c_out),
        _batch_norm(c_out, recipe),
        nn.GELU(),
    )


class Scale(nn.Module):
    """Multiply by a constant (airbench scales its outputs by 1/9)."""

    def __init__(self, factor: float) -> None:
        super().__init__()
        self.factor = factor

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.factor


def airbench_net(recipe: AirbenchRecipe = AirbenchRecipe(), n_classes: int = 10) -> nn.Sequential:
    """airbench94's network for 3x32x32 images; call :func:`whiten_first_conv` before training."""
    whitening_width = 2 * 3 * 2 * 2  # each of the 12 patch directions, and its negative
    whitening = nn.Conv2d(3, whitening_width, kernel_size=2, padding=0, bias=True)
    whitening.weight.requires_grad = False  # set from the data, never trained
    nn.init.zeros_(whitening.bias)
    w1, w2, w3 = recipe.widths
    return nn.Sequential(
        whitening,
        nn.GELU(),
        _conv_group(whitening_width, w1, recipe),
        _conv_group(w1, w2, recipe),
        _conv_group(w2, w3, recipe),
        nn.MaxPool2d(3),  # 3x3 images left: one number per channel
        nn.Flatten(),
        nn.Linear(w3, n_classes, bias=False),
        Scale(recipe.output_scale),
    )


def whitening_conv(model: nn.Module) -> nn.Conv2d:
    """The model's first convolution (the whitening one)."""
    return next(m for m in model.modules() if isinstance(m, nn.Conv2d))


@torch.no_grad()
def whiten_first_conv(model: nn.Module, images: torch.Tensor, eps: float = 5e-4) -> None:
    """Make the first convolution decorrelate the patches of ``images`` (N, C, H, W).

    Its filters become the eigenvectors of the patches' (uncentred) covariance, largest
    eigenvalue first, each divided by sqrt(eigenvalue + eps): on these patches the filters'
    outputs then have covariance diag(eigenvalue / (eigenvalue + eps)), nearly the identity.
    The other half of the filters are their negatives, so that the GELU after it keeps both
    signs of every direction.
    """
    conv = whitening_conv(model)
    c, (kh, kw) = images.shape[1], conv.kernel_size
    # (N, C, H', W', kh, kw) -> one row per patch, laid out (C, kh, kw) like a filter.
    patches = images.float().unfold(2, kh, 1).unfold(3, kw, 1)
    patches = patches.permute(0, 2, 3, 1, 4, 5).reshape(-1, c * kh * kw)
    covariance = patches.T @ patches / len(patches)
    eigenvalues, eigenvectors = torch.linalg.eigh(covariance)  # ascending order
    eigenvalues, eigenvectors = eigenvalues.flip(0), eigenvectors.flip(1)
    filters = eigenvectors.T / torch.sqrt(eigenvalues + eps)[:, None]
    filters = filters.reshape(-1, c, kh, kw)
    conv.weight.copy_(torch.cat([filters, -filters]))


class FlipAndTranslate(nn.Module):
    """In training mode, mirror each image with probability 1/2 and shift it by up to
    ``max_shift`` pixels each way (reflecting the border); in eval mode, do nothing.

    The whole batch is done at once on its own device, so a model that starts with this
    module gets augmented data without a DataLoader, and ``fit`` needs no option for it.
    Its random numbers come from its own generator, seeded by ``seed``: two models with
    this module see the same augmentations.
    """

    def __init__(self, max_shift: int = 2, seed: int = 0) -> None:
        super().__init__()
        self.max_shift = max_shift
        self.seed = seed
        self.generator: torch.Generator | None = None  # made on the first batch's device

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return images
        flip, shifts = self._draw(len(images), images.device)
        images = torch.where(flip.view(-1, 1, 1, 1), images.flip(-1), images)
        return translate(images, shifts, self.max_shift)

    @torch.compiler.disable  # draws from our own generator stay out of a compiled graph
    def _draw(self, n: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        """Which images to mirror, and each image's (row, column) offset for :func:`translate`."""
        if self.generator is None or self.generator.device != device:
            self.generator = torch.Generator(device).manual_seed(self.seed)
        flip = torch.rand(n, generator=self.generator, device=device) < 0.5
        r = self.max_shift
        shifts = torch.randint(-r, r + 1, (n, 2), generator=self.generator, device=device)
        return flip, shifts


def translate(images: torch.Tensor, shifts: torch.Tensor, max_shift: int) -> torch.Tensor:
    """Each image shifted by its own offset ``shifts[i] = (dy, dx)``, borders reflected.

    Output pixel (y, x) of image i is input pixel (y + dy, x + dx) (so the picture moves
    up by dy and left by dx), read from the image padded by ``max_shift`` on every side
    (``|dy|, |dx| <= max_shift``); one indexing operation does the whole batch.
    """
    n, _, h, w = images.shape
    r = max_shift
    padded = F.pad(images, (r, r, r, r), mode="reflect")
    rows = torch.arange(h, device=images.device) + r + shifts[:, :1]  # (N, H)
    cols = torch.arange(w, device=images.device) + r + shifts[:, 1:]  # (N, W)
    batch = torch.arange(n, device=images.device)[:, None, None]
    # Indexing dims 0, 2 and 3 around the channel slice gives (N, H, W, C).
    moved = padded[batch, :, rows[:, :, None], cols[:, None, :]]
    return moved.permute(0, 3, 1, 2)  # back to (N, C, H, W), stored channels-last


def airbench_optimizer(model: nn.Module, recipe: AirbenchRecipe) -> torch.optim.SGD:
    """Nesterov SGD with airbench's learning rates and weight decay for PyTorch's SGD.

    airbench gives ``lr`` per 1024 images and per unit of momentum's amplification
    (1 + 1 / (1 - momentum)), and decoupled weight decay per 1024 images; the loss is
    summed over the batch. PyTorch's SGD multiplies weight decay by the learning rate, so
    each group's decay is divided by its learning rate.
    """
    kilostep_scale = 1024 * (1 + 1 / (1 - recipe.momentum))
    lr = recipe.lr / kilostep_scale
    decay = recipe.weight_decay * recipe.batch_size / kilostep_scale
    lr_biases = lr * recipe.bias_lr_factor
    norm_biases = [m.bias for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    bias_ids = {id(p) for p in norm_biases}
    others = [p for p in model.parameters() if p.requires_grad and id(p) not in bias_ids]
    groups = [
        {"params": norm_biases, "lr": lr_biases, "weight_decay": decay / lr_biases},
        {"params": others, "lr": lr, "weight_decay": decay / lr},
    ]
    return torch.optim.SGD(groups, momentum=recipe.momentum, nesterov=True)


def triangle_schedule(
    total_steps: int, start: float = 0.2, peak_at: float = 0.23, end: float = 0.07
) -> Callable[[int], float]:
    """The learning-rate factor after ``step`` steps: ``start`` rising linearly to 1 at
    ``peak_at`` of the steps, then falling linearly to ``end`` (for ``LambdaLR``).

    >>> factor = triangle_schedule(100)
    >>> [round(factor(step), 3) for step in (0, 10, 23, 100)]
    [0.2, 0.548, 1.0, 0.07]
    """
    peak = int(peak_at * total_steps)

    def factor(step: int) -> float:
        if step < peak:
            return start + (1 - start) * step / peak
        return 1 + (end - 1) * (step - peak) / (total_steps - peak)

    return factor


class LookaheadAverage:
    """A running average of a model's weights and BatchNorm statistics that the model is
    pulled back to (airbench's "lookahead" EMA)."""

    def __init__(self, model: nn.Module) -> None:
        self.average = {k: v.detach().clone() for k, v in model.state_dict().items()}

    @torch.no_grad()
    def update(self, model: nn.Module, decay: float) -> None:
        """average <- decay * average + (1 - decay) * model; then model <- average."""
        for average, current in zip(
            self.average.values(), model.state_dict().values(), strict=True
        ):
            if current.is_floating_point():  # not BatchNorm's integer batch counter
                average.lerp_(current, 1 - decay)
                current.copy_(average)


def lookahead_decay(step: int, total_steps: int, recipe: AirbenchRecipe) -> float:
    """How much of the average to keep: grows with the cube of training's progress."""
    base = recipe.lookahead_decay_base**recipe.lookahead_every
    return base * (step / total_steps) ** recipe.lookahead_power


def lookahead_due(step: int, epoch: int, recipe: AirbenchRecipe) -> bool:
    """Whether step ``step`` (counted from 1), in epoch ``epoch`` (from 0), updates the average."""
    return epoch >= recipe.lookahead_start_epoch and step % recipe.lookahead_every == 0


class Lookahead(labkit.Callback):
    """airbench's lookahead as a labkit callback: every ``recipe.lookahead_every`` steps
    from epoch ``recipe.lookahead_start_epoch``, average the weights; after each epoch's
    last step, go back to the average."""

    def __init__(self, recipe: AirbenchRecipe) -> None:
        self.recipe = recipe
        self.reset()

    def reset(self) -> None:
        self.average: LookaheadAverage | None = None

    def on_step_end(self, state: TrainState) -> None:
        assert state.steps_per_epoch is not None  # in-memory data: fit knows the count
        total = state.epochs * state.steps_per_epoch
        if lookahead_due(state.step, state.epoch, self.recipe):
            if self.average is None:
                self.average = LookaheadAverage(state.model)
            else:
                self.average.update(state.model, lookahead_decay(state.step, total, self.recipe))
        if self.average is not None and state.step % state.steps_per_epoch == 0:
            self.average.update(state.model, decay=1.0)  # the epoch ends on the average


class TrainWhiteningBias(labkit.Callback):
    """Train the whitening convolution's bias for the first ``epochs`` epochs only."""

    def __init__(self, model: nn.Module, epochs: int) -> None:
        self.bias = whitening_conv(model).bias
        self.epochs = epochs

    def on_epoch_begin(self, state: TrainState) -> None:
        assert self.bias is not None
        self.bias.requires_grad = state.epoch < self.epochs


def predict_with_flip_tta(
    model: nn.Module,
    images: torch.Tensor,
    *,
    batch_size: int = 2000,
    device: labkit.DeviceChoice | None = None,
) -> torch.Tensor:
    """The mean of the model's outputs for each image and for its mirror image (on the CPU)."""
    plain = labkit.predict(model, images, batch_size=batch_size, device=device)
    mirrored = labkit.predict(model, images.flip(-1), batch_size=batch_size, device=device)
    return (plain + mirrored) / 2


def steps_per_epoch(n_images: int, batch_size: int) -> int:
    """Batches in an epoch (the last one may be smaller)."""
    return math.ceil(n_images / batch_size)
