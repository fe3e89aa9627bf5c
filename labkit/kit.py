"""The student kit: what an instructor hands to a class, without a single answer in it.

``labkit kit OUT`` writes a folder that installs and runs like the course itself
(``python3 bootstrap.py start``), holding

- the learner versions of the lessons (``notebooks/NN_name.ipynb``: no outputs, every
  solution replaced by a placeholder);
- labkit, without ``labkit/lessons/`` (the declarations, which hold the reference
  solutions and the generators of the graded cases), and with each lesson's public
  examples, expected answers and hints as data in ``labkit/exercises/public/`` instead,
  so that ``labkit.check`` works exactly as in the full course;
- the files needed to install it (``pyproject.toml``, the requirement files,
  ``bootstrap.py``, ``datasets/``, Binder's configuration) and the licences.

It never holds ``notebooks/solutions/``, the tests or the benchmarks. The grader keeps
working from the instructor's full copy. The folder is built next to ``OUT`` and renamed
into place only when complete; an existing ``OUT`` is never overwritten.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from labkit.paths import COURSE_ROOT, NOTEBOOKS

__all__ = ["build_kit", "KIT_FILES"]

# Copied as they are, relative to the course's root: files, or folders (recursively).
KIT_FILES = (
    "README.md",
    "LICENSE",
    "LICENSE-CONTENT.md",
    "pyproject.toml",
    "requirements.txt",
    "requirements-dev.txt",
    "constraints.txt",
    "bootstrap.py",
    "Makefile",
    "binder",
    "datasets",
)
LEFT_OUT = ("lessons", "__pycache__")  # never copied from labkit/
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")


def _write_public_data(labkit_copy: Path) -> list[Path]:
    """One JSON file per lesson with its exercises' public views."""
    from labkit.exercises.public import public_view, to_json
    from labkit.lessons import exercises_for, lesson_numbers

    folder = labkit_copy / "exercises" / "public"
    folder.mkdir(parents=True)
    written = []
    for number in lesson_numbers():
        views = [public_view(exercise) for exercise in exercises_for(number)]
        path = folder / f"lesson_{number}.json"
        path.write_text(to_json(views) + "\n", encoding="utf-8")
        written.append(path)
    return written


def build_kit(out: str | Path) -> Path:
    """Write the student kit into the new folder ``out``; return its path.

    Raises FileExistsError if ``out`` exists, so that nothing is ever overwritten.
    """
    from labkit.release import release_all

    out = Path(out).resolve()
    if out.exists():
        raise FileExistsError(f"{out} already exists: choose a new folder for the kit.")
    stale = release_all(check=True)
    if stale:
        names = ", ".join(path.name for path in stale)
        raise RuntimeError(
            f"The learner versions are out of date ({names}): run 'labkit release' first."
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".labkit-kit-", dir=out.parent) as building:
        kit = Path(building) / "kit"
        kit.mkdir()
        for name in KIT_FILES:
            source = COURSE_ROOT / name
            if source.is_dir():
                shutil.copytree(source, kit / name, ignore=_IGNORE)
            elif source.is_file():
                shutil.copy2(source, kit / name)
        shutil.copytree(
            COURSE_ROOT / "labkit",
            kit / "labkit",
            ignore=shutil.ignore_patterns(*LEFT_OUT, "*.pyc"),
        )
        _write_public_data(kit / "labkit")
        (kit / "notebooks").mkdir()
        for lesson in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
            shutil.copy2(lesson, kit / "notebooks" / lesson.name)
        kit.rename(out)
    return out
