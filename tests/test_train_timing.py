"""time_inference: the median of timed passes, the warm-up left out, the mode restored."""

import time

import pytest
import torch
from torch import nn

from labkit import time_inference


class SlowFirstCall(nn.Module):
    """0.3 s on its first call (a cold start), 0.01 s after; records the mode it ran in."""

    def __init__(self) -> None:
        super().__init__()
        self.layer = nn.Linear(2, 2)
        self.calls, self.modes, self.grad_enabled = 0, [], []

    def forward(self, x):
        self.calls += 1
        self.modes.append(self.training)
        self.grad_enabled.append(torch.is_grad_enabled())
        time.sleep(0.3 if self.calls == 1 else 0.01)
        return self.layer(x)


def test_the_warm_up_is_left_out_and_the_median_taken():
    model = SlowFirstCall()
    seconds = time_inference(model, torch.zeros(1, 2), runs=5)
    assert model.calls == 6  # one warm-up, five timed
    assert 0.009 < seconds < 0.05  # with the 0.3 s cold start, even the mean of six is 0.06


def test_it_times_in_evaluation_mode_without_gradients_and_restores_the_mode():
    model = SlowFirstCall().train()
    time_inference(model, torch.zeros(1, 2), runs=2)
    assert model.modes == [False] * 3 and model.grad_enabled == [False] * 3
    assert model.training


@pytest.mark.parametrize("runs", [0, -3])
def test_runs_must_be_positive(runs):
    with pytest.raises(ValueError, match="runs"):
        time_inference(nn.Linear(2, 2), torch.zeros(1, 2), runs=runs)
