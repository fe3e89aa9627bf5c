"""Grade a model exercise on what the grader itself can see, never on what the kernel says.

1. The learner's kernel is asked to export the model
   (:func:`labkit.exercises.model_graph.save_model`) into a file of its workdir, named by
   the grader: a graph of tensor operations and every tensor the model holds. It is
   exported on zeros: the kernel never sees a graded input.
2. The grader reads that file as untrusted bytes: no link, a plain file of the sandbox
   user, at most :data:`~labkit.exercises.model_graph.MAX_FILE_BYTES`.
3. A judge process runs the grader's own code
   (``python -m labkit.exercises.model_graph``) in a sandbox of its own, under another
   user id: it checks the graph, counts every number the model holds and runs the graph
   on this student's graded inputs, which come in on its stdin. Its reply is JSON.
4. The exercise's judge compares the outputs with the expected answers, here.

So a patched ``predict``, ``numel`` or ``argmax`` in the kernel changes nothing, a lookup
table counts as the numbers it holds, and code that tells grading apart from practice
can only export a different model, which is then judged like any other.
"""

from __future__ import annotations

import io
import json
import secrets
import sys
from dataclasses import replace

import numpy as np

from labkit.exercises.declare import Case, Exercise
from labkit.exercises.model_graph import MAX_FILE_BYTES
from labkit.grading.files import UntrustedFileError, read_untrusted
from labkit.grading.kernel import SandboxedKernel
from labkit.grading.protocol import query_code, read_answer
from labkit.grading.sandbox import Sandbox

__all__ = ["ModelNotJudged", "judge_model"]

# The judge's reply: the outputs of every case as JSON numbers.
REPLY_LIMIT_BYTES = 16 * 2**20
JUDGE_ENV = {"OMP_NUM_THREADS": "1", "LABKIT_NUM_THREADS": "1"}


class ModelNotJudged(Exception):
    """The model could not be exported, read or run: ``status`` and ``reason`` say why."""

    def __init__(self, status: str, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


def judge_model(
    kernel: SandboxedKernel, exercise: Exercise, cases: list[Case], timeout: float
) -> list[tuple[np.ndarray, int]]:
    """For each case, ``(outputs, numbers)`` of the learner's model, computed outside the
    kernel. Raises :class:`ModelNotJudged` when there is nothing to judge.
    """
    data = _export(kernel, exercise, timeout)
    inputs = np.stack([np.asarray(case.args[0], dtype=exercise.model_dtype) for case in cases])
    stdin = io.BytesIO()
    np.savez(stdin, model=np.frombuffer(data, dtype=np.uint8), inputs=inputs)
    box = kernel.box
    limits = replace(box.limits, wall_seconds=max(1, int(timeout)))
    with Sandbox(limits, isolation=box.isolation, hidden=box.hidden) as judge:
        run = judge.run(
            [sys.executable, "-m", "labkit.exercises.model_graph"],
            env=JUDGE_ENV,
            stdin=stdin.getvalue(),
            output_limit_bytes=REPLY_LIMIT_BYTES,
        )
    if run.timed_out or run.killed_by_limit:
        raise ModelNotJudged(
            "timeout",
            f"the exported model took longer than {timeout:g} s "
            "or more memory than allowed on the graded inputs",
        )
    reply = _read_reply(run.stdout, len(cases))
    if "error" in reply:
        raise ModelNotJudged(
            "error", f"the grader could not run the exported model: {reply['error']}"
        )
    return [(np.asarray(out, dtype=float), reply["numbers"]) for out in reply["outputs"]]


def _export(kernel: SandboxedKernel, exercise: Exercise, timeout: float) -> bytes:
    """Have the kernel export the model into a file named here; its bytes."""
    filename = f"labkit-model-{secrets.token_hex(8)}.npz"
    args = (list(exercise.model_input), exercise.model_dtype, filename)
    tag = secrets.token_hex(8)
    outcome = kernel.run_cell(
        query_code(exercise.expression, args, exercise.name, tag=tag), timeout=timeout
    )
    if outcome.status == "timeout":
        raise ModelNotJudged("timeout", f"exporting {exercise.name} took longer than {timeout:g} s")
    kind, _ = read_answer(outcome.stdout, tag=tag) if outcome.status == "ok" else ("", None)
    if kind == "not_attempted":
        raise ModelNotJudged(
            "not attempted", f"not attempted yet: {exercise.name} is still the placeholder"
        )
    if kind != "answer":
        raise ModelNotJudged(
            "error",
            f"{exercise.name} could not be exported as a model "
            f"(torch.export) for inputs of shape {exercise.model_input}. Run "
            f"labkit.check({exercise.id!r}, {exercise.name}) to see why",
        )
    try:
        return read_untrusted(
            kernel.box.workdir / filename, max_bytes=MAX_FILE_BYTES, owner=kernel.box.uid
        )
    except UntrustedFileError as refused:
        raise ModelNotJudged("error", f"the exported model could not be read: {refused}") from None


def _read_reply(text: str, n_cases: int) -> dict:
    """The judge's JSON reply, checked: ``outputs`` (one per case) and ``numbers``, or an
    ``error``. A reply of another shape means the judge itself failed."""
    try:
        reply = json.loads(text)
    except ValueError:
        reply = None
    if isinstance(reply, dict) and isinstance(reply.get("error"), str):
        return {"error": reply["error"][:500]}
    if (
        isinstance(reply, dict)
        and isinstance(reply.get("outputs"), list)
        and len(reply["outputs"]) == n_cases
        and type(reply.get("numbers")) is int
    ):
        return reply
    return {"error": "the judge gave no answer (it ran out of memory or crashed)"}
