"""Lesson 16 (audio): exercises and expected results.

- ``16.ex1``: ``mu_law_encode(samples, channels)``, μ-law companding and quantisation to
  ``channels`` codes, as ``torchaudio.functional.mu_law_encoding`` computes it. Graded on
  samples of both signs, 0 and ±1 included, with 256, 16 or another power of two of channels.
- ``16.ex2``: ``slaney_filter_bank(n_freqs, sample_rate, n_mels, f_min, f_max)``, the mel filter
  bank with Slaney's mel scale (linear below 1 kHz) and triangles of equal area, as
  ``torchaudio.functional.melscale_fbanks(..., norm="slaney", mel_scale="slaney")`` computes
  it. Graded on small banks whose band edges cross 1 kHz, so that the HTK scale, the missing
  normalisation and a normalisation in mel each give other weights.
- ``16.ex3``: ``bits_needed``, an experiment: the mean 8-bit SNR of jackson's (31.7 dB) and
  theo's (11.7 dB) recordings, the smallest bit depth giving theo's recordings 30 dB (12), why,
  and what μ-law does for him.
- ``16.ex4``: ``audio_choices``, a judgement: which estimate for new users, 8 kHz telephone audio
  for a 16 kHz model, noise in a car, and what a "24-bit/96 kHz" copy of a CD holds.
- ``16.ex5``: the quiz.

The expectations: the hand-made spectrogram and mel filter bank against torchaudio's; aliasing
with and without the resampler's filter; the quantisation rule; the codecs' sizes and SNRs;
the CNN's and the LSTM's accuracy with speakers shared and with a speaker held out (3 seeds),
against the 10 % of a constant answer; and the CNN's accuracy at 10 dB SNR, trained clean and
trained with noise (3 seeds).
"""

from __future__ import annotations

import numpy as np

from labkit.exercises import judges
from labkit.exercises.declare import Example, Exercise, Expect, Mistake
from labkit.exercises.questions import Question

__all__ = ["EXERCISES", "EXPECTATIONS"]


# ---------------------------------------------------------------- 16.ex1: mu_law_encode
def _compand(samples, channels):
    """μ-law's curve: sign(x) ln(1 + μ|x|) / ln(1 + μ), with μ = channels - 1."""
    x = np.asarray(samples, dtype=np.float64)
    mu = channels - 1
    return np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)


def mu_law_encode(samples, channels):
    """The μ-law codes (0 to channels - 1) of samples in [-1, 1], as torchaudio computes them."""
    mu = channels - 1
    return np.floor((_compand(samples, channels) + 1) / 2 * mu + 0.5).astype(int).tolist()


def _mu_is_channels(samples, channels):  # mu = channels instead of channels - 1
    return mu_law_encode(samples, channels + 1)


def _truncated(samples, channels):  # floor without the + 0.5
    mu = channels - 1
    return np.floor((_compand(samples, channels) + 1) / 2 * mu).astype(int).tolist()


def _no_sign(samples, channels):  # the curve applied to |x|: negative samples lose their sign
    mu = channels - 1
    y = np.log1p(mu * np.abs(np.asarray(samples, dtype=np.float64))) / np.log1p(mu)
    return np.floor((y + 1) / 2 * mu + 0.5).astype(int).tolist()


def _linear(samples, channels):  # uniform quantisation, no companding
    mu = channels - 1
    x = np.asarray(samples, dtype=np.float64)
    return np.floor((x + 1) / 2 * mu + 0.5).astype(int).tolist()


def _companded_value(samples, channels):  # stops at the curve: floats in [-1, 1], not codes
    return _compand(samples, channels).tolist()


def _mu_law_inputs(rng: np.random.Generator) -> list[tuple]:
    """Six (samples, channels): 256 and 16 channels, another power of two, 0 and ±1 included."""
    cases = []
    for channels in (256, 256, 16, 16, int(2 ** rng.integers(2, 11)), int(2 ** rng.integers(3, 9))):
        n = int(rng.integers(4, 9))
        magnitude = 10 ** rng.uniform(-4, 0, size=n)  # from quiet to full scale
        samples = np.round(rng.choice([-1, 1], size=n) * magnitude, 6)
        samples[int(rng.integers(0, n))] = rng.choice([0.0, 1.0, -1.0])
        cases.append(([float(s) for s in samples], channels))
    return cases


# ---------------------------------------------------------------- 16.ex2: slaney_filter_bank
F_SP = 200 / 3  # Hz per mel below 1 kHz
MIN_LOG_MEL = 1000 / F_SP  # 15 mel at 1 kHz
LOGSTEP = np.log(6.4) / 27  # above 1 kHz: 27 mel per factor 6.4 in frequency


def _slaney_mel(f):
    f = np.asarray(f, dtype=np.float64)
    above = MIN_LOG_MEL + np.log(np.maximum(f, 1e-12) / 1000) / LOGSTEP
    return np.where(f < 1000, f / F_SP, above)


def _slaney_hz(m):
    m = np.asarray(m, dtype=np.float64)
    return np.where(m < MIN_LOG_MEL, m * F_SP, 1000 * np.exp(LOGSTEP * (m - MIN_LOG_MEL)))


def _htk_mel(f):
    return 2595 * np.log10(1 + np.asarray(f, dtype=np.float64) / 700)


def _htk_hz(m):
    return 700 * (10 ** (np.asarray(m, dtype=np.float64) / 2595) - 1)


def _bank(n_freqs, sample_rate, n_mels, f_min, f_max, to_mel, to_hz, norm):
    freqs = np.linspace(0, sample_rate / 2, n_freqs)
    mels = np.linspace(to_mel(f_min), to_mel(f_max), n_mels + 2)
    points = to_hz(mels)
    left, centre, right = points[:-2], points[1:-1], points[2:]
    rising = (freqs[:, None] - left) / (centre - left)
    falling = (right - freqs[:, None]) / (right - centre)
    bank = np.maximum(0, np.minimum(rising, falling))
    if norm == "hz":
        bank = bank * (2 / (right - left))
    elif norm == "mel":
        bank = bank * (2 / (mels[2:] - mels[:-2]))
    return bank.tolist()


def slaney_filter_bank(n_freqs, sample_rate, n_mels, f_min, f_max):
    """Triangles on Slaney's mel scale, each scaled to area 1 (in Hz): (n_freqs, n_mels)."""
    return _bank(n_freqs, sample_rate, n_mels, f_min, f_max, _slaney_mel, _slaney_hz, "hz")


def _htk_scale(n_freqs, sample_rate, n_mels, f_min, f_max):
    return _bank(n_freqs, sample_rate, n_mels, f_min, f_max, _htk_mel, _htk_hz, "hz")


def _not_normalised(n_freqs, sample_rate, n_mels, f_min, f_max):
    return _bank(n_freqs, sample_rate, n_mels, f_min, f_max, _slaney_mel, _slaney_hz, None)


def _normalised_in_mel(n_freqs, sample_rate, n_mels, f_min, f_max):
    return _bank(n_freqs, sample_rate, n_mels, f_min, f_max, _slaney_mel, _slaney_hz, "mel")


def _transposed(n_freqs, sample_rate, n_mels, f_min, f_max):
    return np.array(slaney_filter_bank(n_freqs, sample_rate, n_mels, f_min, f_max)).T.tolist()


def _filter_bank_inputs(rng: np.random.Generator) -> list[tuple]:
    """Five small banks at even sample rates whose band edges cross 1 kHz."""
    cases = []
    for _ in range(5):
        sample_rate = int(rng.choice([4000, 8000, 16000, 22050]))
        n_freqs = int(rng.integers(6, 18))
        n_mels = int(rng.integers(2, 6))
        f_min = float(rng.choice([0.0, round(float(rng.uniform(50, 400)), 1)]))
        f_max = float(round(float(rng.uniform(1500, sample_rate / 2)), 1))
        cases.append((n_freqs, sample_rate, n_mels, f_min, f_max))
    return cases


# ---------------------------------------------------------------- exercises
EXERCISES = [
    Exercise(
        id="16.ex1",
        name="mu_law_encode",
        points=3,
        reference=mu_law_encode,
        examples=[
            Example(([0.0, 1.0, -1.0], 256), "the middle, the top and the bottom code"),
            Example(([0.5, -0.5, 0.01, -0.01], 256), "half scale, and quiet samples"),
            Example(([0.001, 0.1, -0.3, 0.9], 16), "16 levels: mu = 15"),
            Example(([-0.75, 0.2, 0.0625], 8), "8 levels"),
        ],
        inputs=_mu_law_inputs,
        judge=judges.same_integers,
        mistakes=[
            Mistake(
                _companded_value,
                "That is the curve's value in [-1, 1]: map it to a whole code, "
                "floor((y + 1) / 2 * mu + 0.5).",
            ),
            Mistake(
                _linear,
                "That is uniform quantisation of x itself: apply the μ-law curve "
                "sign(x) ln(1 + mu |x|) / ln(1 + mu) first.",
            ),
            Mistake(
                _no_sign,
                "Negative samples must give codes below the middle: keep the sign of x, "
                "sign(x) * ln(1 + mu |x|) / ln(1 + mu).",
            ),
            Mistake(
                _mu_is_channels,
                "mu is channels - 1 (255 for 256 codes, numbered 0 to 255), not channels.",
            ),
            Mistake(
                _truncated,
                "Round to the nearest code: add 0.5 before taking the floor, as torchaudio does.",
            ),
        ],
    ),
    Exercise(
        id="16.ex2",
        name="slaney_filter_bank",
        points=3,
        reference=slaney_filter_bank,
        examples=[
            Example((9, 4000, 2, 0.0, 2000.0), "two bands from 0 to 2 kHz, 250 Hz bins"),
            Example((11, 8000, 3, 300.0, 4000.0), "three bands from 300 Hz"),
            Example((7, 2000, 2, 0.0, 900.0), "below 1 kHz the scale is linear: equal widths"),
            Example((13, 16000, 4, 100.0, 6000.0), "four bands, most above 1 kHz"),
        ],
        inputs=_filter_bank_inputs,
        mistakes=[
            Mistake(
                _transposed,
                "Return one row per frequency bin (n_freqs rows) and one column per band "
                "(n_mels), as section 6's mel_filter_bank.",
            ),
            Mistake(
                _htk_scale,
                "That is the HTK mel scale: Slaney's is m = 3f / 200 below 1 kHz and "
                "15 + 27 ln(f / 1000) / ln(6.4) above.",
            ),
            Mistake(
                _not_normalised,
                "Scale triangle j by 2 / (f[j+2] - f[j]) (its base in Hz), so that every band "
                "has the same area.",
            ),
            Mistake(
                _normalised_in_mel,
                "Measure each triangle's base in Hz, not in mel: 2 / (f[j+2] - f[j]) with the "
                "points converted back to Hz.",
            ),
        ],
    ),
    Exercise(
        id="16.ex3",
        name="bits_needed",
        points=3,
        kind="questions",
        questions=[
            Question(
                31.7,
                decimals=1,
                hint="Section 4's snr_db(x, quantize(x, 8)) for each of jackson's 500 recordings "
                "(speakers == 'jackson'), then the mean of those 500 values.",
            ),
            Question(11.7, decimals=1, hint="The same for theo's 500 recordings."),
            Question(
                12,
                hint="Repeat question 2 at 9, 10, 11, ... bits, and stop at the first mean of "
                "30 dB or more.",
            ),
            Question(
                "b",
                choices="abcd",
                hint="Section 4: SNR = 6.02 b + 4.77 + L. What differs between the two "
                "speakers, and what does one more bit buy?",
            ),
            Question(
                "a",
                choices="abcd",
                hint="Section 5: the table of 8-bit linear PCM against 8-bit μ-law, and the "
                "figure of SNR against level.",
            ),
        ],
    ),
    Exercise(
        id="16.ex4",
        name="audio_choices",
        points=3,
        kind="questions",
        questions=[
            Question(
                "c",
                choices="abcd",
                hint="Section 9: which protocol tests voices the model never heard?",
            ),
            Question(
                "b",
                choices="abcd",
                hint="Sections 2 and 3: what can an 8 kHz recording hold, and what do "
                "upsampling and naive decimation do?",
            ),
            Question(
                "d",
                choices="abcd",
                hint="Section 11: what did training with noise change, and at which price?",
            ),
            Question(
                "a",
                choices="abcd",
                hint="Sections 3 and 4: does upsampling add frequencies, or re-quantising add "
                "information? Remember nicolas's 132 values.",
            ),
        ],
    ),
    Exercise(
        id="16.ex5",
        name="quiz",
        points=4,
        kind="questions",
        questions=[
            Question(4000, hint="Section 2: the Nyquist frequency is half the sample rate."),
            Question(16000, hint="Section 5: samples per second times bytes per sample."),
            Question(74.0, decimals=1, hint="Section 4: 6.02 b + 1.76 dB with b = 12."),
            Question(
                500,
                hint="Section 3: above the new Nyquist frequency (2 kHz), f comes back as "
                "4000 - f.",
            ),
            Question(
                "b",
                choices="abcd",
                hint="Section 5: where is the power of a frame of speech, in its DCT?",
            ),
            Question(
                "a",
                choices="abcd",
                hint="Section 11: what did the quiet bands look like in every clean training "
                "recording?",
            ),
            Question(
                "b",
                choices="abcd",
                hint="Section 9: whose voices are in the test folds of GroupKFold?",
            ),
            Question(
                "b",
                choices="abcd",
                hint="Sections 2 and 5: which rates form families, and what did G.711 fix?",
            ),
        ],
    ),
]

CONSTANT = "any constant answer (each digit is 10 % of the recordings)"
EXPECTATIONS = [
    # The hand-made pieces against torchaudio's (float32 against float64).
    Expect(
        "spectrogram_max_rel_difference",
        smoke=1e-5,
        default=1e-5,
        baseline=1.0,
        baseline_is="a spectrogram without the window or the centring: differences as large as "
        "the values",
        higher_is_better=False,
    ),
    Expect(
        "fbank_max_abs_difference",
        smoke=1e-5,
        default=1e-5,
        baseline=1.0,
        baseline_is="another mel scale or no triangle: weights off by up to 1",
        higher_is_better=False,
    ),
    Expect(
        "melspec_max_rel_difference",
        smoke=1e-5,
        default=1e-5,
        baseline=1.0,
        baseline_is="another filter bank: differences as large as the values",
        higher_is_better=False,
    ),
    # Resampling to 4 kHz: a 3 kHz tone. Naive decimation keeps it at full power (0.0 dB, at
    # 1 kHz); torchaudio's filter removes it (measured -54.8 dB); a 1.5 kHz tone passes (-0.13).
    Expect(
        "alias_level_resampled_db",
        smoke=-40.0,
        default=-40.0,
        baseline=0.0,
        baseline_is="naive decimation: the 3 kHz tone folded to 1 kHz at full power",
        higher_is_better=False,
    ),
    Expect(
        "passband_level_resampled_db",
        smoke=-1.0,
        default=-1.0,
        baseline=-60.0,
        baseline_is="a filter that removed the 1.5 kHz tone too",
    ),
    # 6.02 b + 1.76 dB for a sine at 8, 16 and 24 bits: the largest miss (measured 0.056 dB),
    # and the mean miss of 6.02 b + 4.77 + L on the speech at 8 bits (measured 0.91 dB).
    Expect(
        "sine_rule_max_error_db",
        smoke=0.2,
        default=0.2,
        baseline=6.02,
        baseline_is="a rule off by one bit",
        higher_is_better=False,
    ),
    Expect(
        "speech_snr_prediction_error_db",
        smoke=2.0,
        default=2.0,
        baseline=21.0,
        baseline_is="the sine's rule applied to speech (its level ignored: 21 dB or more off)",
        higher_is_better=False,
    ),
    # Codecs (deterministic): zlib on 16-bit PCM (1.36 times smaller; 1.43 on the differences);
    # 8-bit μ-law keeps at least 34.7 dB for every speaker where 8-bit linear PCM keeps 11.7
    # for theo; our DCT codec keeps 17.8 dB at 20.5 kbit/s, μ-law 16.7 dB at 40 kbit/s (the
    # threshold: as much as μ-law at twice the rate).
    Expect(
        "lossless_prediction_ratio",
        smoke=1.3,
        default=1.3,
        baseline=1.0,
        baseline_is="no compression",
    ),
    Expect(
        "mu_law_snr_min_speaker_db",
        smoke=30.0,
        default=30.0,
        baseline=11.7,
        baseline_is="8-bit linear PCM at the same size, for the quietest speaker",
    ),
    Expect(
        "dct_snr_20kbps_db",
        smoke=16.7,
        default=16.7,
        baseline=8.8,
        baseline_is="linear PCM at 40 kbit/s, twice the rate (μ-law there: 16.7 dB)",
    ),
    # The headline: accuracy over all 3 000 recordings, 3-fold cross-validation, mean of 3
    # seeds (smoke: 1 seed, 2 epochs). Default measured (Intel AVX-512 code path): CNN 0.971
    # shared, 0.676 held out (per seed 0.667, 0.674, 0.687); LSTM 0.959 and 0.656 (per seed
    # 0.649, 0.657, 0.660). AMD AVX2: CNN 0.973 and 0.697, LSTM 0.951 and 0.657.
    Expect("cnn_shared_accuracy", smoke=0.3, default=0.95, baseline=0.1, baseline_is=CONSTANT),
    Expect("cnn_held_out_accuracy", smoke=0.15, default=0.5, baseline=0.1, baseline_is=CONSTANT),
    Expect("lstm_shared_accuracy", smoke=0.15, default=0.93, baseline=0.1, baseline_is=CONSTANT),
    Expect("lstm_held_out_accuracy", smoke=None, default=0.5, baseline=0.1, baseline_is=CONSTANT),
    # The lesson's claim: a speaker held out is much harder, at every seed (measured: CNN gap
    # 0.295, lowest seed 0.283; LSTM 0.303, lowest 0.298; AMD AVX2 0.276 / 0.271, 0.293 /
    # 0.261).
    Expect(
        "cnn_speaker_gap_min",
        smoke=None,
        default=0.15,
        baseline=0.0,
        baseline_is="no difference between the two protocols",
    ),
    Expect(
        "lstm_speaker_gap_min",
        smoke=None,
        default=0.15,
        baseline=0.0,
        baseline_is="no difference between the two protocols",
    ),
    # Noise at 10 dB SNR on the shared protocol's first fold, 3 seeds. Measured: trained clean
    # 0.536, trained with noise 0.883, gain at the lowest seed +0.298; on clean recordings the
    # noise-trained model loses 0.028 on average (AMD AVX2: 0.459, 0.892, +0.350, 0.024).
    Expect(
        "noise_trained_10db_accuracy",
        smoke=None,
        default=0.8,
        baseline=0.536,
        baseline_is="the same CNN trained on clean recordings",
    ),
    Expect(
        "noise_training_gain_10db_min",
        smoke=None,
        default=0.2,
        baseline=0.0,
        baseline_is="training with noise changes nothing at 10 dB",
    ),
    Expect(
        "noise_training_clean_cost",
        smoke=None,
        default=0.06,
        baseline=0.0,
        baseline_is="no loss on clean recordings",
        higher_is_better=False,
    ),
]
