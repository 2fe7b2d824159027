"""Hypothesis strategies for every canonical model class, derived from the attrs fields so a
new field is covered without touching the tests."""

from __future__ import annotations

import datetime
import enum
import types
import typing
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st

_text = st.text(max_size=12)
_decimals = st.decimals(allow_nan=False, allow_infinity=False, places=4,
                        min_value=Decimal("-1e9"), max_value=Decimal("1e9"))
_json_scalars = st.none() | st.booleans() | st.integers(-10**6, 10**6) | _text
_json = st.recursive(_json_scalars, lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(_text, inner, max_size=3), max_leaves=6)


def for_type(tp: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(for_type(a, depth) for a in typing.get_args(tp)))
    if tp is type(None):
        return st.none()
    if origin is tuple:
        if depth > 3:  # a recursive model (a movement's details) stops here
            return st.just(())
        item = typing.get_args(tp)[0]
        return st.lists(for_type(item, depth + 1), max_size=3).map(tuple)
    if origin is dict or tp is dict:
        return st.dictionaries(_text, _json, max_size=3)
    if tp is Any:
        return _json
    if tp is Decimal:
        return _decimals
    if tp is str:
        return _text
    if tp is bool:
        return st.booleans()
    if tp is int:
        return st.integers(-10**6, 10**6)
    if tp is datetime.date:
        return st.dates()
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from(list(tp))
    if attrs.has(tp):
        return model(tp, depth + 1)
    raise TypeError(f"no strategy for {tp!r}")


def model(cls: type, depth: int = 0) -> st.SearchStrategy[Any]:
    hints = typing.get_type_hints(cls)
    return st.builds(cls, **{f.name: for_type(hints[f.name], depth)
                             for f in attrs.fields(cls)})
