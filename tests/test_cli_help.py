"""Tests for ``labkit --help``: the learner's commands first, then the instructors'."""

import pytest

from labkit import cli
from labkit.cli import COMMAND_GROUPS, get_args_parser, main


def help_text(capsys, monkeypatch, *argv: str) -> str:
    """What ``labkit ARGV --help`` prints, on a terminal wide enough for no line to wrap."""
    monkeypatch.setenv("COLUMNS", "300")
    with pytest.raises(SystemExit) as exited:
        main([*argv, "--help"])
    assert exited.value.code == 0
    return capsys.readouterr().out


def test_help_lists_the_learners_commands_before_the_instructors(capsys, monkeypatch):
    lines = help_text(capsys, monkeypatch).splitlines()
    learners = lines.index("For learners:")
    instructors = lines.index("For instructors and lesson authors:")
    # Each command on a line of its own, indented by two spaces, under its group's heading.
    listed = {
        line.split()[0]: number
        for number, line in enumerate(lines)
        if line.startswith("  ") and not line.startswith("   ") and not line.startswith("  -")
    }
    assert learners < listed["data"] < instructors
    assert lines[listed["data"]].split(None, 1)[1] == "list, describe, download or verify datasets"
    for name in COMMAND_GROUPS["For instructors and lesson authors"]:
        assert listed[name] > instructors, name
    assert learners < min(listed.values())  # the learner's commands come first


def test_every_command_is_in_exactly_one_group(capsys, monkeypatch):
    grouped = [name for names in COMMAND_GROUPS.values() for name in names]
    assert len(grouped) == len(set(grouped))
    for name in grouped:  # each is a command, with a help of its own
        assert help_text(capsys, monkeypatch, name).startswith(f"usage: labkit {name} ")
    # A command left out of the groups would be missing from the help: caught at once.
    monkeypatch.setitem(cli.COMMAND_GROUPS, "For learners", ())
    with pytest.raises(RuntimeError, match=r"COMMAND_GROUPS lists .*; the commands are .*'data'"):
        get_args_parser()


def test_a_command_help_starts_with_its_summary(capsys, monkeypatch):
    text = help_text(capsys, monkeypatch, "grade-merge")
    assert "\n\nMerge the part files of graded shards.\n" in text
