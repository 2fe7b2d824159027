"""The ASGI app of `passeur serve`: the page, /api/status (the same document as `passeur
status --json`) and /api/runs (the latest runs and the ledger of one), read from the store
on each request. It writes nothing and holds no secret: every answer is built by
passeur.ops.status, which masks the registered secrets."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from passeur.web.page import page, script_hash

__all__ = ["create_app"]


def _headers() -> dict[str, str]:
    return {"Content-Security-Policy": f"default-src 'none'; script-src '{script_hash()}'; "
            "style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; "
            "form-action 'none'; frame-ancestors 'none'",
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store"}


def create_app(title: str, status: Callable[[], Awaitable[dict[str, Any]]],
               runs: Callable[[str | None], dict[str, Any]], *,
               refresh: float = 5.0) -> Starlette:
    """The app over two readers: `status()` the status document, `runs(run_id)` the runs
    and a ledger (the latest run's when run_id is None)."""

    async def index(request: Request) -> Response:
        return HTMLResponse(page(title, refresh), headers=_headers())

    async def api_status(request: Request) -> Response:
        return JSONResponse(await status(), headers=_headers())

    async def api_runs(request: Request) -> Response:
        found = runs(request.query_params.get("run"))
        if request.query_params.get("run") and found["ledger"]["run"] is None:
            return JSONResponse({"error": "no such run of this sync file"}, status_code=404,
                                headers=_headers())
        return JSONResponse(found, headers=_headers())

    return Starlette(routes=[Route("/", index), Route("/api/status", api_status),
                             Route("/api/runs", api_runs)])
