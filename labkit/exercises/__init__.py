"""Exercises: declared once per lesson, self-checked for the learner, graded for the class.

- :mod:`labkit.exercises.declare`: :class:`Exercise`, :class:`Example`, :class:`Mistake`,
  :class:`Case`, :class:`Expect`, the vocabulary of ``labkit/lessons/lesson_NN.py``;
- :mod:`labkit.exercises.judges`: does one answer match the expected one;
- :mod:`labkit.exercises.public`: an exercise's public examples and hints as plain data,
  and the self-check that runs them (:func:`labkit.check` is its front door);
- :mod:`labkit.exercises.custom_checks`: the checks of value and model exercises;
- :mod:`labkit.exercises.model_graph`: a trained model as plain data (a checked graph of
  tensor operations and its tensors), which the self-check and the grader run themselves.

``docs/EXERCISES.md`` shows a lesson author how to declare one.
"""

from labkit.exercises.declare import Case, Example, Exercise, Expect, Mistake, case_generator

__all__ = ["Case", "Example", "Exercise", "Expect", "Mistake", "case_generator"]
