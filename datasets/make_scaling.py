"""Write ``scaling.csv``: a synthetic table for the feature-scaling lesson.

Run ``python datasets/make_scaling.py`` to rebuild it (the same bytes every time: the random
numbers come from ``numpy.random.default_rng(0)``). Load it with
``labkit.datasets.load("scaling")``.

Each row is a made-up flat for sale. The columns are built so that every problem that
feature scaling addresses shows up:

- ``area_m2``: normal (mean 90, sd 30), clipped to [25, 250]. Values in the tens to hundreds.
- ``area_sqft``: ``area_m2 * 10.7639 * (1 + normal(0, 0.01))``. The same quantity in other
  units, ten times larger: almost perfectly collinear with ``area_m2`` (correlation 0.999).
- ``rooms``: ``area_m2 / 25 + normal(0, 0.6)``, rounded, clipped to [1, 10]. Small integers,
  correlated with the area (0.86).
- ``income``: log-normal, ``exp(normal(log(40000), 0.7))``. A long right tail: a few values
  far above the rest; its logarithm is normal.
- ``distance_km``: uniform on [0.5, 40]. A flat, bounded column.
- ``pm25_g_m3``: gamma (shape 4, scale 3e-6), fine dust in grams per cubic metre. Tiny
  values, about 1e-5.
- ``price_k``: the regression target, in thousands:

    price_k = 120 + 1.5 area_m2 + 10 rooms + 40 log(income / 40000)
              - 2 distance_km - 2e6 pm25_g_m3 + normal(0, 15),  then at least 20

So the columns span about ten orders of magnitude (1e-6 to 1e5): gradient descent on the
raw columns needs a tiny learning rate and then crawls, distances in k-nearest-neighbours
are decided by income alone, and the price depends on log(income), not income. area_m2
and area_sqft carry the same information, so a linear model's weights on them are
unstable.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

COLUMNS = ["area_m2", "area_sqft", "rooms", "income", "distance_km", "pm25_g_m3", "price_k"]
SQFT_PER_M2 = 10.7639


def make_table(n_samples: int = 1000, seed: int = 0) -> np.ndarray:
    """The table as a float array, one flat per row, columns in the order of ``COLUMNS``.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of rows.
    seed : int, default=0
        Seed of ``numpy.random.default_rng``: the same seed gives the same table.

    Returns
    -------
    np.ndarray of shape (n_samples, 7)
    """
    rng = np.random.default_rng(seed)
    area_m2 = np.clip(rng.normal(90, 30, n_samples), 25, 250)
    area_sqft = area_m2 * SQFT_PER_M2 * (1 + rng.normal(0, 0.01, n_samples))
    rooms = np.clip(np.round(area_m2 / 25 + rng.normal(0, 0.6, n_samples)), 1, 10)
    income = rng.lognormal(np.log(40_000), 0.7, n_samples)
    distance_km = rng.uniform(0.5, 40, n_samples)
    pm25_g_m3 = rng.gamma(4, 3e-6, n_samples)
    price_k = (
        120
        + 1.5 * area_m2
        + 10 * rooms
        + 40 * np.log(income / 40_000)
        - 2 * distance_km
        - 2e6 * pm25_g_m3
        + rng.normal(0, 15, n_samples)
    )
    price_k = np.maximum(price_k, 20)
    return np.column_stack([area_m2, area_sqft, rooms, income, distance_km, pm25_g_m3, price_k])


def write_csv(table: np.ndarray, path: Path) -> None:
    """Write the table with a header row; 6 significant digits keep the file small."""
    lines = [",".join(COLUMNS)]
    lines += [",".join(f"{value:.6g}" for value in row) for row in table]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    """Parse ``--out`` and write the file."""
    parser = argparse.ArgumentParser(description="Write the scaling lesson's table.")
    default = Path(__file__).with_name("scaling.csv")
    parser.add_argument("--out", type=Path, default=default, help=f"default: {default}")
    args = parser.parse_args()
    write_csv(make_table(), args.out)
    print(f"Wrote {args.out}")


if __name__ == "__main__":
    main()
