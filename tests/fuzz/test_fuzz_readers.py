"""Fuzzing the JSON / array / NDJSON reader: no traceback ever, every problem located, every
valid document out (issue 12). Budget: support.fuzz (PASSEUR_FUZZ_EXAMPLES)."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import passeur.engine.io as pio
from passeur.engine.io import InputProblem, RawDocument, dump_json, iter_documents
from passeur.limits import MAX_DEPTH, number_within_limits
from support.fuzz import fuzz_settings

pytestmark = pytest.mark.fuzz

_numbers = st.one_of(
    st.integers(-10**45, 10**45),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.sampled_from(["1e999999", "1e400", "-1e-400", "0E-999", "1" * 60, "0.5", "12.50"]),
)
_text = st.one_of(st.text(max_size=20),
                  st.sampled_from(["\\ud800", "\\udfff", "caf\\u00e9", "\\u0000", "\\\"", "é"]))
_scalars = st.one_of(st.none(), st.booleans(), _numbers, _text)


def _json_text(value: Any) -> str:
    """JSON text of a generated value; strings given as raw JSON escapes stay escapes."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{_json_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_json_text(v) for v in value) + "]"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return str(value) if value.is_finite() else "0"
    assert isinstance(value, str)
    if (value and value[0].isdigit()) or value.startswith("-1e") or value.startswith("1e"):
        return value  # a number token
    return '"' + value.replace('"', "").replace("\n", "") + '"'


_values = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=15)
_documents = st.dictionaries(st.text(max_size=6), _values, max_size=5)
_deep = st.integers(1, 3000).map(lambda n: "[" * n + "]" * n)
_broken = st.one_of(
    st.text(max_size=40).filter(lambda t: "\n" not in t and "\r" not in t
                                and t.strip(" \t") != ""),
    st.sampled_from(['{"a": NaN}', '{"a": 1', '{"a": [1, 2', '{"a": "x', "]", "}", ",",
                     '{"a": 1} {"b": 2}', '{"a": Infinity}', "nul", '{"a": 1,}']),
)


def _line(draw: st.DrawFn) -> tuple[str, bool]:
    """One NDJSON line and whether a reader must hand it over as a document."""
    kind = draw(st.sampled_from(["doc", "doc", "doc", "broken", "deep"]))
    if kind == "doc":
        text = _json_text(draw(_documents))
    elif kind == "deep":
        text = '{"x": ' + draw(_deep) + "}"
    else:
        text = draw(_broken)
    return text, _is_valid(text)


def _within(value: Any, depth: int = 1) -> bool:
    if isinstance(value, dict | list):
        if depth > MAX_DEPTH:
            return False
        items = value.values() if isinstance(value, dict) else value
        return all(_within(v, depth + 1) for v in items) and (
            not isinstance(value, dict) or all(_no_surrogate(k) for k in value))
    if isinstance(value, str):
        return _no_surrogate(value)
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return number_within_limits(Decimal(value))
    return True


def _no_surrogate(text: str) -> bool:
    return not any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def _is_valid(text: str) -> bool:
    """Whether the line is one JSON document within the limits (decided by json, not us)."""
    try:
        value = json.loads(text, parse_float=Decimal, parse_int=Decimal,
                           parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
    except (ValueError, RecursionError):
        return False
    return _within(value)


@st.composite
def ndjson_inputs(draw: st.DrawFn) -> tuple[bytes, list[tuple[int, str, bool]]]:
    lines = [_line(draw) for _ in range(draw(st.integers(2, 8)))]
    encoded = []
    for text, _valid in lines:
        data = text.encode("utf-8", "surrogatepass")
        if draw(st.integers(0, 9)) == 0 and len(data) > 2:  # a Latin-1 byte somewhere
            at = draw(st.integers(0, len(data) - 1))
            data = data[:at] + b"\xe9" + data[at:]
        encoded.append(data)
    valid = [(n + 1, text, ok and b"\xe9" not in encoded[n])
             for n, (text, ok) in enumerate(lines)]
    bom = b"\xef\xbb\xbf" if draw(st.booleans()) else b""
    return bom + b"\n".join(encoded) + b"\n", valid


@fuzz_settings(scale=2.5)
@given(ndjson_inputs(), st.sampled_from([7, 64, 1 << 16]))
def test_ndjson_every_valid_line_comes_out_and_every_other_is_located(
        case: tuple[bytes, list[tuple[int, str, bool]]], chunk: int) -> None:
    data, lines = case
    old, pio.CHUNK = pio.CHUNK, chunk
    try:
        results = list(iter_documents(io.BytesIO(data)))
    finally:
        pio.CHUNK = old
    first_valid = lines[0][2]
    if not first_valid and not any(ok and text.lstrip().startswith("{")
                                   for _, text, ok in lines[1:2]):
        # not recognisably NDJSON (a broken single document, or bare scalars such as
        # "00\n0": a document is an object): only "no traceback", every problem located
        return
    by_line = {r.line: r for r in results}
    for number, _text, ok in lines:
        got = by_line.get(number)
        assert got is not None, (number, results)
        if ok:
            assert isinstance(got, RawDocument), (number, got)
        else:
            assert isinstance(got, InputProblem) and got.line == number and got.message


@fuzz_settings(scale=2.5)
@given(st.lists(_documents, max_size=6), st.sampled_from([5, 64, 1 << 16]),
       st.sampled_from(["array", "ndjson", "single"]))
def test_valid_documents_in_every_form_come_out_equal(docs: list[dict[str, Any]], chunk: int,
                                                      form: str) -> None:
    docs = [d for d in docs if _is_valid(_json_text(d))]
    if form == "single":
        docs = docs[:1]
    texts = [_json_text(d) for d in docs]
    text = {"array": "[" + ",\n".join(texts) + "]", "ndjson": "\n".join(texts) + "\n",
            "single": "".join(texts)}[form]
    old, pio.CHUNK = pio.CHUNK, chunk
    try:
        results = list(iter_documents(io.StringIO(text)))
    finally:
        pio.CHUNK = old
    expected = [json.loads(t, parse_float=Decimal) for t in texts]
    assert [r.value for r in results if isinstance(r, RawDocument)] == expected
    assert all(isinstance(r, RawDocument) for r in results)


@fuzz_settings(scale=10)
@given(st.binary(max_size=300), st.sampled_from([3, 64, 1 << 16]))
def test_any_bytes_give_documents_or_located_problems_never_a_traceback(data: bytes,
                                                                        chunk: int) -> None:
    old, pio.CHUNK = pio.CHUNK, chunk
    try:
        results = list(iter_documents(io.BytesIO(data)))
    finally:
        pio.CHUNK = old
    indexes = [r.index for r in results]
    assert indexes == sorted(indexes)
    for r in results:
        if isinstance(r, RawDocument):
            dump_json(r.value)  # whatever was accepted can be written back
        else:
            assert r.message and (r.line is None or r.line >= 1)


@fuzz_settings(scale=10)
@given(st.text(max_size=200))
def test_any_text_gives_documents_or_located_problems(text: str) -> None:
    for r in iter_documents(io.StringIO(text)):
        if isinstance(r, RawDocument):
            dump_json(r.value)
        else:
            assert isinstance(r, InputProblem) and r.message
