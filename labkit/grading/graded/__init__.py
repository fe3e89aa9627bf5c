"""The graded checks of every lesson: ``exercises_for("01")`` lists lesson 01's.

Each lesson has a module ``lesson_NN.py`` whose ``EXERCISES`` list holds one
:class:`~labkit.grading.exercise.GradedExercise` per exercise, in the order of the lesson.
Their inputs are drawn per student from the course secret, so reading this code tells a
learner what is checked but not the inputs they will get.

>>> [exercise.id for exercise in exercises_for("02")]
['02.ex1', '02.ex2', '02.ex3']
>>> exercises_for("02")[0].name, exercises_for("02")[0].points
('contiguous_folds', 3)
"""

from __future__ import annotations

from labkit.grading.exercise import GradedExercise
from labkit.grading.graded import (
    lesson_00,
    lesson_01,
    lesson_02,
    lesson_03,
    lesson_04,
    lesson_05,
    lesson_06,
    lesson_07,
    lesson_08,
    lesson_09,
)

__all__ = ["LESSONS", "exercises_for"]

LESSONS: dict[str, list[GradedExercise]] = {
    "00": lesson_00.EXERCISES,
    "01": lesson_01.EXERCISES,
    "02": lesson_02.EXERCISES,
    "03": lesson_03.EXERCISES,
    "04": lesson_04.EXERCISES,
    "05": lesson_05.EXERCISES,
    "06": lesson_06.EXERCISES,
    "07": lesson_07.EXERCISES,
    "08": lesson_08.EXERCISES,
    "09": lesson_09.EXERCISES,
}


def exercises_for(lesson: str) -> list[GradedExercise]:
    """The graded exercises of ``lesson``, in order.

    Parameters
    ----------
    lesson : str
        The lesson number as two digits, e.g. ``"01"``.

    Returns
    -------
    list of GradedExercise
        A new list each time, so changing it changes nothing here.

    Raises
    ------
    ValueError
        If no lesson has that number.
    """
    if lesson not in LESSONS:
        raise ValueError(
            f"No graded exercises for lesson {lesson!r}. Known lessons: {', '.join(LESSONS)}."
        )
    return list(LESSONS[lesson])
