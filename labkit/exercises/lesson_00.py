"""Public checks for lesson 00 (welcome and setup)."""

from __future__ import annotations

from labkit.selfcheck import expect

__all__ = ["PUBLIC_CHECKS"]


def check_ex1(answer: object) -> None:
    """00.ex1: the device string chosen on this machine."""
    expect(answer in ("cpu", "cuda", "mps"), f"expected 'cpu', 'cuda' or 'mps', got {answer!r}.")


PUBLIC_CHECKS = {"00.ex1": check_ex1}
