"""Tests for labkit.device: every branch of the choice, on invented machines."""

import random
from contextlib import nullcontext

import numpy as np
import pytest
import torch

from labkit.device import (
    Capabilities,
    DeviceChoice,
    choose_device,
    pick_device,
    read_capabilities,
    seed_everything,
)


def machine(**overrides) -> Capabilities:
    values = dict(cuda=False, cuda_bf16=False, cuda_name=None, mps=False, cpu_count=2, env={})
    values.update(overrides)
    return Capabilities(**values)


H100 = machine(cuda=True, cuda_bf16=True, cuda_name="NVIDIA H100", cpu_count=16)
T4 = machine(cuda=True, cuda_bf16=False, cuda_name="Tesla T4", cpu_count=4)
MAC = machine(mps=True, cpu_count=8)
LAPTOP = machine()


@pytest.mark.parametrize(
    ("caps", "device", "precision", "scaler"),
    [
        (H100, "cuda", "bf16", False),
        (T4, "cuda", "fp16", True),
        (MAC, "mps", "fp32", False),
        (LAPTOP, "cpu", "fp32", False),
    ],
)
def test_auto_choice_per_machine(caps, device, precision, scaler):
    choice = choose_device(caps)
    assert (choice.device, choice.precision, choice.uses_grad_scaler) == (device, precision, scaler)
    assert choice.threads == caps.cpu_count
    assert choice.reason  # never a silent choice


def test_cuda_preferred_over_mps_and_cpu_can_be_requested():
    both = machine(cuda=True, cuda_bf16=True, cuda_name="GPU", mps=True)
    assert choose_device(both).device == "cuda"
    cpu = choose_device(both, device="cpu")
    assert (cpu.device, cpu.precision) == ("cpu", "fp32")
    assert "cpu requested" in cpu.reason


def test_missing_device_is_an_error_not_a_fallback():
    with pytest.raises(RuntimeError, match=r"device='cuda' was requested.*\['cpu'\]"):
        choose_device(LAPTOP, device="cuda")
    with pytest.raises(RuntimeError, match="device='mps'"):
        choose_device(T4, device="mps")


def test_precision_overrides_and_their_limits():
    assert choose_device(LAPTOP, precision="bf16").precision == "bf16"
    assert choose_device(H100, precision="fp16").uses_grad_scaler
    with pytest.raises(RuntimeError, match="Tesla T4 cannot compute in bfloat16"):
        choose_device(T4, precision="bf16")
    with pytest.raises(
        ValueError,
        match="precision must be one of 'fp32', 'bf16', 'fp16'. Received: precision='fp8'",
    ):
        choose_device(LAPTOP, precision="fp8")
    with pytest.raises(ValueError, match="device must be one of 'auto', .*Received: device='tpu'"):
        choose_device(LAPTOP, device="tpu")


def test_threads_from_environment_labkit_variable_wins():
    assert choose_device(machine(env={"OMP_NUM_THREADS": "1"})).threads == 1
    both = machine(env={"OMP_NUM_THREADS": "1", "LABKIT_NUM_THREADS": "3"})
    choice = choose_device(both)
    assert choice.threads == 3
    assert "LABKIT_NUM_THREADS" in choice.reason


@pytest.mark.parametrize("value", ["0", "two", "-1", ""])
def test_bad_thread_setting_names_the_variable(value):
    with pytest.raises(ValueError, match=f"LABKIT_NUM_THREADS={value!r}"):
        choose_device(machine(env={"LABKIT_NUM_THREADS": value}))


def test_autocast_context_and_dtype():
    fp32 = DeviceChoice("cpu", "fp32", 1, "")
    assert isinstance(fp32.autocast(), nullcontext)
    assert fp32.autocast_dtype is None
    bf16 = DeviceChoice("cpu", "bf16", 1, "")
    with bf16.autocast():
        out = torch.nn.Linear(4, 2)(torch.randn(3, 4))
    assert out.dtype == torch.bfloat16
    assert bf16.torch_device == torch.device("cpu")


def test_report_is_one_line_with_the_reason():
    report = choose_device(T4).report()
    assert "\n" not in report
    assert report.startswith("labkit: training on cuda, precision fp16, 4 threads (")
    assert "Tesla T4" in report and "gradient scaling" in report


def test_read_capabilities_on_this_machine(monkeypatch):
    monkeypatch.setenv("LABKIT_NUM_THREADS", "1")
    caps = read_capabilities()
    assert caps.cuda == torch.cuda.is_available()
    assert caps.env["LABKIT_NUM_THREADS"] == "1"
    assert caps.cpu_count >= 1


def test_pick_device_applies_threads_and_prints_report(monkeypatch, capsys):
    before = torch.get_num_threads()
    monkeypatch.setenv("LABKIT_NUM_THREADS", "1")
    try:
        choice = pick_device("cpu")
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
    assert capsys.readouterr().out.strip() == choice.report()
    assert choice.threads == 1


def test_seed_everything_seeds_all_three_generators():
    def draw():
        return random.random(), np.random.rand(), torch.rand(1).item()  # noqa: NPY002

    seed_everything(7)
    first = draw()
    seed_everything(7)
    assert draw() == first
    seed_everything(8)
    assert draw() != first


@pytest.mark.parametrize(
    ("seed", "error", "match"),
    [
        (-1, ValueError, "seed must be a whole number >= 0. Received: seed=-1"),
        (1.5, TypeError, "seed must be a whole number. Received: seed=1.5"),
        ("1", TypeError, "seed must be a whole number. Received: seed='1'"),
        (True, TypeError, "seed must be a whole number. Received: seed=True"),
    ],
)
def test_bad_seed(seed, error, match):
    with pytest.raises(error, match=match):
        seed_everything(seed)
