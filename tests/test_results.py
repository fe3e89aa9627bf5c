"""Tests for labkit.results: how the README's lesson table writes recorded metrics, and the
CPU code path the recorded digits belong to."""

import json

import pytest

from labkit.results import format_metric, render_table, run_default_results


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (4.549e-07, "4.55e-07"),  # lesson 08's plain_grad_ratio: never "0"
        (4.423e-07, "4.42e-07"),
        (-0.000123, "-1.23e-04"),
        (0.0009999, "1.00e-03"),
        (1e-300, "1.00e-300"),
        (0.001, "0.001"),  # from 1e-3 up: as before, 4 significant digits
        (0.002326, "0.002326"),
        (0.00806, "0.00806"),
        (0.9888, "0.9888"),
        (107.2, "107.2"),
        (11689512, "1.169e+07"),
        (0, "0"),
        (0.0, "0"),
        (1, "1"),
        (float("nan"), "nan"),
    ],
)
def test_format_metric_writes_small_numbers_in_scientific_notation(value, expected):
    assert format_metric(value) == expected


def test_render_table_uses_format_metric():
    results = {
        "measured_on": "x86_64 CPU",
        "lessons": [
            {
                "notebook": "08_deep_cnns.ipynb",
                "ok": True,
                "seconds": 16.0,
                "peak_memory_mb": 1334,
                "metrics": {"plain_grad_ratio": 4.549e-07, "accuracy": 0.9499, "zero": 0.0},
            }
        ],
    }
    row = render_table(results).splitlines()[2]
    assert row == (
        "| 08_deep_cnns | 16 s | 1334 MB | "
        "plain_grad_ratio = 4.55e-07, accuracy = 0.9499, zero = 0 |"
    )


def test_a_partial_rerun_on_another_code_path_is_refused_and_changes_nothing(tmp_path):
    path = tmp_path / "results.json"
    text = json.dumps({"measured_on": "x86_64", "cpu_code_path": "Other, AVX9", "lessons": []})
    path.write_text(text)
    with pytest.raises(RuntimeError, match="recorded on the code path 'Other, AVX9'"):
        run_default_results(path, only=["03"])
    assert path.read_text() == text
