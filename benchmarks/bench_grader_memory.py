"""The grader's own peak memory while it grades the worst submissions we know of.

Run it from the repository root, as root for full isolation::

    python benchmarks/bench_grader_memory.py            # every case
    python benchmarks/bench_grader_memory.py --case print-flood

Each case is graded in a fresh Python process (so that each peak is its own) with the
grader's default limits, and the script prints that process's peak resident memory
(``ru_maxrss``: the grader only, not its kernels), its wall time, the score and the size
of the feedback it would write. The cases are the attacks of the hardening issue:

- ``honest``: the correct lesson-98 notebook, for the baseline;
- ``print-flood``: 300 cells each printing 1.8 MB (under the 2 MB per-cell limit);
- ``error-flood``: 150 cells each raising an exception with a 600 KB message;
- ``multipart``: the kernel sends 40 raw 10-frame messages of 9 MB per frame on its
  output channel, bypassing the per-frame size limit;
- ``multipart-one``: one raw message of 300 frames of 9 MB (2.7 GB), the same buffer
  sent 300 times, so that it costs the kernel 9 MB;
- ``large-notebook``: a 15.9 MB notebook (just under the 16 MB cap), outputs included.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

CASES = ("honest", "print-flood", "error-flood", "multipart", "multipart-one", "large-notebook")

PRINT_CELL = "print('x' * 1_800_000)"
ERROR_CELL = "raise ValueError('e' * 600_000)"
MULTIPART_CELL = textwrap.dedent("""\
    socket = get_ipython().kernel.iopub_socket
    for _ in range(40):
        socket.send_multipart([b"x" * 9_000_000] * 10)
    """)
MULTIPART_ONE_CELL = textwrap.dedent("""\
    frame = b"x" * 9_000_000
    get_ipython().kernel.iopub_socket.send_multipart([frame] * 300)
    """)


def _notebook(case: str):
    from grading_corpus.lesson import notebook

    if case == "honest":
        return notebook()
    if case == "print-flood":
        return notebook(extra=[PRINT_CELL] * 300)
    if case == "error-flood":
        return notebook(extra=[ERROR_CELL] * 150)
    if case == "multipart":
        return notebook(extra=[MULTIPART_CELL])
    if case == "multipart-one":
        return notebook(extra=[MULTIPART_ONE_CELL])
    nb = notebook()
    import nbformat

    text = nbformat.v4.new_output("stream", name="stdout", text="y" * (15_900_000))
    nb.cells[-1].outputs = [text]
    return nb


GRADE_ONE = """
import json, resource, sys, time
sys.path.insert(0, {tests!r})
from grading_corpus.lesson import EXERCISES
from labkit.grading.grade import grade_submission
start = time.monotonic()
result = grade_submission({path!r}, EXERCISES, student="bench", lesson="98",
                          secret=b"a benchmark secret of 32 bytes!!")
feedback = json.dumps(result.to_dict(), indent=2)
print(json.dumps({{"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "seconds": round(time.monotonic() - start, 1), "score": result.score,
                  "feedback_bytes": len(feedback)}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=CASES, action="append", help="default: every case")
    args = parser.parse_args()
    import nbformat

    tests = str(Path(__file__).resolve().parents[1] / "tests")
    with tempfile.TemporaryDirectory() as folder:
        print(f"{'case':<16} {'grader peak':>12} {'time':>8} {'score':>6} {'feedback':>10}")
        for case in args.case or CASES:
            path = Path(folder) / f"{case}.ipynb"
            nbformat.write(_notebook(case), path)
            code = GRADE_ONE.format(tests=tests, path=str(path))
            run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
            if run.returncode != 0:
                print(f"{case:<16} failed: {run.stderr[-500:]}")
                continue
            m = json.loads(run.stdout.strip().splitlines()[-1])
            print(
                f"{case:<16} {m['peak_mb']:>9.0f} MB {m['seconds']:>6.1f} s {m['score']:>6g} "
                f"{m['feedback_bytes'] / 1000:>7.1f} kB"
            )


if __name__ == "__main__":
    main()
