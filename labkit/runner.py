"""Running lesson notebooks headless, as the test suite and ``labkit run`` do.

Each notebook runs in a fresh ``python3`` kernel started in an empty temporary folder (so a
lesson that reads a file relative to itself fails here, as it would in the grader), with
its parameters injected after the cell tagged ``parameters`` — the way papermill does it.
The result says whether every cell ran, how long it took, the kernel's peak memory and the
metrics the lesson recorded with :func:`labkit.record`.

Example
-------
>>> from labkit.runner import parameter_names
>>> import nbformat
>>> nb = nbformat.v4.new_notebook()
>>> nb.cells = [nbformat.v4.new_code_cell("SMOKE = False\\nSEED = 0",
...                                       metadata={"tags": ["parameters"]})]
>>> parameter_names(nb)
['SMOKE', 'SEED']
"""

from __future__ import annotations

import ast
import os
import re
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from labkit.lesson import METRICS_FILE_VARIABLE, read_metrics

__all__ = ["NotebookResult", "parameter_names", "inject_parameters", "run_notebook"]

KERNEL_NAME = "python3"
DEFAULT_TIMEOUT = 600  # seconds per cell


@dataclass
class NotebookResult:
    """What happened when a notebook ran."""

    path: str
    ok: bool
    seconds: float
    peak_memory_mb: float | None
    metrics: dict[str, float] = field(default_factory=dict)
    parameters: dict[str, object] = field(default_factory=dict)
    error: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        """One line: status, name, time, memory, metrics (or the error)."""
        memory = f"{self.peak_memory_mb:6.0f} MB" if self.peak_memory_mb else "     ? MB"
        details = ", ".join(f"{k}={v:.4g}" for k, v in self.metrics.items())
        if not self.ok:
            details = self.error or "failed"
        status = "ok    " if self.ok else "FAILED"
        return (
            f"{status} {Path(self.path).name:34s} {self.seconds:6.1f} s  peak {memory}  {details}"
        )


def _parameters_cell_index(nb: nbformat.NotebookNode) -> int:
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            return index
    raise ValueError("The notebook has no code cell tagged 'parameters'.")


def parameter_names(nb: nbformat.NotebookNode) -> list[str]:
    """The names assigned in the notebook's ``parameters`` cell, in order."""
    source = nb.cells[_parameters_cell_index(nb)].source
    names = []
    for statement in ast.parse(source).body:
        targets = statement.targets if isinstance(statement, ast.Assign) else []
        if isinstance(statement, ast.AnnAssign):
            targets = [statement.target]
        names += [t.id for t in targets if isinstance(t, ast.Name) and t.id not in names]
    return names


def inject_parameters(nb: nbformat.NotebookNode, parameters: dict[str, object]) -> None:
    """Insert a cell assigning ``parameters`` right after the parameters cell (in place).

    Unknown names are an error: a misspelled parameter would otherwise be silently ignored.
    """
    known = parameter_names(nb)
    unknown = sorted(set(parameters) - set(known))
    if unknown:
        raise ValueError(f"Unknown parameter(s) {unknown}. This notebook's parameters: {known}.")
    if not parameters:
        return
    lines = ["# Parameters injected by labkit.runner"]
    lines += [f"{name} = {value!r}" for name, value in parameters.items()]
    cell = nbformat.v4.new_code_cell("\n".join(lines), metadata={"tags": ["injected-parameters"]})
    nb.cells.insert(_parameters_cell_index(nb) + 1, cell)


def _peak_memory_mb(pid: int) -> float | None:
    """The process's peak resident memory (Linux's VmHWM), or its current size elsewhere."""
    status = Path(f"/proc/{pid}/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # the value is in kB
    try:
        import psutil

        return psutil.Process(pid).memory_info().rss / 2**20
    except Exception:  # no psutil, or the process is gone: memory unknown, not an error
        return None


def run_notebook(
    path: str | os.PathLike,
    *,
    parameters: dict[str, object] | None = None,
    smoke: bool = False,
    timeout: int = DEFAULT_TIMEOUT,
    threads: int | None = None,
    output_path: str | os.PathLike | None = None,
) -> NotebookResult:
    """Execute a notebook in a fresh kernel and report how it went (never raises for cell errors).

    Parameters
    ----------
    path : path-like
        The notebook to run (it is not modified).
    parameters : dict, default=None
        Values for names of the notebook's ``parameters`` cell.
    smoke : bool, default=False
        Also set ``SMOKE = True`` (unless ``parameters`` sets it).
    timeout : int, default=600
        Seconds any single cell may take.
    threads : int or None, default=None
        Pin the kernel's CPU threads (``LABKIT_NUM_THREADS`` and ``OMP_NUM_THREADS``), e.g. 1
        when several notebooks run side by side.
    output_path : path-like or None, default=None
        Write the executed notebook there, outputs included.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    nb = nbformat.read(path, as_version=4)
    values = {"SMOKE": True} if smoke else {}
    values.update(parameters or {})
    inject_parameters(nb, values)  # raises for unknown names before any kernel starts
    result = NotebookResult(
        str(path), ok=False, seconds=0.0, peak_memory_mb=None, parameters=values
    )
    with tempfile.TemporaryDirectory(prefix="labkit-run-") as workdir:
        env = dict(os.environ, **{METRICS_FILE_VARIABLE: str(Path(workdir) / "metrics.jsonl")})
        env.pop("MPLBACKEND", None)  # the kernel picks its inline backend itself
        if threads is not None:
            env.update(LABKIT_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
        client = NotebookClient(
            nb,
            kernel_name=KERNEL_NAME,
            timeout=timeout,
            # Quiet the kernel's start-up chatter (a warning about local TCP transport).
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
        start = time.perf_counter()
        with client.setup_kernel(env=env, cwd=workdir):
            try:
                for index, cell in enumerate(nb.cells):
                    client.execute_cell(cell, index)
                result.ok = True
            except (CellExecutionError, CellTimeoutError) as error:
                result.error = f"cell {index}: {_first_line(error)}"
            result.peak_memory_mb = _peak_memory_mb(client.km.provisioner.process.pid)
        result.seconds = time.perf_counter() - start
        result.metrics = read_metrics(Path(workdir) / "metrics.jsonl")
    if output_path is not None:
        nbformat.write(nb, output_path)
    return result


def _first_line(error: Exception) -> str:
    """The most telling line of a cell error: its 'Name: message' line."""
    plain = re.sub(r"\x1b\[[0-9;]*m", "", str(error))  # drop the traceback's colour codes
    lines = [line for line in plain.splitlines() if line.strip()]
    named = [line for line in lines if "Error:" in line or "Exception:" in line]
    return (named or lines or [type(error).__name__])[-1].strip()
