"""Shared test helpers: where the shared real corpus lives, and a clean plugin environment."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
TESTDATA = SHARED / "testdata"
SEEDS = SHARED / "seeds"


@pytest.fixture(autouse=True)
def _no_plugin_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests start without allow/deny lists from the developer's environment."""
    monkeypatch.delenv("PASSEUR_PLUGINS", raising=False)
    monkeypatch.delenv("PASSEUR_DISABLE_PLUGINS", raising=False)
