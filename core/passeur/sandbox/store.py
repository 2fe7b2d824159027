"""In-memory tables for sandboxes: ids handed out in order, records kept as plain dicts.

A sandbox answers on one event loop, so its handlers never run concurrently and need no
locks; records are dicts because that is what the wire carries and what tests compare.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

__all__ = ["Table", "record_id"]


def record_id(value: Any) -> int | None:
    """An id as a client may send it (JSON number, or its text "12"), or None when the value
    names no record: a boolean, a fraction, a negative or other text (`int()` alone would
    read `true` as 1 and 12.7 as 12)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return record_id(int(value))
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


class Table:
    """Records by integer id; ids start at `first_id` and are never reused."""

    def __init__(self, first_id: int = 1) -> None:
        self._rows: dict[int, dict[str, Any]] = {}
        self._next = first_id

    def next_id(self) -> int:
        value = self._next
        self._next += 1
        return value

    def insert(self, record: dict[str, Any]) -> dict[str, Any]:
        """Store `record` under a new id (written into its "id" key) and return it."""
        record["id"] = self.next_id()
        self._rows[record["id"]] = record
        return record

    def get(self, key: Any) -> dict[str, Any] | None:
        """The record with id `key` (as `record_id` reads it), or None."""
        number = record_id(key)
        return None if number is None else self._rows.get(number)

    def delete(self, record_id: int) -> bool:
        return self._rows.pop(record_id, None) is not None

    def find(self, **criteria: Any) -> list[dict[str, Any]]:
        """Records whose fields equal every criterion (in id order)."""
        return [r for r in self._rows.values()
                if all(r.get(key) == value for key, value in criteria.items())]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(list(self._rows.values()))

    def __len__(self) -> int:
        return len(self._rows)
