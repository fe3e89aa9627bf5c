"""Public checks for every lesson's exercises, gathered by exercise id.

Each lesson has a module ``lesson_NN.py`` with a ``PUBLIC_CHECKS`` dict mapping an exercise
id (``"NN.exK"``) to a function that takes the learner's answer and calls
:func:`labkit.selfcheck.expect` / :func:`labkit.selfcheck.expect_close`. These checks are
public on purpose: learners may read them. Graded checks use other inputs and live outside
the package.
"""

from labkit.exercises import (
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

PUBLIC_CHECKS = {
    **lesson_00.PUBLIC_CHECKS,
    **lesson_01.PUBLIC_CHECKS,
    **lesson_02.PUBLIC_CHECKS,
    **lesson_03.PUBLIC_CHECKS,
    **lesson_04.PUBLIC_CHECKS,
    **lesson_05.PUBLIC_CHECKS,
    **lesson_06.PUBLIC_CHECKS,
    **lesson_07.PUBLIC_CHECKS,
    **lesson_08.PUBLIC_CHECKS,
    **lesson_09.PUBLIC_CHECKS,
}

__all__ = ["PUBLIC_CHECKS"]
