"""Lesson 16's own tests: the hand-made audio pieces against torchaudio, and the answers the
data gives.

- The references of 16.ex1 (μ-law) and 16.ex2 (Slaney's filter bank) give what
  ``torchaudio.functional.mu_law_encoding`` and ``melscale_fbanks(norm="slaney",
  mel_scale="slaney")`` give, on the public examples and on every student's graded inputs.
- The notebook's spectrogram and HTK filter bank (run from its cells) match torchaudio's at
  other settings than the one the lesson prints; its ``log_mel`` ignores the loudness of a
  recording; ``add_noise`` gives the SNR it is asked for; the DCT codec's bit rate is what its
  docstring counts, and it gives back the signal when it keeps every coefficient.
- The answers of the experiment 16.ex3 and of the quiz's counting questions hold with the
  notebook's own functions.
"""

import numpy as np
import pytest
import torch
import torchaudio
import torchaudio.functional as AF
from graded_support import cell_starting_with, code_cells, every_input

from labkit.datasets import load
from labkit.lessons import exercises_for
from labkit.lessons.lesson_16 import mu_law_encode, slaney_filter_bank
from labkit.paths import lesson_sources

EXERCISES = {exercise.id: exercise for exercise in exercises_for("16")}
[NOTEBOOK] = [path for path in lesson_sources() if path.name.startswith("16")]
# The cells that define the functions tested here, by the start of their source; the cells
# marked "function only" go on to use their function on the data, which is left out.
DEFINITIONS = {
    "SMOKE = False": False,
    "import io": False,
    "def power_spectrogram(": False,
    "def tone(": False,
    "def quantize(": False,
    "def mu_law(": True,
    "def dct_codec(": False,
    "def hz_to_mel(": False,
    "def log_mel(": True,
    "def add_noise(": True,
}


def _notebook_namespace() -> dict:
    cells = code_cells(NOTEBOOK)
    namespace: dict = {}
    for start, function_only in DEFINITIONS.items():
        source = cell_starting_with(cells, start)
        if function_only:
            source = source.split("\n\n\n")[0]
        exec(source, namespace)
    namespace["SR"] = 8000
    namespace["mel_spectrogram"] = torchaudio.transforms.MelSpectrogram(
        8000, n_fft=namespace["N_FFT"], hop_length=namespace["HOP"], n_mels=namespace["N_MELS"]
    )
    return namespace


NS = _notebook_namespace()


def test_mu_law_reference_is_torchaudios_encoding():
    for samples, channels in every_input(EXERCISES["16.ex1"]):
        library = AF.mu_law_encoding(torch.tensor(samples, dtype=torch.float64), channels)
        assert mu_law_encode(samples, channels) == library.tolist(), (samples, channels)


@pytest.mark.filterwarnings("ignore:At least one mel filterbank")
def test_slaney_reference_is_torchaudios_filter_bank():
    for n_freqs, sample_rate, n_mels, f_min, f_max in every_input(EXERCISES["16.ex2"]):
        library = AF.melscale_fbanks(
            n_freqs, f_min, f_max, n_mels, sample_rate, norm="slaney", mel_scale="slaney"
        )
        ours = np.array(slaney_filter_bank(n_freqs, sample_rate, n_mels, f_min, f_max))
        np.testing.assert_allclose(ours, library.double().numpy(), rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize(("n_fft", "hop", "n_mels"), [(512, 128, 40), (200, 80, 16)])
def test_the_notebooks_spectrogram_and_filter_bank_match_torchaudio(n_fft, hop, n_mels):
    x = np.random.default_rng(0).normal(scale=0.1, size=3001).astype(np.float32)
    ours = NS["power_spectrogram"](x, n_fft, hop)
    library = torchaudio.transforms.Spectrogram(n_fft=n_fft, hop_length=hop, power=2.0)
    theirs = library(torch.from_numpy(x)).double().numpy()
    assert np.abs(ours - theirs).max() <= 1e-5 * theirs.max()
    bank = NS["mel_filter_bank"](n_fft // 2 + 1, 8000, n_mels, 100.0, 3800.0)
    fbanks = AF.melscale_fbanks(n_fft // 2 + 1, 100.0, 3800.0, n_mels, 8000, mel_scale="htk")
    np.testing.assert_allclose(bank, fbanks.double().numpy(), atol=1e-5)


def test_log_mel_ignores_loudness_and_add_noise_gives_the_snr_asked_for():
    generator = torch.Generator().manual_seed(0)
    n_speech = torch.tensor([4000, 6000, 2500])
    windows = torch.randn(3, 6000, generator=generator)
    windows[torch.arange(6000) >= n_speech[:, None]] = 0  # silence after each "recording"
    quieter = NS["log_mel"](0.01 * windows)
    assert torch.allclose(NS["log_mel"](windows), quieter, atol=1e-4)
    for snr in (20.0, 0.0, -5.0):
        noisy = NS["add_noise"](windows, n_speech, snr, generator)
        for row, n in zip(range(3), n_speech.tolist(), strict=True):
            measured = NS["snr_db"](windows[row, :n].numpy(), noisy[row, :n].numpy())
            assert measured == pytest.approx(snr, abs=0.5)


def test_the_dct_codec_counts_its_bits_and_keeps_everything_when_asked():
    x = np.sin(np.arange(1000) / 7.0) * 0.5
    decoded, rate = NS["dct_codec"](x, 64)
    assert rate == (64 * 6 + 256 + 16) * 8000 / 256  # values, a 256-bit mask, the scale
    assert NS["dct_codec"](x, 16)[1] == (16 * 6 + 128 + 16) * 8000 / 256  # 16 positions
    everything, _ = NS["dct_codec"](x, 256, bits=16)
    assert NS["snr_db"](x, everything) > 40
    assert len(decoded) == len(x)


@pytest.fixture(scope="module")
def digits():
    return load("spoken_digits")


def test_the_experiments_answers(digits):
    answers = dict(enumerate((q.answer for q in EXERCISES["16.ex3"].questions), start=1))

    def mean_snr(speaker, bits):
        recordings = digits.X[digits.groups == speaker]
        return np.mean([NS["snr_db"](x, NS["quantize"](x, bits)) for x in recordings])

    assert round(mean_snr("jackson", 8), 1) == answers[1]
    assert round(mean_snr("theo", 8), 1) == answers[2]
    means = {bits: mean_snr("theo", bits) for bits in range(9, 14)}
    assert min(b for b, m in means.items() if m >= 30) == answers[3]
    assert means[answers[3] - 1] < 29.5 and means[answers[3]] > 31  # not on the edge


def test_the_quizs_counting_answers():
    answers = dict(enumerate((q.answer for q in EXERCISES["16.ex5"].questions), start=1))
    assert answers[1] == 8000 // 2
    assert answers[2] == 8000 * 2
    assert round(6.02 * 12 + 1.76, 1) == answers[3]
    _, frequency = NS["level_and_frequency"](NS["tone"](3500)[::2], 4000)
    assert frequency == answers[4]
