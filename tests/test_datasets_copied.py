"""The real text data packed into datasets/: provenance, contents, and damaged files."""

import gzip
import hashlib
import importlib.util
import shutil
import subprocess
import sys

import pytest

from labkit import datasets
from labkit.datasets import copied
from labkit.paths import COURSE_ROOT

FOLDER = COURSE_ROOT / "datasets"
_spec = importlib.util.spec_from_file_location("pack_text", FOLDER / "pack_text.py")
pack_text = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pack_text)


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


@pytest.mark.parametrize("name", sorted(copied.PACKED_SHA256))
def test_a_damaged_or_missing_file_is_an_error_that_says_how_to_restore_it(
    name, tmp_path, monkeypatch
):
    shutil.copytree(FOLDER, tmp_path, dirs_exist_ok=True)
    monkeypatch.setattr(copied, "DATA_FOLDER", tmp_path)
    data = bytearray((tmp_path / name).read_bytes())
    data[len(data) // 2] ^= 1
    (tmp_path / name).write_bytes(bytes(data))
    load = {"sentiment_sentences.tsv": copied.load_sentiment_sentences}.get(
        name, lambda: copied.load_corpus("tinyshakespeare")
    )
    with pytest.raises(ValueError, match=f"SHA-256.*git checkout -- datasets/{name}"):
        load()
    (tmp_path / name).unlink()
    with pytest.raises(FileNotFoundError, match="pack_text.py"):
        load()


def test_text_has_no_tensor_form_and_says_so():
    with pytest.raises(TypeError, match="holds text.*turn each text into numbers"):
        datasets.load("sentiment_sentences").tensors()


def test_sets_without_groups_have_none():
    wine = datasets.load("wine", split="test")
    assert wine.groups is None and len(wine) == 36
