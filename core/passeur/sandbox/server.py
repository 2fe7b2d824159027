"""Serve a sandbox with uvicorn on a loopback port, in a background thread or in the foreground.

We bind the socket ourselves so that port 0 works (the OS picks a free port and we know it
before the first request) and so that nothing but a loopback address can ever be bound.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

import uvicorn

from passeur.errors import TransportError, UsageError

__all__ = ["RunningServer", "bind_loopback", "is_loopback", "serve_forever", "serve_in_thread"]


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine (localhost, 127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind_loopback(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening socket on a loopback address; any other address is refused."""
    if not is_loopback(host):
        raise UsageError(f"a sandbox only listens on a loopback address, not {host!r} "
                         "(use 127.0.0.1 or ::1)")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise TransportError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    if family in (socket.AF_INET, socket.AF_INET6):
        # Accepted sockets inherit this on Linux: without it, a response written in two parts
        # waits for the client's delayed ACK (about 40 ms per request).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _config(app: Any, log_level: str) -> uvicorn.Config:
    return uvicorn.Config(app, lifespan="off", http="h11", log_level=log_level,
                          access_log=False, timeout_keep_alive=5,
                          timeout_graceful_shutdown=2)


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class RunningServer:
    """A sandbox served in a background thread; use as a context manager or call `stop()`."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0,
                 log_level: str = "warning") -> None:
        self.app = app
        self._sock = bind_loopback(host, port)
        self.port: int = self._sock.getsockname()[1]
        self.base_url = _url(self._sock)
        self._server = uvicorn.Server(_config(app, log_level))
        self._thread = threading.Thread(target=self._server.run,
                                        kwargs={"sockets": [self._sock]},
                                        name=f"sandbox:{self.port}", daemon=True)

    def start(self, timeout: float = 10.0) -> RunningServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise TransportError(f"sandbox on {self.base_url} did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self._sock.close()

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def serve_in_thread(app: Any, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    """Start serving `app` in a daemon thread and return once it accepts connections."""
    return RunningServer(app, host, port).start()


def serve_forever(app: Any, host: str = "127.0.0.1", port: int = 0,
                  on_ready: Callable[[str], None] | None = None,
                  log_level: str = "warning") -> None:
    """Serve `app` in the foreground until interrupted; `on_ready` gets the base URL."""
    sock = bind_loopback(host, port)
    try:
        if on_ready is not None:
            on_ready(_url(sock))
        # uvicorn shuts down gracefully on Ctrl+C, then re-raises the signal: a user's stop
        # is the normal end of a sandbox, not an error.
        with contextlib.suppress(KeyboardInterrupt):
            uvicorn.Server(_config(app, log_level)).run(sockets=[sock])
    finally:
        sock.close()
