"""JSON in and out of a sandbox: money stays Decimal from the wire to the store and back.

The standard encoder cannot write a Decimal as a JSON number without a float round trip, and
ERP Connector writes its amounts as numbers; so the sandboxes use this small writer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from starlette.responses import Response

__all__ = ["BadJSON", "JSONResponse", "dumps", "loads"]


class BadJSON(ValueError):
    """A request body that is not the JSON the endpoint expects, with a readable reason."""


def loads(body: bytes) -> Any:
    """Parse a request body; floats become Decimal, an empty body is None."""
    if not body.strip():
        return None
    try:
        return json.loads(body, parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadJSON(f"invalid JSON: {exc}") from None


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
        return dumps(content).encode("utf-8")
