"""CodaBox tests: the sandbox served on a real loopback socket."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from passeur.http import reset_budgets
from passeur.sandbox import RunningServer, serve_in_thread


@pytest.fixture(autouse=True)
def _fresh_budgets() -> None:
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
