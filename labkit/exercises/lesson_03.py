"""Public checks for lesson 03 (being written)."""

from __future__ import annotations

__all__ = ["PUBLIC_CHECKS"]

PUBLIC_CHECKS: dict = {}
