"""Lesson 19's own tests: the exercises' references against the lesson's PyTorch code, and the
lesson's data helpers.

- The reference of 19.ex1 (symmetric InfoNCE in NumPy) gives what the notebook's ``clip_loss``
  (``F.cross_entropy`` over the rows and the columns) gives on the normalised embeddings divided
  by the temperature, on the public examples and on every student's graded inputs.
- The reference of 19.ex2 (recall@k) gives what a ``torch.topk`` ranking gives.
- The answers of 19.ex3 hold with the notebook's own ``chance_recall``, and chance recall@k is
  what random rankings score.
- ``occlude`` hides a square of exactly size x size pixels in grey; ``pair_images`` pairs each
  recording with an image of its digit from the pool it is given.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from graded_support import cell_starting_with, code_cells, every_input

from labkit.lessons import exercises_for
from labkit.lessons.lesson_19 import info_nce, recall_at_k
from labkit.paths import lesson_sources

EXERCISES = {exercise.id: exercise for exercise in exercises_for("19")}
[NOTEBOOK] = [path for path in lesson_sources() if path.name.startswith("19")]
# The cells that define the functions tested here, by the start of their source.
DEFINITIONS = ("import math", "def pair_images(", "def occlude(", "def clip_loss(")


def _notebook_namespace() -> dict:
    cells = code_cells(NOTEBOOK)
    namespace: dict = {}
    for start in DEFINITIONS:
        source = cell_starting_with(cells, start)
        if start == "def occlude(":
            source = source.split("\n\n\n")[0]  # the function only, not the figure
        if start == "def pair_images(":
            source = source.split("\n\n\nexample =")[0]
        exec(source, namespace)
    exec(cell_starting_with(cells, "def recall_at("), namespace)  # recall_at, chance_recall
    return namespace


NS = _notebook_namespace()


def test_info_nce_reference_is_the_notebooks_clip_loss():
    for sound, image, temperature in every_input(EXERCISES["19.ex1"]):
        a = F.normalize(torch.tensor(sound, dtype=torch.float64), dim=1)
        v = F.normalize(torch.tensor(image, dtype=torch.float64), dim=1)
        library = NS["clip_loss"](a @ v.T / temperature).item()
        assert info_nce(sound, image, temperature) == pytest.approx(library, rel=1e-9)


def test_recall_reference_is_a_topk_ranking():
    for similarity, queries, gallery, k in every_input(EXERCISES["19.ex2"]):
        top = torch.tensor(similarity).topk(k, dim=1).indices.numpy()
        hits = (np.array(gallery)[top] == np.array(queries)[:, None]).any(axis=1)
        assert recall_at_k(similarity, queries, gallery, k) == pytest.approx(hits.mean())


def test_chance_levels_follow_from_the_notebooks_formula():
    chance = NS["chance_recall"]
    ten = np.repeat(np.arange(10), 10)
    skewed = np.concatenate([np.full(55, 1), np.repeat(np.delete(np.arange(10), 1), 5)])
    found = [
        chance(1, np.arange(10), ten),
        chance(5, np.arange(10), ten),
        chance(5, np.arange(10), skewed),
    ]
    answers = [q.answer for q in EXERCISES["19.ex3"].questions]
    assert [round(x, 3) for x in found] == answers[:3]
    assert round(5 / 599, 3) == answers[3]


def test_chance_recall_is_what_random_rankings_score():
    rng = np.random.default_rng(0)
    gallery = rng.integers(0, 10, size=60)
    queries = rng.integers(0, 10, size=40)
    for k in (1, 5):
        scores = [
            recall_at_k(rng.random((40, 60)).tolist(), queries.tolist(), gallery.tolist(), k)
            for _ in range(400)
        ]
        expected = NS["chance_recall"](k, queries, gallery)
        assert np.mean(scores) == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize("size", [0, 3, 5, 8])
def test_occlude_hides_exactly_a_grey_square(size):
    batch = torch.zeros(50, 8, 8)
    hidden = NS["occlude"](batch, size, torch.Generator().manual_seed(size))
    assert ((hidden == 0.5).sum(dim=(1, 2)) == size * size).all()
    assert set(hidden.unique().tolist()) <= {0.0, 0.5}


def test_pair_images_draws_the_same_digit_from_the_pool():
    rng = np.random.default_rng(1)
    NS["digits"] = rng.integers(0, 10, size=200)
    NS["image_digits"] = np.tile(np.arange(10), 15)  # every digit in every pool below
    audio_idx = np.arange(0, 200, 2)
    pool = np.arange(0, 150, 3)
    assert all((NS["image_digits"][pool] == d).any() for d in range(10))
    paired = NS["pair_images"](audio_idx, pool, torch.Generator().manual_seed(0))
    assert np.isin(paired, pool).all()
    assert (NS["image_digits"][paired] == NS["digits"][audio_idx]).all()
