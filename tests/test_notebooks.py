"""Every lesson, executed three ways: the regression test of the course.

- **papermill, smoke mode**: every source, with ``SMOKE = True`` injected after the
  parameters cell; sources must reach their smoke thresholds. The learner versions must run
  to the end with their exercises unsolved: those of graded lessons do so in
  ``test_grading_release.py``, which grades them in the grader's sandbox in smoke mode and
  asserts that no cell failed; the others run here.
- **nbval, default mode**: every source as a learner's Run All would run it, in the
  reproducible environment (one thread, pinned CPU code paths). nbval compares what each result
  cell (tag ``nbval-check-output``) prints with the output stored in the source, after
  ``nbval/sanitize.cfg`` has taken out durations, progress bars and addresses. The
  recorded metrics must reach their default thresholds and equal ``notebooks/results.json``
  at its 4 significant digits, so the README's table is checked, not remembered. Those
  digits belong to the CPU code path that recorded them (``labkit.code_path``: the vendor,
  and AVX-512 or not): on another code path the default run still runs every cell and must
  reach every default threshold, and a warning says the digits were not compared.

Executed notebooks go to ``test-artifacts/notebooks/`` (git-ignored) so that a failure can
be opened and read; each run's seconds and peak memory go to a report that the test
session prints at its end (``conftest.py``). With pytest-xdist, each kernel gets one thread.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import pytest
from graded_support import RELEASE_GRADED

from labkit.code_path import cpu_code_path
from labkit.lessons import expectations_for, lesson_numbers
from labkit.paths import COURSE_ROOT, learner_versions, lesson_sources
from labkit.release import release_all
from labkit.results import README, load_results, readme_table_section, render_table, significant
from labkit.runner import REPRODUCIBLE_ENVIRONMENT, descendants_peak_memory_mb, run_notebook

SOURCES = lesson_sources()
LEARNER = learner_versions()
ARTIFACTS = COURSE_ROOT / "test-artifacts" / "notebooks"
REPORT = ARTIFACTS / "report.jsonl"
SANITIZE = Path(__file__).parent / "nbval" / "sanitize.cfg"
THREADS = 1 if os.environ.get("PYTEST_XDIST_WORKER") else None
# Graded lessons' learner versions run to the end in the grading release test; the rest here.
LEARNER_SMOKE = [p for p in LEARNER if p.name[:2] not in RELEASE_GRADED]
RECORDED = load_results()
RESULTS = {lesson["notebook"]: lesson for lesson in RECORDED["lessons"]}
RECORDED_ON = RECORDED.get("cpu_code_path", "an unnamed code path")
# Longest default runs first: with two test workers, a long lesson left for last keeps one
# worker busy while the other idles.
LONGEST_FIRST = sorted(SOURCES, key=lambda p: -RESULTS.get(p.name, {}).get("seconds", 0.0))


def _report(notebook: Path, run: str, seconds: float, peak_memory_mb: float | None) -> None:
    """Add one line to the session's run report (printed at the end by conftest.py)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    line = {
        "notebook": notebook.stem,
        "run": run,
        "seconds": round(seconds, 1),
        "peak_memory_mb": round(peak_memory_mb or 0),
    }
    with REPORT.open("a", encoding="utf-8") as report:
        report.write(json.dumps(line) + "\n")


def _check(expect, value: float, threshold: float | None) -> None:
    assert expect.passes(value, threshold), expect.describe(value, threshold)


def test_every_lesson_has_expectations():
    assert len(SOURCES) >= 3
    assert lesson_numbers() == [p.name[:2] for p in SOURCES]
    assert all(expectations_for(p.name[:2]) for p in SOURCES)


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_source_smoke_run_reaches_its_thresholds(source):
    _run_reaching_thresholds(source, smoke=True)


def _run_reaching_thresholds(source: Path, *, smoke: bool) -> None:
    """Run ``source`` with papermill, smoke mode (one thread under xdist) or default mode
    (the reproducible environment); every cell must run and every threshold of that mode
    hold."""
    mode = "smoke" if smoke else "default"
    artifact = ARTIFACTS / f"{source.stem}.source.{mode}.ipynb"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if smoke:
        result = run_notebook(source, smoke=True, threads=THREADS, output_path=artifact)
    else:
        result = run_notebook(source, reproducible=True, output_path=artifact)
    _report(source, f"source, {mode}", result.seconds, result.peak_memory_mb)
    assert result.ok, f"{result.error} (executed notebook: {artifact})"
    for expect in expectations_for(source.name[:2]):
        assert expect.metric in result.metrics, f"{expect.metric} was not recorded"
        _check(expect, result.metrics[expect.metric], expect.smoke if smoke else expect.default)


@pytest.mark.parametrize("learner", LEARNER_SMOKE, ids=lambda p: p.stem)
def test_learner_version_smoke_run_reaches_the_end(learner):
    artifact = ARTIFACTS / f"{learner.stem}.learner.smoke.ipynb"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    result = run_notebook(learner, smoke=True, threads=THREADS, output_path=artifact)
    _report(learner, "learner, smoke", result.seconds, result.peak_memory_mb)
    assert result.ok, f"the learner version stopped: {result.error} (see {artifact})"


def _peak_memory_of_kernels(process: subprocess.Popen, peak: list[float]) -> None:
    """Until ``process`` ends: the largest peak memory (MB) of its descendants, the kernel
    among them. (Its own rusage would count this pytest worker's memory, copied when it
    was forked.)"""
    while process.poll() is None:
        peak[0] = max(peak[0], descendants_peak_memory_mb(process.pid))
        time.sleep(0.25)


def _nbval(notebook: Path, workdir: Path, env: dict) -> tuple[int, str, float, float]:
    """Run nbval (lax) on ``notebook`` in a pytest of its own: exit code, log, seconds and
    the kernel's peak memory (MB)."""
    (workdir / "pytest.ini").write_text("[pytest]\n")  # none of the course's own options
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-c",
        "pytest.ini",
        "--nbval-lax",
        "--nbval-current-env",
        f"--nbval-sanitize-with={SANITIZE}",
        "--nbval-cell-timeout=600",
        notebook.name,
    ]
    log, peak = workdir / "nbval.log", [0.0]
    start = time.perf_counter()
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=workdir, env=env, stdout=out, stderr=out)
        watcher = threading.Thread(target=_peak_memory_of_kernels, args=(process, peak))
        watcher.start()
        process.wait()
        watcher.join()
    seconds = time.perf_counter() - start
    text = re.sub(r"\x1b\[[0-9;]*m", "", log.read_text())  # without the terminal's colours
    return process.returncode, text, seconds, peak[0]


@pytest.mark.parametrize("source", LONGEST_FIRST, ids=lambda p: p.stem)
def test_default_run_prints_the_stored_results_and_the_recorded_metrics(source, tmp_path):
    if cpu_code_path() != RECORDED_ON:
        _default_run_reaches_its_thresholds(source)
        return
    # nbval runs the kernel in the notebook's folder: a copy in an empty one, as a learner's.
    shutil.copy(source, tmp_path / source.name)
    metrics_file = tmp_path / "metrics.jsonl"
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND" and "PYTEST" not in k}
    env |= REPRODUCIBLE_ENVIRONMENT | {"LABKIT_METRICS_FILE": str(metrics_file)}
    code, log, seconds, peak = _nbval(tmp_path / source.name, tmp_path, env)
    _report(source, "source, default", seconds, peak)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{source.stem}.default.nbval.log").write_text(log)
    assert code == 0, f"nbval found differences or errors:\n{log[-6000:]}"
    from labkit.lesson import read_metrics

    metrics = read_metrics(metrics_file)
    recorded = RESULTS[source.name]["metrics"]
    for expect in expectations_for(source.name[:2]):
        _check(expect, metrics[expect.metric], expect.default)
    assert {name: significant(value) for name, value in metrics.items()} == recorded, (
        "the default run's metrics differ from notebooks/results.json: re-measure with "
        "'labkit results --run' if the change is intended"
    )


def _default_run_reaches_its_thresholds(source: Path) -> None:
    """The default run on another CPU code path: every cell runs, every threshold holds."""
    warnings.warn(
        f"{source.name}: the stored outputs were recorded on the code path {RECORDED_ON!r} and "
        f"this CPU's is {cpu_code_path()!r}; their float32 digits differ, so only the default "
        "thresholds are checked here (a full 'labkit results --run' records this code path)",
        stacklevel=2,
    )
    _run_reaching_thresholds(source, smoke=False)


def test_the_default_results_file_matches_the_readme_and_the_limits():
    results = load_results()
    assert [r["notebook"] for r in results["lessons"]] == [p.name for p in SOURCES]
    readme = README.read_text(encoding="utf-8")
    assert readme_table_section(readme) == render_table(results)
    for lesson in results["lessons"]:
        assert lesson["ok"], lesson["notebook"]
        assert lesson["seconds"] <= 180, f"{lesson['notebook']}: default run over 3 minutes"
        assert lesson["peak_memory_mb"] <= 1536, f"{lesson['notebook']}: over 1.5 GB"
        for expect in expectations_for(lesson["notebook"][:2]):
            _check(expect, lesson["metrics"][expect.metric], expect.default)


def test_learner_versions_are_released_from_the_sources():
    assert [p.name for p in LEARNER] == [p.name for p in SOURCES]
    stale = release_all(check=True)
    assert stale == [], f"out of date: {[p.name for p in stale]}; run 'labkit release'"
