"""Data-parallel training: labkit.fit under torchrun, two processes on the CPU with gloo.

- Two processes take the steps one process takes with the same global batches: the weights
  agree to float32 rounding (pieces of uneven size included: batches of 15 cut 8 + 7).
- Only rank 0 prints.
- A worker killed mid-epoch (SIGKILL) is restarted by torchrun's elastic mode
  (``--max-restarts``); the script resumes from the last checkpoint and ends with exactly
  the weights of an uninterrupted run, dropout included (each rank restores its own random
  generators).
- The pieces: each rank's share of a batch, its loss weight, and the clear errors.

``TORCH_DISABLE_SHARE_RDZV_TCP_STORE=1``: with torchrun's default (the workers share the
rendezvous store), a restarted worker can read the previous attempt's addresses and fail
to connect (PyTorch issue 135712); measured here, 3 of 6 restarted runs failed to connect
without it, none of 15 with it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from labkit.paths import COURSE_ROOT
from labkit.train.batches import LoaderBatches, TensorBatches
from labkit.train.distributed import ALONE, World, init_distributed, shard_bounds

SCRIPT = Path(__file__).with_name("distributed_training.py")
sys.path.insert(0, str(SCRIPT.parent))
import distributed_training  # noqa: E402  (the script, for the one-process reference)


def _torchrun(tmp_path: Path, *args: str, restarts: int = 0) -> subprocess.CompletedProcess:
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc-per-node=2",
        f"--max-restarts={restarts}",
        str(SCRIPT),
        *args,
    ]
    env = os.environ | {
        "OMP_NUM_THREADS": "1",
        "PYTHONPATH": str(COURSE_ROOT),
        "TORCH_DISABLE_SHARE_RDZV_TCP_STORE": "1",
    }
    done = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stderr[-4000:]}"
    return done


def _largest_difference(a: dict, b: dict) -> float:
    return max((a[name] - b[name]).abs().max().item() for name in a)


def test_two_processes_take_the_steps_of_one_and_only_rank_0_prints(tmp_path):
    done = _torchrun(tmp_path, "--out", "two.pt", "--progress")
    two = torch.load(tmp_path / "two.pt")
    one = distributed_training.train(dropout=0.0, checkpoint=None, kill_at_step=None)
    assert _largest_difference(one.state_dict(), two) < 1e-6
    epochs = distributed_training.EPOCHS
    assert done.stdout.count(f"epoch {epochs}/{epochs}") == 1  # rank 1 prints nothing


def test_a_killed_worker_is_restarted_and_ends_with_the_same_weights(tmp_path):
    common = ["--dropout", "0.3"]
    _torchrun(tmp_path, "--out", "whole.pt", "--checkpoint", "whole-ck.pt", *common)
    killed = _torchrun(
        tmp_path,
        "--out",
        "restarted.pt",
        "--checkpoint",
        "restarted-ck.pt",
        "--kill-at-step",
        "10",  # in the second of 3 epochs of 7 steps: the checkpoint holds epoch 1
        *common,
        restarts=1,
    )
    assert "exitcode: -9" in killed.stderr  # the worker was really killed, then restarted
    whole, restarted = torch.load(tmp_path / "whole.pt"), torch.load(tmp_path / "restarted.pt")
    assert _largest_difference(whole, restarted) == 0


def test_each_rank_takes_its_piece_of_every_batch():
    X, y = torch.arange(23.0).unsqueeze(1), torch.arange(23)
    alone = TensorBatches(X, y, 5, torch.device("cpu"), seed=3)
    pieces = [
        TensorBatches(X, y, 5, torch.device("cpu"), seed=3, world=World(rank, 2)) for rank in (0, 1)
    ]
    for index, ((_, whole), (_, first), (_, second)) in enumerate(
        zip(alone.epoch(1), pieces[0].epoch(1), pieces[1].epoch(1), strict=True)
    ):
        assert torch.equal(torch.cat([first, second]), whole)
        sizes = (len(first), len(second))
        shares = [p.loss_weight(index, n) / 2 for p, n in zip(pieces, sizes, strict=True)]
        assert shares == [len(first) / len(whole), len(second) / len(whole)]


def test_a_last_batch_too_small_for_every_rank_is_left_out():
    X = torch.zeros(11, 1)  # batches of 5: 5, 5 and a last one of 1, for 2 ranks
    batches = TensorBatches(X, None, 5, torch.device("cpu"), world=World(0, 2))
    assert len(batches) == 2 and [len(x) for x, _ in batches.epoch(0)] == [3, 3]
    assert shard_bounds(1, World(1, 2)) == (1, 1)  # what rank 1 would have got: nothing


def test_clear_errors_for_what_cannot_be_shared():
    with pytest.raises(ValueError, match="batch_size=1 is smaller than the 2 processes"):
        TensorBatches(torch.zeros(4, 1), None, 1, torch.device("cpu"), world=World(0, 2))
    loader = DataLoader(TensorDataset(torch.zeros(4, 1)), batch_size=2)
    with pytest.raises(ValueError, match="Give it a DistributedSampler"):
        LoaderBatches(loader, torch.device("cpu"), world=World(0, 2))


def test_one_process_joins_nothing():
    assert init_distributed() is ALONE and ALONE.is_main
