"""labkit.fit, a hand-written loop, PyTorch Lightning and fastai on the same two tasks.

Used by ``benchmarks/bench_loop.py --frameworks``; needs the benchmark-only packages::

    .venv/bin/pip install -r benchmarks/requirements-bench.txt -c constraints.txt

Each trainer runs one epoch of SGD (lr 0.05, batch 32) from the same initial weights, on
the same rows in the same order (a sampler replays labkit's order for Lightning and
fastai), as a learner would leave it: Lightning's ``Trainer`` with its progress bar,
default logger and checkpointing (into a temporary folder); fastai's ``Learner.fit``
with its progress bar and recorder. fastai insists on a validation set: it gets one batch.
All get the same loss object (``nn.CrossEntropyLoss``), and all keep the epoch's mean
loss: the hand-written loop adds up ``loss.item()``, as a learner's loop that reports its
loss does.
Each is timed on all the rows and on one batch: the difference gives the time per step,
and the one-batch call less one step the fixed cost of a call (building the trainer,
bars, loggers), so start-up costs do not blur the per-step figure. Each figure is the
median of the interleaved repeats; how much fit's overhead moves from one repeat to the
next is printed under each table.

Tasks: a tiny MLP (784-128-10) and a small CNN (two 3x3 convolutions, 28x28 inputs).
"""

from __future__ import annotations

import contextlib
import io
import logging
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator

import torch
from bench_loop import hand_loop, labkit_fit
from torch import nn
from torch.utils.data import DataLoader, Sampler, TensorDataset

import labkit
from labkit.train.batches import epoch_generator

BATCH, LR, SEED = 32, 0.05, 3


class LabkitOrder(Sampler[int]):
    """The row order of labkit's first epoch, for the frameworks' DataLoaders."""

    def __init__(self, n: int):
        self.n = n

    def __iter__(self) -> Iterator[int]:
        return iter(torch.randperm(self.n, generator=epoch_generator(SEED, 0)).tolist())

    def __len__(self) -> int:
        return self.n


def tiny_mlp() -> nn.Module:
    labkit.seed_everything(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))


def small_cnn() -> nn.Module:
    labkit.seed_everything(0)
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 7 * 7, 10),
    )


def hand(make_model: Callable[[], nn.Module], X: torch.Tensor, y: torch.Tensor) -> nn.Module:
    """The loop a learner writes by hand (bench_loop's, which keeps the epoch's mean loss with
    the same loss object the others get); the trained model."""
    model = make_model()
    hand_loop(model, X, y, 1, BATCH, SEED, LR)
    return model


def fit(make_model: Callable[[], nn.Module], X: torch.Tensor, y: torch.Tensor) -> nn.Module:
    """``labkit.fit`` with its defaults (progress bar, non-finite guard); the trained model."""
    model = make_model()
    labkit_fit(model, (X, y), 1, BATCH, SEED, LR, "cpu")
    return model


def lightning(make_model: Callable[[], nn.Module], X: torch.Tensor, y: torch.Tensor) -> nn.Module:
    """Lightning's ``Trainer.fit`` as a learner would leave it; the trained model."""
    import lightning as L

    class Module(L.LightningModule):
        def __init__(self) -> None:
            super().__init__()
            self.net = make_model()
            self.loss_fn = nn.CrossEntropyLoss()

        def training_step(self, batch, batch_idx):
            xb, yb = batch
            loss = self.loss_fn(self.net(xb), yb)
            self.log("train_loss", loss, prog_bar=True)
            return loss

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=LR)

    module = Module()
    loader = DataLoader(TensorDataset(X, y), batch_size=BATCH, sampler=LabkitOrder(len(X)))
    with tempfile.TemporaryDirectory() as folder, _quiet():
        trainer = L.Trainer(
            max_epochs=1,
            accelerator="cpu",
            devices=1,
            default_root_dir=folder,
            use_distributed_sampler=False,
        )
        trainer.fit(module, loader)
    return module.net


def fastai(make_model: Callable[[], nn.Module], X: torch.Tensor, y: torch.Tensor) -> nn.Module:
    """fastai's ``Learner.fit`` with plain SGD; the trained model."""
    from fastai.data.core import DataLoaders
    from fastai.learner import Learner
    from fastai.optimizer import SGD

    train = DataLoader(TensorDataset(X, y), batch_size=BATCH, sampler=LabkitOrder(len(X)))
    valid = DataLoader(TensorDataset(X[:BATCH], y[:BATCH]), batch_size=BATCH)
    learner = Learner(
        DataLoaders(train, valid, device="cpu"),
        make_model(),
        loss_func=nn.CrossEntropyLoss(),
        opt_func=SGD,
        lr=LR,
    )
    with _quiet():
        learner.fit(1, lr=LR)
    return learner.model


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Hide the frameworks' bars, logs and warnings (they are still drawn: part of the cost)."""
    logging.getLogger("lightning").setLevel(logging.ERROR)
    logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
    with (
        warnings.catch_warnings(),
        contextlib.redirect_stderr(io.StringIO()),
        contextlib.redirect_stdout(io.StringIO()),
    ):
        warnings.simplefilter("ignore")
        yield


TRAINERS = {
    "hand-written loop": hand,
    "labkit.fit": fit,
    "Lightning Trainer": lightning,
    "fastai Learner": fastai,
}


def measure(
    make_model: Callable[[], nn.Module], X: torch.Tensor, y: torch.Tensor, repeats: int
) -> dict[str, dict]:
    """Per trainer: median µs per step, median fixed cost in ms, and the trained model's
    mean loss over all rows (the same computation for every trainer)."""
    short = BATCH  # one step: what a call costs besides its steps
    steps_full, steps_short = -(-len(X) // BATCH), 1
    times: dict[str, dict[str, list[float]]] = {n: {"full": [], "short": []} for n in TRAINERS}
    losses = {}
    for name, trainer in TRAINERS.items():  # warm-up (imports, first calls), and the loss
        model = trainer(make_model, X, y).eval()
        with torch.no_grad():
            losses[name] = nn.functional.cross_entropy(model(X), y).item()
    names = list(TRAINERS)
    for repeat in range(repeats):
        # Interleaved, so a drift in load hits every trainer alike, in a rotating order.
        for name in names[repeat % len(names) :] + names[: repeat % len(names)]:
            trainer = TRAINERS[name]
            for size, rows in (("full", len(X)), ("short", short)):
                start = time.perf_counter()
                trainer(make_model, X[:rows], y[:rows])
                times[name][size].append(time.perf_counter() - start)
    results = {}
    for name, runs in times.items():
        full, short_t = statistics.median(runs["full"]), statistics.median(runs["short"])
        per_step = (full - short_t) / (steps_full - steps_short)
        results[name] = {
            "step_us": per_step * 1e6,
            "fixed_ms": (short_t - steps_short * per_step) * 1e3,
            "final_loss": losses[name],
        }
    # fit against the hand loop repeat by repeat (they ran back to back): how much of the
    # difference is noise shows in the spread.
    fit_runs, hand_runs = times["labkit.fit"], times["hand-written loop"]
    ratios = [
        (fit_full - fit_short) / (hand_full - hand_short) - 1
        for fit_full, fit_short, hand_full, hand_short in zip(
            fit_runs["full"], fit_runs["short"], hand_runs["full"], hand_runs["short"], strict=True
        )
    ]
    results["labkit.fit"]["overhead_per_repeat"] = sorted(ratios)
    return results


def table(task: str, results: dict[str, dict]) -> str:
    """The figures as a Markdown table, each trainer against the hand-written loop."""
    base = results["hand-written loop"]["step_us"]
    fit_step = results["labkit.fit"]["step_us"]
    header = (
        "| trainer | µs per step | vs hand loop | labkit.fit is faster by "
        "| fixed cost per call | final loss |"
    )
    lines = [f"{task}:", header, "|---|---|---|---|---|---|"]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['step_us']:.1f} | {(r['step_us'] / base - 1) * 100:+.1f} % "
            f"| {r['step_us'] / fit_step:.2f}x | {r['fixed_ms']:.0f} ms "
            f"| {r['final_loss']:.4f} |"
        )
    spread = results["labkit.fit"]["overhead_per_repeat"]
    lines.append(
        f"labkit.fit over the hand loop, repeat by repeat: median "
        f"{statistics.median(spread) * 100:+.1f} %, from {spread[0] * 100:+.1f} % "
        f"to {spread[-1] * 100:+.1f} % ({len(spread)} repeats)"
    )
    return "\n".join(lines)
