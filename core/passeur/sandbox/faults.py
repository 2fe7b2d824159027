"""Fault injection in front of a sandbox: latency, a rate limit, 5xx, and lost responses.

Clients must be tested against the failures a real API produces; these are injected by one
ASGI middleware so that every sandbox fails the same way. Every request draws the same two
random numbers from a seeded generator, so a run is reproducible for a given request order.
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import logging
import math
import random
import time
from collections.abc import Callable
from typing import Any

import attrs

from passeur.sandbox.wire import dumps

__all__ = ["FaultConfig", "FaultMiddleware", "FaultStats"]

ASGIApp = Callable[..., Any]
ErrorBody = Callable[[int, str], Any]

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FAILURE_STATUSES = (500, 502, 503)


def _share(_: Any, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be between 0 and 1, got {value}")


def _not_negative(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and value < 0:
        raise ValueError(f"{attribute.name} must not be negative, got {value}")


@attrs.frozen
class FaultConfig:
    """What goes wrong, and how often.

    `rate_limit` is in requests per second (a token bucket holding one second of requests);
    `fail_rate` is the share of requests answered 500/502/503 without being applied;
    `lost_response_rate` is the share of writes that are applied but never answered: the
    server holds the response until the client gives up (it sees a read timeout), or, after
    `lost_response_hold` seconds, drops the connection mid-response;
    `applied_fail_rate` is the share of writes that are applied and then answered 500/502
    anyway (a proxy that fails after the backend stored the document): only a lookup can
    tell such a write from one that was not applied.
    """

    latency_ms: float = attrs.field(default=0.0, validator=_not_negative)
    rate_limit: float | None = attrs.field(default=None, validator=_not_negative)
    fail_rate: float = attrs.field(default=0.0, validator=_share)
    lost_response_rate: float = attrs.field(default=0.0, validator=_share)
    seed: int = 0
    lost_response_hold: float = attrs.field(default=30.0, validator=_not_negative)
    applied_fail_rate: float = attrs.field(default=0.0, validator=_share)

    @property
    def active(self) -> bool:
        return bool(self.latency_ms or self.rate_limit or self.fail_rate
                    or self.lost_response_rate or self.applied_fail_rate)


#: How many arrival times `FaultStats.arrivals` keeps (the latest): a long-running sandbox
#: must not grow without bound; a test's few thousand requests are all kept.
ARRIVALS_KEPT = 200_000


@attrs.define
class FaultStats:
    """Counters a test or a benchmark reads to see which faults fired, and the request log:
    when each request arrived (the middleware's clock, before any fault), so a test can
    check how many requests the clients sent in any window, whoever sent them."""

    requests: int = 0
    rate_limited: int = 0
    failed: int = 0
    lost: int = 0
    applied_failed: int = 0
    arrivals: collections.deque[float] = attrs.field(
        factory=lambda: collections.deque(maxlen=ARRIVALS_KEPT))

    def busiest(self, seconds: float = 1.0) -> int:
        """The most requests that arrived within any `seconds` of one another: in any
        window [t, t + seconds)."""
        times = sorted(self.arrivals)
        most, start = 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= seconds:
                start += 1
            most = max(most, end - start + 1)
        return most


#: Set while a response is being lost on purpose: the server's complaint that the
#: application "returned without completing response" is then the injected fault working,
#: not a bug, and is not logged. (The server logs it in the task that ran the application,
#: so it sees the value set there.)
_LOSING: contextvars.ContextVar[bool] = contextvars.ContextVar("sandbox_losing", default=False)


class _QuietLostResponses(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not _LOSING.get()


logging.getLogger("uvicorn.error").addFilter(_QuietLostResponses())


async def lose_response(send: Any, status: int = 200) -> None:
    """Lose an answer on purpose (a sandbox's placed fault): its headers start, its body
    never comes, and the server closes the connection; the client cannot know whether the
    request was applied. The server's complaint about it is not logged."""
    _LOSING.set(True)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", b"64")]})


def _default_body(status: int, message: str) -> Any:
    return {"error": message}


class FaultMiddleware:
    """ASGI middleware that applies a `FaultConfig` before (and after) the wrapped app."""

    def __init__(self, app: ASGIApp, config: FaultConfig,
                 error_body: ErrorBody = _default_body,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.config = config
        self.error_body = error_body
        self.stats = FaultStats()
        self._rng = random.Random(config.seed)
        self._clock = clock
        self._tokens = float(max(1.0, config.rate_limit or 0.0))
        self._refilled_at = clock()

    def _take_token(self) -> float | None:
        """None if the request may go on, else the seconds until a token is available."""
        rate = self.config.rate_limit
        if not rate:
            return None
        now = self._clock()
        capacity = max(1.0, rate)
        self._tokens = min(capacity, self._tokens + (now - self._refilled_at) * rate)
        self._refilled_at = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return None
        return (1.0 - self._tokens) / rate

    async def _send_error(self, send: Any, status: int, message: str,
                          headers: list[tuple[bytes, bytes]] | None = None) -> None:
        body = dumps(self.error_body(status, message)).encode("utf-8")
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json; charset=utf-8"),
                                (b"content-length", str(len(body)).encode())]
                    + (headers or [])})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        config = self.config
        self.stats.requests += 1
        self.stats.arrivals.append(self._clock())
        fail_draw, lost_draw, status_draw = (self._rng.random(), self._rng.random(),
                                             self._rng.random())
        if config.latency_ms:
            await asyncio.sleep(config.latency_ms / 1000)
        wait = self._take_token()
        if wait is not None:
            self.stats.rate_limited += 1
            retry_after = str(max(1, math.ceil(wait))).encode()
            await self._send_error(send, 429, "Rate limit exceeded, retry later",
                                   [(b"retry-after", retry_after)])
            return
        if fail_draw < config.fail_rate:
            self.stats.failed += 1
            status = FAILURE_STATUSES[int(status_draw * len(FAILURE_STATUSES))]
            await self._send_error(send, status, "Injected server failure (sandbox)")
            return
        if scope["method"] in WRITE_METHODS and lost_draw < config.lost_response_rate:
            self.stats.lost += 1
            await self._lose_response(scope, receive, send)
            return
        if scope["method"] in WRITE_METHODS and lost_draw < (config.lost_response_rate
                                                             + config.applied_fail_rate):
            self.stats.applied_failed += 1
            await self._apply_then_fail(scope, receive, send, status_draw)
            return
        await self.app(scope, receive, send)

    async def _apply_then_fail(self, scope: Any, receive: Any, send: Any,
                               status_draw: float) -> None:
        """Apply the write, drop its answer, and answer a server error instead."""

        async def swallow(message: Any) -> None:
            return None

        await self.app(scope, receive, swallow)
        status = (500, 502)[int(status_draw * 2)]
        await self._send_error(send, status, "Injected failure after the write was applied "
                               "(sandbox)")

    async def _lose_response(self, scope: Any, receive: Any, send: Any) -> None:
        """Apply the write, swallow its answer, and wait for the client to give up."""

        async def swallow(message: Any) -> None:
            return None

        _LOSING.set(True)
        await self.app(scope, receive, swallow)
        try:
            async with asyncio.timeout(self.config.lost_response_hold):
                while (await receive())["type"] != "http.disconnect":
                    pass
        except TimeoutError:
            # The client waits longer than we hold: start an answer and never finish it, so
            # the server closes the connection and the client sees a broken response.
            await send({"type": "http.response.start", "status": 500,
                        "headers": [(b"content-length", b"1")]})
