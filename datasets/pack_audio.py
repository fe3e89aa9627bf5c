"""Pack the Free Spoken Digit Dataset (lessons 16 and 19) into two compact files of this folder.

Run ``python datasets/pack_audio.py SOURCE`` where ``SOURCE/recordings/`` holds the 3 000
published recordings ``{digit}_{speaker}_{index}.wav`` (mono, 16-bit, 8 000 Hz): the
Free Spoken Digit Dataset, github.com/Jakobovski/free-spoken-digit-dataset at commit
26eb9aaf76e81b692f806f9140c2d2777410d7a1 (release 1.0.10 and 27 commits), six speakers
saying each digit 50 times. Licence: CC BY-SA 4.0 (as KotlinDL's dataset documentation
states it; the repository itself has no licence file). Cite: Z. Jackson et al., "Free Spoken
Digit Dataset (FSDD)", 2016, github.com/Jakobovski/free-spoken-digit-dataset (Zenodo
doi:10.5281/zenodo.1342401 archives its release 1.0.8).

The recordings, read in sorted file-name order and joined, must have the SHA-256 below;
the script stops otherwise, before writing. It writes:

- ``spoken_digits.pcm.gz``: every recording's samples (16-bit little-endian integers, the
  bytes of the wav files' data chunks) one after the other in that order, gzip level 9 with
  no file name or time stamp in the header, so the same input gives the same bytes.
- ``spoken_digits.tsv``: a header line ``file<TAB>digit<TAB>speaker<TAB>index<TAB>samples``,
  then one line per recording in the same order.

Each wav file is the standard 44-byte header (mono, 16-bit, 8 000 Hz) and its samples, so
Python's ``wave`` module rebuilds every published file byte for byte from these two
(a test does, and checks the SHA-256). ``labkit.datasets`` checks the SHA-256 of the two
packed files before it reads them.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import wave
from pathlib import Path

FOLDER = Path(__file__).resolve().parent
RECORDINGS_SHA256 = "ddb17656a0bca4c5ddace082be188ca630516dc2ef1110afe3c4e9cc71173de4"
SAMPLE_RATE = 8000
SPEAKERS = ("george", "jackson", "lucas", "nicolas", "theo", "yweweler")


def read_samples(path: Path) -> bytes:
    """The sample bytes of one recording, after checking it is mono, 16-bit, 8 000 Hz."""
    with wave.open(str(path), "rb") as recording:
        layout = (recording.getnchannels(), recording.getsampwidth(), recording.getframerate())
        if layout != (1, 2, SAMPLE_RATE):
            raise SystemExit(
                f"{path}: (channels, bytes per sample, rate) = {layout}, not (1, 2, 8000)"
            )
        return recording.readframes(recording.getnframes())


def describe(name: str, samples: int) -> str:
    """The TSV line of a recording named ``{digit}_{speaker}_{index}.wav``."""
    digit, speaker, index = Path(name).stem.split("_")
    if not (digit.isdigit() and len(digit) == 1 and speaker in SPEAKERS and index.isdigit()):
        raise SystemExit(f"unexpected recording name: {name}")
    return f"{name}\t{digit}\t{speaker}\t{index}\t{samples}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="folder holding recordings/")
    parser.add_argument("--out", type=Path, default=FOLDER, help="where to write (this folder)")
    args = parser.parse_args()
    paths = sorted((args.source / "recordings").glob("*.wav"), key=lambda path: path.name)
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    if digest.hexdigest() != RECORDINGS_SHA256:
        raise SystemExit(
            f"The {len(paths)} recordings in {args.source / 'recordings'} are not the published "
            "ones (SHA-256 of the joined files differs): nothing written."
        )
    chunks = [read_samples(path) for path in paths]
    rows = ["file\tdigit\tspeaker\tindex\tsamples"]
    rows += [
        describe(path.name, len(chunk) // 2) for path, chunk in zip(paths, chunks, strict=True)
    ]
    with (
        (args.out / "spoken_digits.pcm.gz").open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as packed,
    ):
        packed.write(b"".join(chunks))
    (args.out / "spoken_digits.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    print(f"wrote spoken_digits.pcm.gz and spoken_digits.tsv ({len(paths)} recordings)")


if __name__ == "__main__":
    main()
