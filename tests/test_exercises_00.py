"""Lesson 00's value exercise: MY_DEVICE is the device the grading machine chooses."""

import pytest
import torch
from graded_support import SECRET, ask, passes

from labkit.device import choose_device, read_capabilities
from labkit.lessons import exercises_for
from labkit.selfcheck import check


def test_device_answer_is_the_grading_machines_choice(capsys):
    exercise = exercises_for("00")[0]
    chosen = choose_device(read_capabilities()).device
    [case] = exercise.make_cases(SECRET, "ada")
    assert case.args == () and case.expected == chosen
    # A string, a torch.device or a wrong device; the placeholder None is "not attempted".
    for answer, right in [(chosen, True), (torch.device(chosen), True), ("mps!", False)]:
        assert passes({"MY_DEVICE": answer}, exercise, "ada") == [right]
    assert ask({"MY_DEVICE": None}, exercise, ()) == ("not_attempted", None)
    assert check("00.ex1", chosen) is True
    assert check("00.ex1", "mps!") is False
    assert "expected one of the strings 'cpu', 'cuda' or 'mps'" in capsys.readouterr().out


def test_unknown_lesson_is_an_error_naming_the_known_ones():
    with pytest.raises(ValueError, match="Known lessons: 00, 01, 02"):
        exercises_for("42")
