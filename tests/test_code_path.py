"""Tests for labkit.code_path: which CPU code path a checked run pins, read from cpuinfo."""

import pytest

from labkit.code_path import AVX2_PINS, AVX512_PINS, cpu_code_path, reproducible_environment

AVX2 = "fpu sse sse2 avx fma avx2"
AVX512 = AVX2 + " avx512f avx512dq avx512cd avx512bw avx512vl"


def _cpuinfo(tmp_path, vendor, flags):
    path = tmp_path / "cpuinfo"
    processor = f"processor\t: {{n}}\nvendor_id\t: {vendor}\nflags\t\t: {flags}\n\n"
    path.write_text(processor.format(n=0) + processor.format(n=1))
    return path


@pytest.mark.parametrize(
    ("vendor", "flags", "code_path"),
    [
        ("GenuineIntel", AVX512, "GenuineIntel, AVX-512"),
        ("GenuineIntel", AVX2, "GenuineIntel, AVX2"),
        ("AuthenticAMD", AVX512, "AuthenticAMD, AVX-512"),  # Zen 4: AVX-512, but AMD's MKL path
        ("AuthenticAMD", AVX2, "AuthenticAMD, AVX2"),
        ("GenuineIntel", AVX2 + " avx512f", "GenuineIntel, AVX2"),  # AVX-512F alone is not enough
        ("GenuineIntel", "fpu sse sse2 avx", "GenuineIntel, no AVX2"),
    ],
)
def test_the_code_path_names_the_vendor_and_the_vector_instructions(
    tmp_path, vendor, flags, code_path
):
    assert cpu_code_path(_cpuinfo(tmp_path, vendor, flags)) == code_path


def test_without_cpuinfo_the_code_path_is_the_platforms_name(tmp_path, monkeypatch):
    monkeypatch.setattr("platform.processor", lambda: "arm")
    assert cpu_code_path(tmp_path / "missing") == "arm"
    assert "ATEN_CPU_CAPABILITY" not in reproducible_environment(tmp_path / "missing")


def test_a_cpu_is_never_pinned_to_instructions_it_lacks(tmp_path):
    avx2_only = reproducible_environment(_cpuinfo(tmp_path, "AuthenticAMD", AVX2))
    assert avx2_only.items() >= AVX2_PINS.items() and avx2_only["ATEN_CPU_CAPABILITY"] == "avx2"
    assert avx2_only["OPENBLAS_CORETYPE"] == "Haswell"  # SkylakeX kernels would stop there
    with_avx512 = reproducible_environment(_cpuinfo(tmp_path, "GenuineIntel", AVX512))
    assert with_avx512.items() >= AVX512_PINS.items()
    old = reproducible_environment(_cpuinfo(tmp_path, "GenuineIntel", "fpu sse sse2 avx"))
    assert not {"ATEN_CPU_CAPABILITY", "OPENBLAS_CORETYPE", "MKL_CBWR"} & old.keys()


def test_every_checked_run_has_one_thread(tmp_path):
    for flags in (AVX512, AVX2, "fpu"):
        environment = reproducible_environment(_cpuinfo(tmp_path, "GenuineIntel", flags))
        assert environment["OMP_NUM_THREADS"] == environment["LABKIT_NUM_THREADS"] == "1"
        assert environment["MKL_NUM_THREADS"] == environment["OPENBLAS_NUM_THREADS"] == "1"
