"""One HTTP call described as data, before authentication and sending.

Clients build `Call` values; `HttpClient` and `AsyncHttpClient` run them. Describing a call
once lets the sync and async paths share every decision (auth, retry, classification).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

__all__ = ["IDEMPOTENT_METHODS", "Call", "dumps_json", "loads_json"]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

_MARK = "\u0000dec:"
_MARKED = re.compile(r'"\\u0000dec:([^"]+)"')


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot send {value} as a JSON number")
        return _MARK + format(value, "f")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot send a {type(value).__name__} as JSON")


def dumps_json(data: Any) -> bytes:
    """JSON where a Decimal becomes a number with exactly its digits (never through float)."""
    text = json.dumps(data, default=_default, ensure_ascii=False, separators=(",", ":"))
    return _MARKED.sub(r"\1", text).encode("utf-8")


def loads_json(content: bytes | str) -> Any:
    """JSON where every non-integer number is a Decimal from the moment it is read."""
    return json.loads(content, parse_float=Decimal)


Params = Sequence[tuple[str, str]]


def _params(value: Mapping[str, Any] | Params | None) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    items = value.items() if isinstance(value, Mapping) else value
    out: list[tuple[str, str]] = []
    for key, raw in items:
        if raw is None:
            continue
        if isinstance(raw, bool):
            out.append((key, "true" if raw else "false"))
        elif isinstance(raw, list | tuple):
            out.extend((key, str(v)) for v in raw)
        else:
            out.append((key, str(raw)))
    return tuple(out)


@attrs.frozen
class Call:
    """A request to make: `path` is relative to the client's base URL.

    `idempotent=None` means "decide from the method" (POST and PATCH are not).
    `guarded=True` marks a write the server refuses to apply twice (`If-None-Match: *`,
    VosFactures' `oid_unique`): it may be resent after a 5xx, because a duplicate would be
    refused rather than created. A lost response stays `Uncertain` all the same.
    `expect` says how to read a success: "json", "bytes" or "none".
    `form` and `files` make the body `multipart/form-data` instead of JSON: `form` holds the
    text fields, `files` the file parts as (field, (file name, content, media type)).
    """

    method: str
    path: str
    params: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_params)
    json: Any = None
    headers: Mapping[str, str] = attrs.field(factory=dict)
    idempotent: bool | None = None
    guarded: bool = False
    expect: str = "json"
    form: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_params)
    files: tuple[tuple[str, tuple[str, bytes, str]], ...] = ()

    @property
    def is_multipart(self) -> bool:
        return bool(self.form or self.files)

    @property
    def is_idempotent(self) -> bool:
        if self.idempotent is not None:
            return self.idempotent
        return self.method.upper() in IDEMPOTENT_METHODS

    @property
    def is_read(self) -> bool:
        return self.method.upper() in ("GET", "HEAD", "OPTIONS")
