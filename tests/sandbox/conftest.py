"""Sandboxes served on a real loopback socket, one per test, with a plain httpx client."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from passeur.sandbox import RunningServer, Sandbox, serve_in_thread

TODAY = "2025-06-15"
#: Built once: a new httpx client otherwise loads the CA bundle again (~20-150 ms each time);
#: the sandboxes speak plain HTTP on loopback anyway.
_TLS = ssl.create_default_context()


class Served:
    """A running sandbox: its app (store, fault counters) and an httpx client on it."""

    def __init__(self, app: Sandbox, server: RunningServer, client: httpx.Client) -> None:
        self.app = app
        self.server = server
        self.http = client

    @property
    def state(self) -> Any:
        return self.app.state


@pytest.fixture
def serve() -> Iterator[Callable[[Sandbox], Served]]:
    """Serve any sandbox app on 127.0.0.1:<free port>; stopped at the end of the test."""
    started: list[tuple[RunningServer, httpx.Client]] = []

    def start(app: Sandbox, timeout: float = 5.0) -> Served:
        server = serve_in_thread(app)
        client = httpx.Client(base_url=server.base_url, timeout=timeout, verify=_TLS)
        started.append((server, client))
        return Served(app, server, client)

    yield start
    for server, client in started:
        client.close()
        server.stop()
