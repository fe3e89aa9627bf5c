"""Lesson 20: properties of the graded inputs that the shared exercise tests do not know."""

import numpy as np

from labkit.lessons import lesson_20


def test_q_update_inputs_cover_terminal_and_bootstrapped_steps():
    for seed in range(20):
        cases = lesson_20._q_update_inputs(np.random.default_rng(seed))
        dones = [case[4] for case in cases]
        assert True in dones and False in dones
        for q_values, action, _, next_q_values, _, alpha, _ in cases:
            assert 0 <= action < len(q_values) == len(next_q_values)
            assert max(next_q_values) > max(q_values)  # the wrong row's max gives another value
            assert 0 < alpha < 1  # alpha applied twice, or the target alone, give other values


def test_epsilon_inputs_reach_past_the_end_of_the_decay():
    for seed in range(20):
        cases = lesson_20._epsilon_inputs(np.random.default_rng(seed))
        assert any(step > decay for step, _, _, decay in cases)
        assert any(step < decay for step, _, _, decay in cases)
        assert all(end < start for _, start, end, _ in cases)
