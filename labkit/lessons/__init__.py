"""Every lesson's declarations: its exercises and what its recorded metrics must reach.

Each lesson has a module ``lesson_NN.py`` holding ``EXERCISES`` (a list of
:class:`~labkit.exercises.declare.Exercise`, in the order of the lesson) and
``EXPECTATIONS`` (a list of :class:`~labkit.exercises.declare.Expect`). Modules are found
by their names, not registered by hand; an exercise id that does not start with its
module's number, or that two exercises share, is an error.

These modules hold the reference solutions: the grader hides this folder from the
learner's kernel, and the student kit (``labkit kit``) leaves it out.

>>> [exercise.id for exercise in exercises_for("02")][:3]
['02.ex1', '02.ex2', '02.ex3']
>>> find_exercise("02.ex1").name, find_exercise("02.ex1").points
('contiguous_folds', 3)
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re

from labkit.exercises.declare import Exercise, Expect

__all__ = ["lesson_numbers", "exercises_for", "expectations_for", "find_exercise", "check_ids"]

_MODULE = re.compile(r"lesson_(\d\d)")


@functools.cache
def _modules() -> dict:
    """Every ``lesson_NN`` module of this package, by lesson number, checked."""
    modules = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        found = _MODULE.fullmatch(info.name)
        if found:
            modules[found.group(1)] = importlib.import_module(f"{__name__}.{info.name}")
    check_ids({number: module.EXERCISES for number, module in modules.items()})
    return modules


def check_ids(exercises_by_lesson: dict[str, list[Exercise]]) -> None:
    """Raise ValueError if an id is not its lesson's or is declared twice.

    >>> from labkit.lessons.lesson_05 import EXERCISES
    >>> check_ids({"05": EXERCISES, "06": EXERCISES[:1]})
    Traceback (most recent call last):
    ...
    ValueError: lesson_06 declares 05.ex1, which is not lesson 06's.
    """
    seen = set()
    for number, exercises in exercises_by_lesson.items():
        for exercise in exercises:
            if not exercise.id.startswith(f"{number}."):
                raise ValueError(
                    f"lesson_{number} declares {exercise.id}, which is not lesson {number}'s."
                )
            if exercise.id in seen:
                raise ValueError(f"Exercise {exercise.id} is declared twice.")
            seen.add(exercise.id)


def lesson_numbers() -> list[str]:
    """The two-digit numbers of every lesson with declarations, in order."""
    return list(_modules())


def exercises_for(lesson: str) -> list[Exercise]:
    """The exercises of ``lesson`` (two digits, e.g. ``"01"``), in order.

    Returns a new list each time. Raises ValueError if no lesson has that number.
    """
    modules = _modules()
    if lesson not in modules:
        raise ValueError(
            f"No exercises for lesson {lesson!r}. Known lessons: {', '.join(modules)}."
        )
    return list(modules[lesson].EXERCISES)


def expectations_for(lesson: str) -> list[Expect]:
    """What the recorded metrics of ``lesson`` must reach (see ``Expect``)."""
    exercises_for(lesson)  # the same error for an unknown lesson
    return list(_modules()[lesson].EXPECTATIONS)


def find_exercise(exercise_id: str) -> Exercise | None:
    """The exercise with this id, or None."""
    lesson = exercise_id[:2]
    if not re.fullmatch(r"\d\d\.ex\d+", exercise_id) or lesson not in lesson_numbers():
        return None
    return next((e for e in exercises_for(lesson) if e.id == exercise_id), None)
