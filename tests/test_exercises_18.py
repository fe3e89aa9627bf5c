"""Lesson 18's own tests: the geometry behind its numbers, and the answers it states.

- The reference of 18.ex1 is inverted by the notebook's ``to_polar`` (degrees, azimuth wrapped),
  and the reference of 18.ex2 chooses, at every step, a point at the largest distance from the
  points already chosen (checked by brute force), on the public examples and every student's
  graded inputs.
- The notebook's ray casting puts every hit on the surface it claims, its round trip is exact,
  its shape samplers put their points on their shapes' surfaces, and its rotations are
  rotations.
- The answers of the experiment 18.ex3 and of the quiz's numeric questions hold with the
  notebook's own functions.
"""

import numpy as np
from graded_support import cell_starting_with, code_cells, every_input

from labkit.lessons import exercises_for
from labkit.lessons.lesson_18 import farthest_point_sampling, polar_to_cartesian
from labkit.paths import lesson_sources

EXERCISES = {exercise.id: exercise for exercise in exercises_for("18")}
[NOTEBOOK] = [path for path in lesson_sources() if path.name.startswith("18")]
DEFINITIONS = [  # the cells that define what is tested here, by the start of their source
    "SMOKE = False",
    "import matplotlib",
    "def to_cartesian(",
    "def hit_ground(",
    "def hit_cylinder(",
    "SENSOR = ",
    "def scan(",
    "SHAPES = ",
    "def sphere(",
    "def cylinder(",
    "def torus(",
    "def random_rotations(",
]


def _notebook_namespace() -> dict:
    cells = code_cells(NOTEBOOK)
    namespace: dict = {}
    for start in DEFINITIONS:
        source = cell_starting_with(cells, start)
        exec(source, namespace)
    return namespace


NS = _notebook_namespace()


def test_polar_to_cartesian_is_inverted_by_the_notebooks_to_polar():
    for ranges, azimuths, elevations in every_input(EXERCISES["18.ex1"]):
        r, azimuth, elevation = NS["to_polar"](
            np.array(polar_to_cartesian(ranges, azimuths, elevations))
        )
        np.testing.assert_allclose(r, ranges, rtol=1e-12)
        np.testing.assert_allclose(np.rad2deg(elevation), elevations, atol=1e-9)
        wrapped = (np.rad2deg(azimuth) - np.asarray(azimuths) + 180) % 360 - 180
        np.testing.assert_allclose(wrapped, 0, atol=1e-9)


def test_farthest_point_sampling_takes_the_farthest_point_every_time():
    for points, k in every_input(EXERCISES["18.ex2"]):
        points = np.asarray(points, dtype=np.float64)
        chosen = farthest_point_sampling(points, k)
        assert chosen[0] == 0 and len(chosen) == k == len(set(chosen))
        for step in range(1, k):
            gaps = np.linalg.norm(points[:, None] - points[chosen[:step]][None], axis=2).min(1)
            assert gaps[chosen[step]] == gaps.max()


def test_every_ray_lands_on_the_surface_it_hit_and_the_round_trip_is_exact():
    r, azimuth, elevation, what = NS["scan"](NS["SCENE"], range_noise=0.0)
    back = np.isfinite(r)
    world = NS["to_cartesian"](r[back], azimuth[back], elevation[back]) + NS["SENSOR"]
    kinds = list(NS["SCENE"].values())
    for k, point in zip(what[back], world, strict=True):
        if k == 0:
            assert abs(point[2]) < 1e-9
        elif kinds[k - 1][0] == "box":
            low, high = np.array(kinds[k - 1][1]), np.array(kinds[k - 1][2])
            assert np.all(point >= low - 1e-9) and np.all(point <= high + 1e-9)
            assert np.min(np.abs(np.concatenate([point - low, high - point]))) < 1e-9
        else:
            (cx, cy), radius, height = kinds[k - 1][1:]
            distance = np.hypot(point[0] - cx, point[1] - cy)
            on_side = abs(distance - radius) < 1e-9 and -1e-9 <= point[2] <= height + 1e-9
            assert on_side or (abs(point[2] - height) < 1e-9 and distance <= radius + 1e-9)
    r2, azimuth2, elevation2 = NS["to_polar"](world - NS["SENSOR"])
    assert np.abs(r2 - r[back]).max() < 1e-9 and np.abs(azimuth2 - azimuth[back]).max() < 1e-9


def test_the_samplers_put_their_points_on_their_shapes():
    rng = np.random.default_rng(0)
    for shape in NS["SHAPES"]:
        p = NS["proportions"](shape, rng)
        x, y, z = NS["SAMPLE"][shape](p, 500, rng).T
        if shape == "sphere":
            np.testing.assert_allclose((x / p[0]) ** 2 + (y / p[1]) ** 2 + (z / p[2]) ** 2, 1)
        elif shape == "box":
            on_face = np.isclose(np.abs(np.column_stack([x, y, z])), p / 2).any(axis=1)
            assert on_face.all()
        elif shape == "cylinder":
            side = np.isclose(np.hypot(x, y), p[0])
            assert (side | np.isclose(np.abs(z), p[1] / 2)).all()
        elif shape == "cone":
            side = np.isclose(np.hypot(x, y), p[0] * (1 - z / p[1]))
            assert (side | np.isclose(z, 0)).all()
        else:
            np.testing.assert_allclose((np.hypot(x, y) - p[0]) ** 2 + z**2, p[1] ** 2)
    rotations = NS["random_rotations"](200, rng)
    identity = np.broadcast_to(np.eye(3), rotations.shape)
    np.testing.assert_allclose(rotations @ rotations.transpose(0, 2, 1), identity, atol=1e-12)
    np.testing.assert_allclose(np.linalg.det(rotations), 1)


def test_the_experiments_and_the_quizs_answers():
    answers = [q.answer for q in EXERCISES["18.ex3"].questions]

    def points_on(name, **settings):
        r, _, _, what = NS["scan"](NS["SCENE"], **settings)
        return int(np.sum(np.isfinite(r) & (what == NS["NAMES"].index(name))))

    assert points_on("cube at 20 m", azimuth_step=0.1) == answers[0]
    assert points_on("cube at 20 m", n_beams=64) == answers[1]
    r, _, elevation, what = NS["scan"](NS["SCENE"])
    lowest = np.isfinite(r) & (what == 0) & (elevation == elevation.min())
    assert round(float(np.median(r[lowest] * np.cos(elevation[lowest]))), 1) == answers[2]
    quiz = [q.answer for q in EXERCISES["18.ex5"].questions]
    assert quiz[0] == round(360 / 0.2)
    assert quiz[1] == round(25 * np.deg2rad(0.4) * 100, 1)
    assert quiz[2] == 800 / (40 / 10) ** 2
    assert quiz[3] == round(NS["to_cartesian"](2.0, 0.0, np.deg2rad(90 - 60))[2], 1)
