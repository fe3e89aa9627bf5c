"""What the grader sends to the learner's kernel, and how it reads the answer back.

The kernel is an untrusted oracle. The grader sends it a query (plain code it wrote,
holding the inputs as JSON); the query evaluates the learner's answer and prints it as
JSON after a marker. The grader reads only that text, at most a size cap, parses it with
:func:`json.loads` (never unpickled, never evaluated) and checks its shape. Whatever the
learner's code does inside the kernel, all it can change is the answer the grader sees.

>>> payload = to_wire([np.array([1.0, 2.0]), 3])
>>> payload
'[{"__ndarray__": [1.0, 2.0], "dtype": "float64"}, 3]'
>>> read_answer('noise\\n' + MARKER + '{"answer": [1, 2]}\\n')
('answer', [1, 2])
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import numpy as np

__all__ = ["MARKER", "to_wire", "query_code", "read_answer", "evaluate"]

MARKER = "@@labkit-answer@@ "
NO_ANSWER = "no answer came back from the kernel"
MALFORMED = "the answer could not be read (malformed JSON)"
UNEXPECTED = "the answer could not be read (unexpected shape)"
ANSWER_LIMIT_BYTES = 1_000_000
TOO_LARGE = f"the answer is larger than {ANSWER_LIMIT_BYTES:,} bytes"
# What read_answer itself says went wrong (any other error text is the kernel's).
PROTOCOL_ERRORS = (NO_ANSWER, MALFORMED, UNEXPECTED, TOO_LARGE)

# How the kernel turns the JSON inputs into arguments (``decode``) and an answer into
# plain JSON values (``encode``). The same source runs in the learner's kernel, inside every
# query, and in this process (:func:`evaluate`), so a self-check sees exactly what the
# grader would read back.
_CODEC = """\
def decode(x):
    if isinstance(x, dict):
        import numpy
        return numpy.asarray(x["__ndarray__"], dtype=x["dtype"])
    if isinstance(x, list):
        return [decode(v) for v in x]
    return x
def encode(v, depth=0):
    import math
    if depth > 20:
        raise TypeError("the answer is nested too deeply")
    if hasattr(v, "detach") and hasattr(v, "cpu"):  # a torch tensor
        v = v.detach().cpu().numpy()
    if type(v).__module__ == "numpy":  # arrays and numpy scalars
        v = v.tolist()
    if v is None or type(v) in (bool, int, str):
        return v
    if type(v) is float:
        return v if math.isfinite(v) else str(v)
    if type(v) in (list, tuple):
        return [encode(x, depth + 1) for x in v]
    raise TypeError(f"the answer holds a {type(v).__name__}; expected numbers, "
                    "strings, lists, tuples or arrays")
"""

# Runs in the learner's kernel. It defines nothing that stays: one function, called once
# and deleted. {payload} is a JSON string literal, {expression} reads the answer.
_QUERY = """\
def _labkit_query(payload):
    import json, sys
{codec}
    args = decode(json.loads(payload))
    try:
        if globals().get({name!r}, 0) is None:  # a placeholder left as None
            raise NotImplementedError
        reply = {{"answer": encode({expression})}}
    except NotImplementedError:
        reply = {{"not_attempted": True}}
    except BaseException as error:
        reply = {{"error": f"{{type(error).__name__}}: {{str(error)[:300]}}"}}
    sys.stdout.write("\\n" + {marker!r} + json.dumps(reply) + "\\n")
    sys.stdout.flush()
_labkit_query({payload!r})
del _labkit_query
"""
_CODEC_INDENTED = "".join(f"    {line}\n" for line in _CODEC.splitlines())
_codec: dict = {}
exec(_CODEC, _codec)  # the same decode/encode, for evaluate()


def to_wire(value: object) -> str:
    """``value`` as JSON for a query: numbers, str, bool, None, lists, tuples and arrays.

    Examples
    --------
    >>> to_wire((1, "a", None))
    '[1, "a", null]'
    """

    def convert(v: object) -> object:
        if isinstance(v, np.ndarray):
            return {"__ndarray__": v.tolist(), "dtype": str(v.dtype)}
        if isinstance(v, np.generic):
            return v.item()
        if isinstance(v, list | tuple):
            return [convert(x) for x in v]
        if v is None or isinstance(v, bool | int | float | str):
            return v
        raise TypeError(f"Cannot send a {type(v).__name__} to a kernel: {v!r}")

    return json.dumps(convert(value))


def query_code(
    expression: str, args: Sequence[object] = (), name: str = "", *, tag: str = ""
) -> str:
    """The code of a query that evaluates ``expression`` with ``args`` in the kernel.

    ``expression`` may use ``args`` (the decoded inputs: arrays come back as NumPy
    arrays), e.g. ``"my_accuracy(*args)"``. If the learner's ``name`` is None (an untouched
    placeholder), the reply is "not attempted". ``tag``, a random word per query, goes into
    the answer's marker: :func:`read_answer` with the same tag ignores any other line.

    Examples
    --------
    >>> "my_accuracy(*args)" in query_code("my_accuracy(*args)", [[1, 2], [1, 0]])
    True
    """
    return _QUERY.format(
        payload=to_wire(list(args)),
        expression=expression,
        marker=_marker(tag),
        name=name,
        codec=_CODEC_INDENTED,
    )


def _marker(tag: str) -> str:
    """The start of an answer line: the marker, then the query's tag if it has one."""
    if not re.fullmatch(r"[0-9a-z]*", tag):
        raise ValueError(f"tag must be lowercase letters and digits. Received: tag={tag!r}")
    return f"{MARKER}{tag} " if tag else MARKER


def evaluate(expression: str, payload: str, name: str, namespace: dict) -> tuple[str, object]:
    """What :func:`read_answer` would return for this query, computed in this process.

    ``payload`` is the inputs as :func:`to_wire` wrote them; ``namespace`` holds the
    answer under ``name``. The self-checks use it: a learner's function sees the same
    arguments and is read back the same way as in the grader's kernel.

    Examples
    --------
    >>> evaluate("double(*args)", to_wire([(1, 2)]), "double", {"double": lambda x: x * 2})
    ('answer', [1, 2, 1, 2])
    >>> evaluate("ANSWER", "[]", "ANSWER", {"ANSWER": None})
    ('not_attempted', None)
    """
    args = _codec["decode"](json.loads(payload))
    try:
        if namespace.get(name, 0) is None:  # a placeholder left as None
            raise NotImplementedError
        answer = _codec["encode"](eval(expression, {**namespace, "args": args}))
    except NotImplementedError:
        return "not_attempted", None
    except Exception as error:
        return "error", f"{type(error).__name__}: {str(error)[:300]}"
    return "answer", json.loads(json.dumps(answer))


def read_answer(printed: str, *, tag: str = "") -> tuple[str, object]:
    """Read a query's reply from what the kernel printed: the last line marked with ``tag``.

    Returns
    -------
    tuple of (str, object)
        ``("answer", value)``; ``("not_attempted", None)`` if the learner's code raised
        NotImplementedError; ``("error", message)`` if it raised something else or the
        reply is missing, too large or malformed.

    Examples
    --------
    >>> read_answer(MARKER + '{"error": "NameError: name \\'f\\' is not defined"}')
    ('error', "NameError: name 'f' is not defined")
    >>> read_answer("the learner printed this only")
    ('error', 'no answer came back from the kernel')
    """
    marker = _marker(tag)
    lines = [line for line in printed.splitlines() if line.startswith(marker)]
    if not lines:
        return "error", NO_ANSWER
    text = lines[-1][len(marker) :]
    if len(text) > ANSWER_LIMIT_BYTES:
        return "error", TOO_LARGE
    try:
        reply = json.loads(text)
    except (ValueError, RecursionError):
        return "error", MALFORMED
    if not isinstance(reply, dict) or len(reply) != 1:
        return "error", UNEXPECTED
    kind, value = next(iter(reply.items()))
    if kind == "answer":
        return "answer", value
    if kind == "not_attempted":
        return "not_attempted", None
    if kind == "error" and isinstance(value, str):
        return "error", value[:400]
    return "error", UNEXPECTED
