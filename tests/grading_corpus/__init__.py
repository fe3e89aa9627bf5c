"""A tiny lesson ("98") and submissions to it, honest and hostile, for the grader's tests."""
