"""The PostgreSQL server the tests may use, and a fresh schema per test.

The suite starts no database itself: `.ci/services` (run by `.ci/run`) starts one on loopback
and sets `PASSEUR_TEST_POSTGRES` to a URL whose user may create schemas. Without it the
PostgreSQL cases are skipped, saying so; with `PASSEUR_REQUIRE_POSTGRES=1` (CI sets it) a
missing or unreachable server fails them instead, so CI never skips them silently.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

ENV_URL = "PASSEUR_TEST_POSTGRES"
ENV_REQUIRE = "PASSEUR_REQUIRE_POSTGRES"


def _unavailable(reason: str) -> None:
    if os.environ.get(ENV_REQUIRE) == "1":
        pytest.fail(f"{reason}, and {ENV_REQUIRE}=1 says the PostgreSQL tests must run")
    pytest.skip(f"{reason} (set {ENV_URL}=postgresql://user:password@127.0.0.1:PORT/DB, "
                "as .ci/services does, to run them)")


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The test server's URL, checked once per session."""
    url = os.environ.get(ENV_URL)
    if not url:
        _unavailable(f"no PostgreSQL server for the tests: {ENV_URL} is not set")
    assert url is not None
    try:
        import psycopg
    except ImportError:
        _unavailable("psycopg is not installed (pip install 'passeur[postgres]')")
    try:
        with psycopg.connect(url, connect_timeout=5) as db:
            db.execute("SELECT 1")
    except psycopg.Error as exc:
        pytest.fail(f"{ENV_URL} is set but the server does not answer: {exc}")
    return url


@pytest.fixture
def pg_schema(postgres_url: str) -> Iterator[str]:
    """A new, empty schema for one test, dropped after it."""
    import psycopg
    from psycopg import sql

    name = f"passeur_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    yield name
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))
