"""Shared test helpers: where the shared real corpus lives, and a clean plugin environment."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
TESTDATA = SHARED / "testdata"
SEEDS = SHARED / "seeds"

# `postgres_url` and `pg_schema`: the PostgreSQL server some tests use (support/postgres.py)
pytest_plugins = ["support.postgres"]


@pytest.fixture(autouse=True)
def _no_plugin_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests start without allow/deny lists from the developer's environment."""
    monkeypatch.delenv("PASSEUR_PLUGINS", raising=False)
    monkeypatch.delenv("PASSEUR_DISABLE_PLUGINS", raising=False)
    monkeypatch.delenv("PASSEUR_STORE", raising=False)  # a developer's server store


@pytest.fixture(autouse=True)
def _no_secrets_from_other_tests() -> None:
    """Secrets a test's connections registered (to be masked in all output) are forgotten,
    so one test's password never masks a word in another test's expected message."""
    from passeur.redaction import forget_secrets

    forget_secrets()
