"""What only the PostgreSQL store does: its URL, its schemas, its refusals, and migrations
kept in step with the SQLite store's (the shared behaviour is test_store.py's)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

import pytest

from passeur.state import SQLiteStore, StoreError, StoreLost, open_store
from passeur.state import sqlite as sqlite_store
from passeur.state.postgres import MIGRATIONS, PostgresStore, redact_url


def test_both_stores_know_the_same_migrations() -> None:
    assert len(MIGRATIONS) == len(sqlite_store.MIGRATIONS)


def test_a_password_is_never_printed() -> None:
    assert redact_url("postgresql://sync:s3cr%40t@db.example:5433/passeur?sslmode=require") \
        == "postgresql://sync:***@db.example:5433/passeur?sslmode=require"
    assert redact_url("postgresql://db.example/passeur") == "postgresql://db.example/passeur"


def test_an_unreachable_server_is_a_clear_error_without_the_password() -> None:
    # port 9 on loopback: nothing listens there
    with pytest.raises(StoreError) as caught:
        PostgresStore("postgresql://sync:hunter2@127.0.0.1:9/passeur", connect_timeout=2)
    message = str(caught.value)
    assert message.startswith("cannot open the store postgresql://sync:***@127.0.0.1:9/passeur: ")
    assert "hunter2" not in message


def test_a_url_opens_the_store_in_the_schema_its_search_path_names(
        postgres_url: str, pg_schema: str) -> None:
    joiner = "&" if "?" in postgres_url else "?"
    url = f"{postgres_url}{joiner}options={quote(f'-csearch_path={pg_schema}')}"
    with open_store(url) as store:
        assert isinstance(store, PostgresStore)
        store.start_run("a.toml")
    with PostgresStore(postgres_url, schema=pg_schema) as again:
        assert [r.sync for r in again.runs()] == ["a.toml"]


def test_the_tables_are_those_of_the_sqlite_store(postgres_url: str, pg_schema: str,
                                                   tmp_path: Path) -> None:
    """A migration added to one store and not the other fails here."""
    import psycopg

    SQLiteStore(tmp_path / "s.db").close()
    lite = sqlite3.connect(tmp_path / "s.db")
    expected = {(t, c[1]) for (t,) in lite.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        for c in lite.execute(f"PRAGMA table_info({t})")}
    PostgresStore(postgres_url, schema=pg_schema).close()
    with psycopg.connect(postgres_url) as db:
        found = {(t, c) for t, c in db.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = %s", (pg_schema,)) if c != "ord"}
    assert found == expected


def test_a_newer_store_is_refused(postgres_url: str, pg_schema: str) -> None:
    PostgresStore(postgres_url, schema=pg_schema).close()
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute(f'UPDATE "{pg_schema}".meta SET value = \'99\' WHERE key = \'schema_version\'')
    with pytest.raises(StoreError, match=rf"\(schema {pg_schema}\) was written by a newer "
                       rf"passeur \(store schema 99, this passeur knows up to "
                       rf"{len(MIGRATIONS)}\); upgrade passeur to use it"):
        PostgresStore(postgres_url, schema=pg_schema)


def test_a_schema_holding_other_tables_is_refused_and_left_alone(
        postgres_url: str, pg_schema: str) -> None:
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute(f'CREATE TABLE "{pg_schema}".customers (id INTEGER)')
    with pytest.raises(StoreError, match=r"holds tables but is not a passeur store \(it has "
                       r"tables customers\); give another database or schema"):
        PostgresStore(postgres_url, schema=pg_schema)
    with psycopg.connect(postgres_url) as db:
        tables = db.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s",
                            (pg_schema,)).fetchall()
    assert tables == [("customers",)]


def test_a_missing_schema_is_named(postgres_url: str) -> None:
    with pytest.raises(StoreError, match=r"\(schema no_such_schema_x\): the schema of its "
                       r"search_path does not exist; create it \(CREATE SCHEMA\)"):
        PostgresStore(postgres_url, schema="no_such_schema_x")


def test_a_connection_the_server_ended_is_lost_once_used(postgres_url: str,
                                                           pg_schema: str) -> None:
    """The server ends the session (as on a restart): the store says so after the next
    operation fails, which `passeur worker` watches for to exit 4 (docs/scale.md)."""
    import psycopg

    store = PostgresStore(postgres_url, schema=pg_schema)
    try:
        pid = store._read("SELECT pg_backend_pid()")[0][0]
        assert not store.connection_lost()
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() \
                == (True,)
        assert not store.connection_lost()  # not probed: nothing used it yet
        with pytest.raises(StoreLost) as caught:
            store.runs()
        assert str(caught.value).startswith(
            f"lost the connection to the store {store.where} (the server restarted or is "
            "unreachable): terminating connection due to administrator command")
        assert caught.value.__cause__ is None and caught.value.__suppress_context__
        assert store.connection_lost()
        # every method, not only the one that found it: one statement on its own, and a
        # transaction (psycopg's words differ)
        with pytest.raises(StoreLost, match=r"^lost the connection to the store .*: the "
                           r"connection is closed$"):
            store.lease("sync:a.toml", "r1")
        with pytest.raises(StoreLost, match=r"^lost the connection to the store .*: the "
                           r"connection is lost$"):
            store.take_slot("vf", 10.0)
    finally:
        store.close()
    assert store.connection_lost()
