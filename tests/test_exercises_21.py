"""Lesson 21: properties of the graded inputs that the shared exercise tests do not know."""

import numpy as np

from labkit.lessons import lesson_21


def test_gradient_inputs_are_uneven_shards_of_equal_length_gradients():
    for seed in range(50):
        cases = lesson_21._gradient_inputs(np.random.default_rng(seed))
        for grad_a, n_a, grad_b, n_b in cases:
            assert len(grad_a) == len(grad_b) >= 2
            assert n_a >= 1 and n_b >= 1 and n_a != n_b  # equal shards hide the plain mean
            assert grad_a != grad_b


def test_the_whole_batch_gradient_is_what_two_shards_average_to():
    # The reference against a gradient computed on the whole batch: a mean of squared errors
    # of y = w * x, whose gradient in w is the mean of 2 (w x - y) x over the rows.
    rng = np.random.default_rng(0)
    x, y, w = rng.normal(size=11), rng.normal(size=11), 0.7
    per_row = 2 * (w * x - y) * x
    whole = per_row.mean()
    shards = lesson_21.average_gradients([per_row[:6].mean()], 6, [per_row[6:].mean()], 5)
    assert abs(shards[0] - whole) < 1e-12
