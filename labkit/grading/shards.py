"""A class too big for one machine: grade it as shards, anywhere, then merge the parts.

Grading is embarrassingly parallel. ``labkit grade ... --shard 2/5`` grades the second of
five shards: every fifth submission in the order of student ids, the same split on every
machine that sees the same files. Each shard writes its students' feedback and a part
file, ``part-2-of-5.json``, into its own ``--out``. ``labkit grade-merge`` reads the parts
of all shards and writes the gradebook and every report, exactly as one run would have.

>>> parse_shard("2/5")
(2, 5)
>>> sorted(select_shard(list("gfedcba"), (2, 3)))  # by position among the sorted ids
['b', 'e']
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from labkit.grading.files import UntrustedFileError, read_untrusted, write_file
from labkit.grading.grade import ExerciseResult, SubmissionResult

__all__ = ["merge_parts", "parse_shard", "part_name", "select_shard", "write_part"]

PART_FORMAT = "labkit-grade-part/1"
_PART = re.compile(r"part-(\d+)-of-(\d+)\.json")
MAX_PART_BYTES = 256 * 2**20


def parse_shard(text: str) -> tuple[int, int]:
    """``"I/N"`` as ``(I, N)``, with 1 <= I <= N; ValueError otherwise.

    >>> parse_shard("1/1")
    (1, 1)
    """
    found = re.fullmatch(r"(\d+)/(\d+)", str(text).strip())
    if not found or not 1 <= int(found.group(1)) <= int(found.group(2)):
        raise ValueError(
            f"--shard must be I/N with 1 <= I <= N, e.g. 2/5 (the second of five "
            f"shards). Received: {text!r}"
        )
    return int(found.group(1)), int(found.group(2))


def select_shard(students: Sequence[str], shard: tuple[int, int]) -> set[str]:
    """The students of ``shard``: every N-th of the sorted ids, starting at the I-th.

    >>> sorted(select_shard(["dan", "ada", "cy", "bo"], (1, 2)))
    ['ada', 'cy']
    """
    index, count = shard
    return set(sorted(students)[index - 1 :: count])


def part_name(shard: tuple[int, int]) -> str:
    """The part file's name: ``part-I-of-N.json``."""
    return f"part-{shard[0]}-of-{shard[1]}.json"


def write_part(
    results: Sequence[SubmissionResult],
    out: Path,
    shard: tuple[int, int],
    lesson: str,
    class_size: int,
) -> Path:
    """Write this shard's results as ``out/part-I-of-N.json``; the path."""
    part = {
        "format": PART_FORMAT,
        "lesson": lesson,
        "shard": list(shard),
        "class_size": class_size,
        "results": [r.to_dict() for r in sorted(results, key=lambda r: r.student)],
    }
    return write_file(out, part_name(shard), json.dumps(part, indent=1) + "\n")


def merge_parts(folders: Sequence[str | Path]) -> tuple[str, list[SubmissionResult]]:
    """The lesson and every result from the part files in ``folders`` (each shard's
    ``--out``). Raises ValueError unless they are all N parts of one class, each once,
    with no student twice."""
    parts = {}
    for folder in map(Path, folders):
        names = [p for p in sorted(folder.glob("part-*-of-*.json")) if _PART.fullmatch(p.name)]
        if not names:
            raise ValueError(
                f"{folder} holds no part file (part-I-of-N.json): pass the --out "
                "folders of the shards"
            )
        for path in names:
            part = _read_part(path)
            key = tuple(part["shard"])
            if key in parts:
                raise ValueError(f"shard {key[0]}/{key[1]} appears twice ({path})")
            parts[key] = part
    counts = {count for _, count in parts}
    lessons = {part["lesson"] for part in parts.values()}
    if len(counts) != 1 or len(lessons) != 1:
        raise ValueError(
            f"the parts are not of one class: shard counts {sorted(counts)}, "
            f"lessons {sorted(lessons)}"
        )
    (count,) = counts
    missing = [i for i in range(1, count + 1) if (i, count) not in parts]
    if missing:
        raise ValueError(
            f"missing shard(s) {', '.join(f'{i}/{count}' for i in missing)}: "
            "grade them, or rerun the failed jobs, then merge again"
        )
    results = [_result(r) for part in parts.values() for r in part["results"]]
    students = [r.student for r in results]
    if len(set(students)) != len(students):
        raise ValueError(
            "a student appears in two parts: were the shards graded on different sets of files?"
        )
    sizes = {part["class_size"] for part in parts.values()}
    if sizes != {len(results)}:
        raise ValueError(
            f"the shards saw classes of {sorted(sizes)} submissions but hold "
            f"{len(results)} results: grade every shard on the same files"
        )
    return lessons.pop(), sorted(results, key=lambda r: r.student)


def _read_part(path: Path) -> dict:
    try:
        part = json.loads(read_untrusted(path, max_bytes=MAX_PART_BYTES))
    except (UntrustedFileError, ValueError) as error:
        raise ValueError(f"{path} cannot be read as a part file: {error}") from None
    if not (
        isinstance(part, dict)
        and part.get("format") == PART_FORMAT
        and isinstance(part.get("results"), list)
    ):
        raise ValueError(f"{path} is not a part file of labkit grade --shard")
    return part


def _result(data: dict) -> SubmissionResult:
    """A result as ``SubmissionResult.to_dict`` wrote it."""
    try:
        exercises = [ExerciseResult(**e) for e in data["exercises"]]
        return SubmissionResult(**{**data, "exercises": exercises})
    except (KeyError, TypeError) as error:
        raise ValueError(f"a part file holds a result that cannot be read ({error})") from None
