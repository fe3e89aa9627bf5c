"""Datasets the course generated itself, kept as files in the repository's ``datasets/`` folder.

The folder is found from the package's own location (:data:`labkit.paths.COURSE_ROOT`),
so a lesson loads these files the same way wherever its kernel was started. Each file is
written by a seeded script next to it, which documents how every column is made.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from labkit.datasets.catalogue import Dataset
from labkit.paths import COURSE_ROOT

__all__ = ["DATA_FOLDER", "LOADERS", "load_scaling"]

DATA_FOLDER = COURSE_ROOT / "datasets"

_SCALING_DESCRIPTION = """\
Scaling: 1000 made-up flats for sale, for the feature-scaling lesson.

Features, on wildly different scales: area_m2 (normal, 25-250), area_sqft (the same area in
square feet with 1 % noise: almost perfectly collinear with area_m2), rooms (small
integers, correlated with the area), income (log-normal: a long right tail), distance_km
(uniform, 0.5-40) and pm25_g_m3 (fine dust, about 1e-5). Target: price_k, the price in
thousands, which depends on log(income) rather than income.

Made by datasets/make_scaling.py with numpy.random.default_rng(0); its docstring gives the
exact recipe and the reason for each column."""


def load_scaling() -> Dataset:
    """The synthetic table for the feature-scaling lesson (``datasets/scaling.csv``).

    Returns
    -------
    Dataset
        ``X``: float64 of shape (1000, 6); ``y``: the price in thousands (regression).

    Raises
    ------
    FileNotFoundError
        If ``datasets/scaling.csv`` is missing from the repository (the message says how to
        write it again).

    Examples
    --------
    >>> data = load_scaling()
    >>> data.X.shape, data.task, data.feature_names[:2]
    ((1000, 6), 'regression', ['area_m2', 'area_sqft'])
    """
    path = DATA_FOLDER / "scaling.csv"
    if not path.is_file():
        raise FileNotFoundError(
            f"The scaling dataset's file is missing: {path}. It belongs to the repository; "
            f"restore it with `git checkout -- datasets/scaling.csv`, or write it again with "
            f"`python datasets/make_scaling.py`."
        )
    with path.open(encoding="utf-8") as file:
        header = file.readline().strip().split(",")
    table = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    return Dataset(
        name="scaling",
        X=table[:, :-1],
        y=table[:, -1],
        task="regression",
        feature_names=header[:-1],
        classes=[],
        shape=(table.shape[1] - 1,),
        source="generated for this course by datasets/make_scaling.py (seed 0)",
        licence="MIT, like the rest of the course's code",
        description=_SCALING_DESCRIPTION,
    )


# name -> function returning the whole dataset.
LOADERS: dict[str, Callable[[], Dataset]] = {"scaling": load_scaling}
