"""Comparing canonical documents as plain data."""

from __future__ import annotations

from typing import Any


def without_sources(value: Any) -> Any:
    """Plain canonical data without its `source` entries (where a record was read differs
    between a file and its conversion; what it says must not)."""
    if isinstance(value, dict):
        return {k: without_sources(v) for k, v in value.items() if k != "source"}
    if isinstance(value, list):
        return [without_sources(v) for v in value]
    return value
