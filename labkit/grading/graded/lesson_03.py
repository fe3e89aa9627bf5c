"""Graded checks for lesson 03 (being written)."""

from __future__ import annotations

from labkit.grading.exercise import GradedExercise

__all__ = ["EXERCISES"]

EXERCISES: list[GradedExercise] = []
