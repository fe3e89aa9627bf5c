"""Where the course's folders are, wherever a kernel or command was started.

>>> NOTEBOOKS.name, SOLUTIONS.relative_to(NOTEBOOKS).as_posix()
('notebooks', 'solutions')
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["COURSE_ROOT", "NOTEBOOKS", "SOLUTIONS", "lesson_sources", "learner_versions"]

COURSE_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = COURSE_ROOT / "notebooks"  # learner versions (released, no outputs)
SOLUTIONS = NOTEBOOKS / "solutions"  # the sources: complete lessons with solutions


def lesson_sources() -> list[Path]:
    """Every lesson source, in lesson order (``NN_name.ipynb``)."""
    return sorted(SOLUTIONS.glob("[0-9][0-9]_*.ipynb"))


def learner_versions() -> list[Path]:
    """Every released learner version, in lesson order."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
