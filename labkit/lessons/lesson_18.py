"""Lesson 18 (3-D point clouds): exercises and expected results.

- ``18.ex1``: ``polar_to_cartesian(ranges, azimuths, elevations)``, a lidar's returns (range in
  metres, azimuth and elevation in degrees; x forward, y left, z up; azimuth from x towards y,
  elevation from the horizontal plane) as a list of ``[x, y, z]``. Graded on returns all around
  the sensor, above and below the horizon, so that radians, the polar angle, the azimuth from
  the y axis or clockwise each give other points.
- ``18.ex2``: ``farthest_point_sampling(points, k)``, the indices chosen by farthest point
  sampling from index 0 (PointNet++'s sampler). Graded on random clouds of 6 to 30 points with
  4 to 8 choices, so that the farthest point from the last choice only, a distance never
  updated, or another start each give other indices.
- ``18.ex3``: ``points_on_objects``, an experiment with the lesson's lidar: the points on the
  cube at 20 m with a four times finer azimuth step (87) and with 64 beams (42), where the lowest
  beam meets the ground (3.9 m), and what the counts show.
- ``18.ex4``: ``cloud_choices``, a judgement: how to split scans of the same cars, a classifier
  trained on upright models for a drone, which pooling is permutation invariant, and arctan2's
  range against a driver's azimuths.
- ``18.ex5``: the quiz.

The expectations: the round trip polar -> Cartesian -> polar to float64 rounding; the cubes' points
falling as 1/d² (5 m against 20 m); PointNet's outputs unchanged by a shuffle; its accuracy on
rotated clouds of five shapes split by object (3 seeds) against the flattened MLP (which falls to
chance when the test points are shuffled) and the distance histogram with a logistic regression;
and the PointNet trained on upright clouds, tested upright and rotated.
"""

from __future__ import annotations

import numpy as np

from labkit.exercises import judges
from labkit.exercises.declare import Example, Exercise, Expect, Mistake
from labkit.exercises.questions import Question

__all__ = ["EXERCISES", "EXPECTATIONS"]


# ---------------------------------------------------------------- 18.ex1: polar_to_cartesian
def _points(x, y, z):
    return np.column_stack([x, y, z]).tolist()


def polar_to_cartesian(ranges, azimuths, elevations):
    """Returns (range, azimuth and elevation in degrees) as a list of [x, y, z]."""
    r = np.asarray(ranges, dtype=np.float64)
    azimuth, elevation = np.deg2rad(azimuths), np.deg2rad(elevations)
    flat = r * np.cos(elevation)
    return _points(flat * np.cos(azimuth), flat * np.sin(azimuth), r * np.sin(elevation))


def _degrees_as_radians(ranges, azimuths, elevations):  # np.cos(90) is not cos(90°)
    r = np.asarray(ranges, dtype=np.float64)
    azimuth, elevation = np.asarray(azimuths, float), np.asarray(elevations, float)
    flat = r * np.cos(elevation)
    return _points(flat * np.cos(azimuth), flat * np.sin(azimuth), r * np.sin(elevation))


def _polar_angle(ranges, azimuths, elevations):  # the elevation used as an angle from z
    r = np.asarray(ranges, dtype=np.float64)
    azimuth, elevation = np.deg2rad(azimuths), np.deg2rad(elevations)
    flat = r * np.sin(elevation)
    return _points(flat * np.cos(azimuth), flat * np.sin(azimuth), r * np.cos(elevation))


def _from_the_y_axis(ranges, azimuths, elevations):  # azimuth measured from y: x and y swapped
    x, y, z = np.array(polar_to_cartesian(ranges, azimuths, elevations)).T
    return _points(y, x, z)


def _clockwise(ranges, azimuths, elevations):  # azimuth towards the right: y changes sign
    x, y, z = np.array(polar_to_cartesian(ranges, azimuths, elevations)).T
    return _points(x, -y, z)


def _one_list_per_axis(ranges, azimuths, elevations):  # [[x...], [y...], [z...]]
    return np.array(polar_to_cartesian(ranges, azimuths, elevations)).T.tolist()


def _polar_inputs(rng: np.random.Generator) -> list[tuple]:
    """Five scans of 3 to 7 returns: all around the sensor, below and above the horizon."""
    cases = []
    for _ in range(5):
        n = int(rng.integers(3, 8))
        ranges = np.round(rng.uniform(0.5, 80.0, n), 3)
        azimuths = np.round(rng.uniform(0, 360, n), 2)
        azimuths[0] = rng.choice([0.0, 90.0, 180.0, 270.0])  # one on an axis
        elevations = np.round(rng.uniform(-30, 15, n), 2)
        elevations[elevations == 0] = 1.5  # a return on the horizon hides the polar-angle mistake
        cases.append(([float(v) for v in ranges], [float(v) for v in azimuths],
                      [float(v) for v in elevations]))  # fmt: skip
    return cases


# ---------------------------------------------------------------- 18.ex2: farthest_point_sampling
def farthest_point_sampling(points, k):
    """Indices of k points, from index 0, each the farthest from the points chosen so far."""
    points = np.asarray(points, dtype=np.float64)
    chosen = [0]
    nearest = np.linalg.norm(points - points[0], axis=1)
    for _ in range(k - 1):
        chosen.append(int(np.argmax(nearest)))
        nearest = np.minimum(nearest, np.linalg.norm(points - points[chosen[-1]], axis=1))
    return chosen


def _farthest_from_last(points, k):  # only the last choice counts, not all of them
    points = np.asarray(points, dtype=np.float64)
    chosen = [0]
    for _ in range(k - 1):
        chosen.append(int(np.argmax(np.linalg.norm(points - points[chosen[-1]], axis=1))))
    return chosen


def _never_updated(points, k):  # the distances to the first point, never updated
    points = np.asarray(points, dtype=np.float64)
    distance = np.linalg.norm(points - points[0], axis=1)
    return [0] + [int(np.argmax(distance))] * (k - 1)


def _start_far_from_centroid(points, k):  # starts at the point farthest from the centroid
    points = np.asarray(points, dtype=np.float64)
    start = int(np.argmax(np.linalg.norm(points - points.mean(axis=0), axis=1)))
    order = [start, *(i for i in range(len(points)) if i != start)]
    return [order[i] for i in farthest_point_sampling(points[order], k)]


def _sampling_inputs(rng: np.random.Generator) -> list[tuple]:
    """Five clouds of 6 to 30 points (3 decimals: no ties), 4 to 8 choices."""
    cases = []
    for _ in range(5):
        n = int(rng.integers(6, 31))
        points = np.round(rng.normal(size=(n, 3)) * rng.uniform(0.5, 5), 3)
        cases.append((points.tolist(), int(rng.integers(4, min(n, 8) + 1))))
    return cases


# ---------------------------------------------------------------- exercises
EXERCISES = [
    Exercise(
        id="18.ex1",
        name="polar_to_cartesian",
        points=3,
        reference=polar_to_cartesian,
        examples=[
            Example(([10.0], [90.0], [0.0]), "azimuth 90°: straight to the left, [0, 10, 0]"),
            Example(([10.0, 4.0], [0.0, 180.0], [0.0, 0.0]), "straight ahead, and behind"),
            Example(([5.0], [0.0], [30.0]), "ahead and 30° up: z = 5 sin 30° = 2.5"),
            Example(([2.0, 20.0], [270.0, 45.0], [-10.0, 5.0]), "to the right, and ahead-left"),
        ],
        inputs=_polar_inputs,
        mistakes=[
            Mistake(
                _one_list_per_axis,
                "Return one [x, y, z] per return (a list of points), not one list per axis.",
            ),
            Mistake(
                _degrees_as_radians,
                "The angles are in degrees: np.cos and np.sin want radians (np.deg2rad).",
            ),
            Mistake(
                _polar_angle,
                "The elevation is measured from the horizontal plane, not from the z axis: "
                "z = r sin(elevation), and the horizontal part is r cos(elevation).",
            ),
            Mistake(
                _from_the_y_axis,
                "The azimuth starts at the x axis (forward): x = r cos(el) cos(az), "
                "y = r cos(el) sin(az).",
            ),
            Mistake(
                _clockwise,
                "The azimuth turns from x towards y (to the left, counter-clockwise seen from "
                "above): azimuth 90° is y > 0.",
            ),
        ],
    ),
    Exercise(
        id="18.ex2",
        name="farthest_point_sampling",
        points=3,
        reference=farthest_point_sampling,
        examples=[
            Example(([[0, 0, 0], [1, 0, 0], [5, 0, 0], [2, 0, 0]], 3), "points on a line"),
            Example(
                ([[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0], [0.5, 0.5, 0]], 4),
                "the corners of a square, and its centre",
            ),
            Example(
                ([[1, 2, 3], [-1, 0, 2], [4, 4, 0], [0, -3, 1], [2, 2, 2], [-2, 1, -1]], 5),
                "six points in space",
            ),
            Example(([[3, 0, 0], [0, 0, 0]], 1), "k = 1: the first point only"),
        ],
        inputs=_sampling_inputs,
        judge=judges.same_integers,
        mistakes=[
            Mistake(
                _never_updated,
                "After each choice, update every point's distance to its nearest chosen point "
                "(np.minimum of the old distance and the distance to the new point).",
            ),
            Mistake(
                _farthest_from_last,
                "Take the point farthest from *all* the chosen points — the largest distance "
                "to its nearest chosen point — not the farthest from the last one.",
            ),
            Mistake(
                _start_far_from_centroid,
                "Start with the first point, index 0.",
            ),
        ],
    ),
    Exercise(
        id="18.ex3",
        name="points_on_objects",
        points=3,
        kind="questions",
        questions=[
            Question(
                87,
                hint="scan(SCENE, azimuth_step=0.1), then count the returns with "
                "np.isfinite(r) & (what == NAMES.index('cube at 20 m')).",
            ),
            Question(42, hint="The same count with scan(SCENE, n_beams=64)."),
            Question(
                3.9,
                decimals=1,
                hint="The lowest beam is elevation == elevation.min(); keep its ground returns "
                "(what == 0) and take np.median(r * np.cos(elevation)) over them.",
            ),
            Question(
                "a",
                choices="abcd",
                hint="Compare your counts with the default scan's 21 points: by what factor did "
                "each change multiply them?",
            ),
        ],
    ),
    Exercise(
        id="18.ex4",
        name="cloud_choices",
        points=3,
        kind="questions",
        questions=[
            Question(
                "b",
                choices="abcd",
                hint="Section 7: what are the 30 scans of one car to each other, and what must a "
                "test set contain?",
            ),
            Question(
                "d",
                choices="abcd",
                hint="Section 9: what did the PointNet trained on upright clouds do on rotated "
                "ones, and what did the rotation-trained one see?",
            ),
            Question(
                "c",
                choices="abcd",
                hint="Section 6: which operation gives the same result in every order of its "
                "inputs?",
            ),
            Question(
                "c",
                choices="abcd",
                hint="Section 1: which range of angles does np.arctan2 return, and which points "
                "get the negative ones?",
            ),
        ],
    ),
    Exercise(
        id="18.ex5",
        name="quiz",
        points=4,
        kind="questions",
        questions=[
            Question(1800, hint="Section 1: 360° divided by the step."),
            Question(
                17.5,
                decimals=1,
                hint="Section 3: d times the angle in radians (0.4° = 0.4 π / 180 rad), in cm.",
            ),
            Question(50, hint="Section 3: the points fall as 1 / d²; 40 m is 4 times 10 m."),
            Question(
                1.0,
                decimals=1,
                hint="Section 1: with the polar angle measured from the z axis, z = r cos(angle).",
            ),
            Question("b", choices="abcd", hint="Section 6: look at PointNet's two steps."),
            Question(
                "c",
                choices="abcd",
                hint="Section 9: the table of the PointNet trained on upright clouds.",
            ),
            Question(
                "d",
                choices="abcd",
                hint="Sections 4 and 7: what do the clouds of one object share?",
            ),
            Question(
                "a",
                choices="abcd",
                hint="Section 6 and the summary's history: who, where, when, and which pooling.",
            ),
        ],
    ),
]

CONSTANT = "any constant answer (each shape is a fifth of the clouds)"
EXPECTATIONS = [
    # Polar -> Cartesian -> polar on the scan's ~22 500 returns, float64 (measured 7.1e-15).
    Expect(
        "round_trip_max_error",
        smoke=1e-9,
        default=1e-9,
        baseline=6.283,
        baseline_is="an azimuth not wrapped to [0, 2π): off by 2π for half the points",
        higher_is_better=False,
    ),
    # Three identical 1 m cubes at 5, 10 and 20 m: 352, 90 and 21 points (ratio 16.8, against
    # (20/5)² = 16).
    Expect(
        "cube_density_ratio_5_20",
        smoke=10.0,
        default=10.0,
        baseline=1.0,
        baseline_is="as many points at 20 m as at 5 m",
    ),
    # A freshly initialised PointNet on 10 clouds and the same clouds shuffled (measured 0).
    Expect(
        "pointnet_shuffle_max_change",
        smoke=1e-5,
        default=1e-5,
        baseline=0.1,
        baseline_is="the flat MLP's change on the same clouds (measured 0.11)",
        higher_is_better=False,
    ),
    # Five shapes, randomly rotated, split by object (65/15/20 %), 3 seeds, test accuracy.
    # Measured (Intel AVX-512 code path): PointNet 0.848 (0.848, 0.873, 0.823), the same on
    # shuffled points; flat MLP 0.410, shuffled 0.212; histogram + logistic regression 0.713
    # (0.685, 0.750, 0.702). AMD AVX2: PointNet 0.855, flat MLP 0.411, shuffled 0.208.
    Expect("pointnet_accuracy", smoke=None, default=0.78, baseline=0.2, baseline_is=CONSTANT),
    Expect(
        "pointnet_shuffled_accuracy", smoke=None, default=0.78, baseline=0.2, baseline_is=CONSTANT
    ),
    Expect(
        "histogram_accuracy",
        smoke=0.3,
        default=0.6,
        baseline=0.2,
        baseline_is=CONSTANT,
    ),
    # The lesson's claims: PointNet beats the histogram at every seed (measured +13.3 points at
    # the worst seed), and the flat MLP falls to a constant answer's level on shuffled points.
    Expect(
        "pointnet_gain_over_histogram_min",
        smoke=None,
        default=0.05,
        baseline=0.0,
        baseline_is="PointNet no better than the distance histogram at some seed",
    ),
    Expect(
        "flat_mlp_shuffled_accuracy",
        smoke=None,
        default=0.3,
        baseline=0.410,
        baseline_is="the flat MLP on points in their stored order",
        higher_is_better=False,
    ),
    # PointNet trained on upright clouds: tested upright and rotated, 3 seeds. Measured: 1.000
    # and 0.417 (the drop 0.583 on average, 0.573 at the lowest seed; AMD AVX2 0.414, 0.577).
    Expect(
        "upright_trained_upright_accuracy",
        smoke=None,
        default=0.95,
        baseline=0.2,
        baseline_is=CONSTANT,
    ),
    Expect(
        "rotation_drop_min",
        smoke=None,
        default=0.3,
        baseline=0.0,
        baseline_is="rotated test clouds as easy as upright ones",
    ),
]
