"""Hostile HTTP requests for any sandbox, drawn by hypothesis from the sandbox's own routes.

A request is a method and a path taken from the application's route table (path parameters
filled with ids of any length and odd text), query parameters and a JSON body built from the
field names the seeds document, with values chosen to break naive code: 40-digit and
`1e400` amounts, 5,000-digit integers, lone surrogates, lists where text is expected, deep
nesting, and raw bytes that are not JSON at all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st
from starlette.routing import Mount, Route

__all__ = ["RawNumber", "body_text", "hostile", "json_bodies", "route_calls"]


class RawNumber:
    """A number literal written into the JSON text as is (`1e400`, 5,000 digits)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"RawNumber({self.text[:30]!r})"


NUMBER_TEXTS = ["1e400", "-1e400", "1e999999", "1E-999999", "0e99999", "12345678901234567890"
                "12345678901234567890", "9" * 5000, "-0", "0.000000000000000000000000001",
                "123456789012.345", "1e15", "99999999999999999999999999999.99"]
STRINGS = ["", " ", "abc", "\ud800", "x\udfffy", "é€𝄞", "1e400", "NaN", "Infinity", "-1",
           "10,20", "2024-13-45", "2024-02-30", "0000-00-00", "true", "[1]", "'; DROP",
           "a" * 300, "../../etc", "%00", "12.5", "9" * 60, "١٢٣"]


def hostile() -> st.SearchStrategy[Any]:
    """Scalars and small structures that a naive handler mishandles."""
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(-10**40, 10**40), st.integers(-5, 5),
        st.sampled_from(NUMBER_TEXTS).map(RawNumber), st.sampled_from(STRINGS),
        st.text(max_size=8),
        st.decimals(allow_nan=False, allow_infinity=False, places=3,
                    min_value=-10**6, max_value=10**6).map(lambda d: RawNumber(str(d))))
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(st.sampled_from(STRINGS[:6]) | st.text(max_size=5),
                                          inner, max_size=3), max_leaves=5)


def json_bodies(fields: dict[str, Sequence[str]], token: Any,
                nested: dict[str, Sequence[str]] | None = None) -> st.SearchStrategy[Any]:
    """`{"api_token": token, <resource>: {field: value, ...}}` bodies, the fields drawn from
    `fields[resource]`, values from `hostile()` or, for `nested` keys, lists of objects
    drawn from `nested[key]` (invoice positions, ERP lines)."""
    nested = nested or {}

    def record(names: Sequence[str]) -> st.SearchStrategy[dict[str, Any]]:
        return st.dictionaries(st.sampled_from(list(names)), hostile(), max_size=6)

    def resource(key: str) -> st.SearchStrategy[dict[str, Any]]:
        base = record(fields[key])
        inner = {name: st.lists(record(names) | hostile(), max_size=3)
                 for name, names in nested.items()}
        extra = st.fixed_dictionaries({}, optional=inner) if inner else st.just({})
        return st.tuples(base, extra).map(lambda pair: pair[0] | pair[1])

    def body(key: str) -> st.SearchStrategy[Any]:
        wrapped = st.tuples(resource(key), hostile()).map(
            lambda pair, key=key: {key: pair[0], "api_token": token, "extra": pair[1]})
        return wrapped | resource(key)

    return st.one_of(*(body(key) for key in fields))


def _encode(value: Any) -> Any:
    if isinstance(value, RawNumber):
        return "\x00NUM:" + value.text + "\x00"
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value


_PLACEHOLDER = re.compile(r'"\\u0000NUM:([^"\\]*)\\u0000"')


def body_text(value: Any) -> bytes:
    """The JSON text of `value`, with RawNumber literals and lone surrogates as escapes."""
    text = json.dumps(_encode(value), ensure_ascii=True)
    return _PLACEHOLDER.sub(lambda m: m.group(1), text).encode("ascii")


RAW_BODIES = [b"{", b"[" * 5000 + b"]" * 5000, b'{"a":' * 3000 + b"1" + b"}" * 3000,
              b"\xff\xfe\x00", b'{"invoice": NaN}', b'{"invoice": Infinity}', b"null",
              b"[]", b'"text"', b"123", b'{"invoice": {"positions": ' + b"[" * 900 + b"]" * 900
              + b"}}"]


def _paths(routes: Sequence[Any], prefix: str = "") -> list[tuple[str, tuple[str, ...]]]:
    found: list[tuple[str, tuple[str, ...]]] = []
    for route in routes:
        if isinstance(route, Mount):
            found += _paths(route.routes, prefix + route.path)
        elif isinstance(route, Route):
            found.append((prefix + route.path, tuple(sorted(route.methods or ("GET",)))))
    return found


_PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")
PATH_VALUES = ["1", "0", "10001", "1001", "2001", "50001", "999999999999999999", "9" * 5000,
               "-1", "abc", "%F0%9F", "10044", "F%2F1", "1.5", "%00"]


def _substitute(template: str, values: list[str]) -> str:
    remaining = iter(values)
    return _PARAM.sub(lambda m: next(remaining), template)


def route_calls(routes: Sequence[Any]) -> st.SearchStrategy[tuple[str, str]]:
    """(method, path) pairs over every route of an application (HEAD left out)."""
    table = _paths(routes)

    def fill(template: str) -> st.SearchStrategy[str]:
        names = _PARAM.findall(template)
        if not names:
            return st.just(template)
        values = st.lists(st.sampled_from(PATH_VALUES), min_size=len(names),
                          max_size=len(names))
        return values.map(lambda vs, t=template: _substitute(t, vs))

    pairs = [st.tuples(st.sampled_from([m for m in methods if m != "HEAD"] or ["GET"]),
                       fill(path)) for path, methods in table]
    return st.one_of(*pairs)
