"""A training script for the data-parallel tests, started by torchrun (see test_train_distributed).

It trains a small network with ``labkit.fit`` on seeded random data, as a learner's script
would, and rank 0 saves the final weights to ``--out``. ``--checkpoint`` makes it write a
checkpoint after every epoch and resume from it when the file exists (as a script run
under torchrun's elastic restarts must); ``--kill-at-step`` makes rank 1 of the first
attempt kill itself at that step, as a crashed machine would; ``--progress`` prints a line
per epoch.
"""

from __future__ import annotations

import argparse
import os
import signal
from pathlib import Path

import torch
from torch import nn

import labkit
from labkit.train import TrainState

N_SAMPLES, BATCH_SIZE, EPOCHS = 100, 15, 3  # batches of 15 and a last one of 10: uneven pieces


def make_data() -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    X = torch.randn(N_SAMPLES, 6, generator=generator)
    return X, (X[:, 0] - X[:, 1] > 0).long()


def make_model(dropout: float) -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Dropout(dropout), nn.Linear(16, 2))


class KillAtStep(labkit.Callback):
    """Kill this process with SIGKILL at step ``step``: no clean-up, like a lost machine."""

    def __init__(self, step: int) -> None:
        self.step = step

    def on_step_end(self, state: TrainState) -> None:
        if state.step == self.step:
            os.kill(os.getpid(), signal.SIGKILL)


def train(
    dropout: float, checkpoint: Path | None, kill_at_step: int | None, progress: bool = False
) -> nn.Module:
    labkit.seed_everything(0)
    model = make_model(dropout)
    callbacks: list[labkit.Callback] = []
    if checkpoint is not None:
        callbacks.append(labkit.Checkpoint(checkpoint))
    first_attempt = os.environ.get("TORCHELASTIC_RESTART_COUNT", "0") == "0"
    if kill_at_step is not None and first_attempt and labkit.init_distributed().rank == 1:
        callbacks.append(KillAtStep(kill_at_step))
    labkit.fit(
        model,
        make_data(),
        epochs=EPOCHS,
        optimizer=torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9),
        loss_fn=nn.CrossEntropyLoss(),
        batch_size=BATCH_SIZE,
        callbacks=callbacks,
        progress=progress,
        device="cpu",
        resume_from=checkpoint if checkpoint is not None and checkpoint.exists() else None,
    )
    return model


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--dropout", type=float, default=0.0)
    parser.add_argument("--checkpoint", type=Path)
    parser.add_argument("--kill-at-step", type=int)
    parser.add_argument("--progress", action="store_true")
    args = parser.parse_args()
    world = labkit.init_distributed()
    model = train(args.dropout, args.checkpoint, args.kill_at_step, args.progress)
    if world.is_main:
        torch.save(model.state_dict(), args.out)
    labkit.close_distributed()


if __name__ == "__main__":
    main()
