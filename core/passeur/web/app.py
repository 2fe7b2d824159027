"""The ASGI app of `passeur serve`: the page, /api/status (the same document as `passeur
status --json`) and /api/runs (the latest runs and the ledger of one), read from the store
on each request. It writes nothing and holds no secret: every answer is built by
passeur.ops.status, which masks the registered secrets.

It answers only requests whose Host is one of the names it is served under (on loopback, a
loopback name): a web page the user visits could otherwise rebind its own name to the
server's address and read the ledger (DNS rebinding). Every answer, an error too, carries
the same security headers, and a store that cannot be read is a 503 with its reason, never
a bare 500."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from passeur.redaction import redact_text
from passeur.web.page import page, script_hash

__all__ = ["create_app"]


def _headers() -> dict[str, str]:
    return {"Content-Security-Policy": f"default-src 'none'; script-src '{script_hash()}'; "
            "style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; "
            "form-action 'none'; frame-ancestors 'none'",
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store"}


def host_name(header: str) -> str:
    """The name of a Host header without its port ('[::1]:80' -> '::1')."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def _unreadable(exc: Exception) -> Response:
    reason = redact_text(f"{type(exc).__name__}: {exc}")
    return JSONResponse({"error": f"the store cannot be read now ({reason})"},
                        status_code=503, headers=_headers())


LOOPBACK_REFUSAL = ("this page answers only on a loopback address (Host 127.0.0.1 or "
                    "localhost); its Host header names another")
REMOTE_REFUSAL = ("this page answers only to the names it is served under (--host, --name); "
                  "its Host header names another")


class _HostGuard:
    """Refuses (`status`, with `message`) a request whose Host header names none of
    `hosts`."""

    def __init__(self, app: ASGIApp, hosts: Collection[str], status: int = 400,
                 message: str = LOOPBACK_REFUSAL) -> None:
        self.app = app
        self.hosts = {h.lower().strip("[]") for h in hosts}
        self.status = status
        self.message = message

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            name = host_name(headers.get(b"host", b"").decode("latin-1"))
            if name not in self.hosts:
                answer = JSONResponse({"error": self.message}, status_code=self.status,
                                      headers=_headers())
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(title: str, status: Callable[[], Awaitable[dict[str, Any]]],
               runs: Callable[[str | None], dict[str, Any]], *,
               refresh: float = 5.0, hosts: Collection[str] | None = None,
               remote: bool = False) -> ASGIApp:
    """The app over two readers: `status()` the status document, `runs(run_id)` the runs
    and a ledger (the latest run's when run_id is None). With `hosts`, a request whose
    Host header names another host is refused: 400 on loopback, 421 (Misdirected Request)
    when `remote` (served on another address)."""

    async def index(request: Request) -> Response:
        return HTMLResponse(page(title, refresh), headers=_headers())

    async def api_status(request: Request) -> Response:
        try:
            found = await status()
        except Exception as exc:  # a store gone or unreadable: said, the server keeps on
            return _unreadable(exc)
        return JSONResponse(found, headers=_headers())

    async def api_runs(request: Request) -> Response:
        try:
            found = runs(request.query_params.get("run"))
        except Exception as exc:
            return _unreadable(exc)
        if request.query_params.get("run") and found["ledger"]["run"] is None:
            return JSONResponse({"error": "no such run of this sync file"}, status_code=404,
                                headers=_headers())
        return JSONResponse(found, headers=_headers())

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code,
                            headers={**dict(exc.headers or {}), **_headers()})

    app = Starlette(routes=[Route("/", index), Route("/api/status", api_status),
                            Route("/api/runs", api_runs)],
                    exception_handlers={HTTPException: http_error})
    app.router.redirect_slashes = False  # a redirect would echo the Host header
    if hosts is None:
        return app
    if remote:
        return _HostGuard(app, hosts, 421, REMOTE_REFUSAL)
    return _HostGuard(app, hosts)
