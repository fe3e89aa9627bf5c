"""The real data packed into datasets/: provenance, contents, and damaged files."""

import gzip
import hashlib
import importlib.util
import io
import shutil
import subprocess
import sys
import wave

import numpy as np
import pytest

from labkit import datasets
from labkit.datasets import copied
from labkit.paths import COURSE_ROOT

FOLDER = COURSE_ROOT / "datasets"


def script(name):
    """A packing script of datasets/, imported as a module."""
    spec = importlib.util.spec_from_file_location(name, FOLDER / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pack_text, pack_audio = script("pack_text"), script("pack_audio")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def published_files() -> dict[str, bytes]:
    """The published files, rebuilt from the packed ones, by relative path."""
    text = gzip.decompress((FOLDER / "tinyshakespeare.txt.gz").read_bytes())
    files = {pack_text.SHAKESPEARE[0]: text}
    lines = (FOLDER / "sentiment_sentences.tsv").read_text(encoding="utf-8").split("\n")[1:-1]
    for source, (path, _) in pack_text.SENTENCES.items():
        rows = [line.split("\t", 2) for line in lines if line.startswith(source + "\t")]
        files[path] = "".join(f"{sentence}\t{label}\n" for _, label, sentence in rows).encode()
    return files


def test_the_packed_files_hold_the_published_files_byte_for_byte():
    published = {pack_text.SHAKESPEARE[0]: pack_text.SHAKESPEARE[1]}
    published |= {path: digest for path, digest in pack_text.SENTENCES.values()}
    assert {path: sha256(data) for path, data in published_files().items()} == published


def test_packing_the_published_files_gives_the_committed_bytes(tmp_path):
    for path, data in published_files().items():
        (tmp_path / "src" / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "src" / path).write_bytes(data)
    (tmp_path / "out").mkdir()
    command = [sys.executable, FOLDER / "pack_text.py", tmp_path / "src", "--out", tmp_path / "out"]
    subprocess.run(command, check=True)
    for name, digest in copied.PACKED_SHA256.items():
        if copied.PACKED_BY[name] == "pack_text.py":
            assert sha256((tmp_path / "out" / name).read_bytes()) == digest, name


def test_a_changed_input_is_refused_before_anything_is_written(tmp_path):
    for path, data in published_files().items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    (tmp_path / pack_text.SENTENCES["yelp"][0]).write_text("Great!\t1\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, FOLDER / "pack_text.py", tmp_path, "--out", tmp_path],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode != 0 and "not the published file" in result.stderr


def test_sentences_per_site_and_label_and_the_splits_keep_the_sites():
    data = datasets.load("sentiment_sentences")
    assert datasets.kind("sentiment_sentences") == "copied"
    for site in ("imdb", "amazon", "yelp"):
        labels = data.y[data.groups == site]
        assert len(labels) == 1000 and labels.sum() == 500
    assert all(isinstance(s, str) and s == s.strip() and s for s in data.X)
    assert sum("\u0085" in s for s in data.X) > 0  # kept inside a sentence, not a line break
    train, test = (
        datasets.load("sentiment_sentences", split="train"),
        datasets.load("sentiment_sentences", split="test"),
    )
    assert len(train) == 2400 and len(test) == 600
    rows = {sentence: site for sentence, site in zip(data.X, data.groups, strict=True)}
    assert all(rows[s] == g for s, g in zip(test.X, test.groups, strict=True))


def test_the_shakespeare_corpus():
    text = datasets.load_corpus("tinyshakespeare")
    assert len(text) == 1_115_394 and text.count("\n") == 40_000
    with pytest.raises(ValueError, match="name must be one of"):
        datasets.load_corpus("hamlet")


def published_recordings() -> dict[str, bytes]:
    """The 3 000 published wav files, rebuilt from the packed samples, by file name."""
    samples = gzip.decompress((FOLDER / "spoken_digits.pcm.gz").read_bytes())
    rows = [line.split("\t") for line in (FOLDER / "spoken_digits.tsv").read_text().split("\n")]
    files, start = {}, 0
    for name, _, _, _, count in rows[1:-1]:
        end = start + 2 * int(count)
        with io.BytesIO() as buffer:
            with wave.open(buffer, "wb") as recording:
                recording.setnchannels(1)
                recording.setsampwidth(2)
                recording.setframerate(8000)
                recording.writeframes(samples[start:end])
            files[name] = buffer.getvalue()
        start = end
    assert start == len(samples)
    return files


def test_the_packed_audio_holds_the_published_recordings_byte_for_byte():
    files = published_recordings()
    assert len(files) == 3000 and list(files) == sorted(files)
    assert sha256(b"".join(files.values())) == pack_audio.RECORDINGS_SHA256


def test_packing_the_published_recordings_gives_the_committed_bytes(tmp_path):
    (tmp_path / "src" / "recordings").mkdir(parents=True)
    for name, data in published_recordings().items():
        (tmp_path / "src" / "recordings" / name).write_bytes(data)
    (tmp_path / "out").mkdir()
    command = [
        sys.executable,
        FOLDER / "pack_audio.py",
        tmp_path / "src",
        "--out",
        tmp_path / "out",
    ]
    subprocess.run(command, check=True)
    for name in ("spoken_digits.pcm.gz", "spoken_digits.tsv"):
        assert sha256((tmp_path / "out" / name).read_bytes()) == copied.PACKED_SHA256[name]
    (tmp_path / "src" / "recordings" / "0_george_0.wav").unlink()  # one recording missing
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode != 0 and "not the published ones" in result.stderr


def test_spoken_digits_per_speaker_and_digit():
    data = datasets.load("spoken_digits")
    assert datasets.kind("spoken_digits") == "copied" and data.licence == "CC BY-SA 4.0"
    assert sorted(set(data.groups)) == list(pack_audio.SPEAKERS)
    for speaker in pack_audio.SPEAKERS:  # every speaker says every digit 50 times
        assert np.bincount(data.y[data.groups == speaker]).tolist() == [50] * 10
    lengths = [len(x) for x in data.X]
    assert all(x.dtype == np.float32 and x.ndim == 1 for x in data.X)
    assert min(lengths) > 1000 and max(lengths) < 20_000  # 0.14 s to 2.3 s at 8 kHz
    assert max(float(np.abs(x).max()) for x in data.X) <= 1.0
    with pytest.raises(TypeError, match="samples of different lengths.*spectrogram"):
        data.tensors()


LOADERS = {
    "sentiment_sentences.tsv": lambda: copied.load_sentiment_sentences(),
    "tinyshakespeare.txt.gz": lambda: copied.load_corpus("tinyshakespeare"),
    "spoken_digits.pcm.gz": lambda: copied.load_spoken_digits(),
    "spoken_digits.tsv": lambda: copied.load_spoken_digits(),
}


@pytest.mark.parametrize("name", sorted(copied.PACKED_SHA256))
def test_a_damaged_or_missing_file_is_an_error_that_says_how_to_restore_it(
    name, tmp_path, monkeypatch
):
    shutil.copytree(FOLDER, tmp_path, dirs_exist_ok=True)
    monkeypatch.setattr(copied, "DATA_FOLDER", tmp_path)
    data = bytearray((tmp_path / name).read_bytes())
    data[len(data) // 2] ^= 1
    (tmp_path / name).write_bytes(bytes(data))
    with pytest.raises(ValueError, match=f"SHA-256.*git checkout -- datasets/{name}"):
        LOADERS[name]()
    (tmp_path / name).unlink()
    with pytest.raises(FileNotFoundError, match=copied.PACKED_BY[name]):
        LOADERS[name]()


def test_text_has_no_tensor_form_and_says_so():
    with pytest.raises(TypeError, match="holds text.*turn each sample into numbers"):
        datasets.load("sentiment_sentences").tensors()


def test_sets_without_groups_have_none():
    wine = datasets.load("wine", split="test")
    assert wine.groups is None and len(wine) == 36
