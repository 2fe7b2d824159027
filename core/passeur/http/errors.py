"""The classified failures of a live system, and the ONE place that classifies them.

Every client (VosFactures, ERP Connector, a third-party plugin) goes through `classify_response`
and `classify_exception`, so "what is retryable" and "what may have been applied" are decided
once, the same way for every system.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import httpx

from passeur.errors import TransportError

__all__ = [
    "AuthError",
    "Conflict",
    "ErrorBody",
    "ErrorReading",
    "FieldProblem",
    "NotFound",
    "RateLimited",
    "Retryable",
    "Uncertain",
    "UnexpectedResponse",
    "ValidationError",
    "classify_exception",
    "classify_response",
    "common_error_body",
    "field_problems",
    "nested_problems",
    "parse_retry_after",
]


class _Classified(TransportError):
    """Common fields: what was asked (method, redacted URL) and what came back."""

    def __init__(self, message: str, *, method: str = "", url: str = "",
                 status: int | None = None, body: str = "") -> None:
        self.method = method
        self.url = url
        self.status = status
        self.body = body
        where = f"{method} {url}".strip()
        prefix = f"{where}: " if where else ""
        code = f"HTTP {status}: " if status is not None else ""
        super().__init__(f"{prefix}{code}{message}")
        self.detail = message


class Retryable(_Classified):
    """A temporary failure that did not apply the request (5xx, refused connection...)."""


class RateLimited(Retryable):
    """The system asked us to slow down (429); `retry_after` is in seconds when it said so."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kw)


class AuthError(_Classified):
    """Credentials missing, wrong or not allowed (401/403): retrying will not help."""


@attrs.frozen
class FieldProblem:
    """One complaint of the remote system about one field (`path` is "" when global)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ValidationError(_Classified):
    """The system refused the document (400/422); `problems` carry the field paths."""

    def __init__(self, message: str, *, problems: Sequence[FieldProblem] = (), **kw: Any) -> None:
        self.problems = tuple(problems)
        # ERP Connector's ResultMessage already lists its problems: say each one once.
        detail = "; ".join(str(p) for p in self.problems if str(p) not in message)
        super().__init__(f"{message}: {detail}" if detail else message, **kw)


class NotFound(_Classified):
    """The resource does not exist (404)."""


class Conflict(_Classified):
    """The resource already exists or changed meanwhile (409/412, If-None-Match: *)."""


class Uncertain(_Classified):
    """A write whose outcome is unknown: it may have been applied. Never retried blindly;
    look the document up (by its natural key) before trying again.

    `still_running` says the system accepted the write and may still apply it (a task
    still pending when the wait ran out): a lookup that does not find it proves nothing
    yet, so the write must not be sent again in the same run."""

    def __init__(self, message: str, *, still_running: bool = False, **kw: Any) -> None:
        self.still_running = still_running
        super().__init__(message, **kw)


class UnexpectedResponse(_Classified):
    """An answer that fits no other class (an unusual 4xx, a body that is not JSON...)."""


def _excerpt(response: httpx.Response, redact: Callable[[str], str],
             limit: int = 300) -> str:
    """The start of the body, redacted whole before it is cut (a cut secret is no longer
    recognisable)."""
    try:
        text = redact(response.text)
    except Exception:  # a streamed or undecodable body
        return ""
    return text if len(text) <= limit else text[:limit] + "..."


def nested_problems(data: Any, prefix: str = "") -> list[FieldProblem]:
    """Field problems from a {field: [messages]} shape (nested objects become dotted paths,
    list items [i]); plain strings become one problem of `prefix` ("" when global)."""
    if isinstance(data, Mapping):
        found: list[FieldProblem] = []
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            found.extend(nested_problems(value, path))
        return found
    if isinstance(data, list):
        if all(isinstance(v, str) for v in data):
            return [FieldProblem(prefix, str(v)) for v in data]
        found = []
        for index, value in enumerate(data):
            found.extend(nested_problems(value, f"{prefix}[{index}]"))
        return found
    if data is None:
        return []
    return [FieldProblem(prefix, str(data))]


def field_problems(body: Any) -> list[FieldProblem]:
    """The field problems of an error body in the common shapes: {"message": {field:
    [...]}}, {"errors": ...}, {"Errors": ...} or {"error": ...}. A system whose bodies look
    otherwise declares its own reading (`ErrorBody`)."""
    if isinstance(body, Mapping):
        for key in ("message", "errors", "Errors", "error"):
            if key in body and body[key] not in (None, "", "error"):
                return nested_problems(body[key])
        return []
    if isinstance(body, str) and body:
        return [FieldProblem("", body)]
    return nested_problems(body)


def _json(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content or b"null")
    except (ValueError, UnicodeDecodeError):
        return None


@attrs.frozen
class ErrorReading:
    """What a system's error body says: its message and its field problems (None where
    the system's reading has nothing to say, so the common reading applies)."""

    message: str | None = None
    problems: tuple[FieldProblem, ...] | None = None


#: A system's declaration of how to read its error bodies (given the decoded JSON body, or
#: None when it is not JSON); clients pass it to HttpClient(error_body=...).
ErrorBody = Callable[[Any], ErrorReading]


def common_error_body(body: Any) -> ErrorReading:
    """The common reading only (the default)."""
    return ErrorReading()


def _message(body: Any, fallback: str) -> str:
    if isinstance(body, Mapping):
        for key in ("message", "error", "Message"):
            value = body.get(key)
            if isinstance(value, str) and value and value != "error":
                return value
    return fallback


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP-date."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    import email.utils
    import time

    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


#: Statuses where the server says it did not process the request: safe to resend any write.
NOT_PROCESSED = frozenset({429, 503})


def _redacted(body: Any, redact: Callable[[str], str]) -> Any:
    if isinstance(body, str):
        return redact(body)
    if isinstance(body, Mapping):
        return {redact(str(k)): _redacted(v, redact) for k, v in body.items()}
    if isinstance(body, list):
        return [_redacted(v, redact) for v in body]
    return body


def classify_response(response: httpx.Response, *, idempotent: bool,
                      url: str | None = None,
                      error_body: ErrorBody = common_error_body,
                      redact: Callable[[str], str] = str) -> TransportError | None:
    """None for a success (2xx/3xx), else the exception that says what went wrong.

    `idempotent=False` marks a write that must not be repeated: a 5xx other than 503 is then
    `Uncertain`, since the server may have applied it before failing. `error_body` is the
    system's reading of its error bodies (message, field problems), the common one else;
    `redact` cleans every text taken from the answer (a server may echo the credentials).
    """
    status = response.status_code
    if status < 400:
        return None
    request = response.request
    common: dict[str, Any] = {
        "method": request.method,
        "url": url if url is not None else redact(str(request.url)),
        "status": status, "body": _excerpt(response, redact),
    }
    body = _redacted(_json(response), redact)
    reading = error_body(body)

    def _message_of(body: Any, fallback: str) -> str:
        return reading.message or _message(body, fallback)

    if status == 429:
        after = parse_retry_after(response.headers.get("Retry-After"))
        wait = f"; retry after {after:g} s" if after is not None else ""
        return RateLimited(_message_of(body, "too many requests") + wait, retry_after=after,
                           **common)
    if status in (401, 403):
        return AuthError(_message_of(body, "authentication refused; check the credentials"),
                         **common)
    if status == 404:
        return NotFound(_message_of(body, "not found"), **common)
    if status in (409, 412):
        return Conflict(_message_of(body, "conflict: the resource already exists or changed"),
                        **common)
    if status in (400, 422):
        problems = (reading.problems if reading.problems is not None
                    else field_problems(body))
        return ValidationError(reading.message or "document refused", problems=problems,
                               **common)
    if status == 501:  # Not Implemented: permanent, and nothing was applied
        return UnexpectedResponse(_message_of(body, "not implemented by the server"), **common)
    if status >= 500:
        text = _message_of(body, "server error")
        if idempotent or status in NOT_PROCESSED:
            return Retryable(text, **common)
        return Uncertain(f"{text}; the write may have been applied", **common)
    return UnexpectedResponse(_message_of(body, "unexpected answer"), **common)


def classify_exception(exc: httpx.HTTPError, *, idempotent: bool, method: str, url: str,
                       redact: Callable[[str], str] = str) -> TransportError:
    """A network failure, classified by whether the request can have reached the server.
    `redact` cleans the low-level message (it may quote what was sent)."""
    common: dict[str, Any] = {"method": method, "url": url}
    name = type(exc).__name__
    text = redact(str(exc)) or "no detail"
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return Retryable(f"could not connect ({name}: {text})", **common)
    if isinstance(exc, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError):
        if idempotent:
            return Retryable(f"no answer ({name}: {text})", **common)
        return Uncertain(f"the request was sent but no answer came back ({name}); "
                         "it may have been applied", **common)
    return UnexpectedResponse(f"{name}: {text}", **common)
