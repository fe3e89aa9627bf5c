"""Time labkit.splits.find_duplicates on MNIST-sized arrays.

Run it from the repository root::

    python benchmarks/bench_duplicates.py           # 60 000 x 784 train vs 10 000 x 784 test
    python benchmarks/bench_duplicates.py --quick   # 6 000 vs 1 000 rows, a few seconds

The data are random integers 0-255 stored as float32 (like MNIST pixels). We plant 500 exact
copies of training rows in the test set and 50 near copies (a training row plus Gaussian
noise of standard deviation 1, i.e. a distance of about 28 in 784 dimensions); random rows are
about 3 000 apart, so a threshold of 100 finds exactly the near copies. Each timing is the
median of 3 runs. The counts found are printed next to the counts planted as a sanity check.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from labkit.splits import find_duplicates

N_FEATURES = 784
NEAR_THRESHOLD = 100.0


def make_data(n_train: int, n_test: int, n_exact: int, n_near: int, seed: int = 0):
    """Random uint8-like float32 arrays with planted exact and near copies of train rows."""
    rng = np.random.default_rng(seed)
    train = rng.integers(0, 256, size=(n_train, N_FEATURES)).astype(np.float32)
    test = rng.integers(0, 256, size=(n_test, N_FEATURES)).astype(np.float32)
    sources = rng.choice(n_train, size=n_exact + n_near, replace=False)
    targets = rng.choice(n_test, size=n_exact + n_near, replace=False)
    test[targets[:n_exact]] = train[sources[:n_exact]]
    noise = rng.normal(0.0, 1.0, size=(n_near, N_FEATURES)).astype(np.float32)
    test[targets[n_exact:]] = train[sources[n_exact:]] + noise
    return train, test


def median_time(function, repeats: int = 3) -> tuple[float, object]:
    """Median wall-clock seconds of ``repeats`` calls, and the last call's result."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    """Parse the arguments, run the timings and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10x fewer rows (smoke test)")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    n_train, n_test = 60_000 // scale, 10_000 // scale
    n_exact, n_near = 500 // scale, 50 // scale
    train, test = make_data(n_train, n_test, n_exact, n_near)
    print(f"train {train.shape}, test {test.shape}, float32, {os.cpu_count()} CPU cores")
    print(f"planted: {n_exact} exact and {n_near} near copies (threshold {NEAR_THRESHOLD:g})\n")

    rows = [("exact only", lambda: find_duplicates(train, test))]
    rows.append(
        ("exact + near", lambda: find_duplicates(train, test, near_threshold=NEAR_THRESHOLD))
    )
    print(f"{'search':<14}{'median of 3 (s)':>17}{'exact pairs':>13}{'near pairs':>12}")
    for name, function in rows:
        seconds, report = median_time(function)
        n_near = "-" if report.near_threshold is None else report.n_near  # "-": not searched
        print(f"{name:<14}{seconds:>17.2f}{report.n_exact:>13}{n_near:>12}")


if __name__ == "__main__":
    main()
