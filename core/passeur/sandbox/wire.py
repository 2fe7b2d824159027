"""JSON in and out of a sandbox: money stays Decimal from the wire to the store and back.

The standard encoder cannot write a Decimal as a JSON number without a float round trip, and
ERP Connector writes its amounts as numbers; so the sandboxes use this small writer.

The reader is also the sandboxes' first line of defence against hostile bodies: a sandbox
keeps what it is sent and writes it back on every later listing, so anything it accepts must
be writable again. `loads` therefore refuses, as a `BadJSON` (the caller answers 400), what
would break a later answer: nesting deeper than `MAX_DEPTH`, number literals longer than
`MAX_NUMBER_CHARS` or with an exponent beyond `MAX_EXPONENT`, and lone surrogates
(`"\\ud800"`), which no UTF-8 answer can carry.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from starlette.responses import Response

__all__ = ["MAX_DEPTH", "MAX_EXPONENT", "MAX_NUMBER_CHARS", "BadJSON", "JSONResponse", "dumps",
           "loads"]

#: Deepest nesting of arrays and objects a request body may have (real payloads use 4).
MAX_DEPTH = 32
#: Longest number literal (digits, sign, point and exponent) a body may carry.
MAX_NUMBER_CHARS = 100
#: Largest exponent (either sign) of a number a body may carry: 1e400 is refused.
MAX_EXPONENT = 100


class BadJSON(ValueError):
    """A request body that is not the JSON the endpoint expects, with a readable reason."""


def _number(text: str) -> Decimal:
    if len(text) > MAX_NUMBER_CHARS:
        raise BadJSON(f"invalid JSON: a number of {len(text)} characters (at most "
                      f"{MAX_NUMBER_CHARS})")
    value = Decimal(text)
    if abs(value.adjusted()) > MAX_EXPONENT:
        raise BadJSON(f"invalid JSON: number {text[:20]!r} out of range (exponent beyond "
                      f"±{MAX_EXPONENT})")
    return value


def _integer(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise BadJSON(f"invalid JSON: a number of {len(text)} characters (at most "
                      f"{MAX_NUMBER_CHARS})")
    return int(text)


def _constant(name: str) -> Any:
    raise BadJSON(f"invalid JSON: {name} is not a JSON value")


def _check(value: Any) -> None:
    """Refuse nesting beyond MAX_DEPTH and strings no UTF-8 answer could carry, without
    recursion (the body may be hostile)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise BadJSON(f"invalid JSON: nested deeper than {MAX_DEPTH} levels")
            if isinstance(item, dict):
                for key, child in item.items():
                    _check_text(key)
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in item)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadJSON("invalid JSON: a string holds a lone surrogate (\\ud800-\\udfff), "
                      "which is not text") from None


def loads(body: bytes) -> Any:
    """Parse a request body; floats become Decimal, an empty body is None."""
    if not body.strip():
        return None
    try:
        value = json.loads(body, parse_float=_number, parse_int=_integer,
                           parse_constant=_constant)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadJSON(f"invalid JSON: {exc}") from None
    except RecursionError:
        raise BadJSON(f"invalid JSON: nested deeper than {MAX_DEPTH} levels") from None
    _check(value)
    return value


def _write(value: Any, out: list[str]) -> None:
    if value is None or isinstance(value, bool | int | str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot write {value!r} as a JSON number")
        text = format(value, "f")
        out.append(text)
    elif isinstance(value, Mapping):
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            if i:
                out.append(",")
            out.append(json.dumps(str(key), ensure_ascii=False))
            out.append(":")
            _write(item, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out)
        out.append("]")
    else:
        raise TypeError(f"cannot write {type(value).__name__} as JSON")


def dumps(value: Any) -> str:
    """JSON text where every Decimal is written as an exact number literal."""
    out: list[str] = []
    _write(value, out)
    return "".join(out)


class JSONResponse(Response):
    """A JSON response rendered by `dumps` (Decimal-exact)."""

    media_type = "application/json; charset=utf-8"

    def render(self, content: Any) -> bytes:
        return dumps(content).encode("utf-8", errors="backslashreplace")
