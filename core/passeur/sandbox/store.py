"""In-memory tables for sandboxes: ids handed out in order, records kept as plain dicts.

A sandbox answers on one event loop, so its handlers never run concurrently and need no
locks; records are dicts because that is what the wire carries and what tests compare.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["Table"]


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

    def get(self, record_id: int) -> dict[str, Any] | None:
        return self._rows.get(record_id)

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
