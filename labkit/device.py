"""Where training runs: device, numeric precision, CPU threads and random seeds.

The choice is split in two so that every branch can be tested on any machine:

1. :func:`read_capabilities` asks PyTorch what this machine has (CUDA and bf16, Apple MPS,
   CPU cores, thread settings in the environment);
2. :func:`choose_device` is a *pure* function from those capabilities to a
   :class:`DeviceChoice` (device, precision, threads, and the reason for each).

:func:`pick_device` does both, applies the thread count, and prints one line saying what
was chosen and why. Nothing falls back silently: asking for a device the machine does not
have is an error that says what it does have.

Example
-------
>>> from labkit.device import Capabilities, choose_device
>>> caps = Capabilities(cuda=True, cuda_bf16=True, cuda_name="NVIDIA H100", mps=False, cpu_count=16)
>>> choose_device(caps).precision
'bf16'
"""

from __future__ import annotations

import os
import random
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

import numpy as np
import torch

from labkit.validation import one_of, whole_number

__all__ = [
    "Capabilities",
    "DeviceChoice",
    "read_capabilities",
    "choose_device",
    "apply_choice",
    "pick_device",
    "seed_everything",
]

PRECISIONS = ("fp32", "bf16", "fp16")
DEVICES = ("auto", "cuda", "mps", "cpu")
_DTYPES = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}


@dataclass(frozen=True)
class Capabilities:
    """What the machine offers, as plain values (so tests can invent any machine).

    Parameters
    ----------
    cuda : bool
        An NVIDIA GPU is usable.
    cuda_bf16 : bool
        That GPU computes in bfloat16 (Ampere and newer).
    cuda_name : str or None
        The GPU's name, for the report.
    mps : bool
        Apple's Metal GPU backend is usable.
    cpu_count : int
        CPU cores this process may use.
    env : dict of str to str, default={}
        Thread settings found in the environment (``LABKIT_NUM_THREADS``, ``OMP_NUM_THREADS``).
    """

    cuda: bool
    cuda_bf16: bool
    cuda_name: str | None
    mps: bool
    cpu_count: int
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DeviceChoice:
    """The device, precision and thread count to train with, and why.

    Attributes
    ----------
    device : str
        ``"cuda"``, ``"mps"`` or ``"cpu"``.
    precision : str
        ``"fp32"`` (no autocast), ``"bf16"`` (autocast to bfloat16) or ``"fp16"`` (autocast to
        float16 with a gradient scaler, because float16 gradients underflow without one).
    threads : int
        CPU threads PyTorch uses for its operations.
    reason : str
        One sentence per decision, shown by :meth:`report`.
    """

    device: str
    precision: str
    threads: int
    reason: str

    @property
    def torch_device(self) -> torch.device:
        """The :class:`torch.device` to move models and tensors to."""
        return torch.device(self.device)

    @property
    def autocast_dtype(self) -> torch.dtype | None:
        """The dtype autocast computes in, or None when running in plain fp32."""
        return _DTYPES[self.precision]

    @property
    def uses_grad_scaler(self) -> bool:
        """True for fp16, whose small gradients need scaling to survive."""
        return self.precision == "fp16"

    def autocast(self) -> AbstractContextManager:
        """A context for the forward pass and loss: autocast, or nothing in fp32.

        >>> DeviceChoice("cpu", "fp32", 2, "").autocast()
        <contextlib.nullcontext object at ...>
        """
        if self.autocast_dtype is None:
            return nullcontext()  # a no-op context costs nothing per step
        return torch.autocast(device_type=self.device, dtype=self.autocast_dtype)

    def report(self) -> str:
        """One line saying what was chosen and why.

        >>> DeviceChoice("cpu", "fp32", 2, "no GPU found").report()
        'labkit: training on cpu, precision fp32, 2 threads (no GPU found)'
        """
        threads = f"{self.threads} thread" + ("s" if self.threads != 1 else "")
        return (
            f"labkit: training on {self.device}, precision {self.precision}, "
            f"{threads} ({self.reason})"
        )


def read_capabilities() -> Capabilities:
    """Ask PyTorch and the operating system what this machine offers.

    >>> caps = read_capabilities()
    >>> caps.cpu_count >= 1
    True
    """
    cuda = torch.cuda.is_available()
    mps_backend = getattr(torch.backends, "mps", None)
    env = {k: os.environ[k] for k in ("LABKIT_NUM_THREADS", "OMP_NUM_THREADS") if k in os.environ}
    return Capabilities(
        cuda=cuda,
        cuda_bf16=cuda and torch.cuda.is_bf16_supported(),
        cuda_name=torch.cuda.get_device_name(0) if cuda else None,
        mps=bool(mps_backend and mps_backend.is_available()),
        cpu_count=_usable_cores(),
        env=env,
    )


def _usable_cores() -> int:
    """Cores this process may run on (a container or taskset may allow fewer than exist)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def choose_device(
    caps: Capabilities, *, device: str = "auto", precision: str | None = None
) -> DeviceChoice:
    """Choose device, precision and threads from the machine's capabilities (pure function).

    Parameters
    ----------
    caps : Capabilities
        What the machine offers (from :func:`read_capabilities`, or made up in a test).
    device : {"auto", "cuda", "mps", "cpu"}, default="auto"
        ``"auto"`` prefers CUDA, then Apple MPS, then the CPU.
    precision : {"fp32", "bf16", "fp16"} or None, default=None
        None picks the fastest safe precision for the device.

    Returns
    -------
    DeviceChoice

    Examples
    --------
    >>> laptop = Capabilities(cuda=False, cuda_bf16=False, cuda_name=None, mps=False, cpu_count=2)
    >>> print(choose_device(laptop).report())
    labkit: training on cpu, precision fp32, 2 threads (no CUDA or Apple MPS GPU found; ...)
    >>> t4 = Capabilities(cuda=True, cuda_bf16=False, cuda_name="Tesla T4", mps=False, cpu_count=4)
    >>> choose_device(t4).precision
    'fp16'
    """
    one_of("device", device, DEVICES)
    if precision is not None:
        one_of("precision", precision, PRECISIONS)
    name, why_device = _choose_name(caps, device)
    chosen_precision, why_precision = _choose_precision(caps, name, precision)
    threads, why_threads = _choose_threads(caps)
    reason = "; ".join([why_device, why_precision, why_threads])
    return DeviceChoice(name, chosen_precision, threads, reason)


def _choose_name(caps: Capabilities, device: str) -> tuple[str, str]:
    """The device name and why; an error if a requested device is missing."""
    have = [n for n, ok in (("cuda", caps.cuda), ("mps", caps.mps)) if ok] + ["cpu"]
    if device != "auto" and device not in have:
        raise RuntimeError(
            f"device={device!r} was requested but this machine has only {have}. "
            f"Pass device='auto' (or one of {have}), or check the GPU driver and that the "
            "installed torch was built for it (torch.cuda.is_available())."
        )
    if device != "auto":
        return device, f"{device} requested"
    if caps.cuda:
        return "cuda", f"CUDA GPU found: {caps.cuda_name}"
    if caps.mps:
        return "mps", "Apple MPS GPU found"
    return "cpu", "no CUDA or Apple MPS GPU found"


def _choose_precision(caps: Capabilities, name: str, precision: str | None) -> tuple[str, str]:
    """The precision and why."""
    if precision is not None:
        if precision == "bf16" and name == "cuda" and not caps.cuda_bf16:
            raise RuntimeError(
                f"precision='bf16' was requested but {caps.cuda_name} cannot compute in bfloat16. "
                "Use precision='fp16' (mixed precision with a gradient scaler) or 'fp32'."
            )
        return precision, f"{precision} requested"
    if name == "cuda" and caps.cuda_bf16:
        return "bf16", "bf16 autocast: the GPU supports bfloat16"
    if name == "cuda":
        return "fp16", "fp16 autocast with gradient scaling: the GPU has no bfloat16"
    if name == "mps":
        return "fp32", "fp32 on MPS (mixed precision there is opt-in: precision='fp16')"
    return "fp32", "fp32 on the CPU (bf16 is opt-in: precision='bf16')"


def _choose_threads(caps: Capabilities) -> tuple[int, str]:
    """CPU threads: LABKIT_NUM_THREADS, else OMP_NUM_THREADS, else every core we may use."""
    for var in ("LABKIT_NUM_THREADS", "OMP_NUM_THREADS"):
        if var in caps.env:
            value = caps.env[var]
            if not value.strip().isdigit() or int(value) < 1:
                raise ValueError(
                    f"environment variable {var}={value!r} is not a positive whole number. "
                    f"Set it to e.g. {var}={caps.cpu_count}, or unset it."
                )
            return int(value), f"threads from {var}"
    return caps.cpu_count, "one thread per available core"


def apply_choice(choice: DeviceChoice) -> None:
    """Set PyTorch up for ``choice``: its CPU thread count, and fast GPU matmuls on CUDA.

    :func:`pick_device` and :func:`labkit.fit` both call it, so the thread count a
    :class:`DeviceChoice` reports is the one training uses, however the device was given.

    >>> apply_choice(choose_device(read_capabilities(), device="cpu"))
    >>> torch.get_num_threads() == choose_device(read_capabilities(), device="cpu").threads
    True
    """
    if torch.get_num_threads() != choice.threads:
        torch.set_num_threads(choice.threads)
    if choice.device == "cuda":
        # TF32 matmuls and cuDNN autotuning: large speed-ups on fixed-shape batches.
        torch.set_float32_matmul_precision("high")
        torch.backends.cudnn.benchmark = True


def pick_device(
    device: str = "auto", *, precision: str | None = None, verbose: bool = True
) -> DeviceChoice:
    """Read the machine, choose, set PyTorch's thread count, and report the choice.

    Parameters
    ----------
    device : {"auto", "cuda", "mps", "cpu"}, default="auto"
    precision : {"fp32", "bf16", "fp16"} or None, default=None
    verbose : bool, default=True
        Print the one-line report.

    Returns
    -------
    DeviceChoice

    Examples
    --------
    >>> choice = pick_device("cpu", verbose=False)
    >>> choice.device, choice.precision
    ('cpu', 'fp32')
    """
    choice = choose_device(read_capabilities(), device=device, precision=precision)
    apply_choice(choice)
    if verbose:
        print(choice.report())
    return choice


def seed_everything(seed: int) -> int:
    """Seed Python's, NumPy's and PyTorch's (CPU and every GPU) random generators.

    Parameters
    ----------
    seed : int
        A non-negative whole number.

    Returns
    -------
    int
        The seed, so a notebook can print what it used.

    Examples
    --------
    >>> _ = seed_everything(0); a = torch.rand(2)
    >>> _ = seed_everything(0); b = torch.rand(2)
    >>> torch.equal(a, b)
    True
    """
    seed = whole_number("seed", seed, minimum=0)
    random.seed(seed)
    # The legacy global generator is what np.random.rand & co. use in learners' code.
    np.random.seed(seed % 2**32)  # noqa: NPY002 (it takes 32-bit seeds)
    torch.manual_seed(seed)  # also seeds every CUDA device
    return seed
