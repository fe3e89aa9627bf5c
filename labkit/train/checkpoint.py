"""Checkpoints that allow an *exact* resume, written atomically.

A checkpoint holds everything the next epoch depends on: the model, optimizer and gradient
scaler, the history, every callback's state (a learning-rate schedule's among them), and
every random generator
(Python, NumPy, PyTorch CPU and CUDA). Each epoch's batch order is derived from
``(seed, epoch)``, so it needs no saved state. Resuming on the CPU in fp32 therefore ends
with bit-identical weights to a run that was never interrupted.

Files are written to a temporary name next to the target and then renamed, so a crash
mid-write never leaves a half-written checkpoint under the real name.

In data-parallel training (:mod:`labkit.train.distributed`) only rank 0 writes; the file
also holds every rank's random generators, and each rank restores its own.
"""

from __future__ import annotations

import os
import random
import tempfile
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist

from labkit.train.callbacks import Callback
from labkit.train.distributed import current_world
from labkit.train.state import TrainState
from labkit.validation import whole_number

__all__ = ["Checkpoint", "save_checkpoint", "load_checkpoint", "restore_checkpoint"]

# Version 2: the scheduler is saved with its callback (version 1 had a "scheduler" entry).
FORMAT = "labkit-checkpoint-2"


def _random_states() -> dict:
    """Every random generator's state, as plain data and tensors."""
    # NumPy's legacy global generator: the one np.random.rand & co. use.
    legacy = np.random.get_state(legacy=True)  # noqa: NPY002
    assert isinstance(legacy, tuple)  # legacy=True always gives the 5-tuple form
    name, keys, pos, has_gauss, cached = legacy
    return {
        "python": random.getstate(),
        "numpy": [name, keys.tolist(), pos, has_gauss, cached],
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
    }


def _set_random_states(states: dict) -> None:
    """Undo :func:`_random_states`."""
    version, internal, gauss = states["python"]
    random.setstate((version, tuple(internal), gauss))
    name, keys, pos, has_gauss, cached = states["numpy"]
    keys = np.array(keys, dtype=np.uint32)
    np.random.set_state((name, keys, pos, has_gauss, cached))  # noqa: NPY002
    torch.set_rng_state(states["torch"])
    if states["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(states["cuda"])


def _callback_states(callbacks: list[Callback]) -> dict[str, dict]:
    """Each callback's state under a key like ``"EarlyStopping#0"``.

    Keys count per class, not per position, so a progress bar that exists in a notebook but
    not in a script does not shift the keys of the callbacks that have state.
    """
    states: dict[str, dict] = {}
    for callback in callbacks:
        name = type(callback).__name__
        count = sum(key.startswith(f"{name}#") for key in states)
        states[f"{name}#{count}"] = callback.state_dict()
    return states


def _random_states_of_every_rank() -> list[dict]:
    """Each rank's random generators, in rank order (every rank must call this)."""
    world = current_world()
    if world.size == 1:
        return [_random_states()]
    gathered: list = [None] * world.size
    dist.all_gather_object(gathered, _random_states())
    return gathered


def save_checkpoint(
    path: str | os.PathLike, state: TrainState, *, random_per_rank: list[dict] | None = None
) -> Path:
    """Write the whole training state to ``path`` atomically and return the path.

    ``random_per_rank``: every rank's random generators, in data-parallel training.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": FORMAT,
        "epoch": state.epoch,
        "step": state.step,
        "seed": state.seed,
        "model": state.model.state_dict(),
        "optimizer": state.optimizer.state_dict(),
        "scaler": state.scaler.state_dict(),
        "history": state.history.state_dict(),
        "callbacks": _callback_states(state.callbacks),
        "random": _random_states(),
    }
    if random_per_rank is not None and len(random_per_rank) > 1:
        payload["random_per_rank"] = random_per_rank
    # Same directory as the target, so the final rename stays on one file system (atomic).
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(payload, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_checkpoint(path: str | os.PathLike) -> dict:
    """Read a checkpoint written by :func:`save_checkpoint` (tensors land on the CPU).

    ``weights_only=True`` means loading never runs code stored in the file.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"No checkpoint at {path}. Check the path, or train without resume_from."
        )
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise ValueError(
            f"The checkpoint {path} could not be read ({type(error).__name__}: {error}). It is "
            "truncated, corrupt or not a labkit checkpoint: delete it and train again, or pass "
            "another file."
        ) from error
    found = payload.get("format") if isinstance(payload, dict) else None
    if isinstance(found, str) and found.startswith("labkit-checkpoint-") and found != FORMAT:
        raise ValueError(
            f"{path} was written by another version of labkit (format {found!r}; this one reads "
            f"{FORMAT!r}). Train again without resume_from."
        )
    if found != FORMAT:
        raise ValueError(f"{path} is not a labkit checkpoint (no {FORMAT!r} marker).")
    return payload


def restore_checkpoint(payload: dict, state: TrainState) -> None:
    """Put a loaded checkpoint back into the live objects, random generators included."""
    state.model.load_state_dict(payload["model"])
    state.optimizer.load_state_dict(payload["optimizer"])
    state.scaler.load_state_dict(payload["scaler"])
    state.history.load_state_dict(payload["history"])
    state.epoch, state.step = payload["epoch"], payload["step"]
    saved = payload["callbacks"]
    for key, callback in zip(_callback_states(state.callbacks), state.callbacks, strict=True):
        if key in saved:
            callback.load_state_dict(saved[key])
        elif callback.state_dict():
            raise ValueError(
                f"The checkpoint has no state for callback {key}; it holds {sorted(saved)}. "
                "Resume with the same callbacks, in the same order, as the interrupted run."
            )
    world, per_rank = current_world(), payload.get("random_per_rank")
    if per_rank is not None and len(per_rank) == world.size:
        _set_random_states(per_rank[world.rank])
    else:
        _set_random_states(payload["random"])


class Checkpoint(Callback):
    """Save the whole training state every ``every`` epochs, for ``fit(resume_from=...)``.

    Parameters
    ----------
    path : str or path-like
        The file to (over)write; the parent folder is created if needed.
    every : int, default=1
        Save after every ``every``-th epoch, and always after the last one.

    Examples
    --------
    >>> Checkpoint("runs/digits.pt", every=2).every
    2
    """

    order = 100  # last: it saves the state the other callbacks have just updated

    def __init__(self, path: str | os.PathLike, *, every: int = 1) -> None:
        self.path = Path(path)
        self.every = whole_number("every", every, minimum=1)

    def on_epoch_end(self, state: TrainState, logs: dict[str, float]) -> None:
        last = state.epoch == state.epochs or state.stop_training
        if state.epoch % self.every == 0 or last:
            random_per_rank = _random_states_of_every_rank()  # every rank takes part
            if current_world().is_main:  # one writer
                save_checkpoint(self.path, state, random_per_rank=random_per_rank)
