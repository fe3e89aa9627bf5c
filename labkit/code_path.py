"""The CPU code path of a checked run, so that a lesson prints the same digits every time.

Floating-point sums give different last digits when a library adds in another order, and
the libraries under PyTorch and NumPy choose their order from the CPU they find: its vector
instructions (AVX2, AVX-512) and, for Intel's MKL, its vendor. A checked run (the test
suite's default runs, ``labkit results``) therefore pins each library to one code path: the
AVX-512 one on a CPU that has AVX-512, the AVX2 one otherwise, and one thread. Machines of
the same code path, as :func:`cpu_code_path` names it, then print the same digits as far as
the libraries promise it (MKL does for a fixed branch on Intel CPUs; PyTorch and oneDNN pick
their kernels by instruction set); the stored outputs hold for the code path that recorded
them, and the test suite compares digits only there.

What the pins cost and why these: on an Intel Xeon, AVX2 instead of AVX-512 made lesson
10's convolutions 40 % slower; MKL's one branch that is the same on Intel and AMD CPUs
(``MKL_CBWR=COMPATIBLE``) made lesson 14 25 % slower; a fixed MKL branch is ignored on AMD
CPUs (MKL's documentation says so), hence the vendor in the code path.

Example
-------
>>> from labkit.code_path import cpu_code_path, reproducible_environment
>>> cpu_code_path()  # doctest: +SKIP
'GenuineIntel, AVX-512'
>>> reproducible_environment()["OMP_NUM_THREADS"]
'1'
"""

from __future__ import annotations

import os
import platform
import tempfile
from pathlib import Path

__all__ = ["cpu_code_path", "reproducible_environment"]

CPUINFO = Path("/proc/cpuinfo")
# The AVX-512 subsets that PyTorch's AVX-512 kernels and oneDNN's AVX512_CORE need.
AVX512_FLAGS = {"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"}

ONE_THREAD = {
    "LABKIT_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
AVX512_PINS = {
    "ATEN_CPU_CAPABILITY": "avx512",
    "ONEDNN_MAX_CPU_ISA": "AVX512_CORE",
    "MKL_CBWR": "AVX512",
    "NPY_DISABLE_CPU_FEATURES": "AVX512_ICL AVX512_SPR",
    "OPENBLAS_CORETYPE": "SkylakeX",
}
AVX2_PINS = {
    "ATEN_CPU_CAPABILITY": "avx2",
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    "MKL_CBWR": "AVX2",
    "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
    "OPENBLAS_CORETYPE": "Haswell",
}


def _cpuinfo_fields(cpuinfo: Path) -> tuple[str, set[str]]:
    """The vendor and the flags of the first processor in ``cpuinfo`` ('' and {} if none)."""
    vendor, flags = "", set[str]()
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return vendor, flags
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "vendor_id" and not vendor:
            vendor = value.strip()
        elif key.strip() == "flags" and not flags:
            flags = set(value.split())
    return vendor, flags


def cpu_code_path(cpuinfo: Path = CPUINFO) -> str:
    """The code path a checked run pins on this CPU: its vendor and its vector instructions.

    Read from ``/proc/cpuinfo`` on Linux: ``'GenuineIntel, AVX-512'``, ``'AuthenticAMD,
    AVX2'``, …; elsewhere, the platform's name for the processor (no pins apply there).
    """
    vendor, flags = _cpuinfo_fields(cpuinfo)
    if not vendor:
        return platform.processor() or platform.machine() or "unknown"
    if flags >= AVX512_FLAGS:
        return f"{vendor}, AVX-512"
    return f"{vendor}, AVX2" if "avx2" in flags else f"{vendor}, no AVX2"


def reproducible_environment(cpuinfo: Path = CPUINFO) -> dict[str, str]:
    """The environment variables of a checked run on this CPU: one thread, and each library
    pinned to the AVX-512 code path if the CPU has it, else to AVX2 (none on other CPUs).

    Never a path the CPU lacks: PyTorch and OpenBLAS would stop on an illegal instruction.
    torch.compile gets a cache of its own: its cache does not tell code compiled for the
    machine's newer instructions from pinned code, and a pinned run that loaded the former
    crashed (PyTorch 2.11).
    """
    code_path = cpu_code_path(cpuinfo)
    environment = dict(ONE_THREAD)
    if code_path.endswith(", AVX-512"):
        environment |= AVX512_PINS
    elif code_path.endswith(", AVX2"):
        environment |= AVX2_PINS
    cache = os.path.join(tempfile.gettempdir(), "labkit-torchinductor-pinned")
    return environment | {"TORCHINDUCTOR_CACHE_DIR": cache}
