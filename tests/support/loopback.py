"""Fixtures to serve sandboxes on a real loopback socket; a conftest imports them."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from passeur.http import reset_budgets
from passeur.sandbox import RunningServer, serve_in_thread

__all__ = ["fresh_budgets", "sandbox_process", "serve"]


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


@contextlib.contextmanager
def sandbox_process(*args: str, within: float = 60.0) -> Iterator[dict[str, Any]]:
    """`passeur sandbox ARGS --json` in a real process, as a user runs it: yields what it
    printed once ready, then stops it with Ctrl+C and checks it ended with exit code 0."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PASSEUR_")}
    process = subprocess.Popen([sys.executable, "-m", "passeur", "sandbox", *args, "--json"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=env)
    watchdog = threading.Timer(within, process.kill)  # a sandbox that never prints
    watchdog.start()
    try:
        lines: list[str] = []
        while not lines or not lines[-1].startswith("}"):
            line = process.stdout.readline() if process.stdout else ""
            assert line, process.stderr.read() if process.stderr else "no output"
            lines.append(line)
        yield json.loads("".join(lines))
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
