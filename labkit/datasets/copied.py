"""Real data copied into the course: public datasets packed into ``datasets/`` by a script.

The files were made by ``datasets/pack_text.py`` from the published files (whose SHA-256
it checks) and are committed, so nothing is downloaded. Each file's SHA-256 is checked
again here before it is read: a changed or damaged file is an error that says how to get
the right one back, never data that quietly differs.

- ``sentiment_sentences`` (:func:`load_sentiment_sentences`): 3 000 review sentences from
  IMDb, Amazon and Yelp, labelled negative (0) or positive (1); ``groups`` holds each
  sentence's website, so a split can hold a whole site out.
- ``tinyshakespeare`` (:func:`load_corpus`): one text of 1 115 394 characters.
- ``spoken_digits`` (:func:`load_spoken_digits`, packed by ``datasets/pack_audio.py``): the
  3 000 recordings of the Free Spoken Digit Dataset, with the speaker of each in ``groups``.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable

import numpy as np

from labkit.datasets.catalogue import Dataset
from labkit.paths import COURSE_ROOT
from labkit.validation import one_of

__all__ = ["CORPORA", "LOADERS", "load_corpus", "load_sentiment_sentences", "load_spoken_digits"]

DATA_FOLDER = COURSE_ROOT / "datasets"

# SHA-256 of the packed files as datasets/pack_text.py writes them.
PACKED_SHA256 = {
    "sentiment_sentences.tsv": "43ddff56201926fe8904c67993efd108909470b17b635e1130f17bda125acc7c",
    "tinyshakespeare.txt.gz": "13125fe8f49092165d7d489e3944db52d1ba546e64a60080cc9523bcd0c5e46a",
    "spoken_digits.pcm.gz": "07c60bae9d803dda1f996d9a527ea8e3ed8b5831dbf4b5713e7f6557bbf5c400",
    "spoken_digits.tsv": "6a59d355232245da7b069a0c6a2af57cd75469ddb6019073e33843eef24d6f7a",
}
# The script that wrote each packed file (its docstring says how to run it).
PACKED_BY = {
    "sentiment_sentences.tsv": "pack_text.py",
    "tinyshakespeare.txt.gz": "pack_text.py",
    "spoken_digits.pcm.gz": "pack_audio.py",
    "spoken_digits.tsv": "pack_audio.py",
}
SAMPLE_RATE = 8000  # of the spoken digits

_SENTENCES_DESCRIPTION = """\
Sentiment Labelled Sentences: 3000 sentences from reviews on three websites (1000 each:
IMDb films, Amazon phones and accessories, Yelp restaurants), each labelled negative (0) or
positive (1), 500 of each per site. The authors picked sentences with a clear sentiment.
X holds the sentences as strings (trailing spaces removed), groups the website of each."""


def _read_packed(name: str) -> bytes:
    """The bytes of a packed file, after checking its SHA-256."""
    path = DATA_FOLDER / name
    how = (
        f"It belongs to the repository: restore it with `git checkout -- datasets/{name}`, "
        f"or pack it again with `python datasets/{PACKED_BY[name]} SOURCE` (see its docstring)."
    )
    if not path.is_file():
        raise FileNotFoundError(f"The file {path} is missing. {how}")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != PACKED_SHA256[name]:
        raise ValueError(f"The file {path} is not the one the course packed (SHA-256). {how}")
    return data


def load_sentiment_sentences() -> Dataset:
    """The 3 000 labelled review sentences (``datasets/sentiment_sentences.tsv``).

    Returns
    -------
    Dataset
        ``X``: (3000,) array of str; ``y``: 0 (negative) or 1 (positive); ``groups``:
        ``"imdb"``, ``"amazon"`` or ``"yelp"`` per sentence.

    Examples
    --------
    >>> data = load_sentiment_sentences()
    >>> len(data), data.classes, sorted(set(data.groups))
    (3000, ['negative', 'positive'], ['amazon', 'imdb', 'yelp'])
    >>> print(data.X[0], data.y[0], data.groups[0])
    A very, very, very slow-moving, aimless movie about a distressed, drifting young man. 0 imdb
    """
    text = _read_packed("sentiment_sentences.tsv").decode("utf-8")
    rows = [line.split("\t") for line in text.split("\n")[1:-1]]  # "\n" only: see pack_text
    return Dataset(
        name="sentiment_sentences",
        X=np.array([sentence.strip() for _, _, sentence in rows], dtype=object),
        y=np.array([int(label) for _, label, _ in rows]),
        task="classification",
        feature_names=["sentence"],
        classes=["negative", "positive"],
        shape=(),
        source=(
            "UCI Machine Learning Repository, 'Sentiment Labelled Sentences'; D. Kotzias, "
            "M. Denil, N. de Freitas, P. Smyth, 'From Group to Individual Labels using Deep "
            "Features', KDD 2015"
        ),
        licence="CC BY 4.0",
        description=_SENTENCES_DESCRIPTION,
        groups=np.array([source for source, _, _ in rows], dtype=object),
    )


_DIGITS_DESCRIPTION = """\
Free Spoken Digit Dataset: 3000 recordings of the digits 0 to 9, each spoken 50 times by each
of 6 people (george, jackson, lucas, nicolas, theo, yweweler: six men with, by the dataset's
metadata, Greek, American, German, Belgian French, American and German accents), mono, 8000
samples per second,
trimmed to little silence. X holds each recording as float32 samples in [-1, 1) (the 16-bit
values divided by 32768; lengths differ, about 0.1 to 2.3 s), y the digit, groups the
speaker. Order: the published file names ({digit}_{speaker}_{index}.wav) sorted as text."""


def load_spoken_digits() -> Dataset:
    """The 3 000 spoken digits (``datasets/spoken_digits.pcm.gz`` and ``.tsv``), 8 000 Hz.

    Returns
    -------
    Dataset
        ``X``: (3000,) object array, each a 1-D float32 array of samples in [-1, 1);
        ``y``: the digit (0-9); ``groups``: the speaker's name.

    Examples
    --------
    >>> data = load_spoken_digits()
    >>> len(data), int(data.y[0]), data.groups[0], data.X[0].dtype, len(data.X[0]) / SAMPLE_RATE
    (3000, 0, 'george', dtype('float32'), 0.298)
    """
    rows = [line.split("\t") for line in _read_packed("spoken_digits.tsv").decode().split("\n")]
    rows = rows[1:-1]  # the header, and the empty string after the last newline
    samples = np.frombuffer(gzip.decompress(_read_packed("spoken_digits.pcm.gz")), "<i2")
    ends = np.cumsum([int(row[4]) for row in rows])
    recordings = np.split(samples.astype(np.float32) / 32768, ends[:-1])
    X = np.empty(len(recordings), dtype=object)
    X[:] = recordings  # an object array of arrays (np.array would try to stack them)
    return Dataset(
        name="spoken_digits",
        X=X,
        y=np.array([int(row[1]) for row in rows]),
        task="classification",
        feature_names=[],
        classes=[str(digit) for digit in range(10)],
        shape=(),
        source=(
            "Free Spoken Digit Dataset, Z. Jackson et al., 2016, "
            "github.com/Jakobovski/free-spoken-digit-dataset (commit 26eb9aa)"
        ),
        licence="CC BY-SA 4.0",
        description=_DIGITS_DESCRIPTION,
        groups=np.array([row[2] for row in rows], dtype=object),
    )


# corpus name -> (packed file, where it comes from, licence)
CORPORA = {
    "tinyshakespeare": (
        "tinyshakespeare.txt.gz",
        "40 000 lines of Shakespeare's plays, assembled by A. Karpathy for char-rnn "
        "(github.com/karpathy/char-rnn, data/tinyshakespeare/input.txt)",
        "the plays are in the public domain; char-rnn is MIT-licensed",
    )
}


def load_corpus(name: str) -> str:
    """A whole text corpus as one string (for character- and word-level models).

    Parameters
    ----------
    name : {"tinyshakespeare"}

    Returns
    -------
    str

    Examples
    --------
    >>> text = load_corpus("tinyshakespeare")
    >>> len(text), text[:14]
    (1115394, 'First Citizen:')
    """
    one_of("name", name, tuple(CORPORA))
    return gzip.decompress(_read_packed(CORPORA[name][0])).decode("utf-8")


# name -> function returning the whole dataset.
LOADERS: dict[str, Callable[[], Dataset]] = {
    "sentiment_sentences": load_sentiment_sentences,
    "spoken_digits": load_spoken_digits,
}
