"""Fixtures to serve sandboxes on a real loopback socket; a conftest imports them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from passeur.http import reset_budgets
from passeur.sandbox import RunningServer, serve_in_thread

__all__ = ["fresh_budgets", "serve"]


@pytest.fixture(autouse=True)
def fresh_budgets() -> None:
    """Every test starts with empty rate budgets (they are shared per account)."""
    reset_budgets()


@pytest.fixture
def serve() -> Iterator[Callable[[Any], RunningServer]]:
    """Serve a sandbox app on 127.0.0.1:<free port> for the duration of one test."""
    servers: list[RunningServer] = []

    def start(app: Any) -> RunningServer:
        server = serve_in_thread(app)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
