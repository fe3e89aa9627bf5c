"""Running lesson notebooks headless, as the test suite and ``labkit run`` do.

Each notebook is executed by papermill in a fresh ``python3`` kernel started in an empty
temporary folder (so a lesson that reads a file relative to itself fails here, as it would
in the grader), with its parameters injected after the cell tagged ``parameters``. The
injection is papermill's, behind :func:`inject_parameters`, which the grader uses too; it
refuses names the notebook does not have (papermill itself would only log them). The
result says whether every cell ran, how long it took, the kernel's peak memory and the
metrics the lesson recorded with :func:`labkit.record`.

Example
-------
>>> from labkit.runner import inject_parameters, parameter_names
>>> import nbformat
>>> nb = nbformat.v4.new_notebook()
>>> nb.cells = [nbformat.v4.new_code_cell("SMOKE = False\\nSEED = 0",
...                                       metadata={"tags": ["parameters"]})]
>>> parameter_names(nb)
['SMOKE', 'SEED']
>>> print(inject_parameters(nb, {"SMOKE": True}).cells[1].source)
# Parameters injected by labkit
SMOKE = True
<BLANKLINE>
"""

from __future__ import annotations

import ast
import contextlib
import os
import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from labkit.code_path import reproducible_environment
from labkit.lesson import METRICS_FILE_VARIABLE, read_metrics

__all__ = [
    "NotebookResult",
    "parameter_names",
    "inject_parameters",
    "run_notebook",
    "REPRODUCIBLE_ENVIRONMENT",
    "process_peak_memory_mb",
    "descendants_peak_memory_mb",
]

KERNEL_NAME = "python3"

# A checked run's environment: one thread, each library pinned to one CPU code path
# (labkit.code_path explains which and why).
REPRODUCIBLE_ENVIRONMENT = reproducible_environment()
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


def _parameters_cell_index(nb: nbformat.NotebookNode) -> int | None:
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            return index
    return None


def parameter_names(nb: nbformat.NotebookNode) -> list[str]:
    """The names assigned in the notebook's ``parameters`` cell, in order."""
    index = _parameters_cell_index(nb)
    if index is None:
        raise ValueError("The notebook has no code cell tagged 'parameters'.")
    names = []
    for statement in ast.parse(nb.cells[index].source).body:
        targets = statement.targets if isinstance(statement, ast.Assign) else []
        if isinstance(statement, ast.AnnAssign):
            targets = [statement.target]
        names += [t.id for t in targets if isinstance(t, ast.Name) and t.id not in names]
    return names


def inject_parameters(
    nb: nbformat.NotebookNode, parameters: dict[str, object], *, strict: bool = True
) -> nbformat.NotebookNode:
    """A copy of ``nb`` with a cell assigning ``parameters`` after its parameters cell.

    The cell is written by papermill (``parameterize_notebook``), always as Python:
    whatever kernel or language the notebook's metadata names. ``strict`` (for lessons):
    unknown names and a missing parameters cell are errors, as a misspelled parameter would
    otherwise be silently ignored. Not strict (for the grader, on a learner's notebook):
    the cell goes first if the learner deleted the parameters cell.
    """
    from papermill.parameterize import parameterize_notebook

    if strict:
        known = parameter_names(nb)
        unknown = sorted(set(parameters) - set(known))
        if unknown:
            raise ValueError(
                f"Unknown parameter(s) {unknown}. This notebook's parameters: {known}."
            )
    nb = nbformat.from_dict(nb)  # a deep copy: the caller's notebook is left as it was
    for cell in nb.cells:  # papermill expects every cell to have a list of tags
        cell.metadata.setdefault("tags", [])
    if not parameters:
        return nb
    nb.metadata["papermill"] = {}  # papermill records the parameters there
    return parameterize_notebook(
        nb,
        parameters,
        comment="Parameters injected by labkit",
        kernel_name="python3",
        language="python",
    )


def process_peak_memory_mb(pid: int) -> float | None:
    """The process's peak resident memory (Linux's VmHWM), or its current size elsewhere."""
    status = Path(f"/proc/{pid}/status")
    with contextlib.suppress(OSError):  # the process may end while it is read
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # the value is in kB
    try:
        import psutil

        return psutil.Process(pid).memory_info().rss / 2**20
    except Exception:  # no psutil, or the process is gone: memory unknown, not an error
        return None


@contextlib.contextmanager
def _kernel_environment(variables: dict[str, str]) -> Iterator[None]:
    """Set environment variables for a kernel about to start (it inherits them), then
    restore them. papermill starts the kernel with this process's environment."""
    saved = {name: os.environ.get(name) for name in [*variables, "MPLBACKEND"]}
    os.environ.update(variables)
    os.environ.pop("MPLBACKEND", None)  # the kernel picks its inline backend itself
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def descendants_peak_memory_mb(pid: int) -> float:
    """The largest peak resident memory (MB) of the processes ``pid`` started, at any depth
    (0.0 if none); a process that ends while it is read is skipped."""
    import psutil

    peak = 0.0
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return peak
    for child in children:
        peak = max(peak, process_peak_memory_mb(child.pid) or 0.0)
    return peak


def _kernel_memory_tracker(peak: list[float]):
    """An nbclient hook that records the peak memory of this process's child kernels."""

    def after_each_cell(**_: object) -> None:
        peak[0] = max(peak[0], descendants_peak_memory_mb(os.getpid()))

    return after_each_cell


def run_notebook(
    path: str | os.PathLike,
    *,
    parameters: dict[str, object] | None = None,
    smoke: bool = False,
    timeout: int = DEFAULT_TIMEOUT,
    threads: int | None = None,
    reproducible: bool = False,
    output_path: str | os.PathLike | None = None,
) -> NotebookResult:
    """Execute a notebook with papermill in a fresh kernel; report how it went.

    It never raises for an error in a cell: the result says which cell failed. It is not
    thread-safe (the kernel's environment is set in this process's environment).

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
    reproducible : bool, default=False
        Run with :data:`REPRODUCIBLE_ENVIRONMENT` (one thread, fixed code paths), as the
        results table and the stored outputs are made.
    output_path : path-like or None, default=None
        Write the executed notebook there, outputs and any error included.
    """
    import papermill
    from nbclient.exceptions import DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    values = {"SMOKE": True} if smoke else {}
    values.update(parameters or {})
    nb = inject_parameters(nbformat.read(path, as_version=4), values)  # before any kernel
    result = NotebookResult(
        str(path), ok=False, seconds=0.0, peak_memory_mb=None, parameters=values
    )
    peak = [0.0]
    with tempfile.TemporaryDirectory(prefix="labkit-run-") as workdir:
        variables = {METRICS_FILE_VARIABLE: str(Path(workdir) / "metrics.jsonl")}
        if threads is not None:
            variables.update(LABKIT_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
        if reproducible:
            variables.update(REPRODUCIBLE_ENVIRONMENT)
        start = time.perf_counter()
        with _kernel_environment(variables):
            try:
                papermill.execute_notebook(
                    nb,
                    None if output_path is None else str(output_path),
                    kernel_name=KERNEL_NAME,
                    cwd=workdir,
                    execution_timeout=timeout,
                    progress_bar=False,
                    request_save_on_cell_execute=False,
                    on_cell_executed=_kernel_memory_tracker(peak),
                    # Quiet the kernel's start-up chatter (a warning about TCP transport).
                    extra_arguments=["--IPKernelApp.log_level=ERROR"],
                )
                result.ok = True
            except PapermillExecutionError as error:
                result.error = f"cell {error.cell_index}: {error.ename}: {error.evalue}"
            except (TimeoutError, DeadKernelError) as error:  # CellTimeoutError is one
                result.error = _first_line(error)
        result.seconds = time.perf_counter() - start
        result.peak_memory_mb = peak[0] or None
        result.metrics = read_metrics(Path(workdir) / "metrics.jsonl")
    return result


def _first_line(error: Exception) -> str:
    """The most telling line of a cell error: its 'Name: message' line."""
    plain = re.sub(r"\x1b\[[0-9;]*m", "", str(error))  # drop the traceback's colour codes
    lines = [line for line in plain.splitlines() if line.strip()]
    named = [line for line in lines if "Error:" in line or "Exception:" in line]
    return (named or lines or [type(error).__name__])[-1].strip()
