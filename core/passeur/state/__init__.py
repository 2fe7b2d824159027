"""passeur.state: what a sync remembers between runs (bindings, cursors, write intents, runs,
the outcome ledger, leases), behind the `Store` interface; `open_store` gives the embedded
SQLite implementation for a file path, the PostgreSQL one for a `postgresql://` URL."""

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
    StoreLost,
    WatchState,
    attempt_owner,
    gcra,
    is_store_url,
    owner_run,
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
    "StoreLost",
    "WatchState",
    "attempt_owner",
    "gcra",
    "is_store_url",
    "open_store",
    "owner_run",
]


def open_store(path: str | Path) -> Store:
    """The store at `path`: an SQLite file, created with its folder on first use, or a
    PostgreSQL database given by a `postgresql://` URL (psycopg is imported only then)."""
    if isinstance(path, str) and is_store_url(path):
        from passeur.state.postgres import PostgresStore

        return PostgresStore(path)
    return SQLiteStore(path)
