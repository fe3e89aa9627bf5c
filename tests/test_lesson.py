"""Tests for labkit.lesson: choose_size and record."""

import json

import numpy as np
import pytest
import torch

from labkit.lesson import METRICS_FILE_VARIABLE, choose_size, read_metrics, record


def test_choose_size_keeps_explicit_values_in_smoke_mode():
    assert choose_size(None, full=40, smoke=3, smoke_mode=False) == 40
    assert choose_size(None, full=40, smoke=3, smoke_mode=True) == 3
    assert choose_size(7, full=40, smoke=3, smoke_mode=True) == 7
    assert choose_size(0, full=40, smoke=3, smoke_mode=True) == 0  # 0 is a value, not "unset"
    with pytest.raises(
        TypeError, match="smoke_mode must be True or False. Received: smoke_mode='yes'"
    ):
        choose_size(None, full=1, smoke=2, smoke_mode="yes")


def test_record_appends_json_lines_and_prints(tmp_path, monkeypatch, capsys):
    path = tmp_path / "metrics.jsonl"
    monkeypatch.setenv(METRICS_FILE_VARIABLE, str(path))
    record(test_accuracy=np.float32(0.5), loss=torch.tensor(0.25))
    record(test_accuracy=0.75)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines == [{"test_accuracy": 0.5, "loss": 0.25}, {"test_accuracy": 0.75}]
    assert read_metrics(path) == {"test_accuracy": 0.75, "loss": 0.25}
    assert "recorded: test_accuracy = 0.5, loss = 0.25" in capsys.readouterr().out


def test_record_without_a_file_only_prints(monkeypatch, capsys):
    monkeypatch.delenv(METRICS_FILE_VARIABLE, raising=False)
    record(n=3)
    assert capsys.readouterr().out == "recorded: n = 3\n"


@pytest.mark.parametrize(
    ("metrics", "error", "message"),
    [
        ({}, ValueError, "at least one metric"),
        ({"acc": float("nan")}, ValueError, "finite numbers. Received: acc=nan"),
        ({"acc": "high"}, TypeError, "Received: acc='high'"),
        ({"acc": [0.1, 0.2]}, TypeError, "acc="),
    ],
)
def test_record_rejects_non_numbers(metrics, error, message):
    with pytest.raises(error, match=message):
        record(**metrics)


def test_read_metrics_of_a_missing_file_is_empty(tmp_path):
    assert read_metrics(tmp_path / "none.jsonl") == {}
