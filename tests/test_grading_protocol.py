"""Tests for labkit.grading.protocol and labkit.exercises.declare: the wire and the cases."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from labkit.exercises.declare import Case, Example, Exercise, case_generator
from labkit.exercises.judges import same_answer
from labkit.grading.protocol import (
    MARKER,
    evaluate,
    query_code,
    read_answer,
    to_wire,
)


def _run_query(setup: str, expression: str, args: list, name: str = "") -> tuple[str, object]:
    """Run a query in a fresh Python (as the kernel would) and read its answer."""
    code = f"{setup}\n{query_code(expression, args, name)}"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    return read_answer(out.stdout)


def test_to_wire_round_trips_arrays_and_nesting() -> None:
    payload = to_wire([np.arange(3, dtype=np.int32), (1.5, "a"), None, True, np.float64(2)])
    assert json.loads(payload) == [
        {"__ndarray__": [0, 1, 2], "dtype": "int32"},
        [1.5, "a"],
        None,
        True,
        2.0,
    ]
    with pytest.raises(TypeError, match="Cannot send a set"):
        to_wire([{1, 2}])


def test_query_sends_arrays_and_reads_numpy_and_tuples_back() -> None:
    setup = "import numpy as np\ndef f(x, k):\n    return x.dtype.name, x * k, (k, np.float32(0.5))"
    kind, answer = _run_query(setup, "f(*args)", [np.array([1, 2]), 3])
    assert (kind, answer) == ("answer", ["int64", [3, 6], [3, 0.5]])


def test_query_reports_placeholders_errors_and_odd_answers() -> None:
    placeholder = "def f():\n    raise NotImplementedError('Write your solution here.')"
    assert _run_query(placeholder, "f(*args)", []) == ("not_attempted", None)
    assert _run_query("ANSWER = None", "ANSWER", [], name="ANSWER") == ("not_attempted", None)
    assert _run_query("", "missing(*args)", []) == (
        "error",
        "NameError: name 'missing' is not defined",
    )
    kind, message = _run_query(
        "class Always:\n    def __eq__(self, o): return True", "Always()", []
    )
    assert kind == "error" and "holds a Always" in message
    assert _run_query("", "float('nan')", []) == ("answer", "nan")  # never equal to a number


def test_read_answer_takes_the_last_marker_and_rejects_junk() -> None:
    assert read_answer(f'{MARKER}{{"answer": 1}}\n{MARKER}{{"answer": 2}}\n') == ("answer", 2)
    assert read_answer(f"{MARKER}not json")[0] == "error"
    assert read_answer(f"{MARKER}[1, 2]") == (
        "error",
        "the answer could not be read (unexpected shape)",
    )
    assert read_answer(f'{MARKER}{{"answer": 1, "score": 10}}')[0] == "error"
    assert read_answer(f"{MARKER}" + "[" * 100_000 + "]" * 100_000)[0] == "error"
    assert read_answer(f'{MARKER}{{"error": 3}}')[0] == "error"


def test_same_answer() -> None:
    assert same_answer(0.30000000000000004, 0.3)
    assert not same_answer(0.301, 0.3)
    assert same_answer([[1, 2], [3]], [np.array([1, 2]), np.array([3])])
    assert not same_answer([1, 2], [1, 2, 3])
    assert not same_answer("3", 3) and not same_answer(None, 0) and not same_answer(1, True)
    assert same_answer("cpu", "cpu") and not same_answer("cpu ", "cpu")
    assert not same_answer({"answer": 1}, 1)
    with pytest.raises(TypeError, match="Cannot compare with an expected dict"):
        same_answer(1, {"a": 1})


def test_case_generator_depends_on_secret_student_and_exercise() -> None:
    def draw(secret: bytes, student: str, exercise: str) -> int:
        return int(case_generator(secret, student, exercise).integers(0, 2**62))

    base = draw(b"s" * 16, "ada", "01.ex1")
    assert base == draw(b"s" * 16, "ada", "01.ex1")
    assert base != draw(b"t" * 16, "ada", "01.ex1")
    assert base != draw(b"s" * 16, "bob", "01.ex1")
    assert base != draw(b"s" * 16, "ada", "01.ex2")
    with pytest.raises(ValueError, match="at least 16 bytes"):
        case_generator(b"short", "ada", "01.ex1")


def test_exercise_checks_its_fields() -> None:
    def cases(rng):
        return [Case((1,), 2)]

    def custom(**fields):
        return Exercise(**{"cases": cases, "public_check": print, **fields})

    function = Exercise(
        "01.ex1", "f", 2, reference=abs, examples=[Example((1,))] * 3, inputs=lambda rng: [(1,)]
    )
    assert function.expression == "f(*args)"
    assert function.make_cases(b"s" * 16, "ada") == [Case((1,), 1)]
    assert custom(id="01.ex1", name="X", points=1, kind="value").expression == "X"
    with pytest.raises(ValueError, match="id must look like '03.ex2'"):
        custom(id="1.1", name="f", points=2, kind="value")
    with pytest.raises(ValueError, match="kind must be one of 'function', .*Received: kind='plot'"):
        custom(id="01.ex1", name="f", points=2, kind="plot")
    with pytest.raises(ValueError, match="name must be a Python name"):
        custom(id="01.ex1", name="f()", points=2, kind="value")
    with pytest.raises(ValueError, match="points must be a finite number > 0. Received: points=0"):
        custom(id="01.ex1", name="f", points=0, kind="value")
    with pytest.raises(ValueError, match="model_input= .the shape the model takes. is needed"):
        custom(id="01.ex1", name="model", points=2, kind="model")
    with pytest.raises(RuntimeError, match="the reference failed"):
        Exercise(
            "01.ex1",
            "f",
            2,
            reference=abs,
            examples=[Example((1,))] * 3,
            inputs=lambda rng: [("text",)],
        ).make_cases(b"s" * 16, "ada")


def test_evaluate_reads_an_answer_back_as_the_query_does() -> None:
    setup = "import numpy as np\ndef f(x, k):\n    return x.dtype.name, x * k, (k, np.float32(0.5))"
    namespace: dict = {}
    exec(setup, namespace)
    payload = to_wire([np.array([1, 2]), 3])
    in_process = evaluate("f(*args)", payload, "f", namespace)
    assert in_process == _run_query(setup, "f(*args)", [np.array([1, 2]), 3])
    assert in_process == ("answer", ["int64", [3, 6], [3, 0.5]])
    assert evaluate("float('nan')", "[]", "", {}) == ("answer", "nan")
    assert evaluate("X", "[]", "X", {"X": None}) == ("not_attempted", None)
    assert evaluate("1 / 0", "[]", "", {})[0] == "error"


def test_tagged_answers_ignore_lines_without_the_tag() -> None:
    forged = f'{MARKER}{{"answer": 99}}\n{MARKER}abc {{"answer": 98}}\n'
    assert read_answer(forged, tag="abc") == ("answer", 98)
    assert read_answer(forged, tag="f00")[0] == "error"
    code = query_code("6 * 7", [], tag="f00")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert read_answer(forged + out.stdout, tag="f00") == ("answer", 42)
    with pytest.raises(ValueError, match="tag must be lowercase letters and digits"):
        query_code("1", [], tag="no spaces")
