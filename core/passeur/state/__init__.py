"""passeur.state: what a sync remembers between runs (bindings, cursors, write intents, runs,
the outcome ledger, leases), behind the `Store` interface; `open_store` gives the embedded
SQLite implementation."""

from __future__ import annotations

from pathlib import Path

from passeur.state.base import (
    OUTCOMES,
    SUCCESSES,
    Binding,
    Cursor,
    Intent,
    LedgerEntry,
    Member,
    Run,
    Store,
    StoreError,
    StoreLocked,
)
from passeur.state.sqlite import SCHEMA_VERSION, SQLiteStore

__all__ = [
    "OUTCOMES",
    "SCHEMA_VERSION",
    "SUCCESSES",
    "Binding",
    "Cursor",
    "Intent",
    "LedgerEntry",
    "Member",
    "Run",
    "SQLiteStore",
    "Store",
    "StoreError",
    "StoreLocked",
    "open_store",
]


def open_store(path: str | Path) -> Store:
    """The store at `path` (an SQLite file, created with its folder on first use)."""
    return SQLiteStore(path)
