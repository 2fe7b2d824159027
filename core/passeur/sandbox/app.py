"""A sandbox as one object: the ASGI application behind its fault middleware, and its state.

Tests and the CLI need more than a callable: the store to inspect, the fault counters to
assert on, the options to print. `Sandbox` carries them and is itself the ASGI application.
"""

from __future__ import annotations

from typing import Any

from passeur.sandbox.faults import ErrorBody, FaultConfig, FaultMiddleware, FaultStats

__all__ = ["RequestApp", "Sandbox"]


class Sandbox:
    """ASGI application = `app` wrapped in fault injection; `state` is the sandbox's store."""

    def __init__(self, app: Any, state: Any, faults: FaultConfig | None = None,
                 error_body: ErrorBody | None = None, name: str = "sandbox",
                 summary: dict[str, str] | None = None) -> None:
        self.name = name
        #: What a user needs to connect (credentials, variant), printed by `passeur sandbox`.
        self.summary = dict(summary or {})
        self.inner = app
        self.state = state
        self.middleware = (FaultMiddleware(app, faults or FaultConfig(), error_body)
                           if error_body is not None
                           else FaultMiddleware(app, faults or FaultConfig()))

    @property
    def faults(self) -> FaultConfig:
        return self.middleware.config

    @property
    def stats(self) -> FaultStats:
        return self.middleware.stats

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.middleware(scope, receive, send)


class RequestApp:
    """An ASGI application that answers each HTTP request with `respond(request)`: the
    wrapper every hand-routed sandbox needs (lifespan and websocket scopes are ignored)."""

    async def respond(self, request: Any) -> Any:  # pragma: no cover - always overridden
        raise NotImplementedError

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        from starlette.requests import Request

        response = await self.respond(Request(scope, receive))
        await response(scope, receive, send)
