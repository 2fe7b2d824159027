"""Running `Call`s: authenticate, wait for the rate budget, send, trace, classify, retry.

`HttpClient` (threads) and `AsyncHttpClient` (asyncio) share `_Runner`, which makes every
decision; they only differ in how they send and sleep. The transport is injectable
(`httpx.MockTransport` in unit tests, a real socket against a sandbox elsewhere).
"""

from __future__ import annotations

import functools
import ssl
import time
from collections.abc import Callable, Generator, Mapping
from typing import Any

import attrs
import httpx

from passeur.errors import TransportError
from passeur.http.auth import Auth, NoAuth
from passeur.http.call import Call, dumps_json, loads_json
from passeur.http.errors import (
    NOT_PROCESSED,
    Conflict,
    ErrorBody,
    RateLimited,
    Retryable,
    Uncertain,
    UnexpectedResponse,
    ValidationError,
    classify_exception,
    classify_response,
    common_error_body,
)
from passeur.http.ratelimit import Budget, budget_for
from passeur.http.redact import Redactor, logger, register_secrets
from passeur.http.retry import RetryPolicy

__all__ = ["AsyncHttpClient", "HttpClient", "HttpSettings"]

#: `_Runner.steps`: yields seconds to sleep or a request to send; is sent the answer.
_Steps = Generator[float | httpx.Request, httpx.Response | httpx.HTTPError | None, Any]


@attrs.frozen
class HttpSettings:
    """How to talk to one account: timeouts (seconds), retries, and the rate budget
    (`rate_limit` requests per second shared by all clients of `account`; None = no limit)."""

    timeout: float = 30.0
    connect_timeout: float = 10.0
    retry: RetryPolicy = attrs.field(factory=RetryPolicy)
    rate_limit: float | None = None
    burst: int = 1
    user_agent: str = "passeur"


class _Runner:
    """Everything about one call except the actual send and sleep."""

    def __init__(self, base_url: str, auth: Auth, settings: HttpSettings,
                 account: str | None, headers: Mapping[str, str] | None,
                 error_body: ErrorBody = common_error_body) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.error_body = error_body
        self.auth = auth
        self.settings = settings
        self.redactor = Redactor(secrets=auth.secrets)
        register_secrets(auth.secrets)  # the command line masks them in all it prints
        self.headers = {"Accept": "application/json", "User-Agent": settings.user_agent,
                        **(headers or {})}
        self.budget: Budget | None = None
        if settings.rate_limit is not None:
            key = account or self.base_url
            self.budget = budget_for(key, settings.rate_limit, settings.burst)

    def timeout(self) -> httpx.Timeout:
        return httpx.Timeout(self.settings.timeout, connect=self.settings.connect_timeout)

    def build(self, client: httpx.Client | httpx.AsyncClient, call: Call) -> httpx.Request:
        call = self.auth.apply(call)
        headers = dict(call.headers)
        if call.is_multipart:
            request = client.build_request(call.method.upper(), call.path.lstrip("/"),
                                           params=list(call.params), headers=headers,
                                           data=dict(call.form), files=list(call.files))
            request.read()  # in memory, so that it can be traced and sent again
            return request
        content: bytes | None = None
        if call.json is not None:
            content = dumps_json(call.json)
            headers.setdefault("Content-Type", "application/json")
        return client.build_request(call.method.upper(), call.path.lstrip("/"),
                                    params=list(call.params), headers=headers,
                                    content=content)

    def trace_request(self, request: httpx.Request, attempt: int) -> str:
        url = self.redactor.url(str(request.url))
        logger.info("-> %s %s attempt=%d", request.method, url, attempt)
        if logger.isEnabledFor(10):  # DEBUG: bodies and headers too
            body: Any = None
            if request.content:
                try:
                    body = self.redactor.data(loads_json(request.content))
                except ValueError:
                    body = f"<{len(request.content)} bytes>"
            logger.debug("-> headers=%s body=%s", self.redactor.headers(dict(request.headers)),
                         body)
        return url

    def trace_response(self, response: httpx.Response, url: str, started: float) -> None:
        elapsed = (time.monotonic() - started) * 1000
        logger.info("<- %s %s %d (%.0f ms)", response.request.method, url,
                    response.status_code, elapsed)
        if logger.isEnabledFor(10):
            text = response.text if "json" in response.headers.get("content-type", "") else ""
            logger.debug("<- body %s", self.redactor.text(text)[:2000])

    def outcome(self, call: Call, response: httpx.Response, url: str) -> Any:
        error = classify_response(response, idempotent=call.is_idempotent or call.guarded,
                                  url=url, error_body=self.error_body,
                                  redact=self.redactor.text)
        if error is not None:
            raise error
        if call.expect == "bytes":
            return response.content
        if call.expect == "none" or not response.content.strip():
            return None
        try:
            return loads_json(response.content)
        except ValueError:
            raise UnexpectedResponse(
                "the answer is not JSON: " + self.redactor.text(response.text)[:200],
                method=call.method, url=url, status=response.status_code) from None

    def failed(self, call: Call, exc: httpx.HTTPError, url: str) -> TransportError:
        logger.info("<- %s %s failed: %s", call.method, url, type(exc).__name__)
        return classify_exception(exc, idempotent=call.is_idempotent, method=call.method,
                                  url=url, redact=self.redactor.text)

    @staticmethod
    def server_failed(call: Call, error: TransportError) -> bool:
        """A write answered by a 5xx: if it is resent, the first try may have counted (not
        after a 503, which by convention says the request was not processed)."""
        status = getattr(error, "status", None) or 0
        return not call.is_idempotent and status >= 500 and status not in NOT_PROCESSED

    @staticmethod
    def final(call: Call, error: TransportError, resent: bool) -> TransportError:
        """How a guarded write that was resent after a server error ends when it does not
        succeed. Refused as a duplicate: the earlier attempt was probably applied. Still
        failing when the attempts run out: any of the server errors may have come after
        the document was stored. Either way the truthful answer is "uncertain", never
        "failed" (which tells the user that pushing it again is safe)."""
        if not (resent and call.guarded):
            return error
        if isinstance(error, Conflict | ValidationError):
            return Uncertain(f"an earlier attempt failed with a server error and the resend "
                             f"was refused ({error.detail}); the document was probably "
                             "created: look it up", method=error.method, url=error.url,
                             status=error.status, body=error.body)
        if isinstance(error, Retryable):
            return Uncertain(f"every attempt failed, last with: {error.detail}; an earlier "
                             "server error may have come after the document was stored: "
                             "look it up before pushing it again", method=error.method,
                             url=error.url, status=error.status, body=error.body)
        return error

    def next_wait(self, error: TransportError, attempt: int,
                  rate_waited: float = 0.0) -> float | None:
        """Seconds to wait before trying again, or None to give up and raise."""
        policy = self.settings.retry
        if not policy.should_retry(error, attempt, rate_waited):
            return None
        wait = policy.delay(error, attempt)
        if isinstance(error, RateLimited) and self.budget is not None:
            self.budget.pause(wait)
        logger.info("   retrying in %.2f s after: %s", wait, error)
        return wait

    def steps(self, client: httpx.Client | httpx.AsyncClient, call: Call) -> _Steps:
        """The retry loop of one call, written once for both clients: it yields seconds to
        sleep or a request to send, is sent back the response (or the httpx error) of each
        request, and returns the call's result or raises its classified error."""
        attempt = 0
        rate_waited = 0.0  # seconds spent on Retry-After (pacing uses up no attempt)
        resent = False  # a 5xx came back for a guarded write and we sent it again
        while True:
            attempt += 1
            if self.budget is not None:
                wait_budget = self.budget.reserve()
                if wait_budget > 0:
                    yield wait_budget
            request = self.build(client, call)
            url = self.trace_request(request, attempt)
            started = time.monotonic()
            answer = yield request
            error: TransportError
            if isinstance(answer, httpx.Response):
                self.trace_response(answer, url, started)
                try:
                    return self.outcome(call, answer, url)
                except TransportError as exc:
                    error = exc
            else:
                assert isinstance(answer, httpx.HTTPError)  # the drivers send nothing else
                error = self.failed(call, answer, url)
            wait = self.next_wait(error, attempt, rate_waited)
            if wait is None:
                raise self.final(call, error, resent)
            if self.settings.retry.is_pacing(error):
                attempt -= 1
                rate_waited += wait
            resent = resent or self.server_failed(call, error)
            yield wait


@functools.cache
def tls_context() -> ssl.SSLContext:
    """httpx's default TLS context, made once per process: each client made its own and
    read the CA bundle again (20 ms), twice per sync file opened by a worker."""
    return httpx.create_ssl_context()


class HttpClient:
    """Synchronous client of one account. Thread-safe; close it (or use `with`)."""

    def __init__(self, base_url: str, *, auth: Auth | None = None,
                 settings: HttpSettings | None = None,
                 transport: httpx.BaseTransport | None = None, account: str | None = None,
                 headers: Mapping[str, str] | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 error_body: ErrorBody = common_error_body) -> None:
        self._run = _Runner(base_url, auth or NoAuth(), settings or HttpSettings(), account,
                            headers, error_body)
        self._sleep = sleep
        self._client = httpx.Client(base_url=self._run.base_url, headers=self._run.headers,
                                    timeout=self._run.timeout(), transport=transport,
                                    verify=tls_context())

    @property
    def redactor(self) -> Redactor:
        return self._run.redactor

    def call(self, call: Call) -> Any:
        """Run `call` with retries; the decoded JSON (Decimal numbers), bytes, or None."""
        steps = self._run.steps(self._client, call)
        answer: httpx.Response | httpx.HTTPError | None = None
        try:
            while True:
                step = steps.send(answer)
                if isinstance(step, httpx.Request):
                    try:
                        answer = self._client.send(step)
                    except httpx.HTTPError as exc:
                        answer = exc
                else:
                    self._sleep(step)
                    answer = None
        except StopIteration as done:
            return done.value

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncHttpClient:
    """The asyncio twin of `HttpClient`, for many concurrent calls on one account."""

    def __init__(self, base_url: str, *, auth: Auth | None = None,
                 settings: HttpSettings | None = None,
                 transport: httpx.AsyncBaseTransport | None = None,
                 account: str | None = None, headers: Mapping[str, str] | None = None,
                 sleep: Callable[[float], Any] | None = None,
                 error_body: ErrorBody = common_error_body) -> None:
        self._run = _Runner(base_url, auth or NoAuth(), settings or HttpSettings(), account,
                            headers, error_body)
        self._sleep = sleep
        self._client = httpx.AsyncClient(base_url=self._run.base_url,
                                         headers=self._run.headers,
                                         timeout=self._run.timeout(), transport=transport,
                                         verify=tls_context())

    @property
    def redactor(self) -> Redactor:
        return self._run.redactor

    async def _pause(self, seconds: float) -> None:
        import asyncio

        if self._sleep is not None:
            result = self._sleep(seconds)
            if hasattr(result, "__await__"):
                await result
        else:
            await asyncio.sleep(seconds)

    async def call(self, call: Call) -> Any:
        """Run `call` with retries; the decoded JSON (Decimal numbers), bytes, or None."""
        steps = self._run.steps(self._client, call)
        answer: httpx.Response | httpx.HTTPError | None = None
        try:
            while True:
                step = steps.send(answer)
                if isinstance(step, httpx.Request):
                    try:
                        answer = await self._client.send(step)
                    except httpx.HTTPError as exc:
                        answer = exc
                else:
                    await self._pause(step)
                    answer = None
        except StopIteration as done:
            return done.value

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> AsyncHttpClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
