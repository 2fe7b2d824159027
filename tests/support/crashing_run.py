"""Code a test runs in a child process (importable by name, as `spawn` needs)."""

from __future__ import annotations


def take_lock_and_die(kind: str, place: str, schema: str | None) -> None:
    """Take a sync file's run lock and exit without finishing the run (a crash)."""
    if kind == "sqlite":
        from passeur.state import SQLiteStore

        SQLiteStore(place).start_run("a.toml")
    else:
        from passeur.state.postgres import PostgresStore

        PostgresStore(place, schema=schema).start_run("a.toml")
