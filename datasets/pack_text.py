"""Pack the two real text datasets of lessons 12-15 into compact files of this folder.

Run ``python datasets/pack_text.py SOURCE`` where ``SOURCE`` holds the public files in
their published layout:

- ``SOURCE/tinyshakespeare/input.txt``: 40 000 lines of Shakespeare's plays (1 115 394
  characters), assembled by Andrej Karpathy for char-rnn
  (github.com/karpathy/char-rnn, ``data/tinyshakespeare/input.txt``). The plays are in the
  public domain; char-rnn is MIT-licensed.
- ``SOURCE/sentiment_sentences/{imdb,amazon_cells,yelp}_labelled.txt``: "Sentiment
  Labelled Sentences" (UCI Machine Learning Repository, CC BY 4.0), 1 000 review sentences
  from each of three websites, each ``sentence<TAB>label`` with label 1 (positive) or 0
  (negative), 500 of each per site. Cite: D. Kotzias, M. Denil, N. de Freitas, P. Smyth,
  "From Group to Individual Labels using Deep Features", KDD 2015.

Every input must have the SHA-256 below (the files as published); the script stops
otherwise. It writes:

- ``tinyshakespeare.txt.gz``: the text, gzip level 9 with no file name or time stamp in
  the header, so the same input gives the same bytes.
- ``sentiment_sentences.tsv``: one header line ``source<TAB>label<TAB>sentence``, then
  every sentence in the published order (imdb, amazon, yelp). The sentence is kept
  exactly as published, trailing spaces included, so each original file can be rebuilt
  byte for byte (``sentence<TAB>label<NEWLINE>``) and checked against its SHA-256. Lines
  are split at ``\\n`` only: some IMDb sentences contain U+0085 (NEXT LINE), which
  ``str.splitlines`` would treat as a line break.

``labkit.datasets`` checks the SHA-256 of the two written files before it reads them.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
from pathlib import Path

FOLDER = Path(__file__).resolve().parent

SHAKESPEARE = (
    "tinyshakespeare/input.txt",
    "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
)
SENTENCES = {  # source -> (file, SHA-256 as published)
    "imdb": (
        "sentiment_sentences/imdb_labelled.txt",
        "aef2e49e3da25714d61175e3a6e68eeef74a20a2f914318dc3be9947ea86512d",
    ),
    "amazon": (
        "sentiment_sentences/amazon_cells_labelled.txt",
        "47003fc0a0d4840b00e96e715b6189bad09e7443a3da41c4cbe12ffc79f86ae3",
    ),
    "yelp": (
        "sentiment_sentences/yelp_labelled.txt",
        "c76468b7b5c6e56a0804d728345c5f84aa2142ddb214420f61cc9cfd4c00d2ea",
    ),
}


def read_checked(path: Path, sha256: str) -> bytes:
    """The file's bytes, if they have the published SHA-256."""
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise SystemExit(f"{path} is not the published file (SHA-256 differs): not packed.")
    return data


def sentence_rows(text: str, source: str) -> list[str]:
    """``source<TAB>label<TAB>sentence`` for each ``sentence<TAB>label`` line."""
    rows = []
    for line in text.split("\n")[:-1]:  # the file ends with a newline
        sentence, label = line.rsplit("\t", 1)
        if label not in ("0", "1") or "\t" in sentence:
            raise SystemExit(f"unexpected line in the {source} file: {line!r}")
        rows.append(f"{source}\t{label}\t{sentence}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="folder with the published files")
    parser.add_argument("--out", type=Path, default=FOLDER, help="where to write (this folder)")
    args = parser.parse_args()
    source, out = args.source, args.out
    text = read_checked(source / SHAKESPEARE[0], SHAKESPEARE[1])
    with (
        (out / "tinyshakespeare.txt.gz").open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz,
    ):
        gz.write(text)
    rows = ["source\tlabel\tsentence"]
    for name, (file, sha256) in SENTENCES.items():
        rows += sentence_rows(read_checked(source / file, sha256).decode("utf-8"), name)
    (out / "sentiment_sentences.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    print(f"wrote tinyshakespeare.txt.gz and sentiment_sentences.tsv ({len(rows) - 1} sentences)")


if __name__ == "__main__":
    main()
