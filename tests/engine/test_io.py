"""Streaming JSON input (single, array, NDJSON), exact-decimal output, wire coercion."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import passeur.engine.io as pio
from passeur import FieldSpec, FieldType, Level
from passeur.engine.io import InputProblem, RawDocument, dump_json, iter_documents
from passeur.engine.wire import read_fields


def _read(text: str, chunk: int | None = None) -> tuple[list[str], list[object]]:
    forms: list[str] = []
    if chunk is None:
        return forms, list(iter_documents(io.StringIO(text), forms.append))
    old = pio.CHUNK
    pio.CHUNK = chunk
    try:
        return forms, list(iter_documents(io.StringIO(text), forms.append))
    finally:
        pio.CHUNK = old


def test_single_document_numbers_are_decimal() -> None:
    forms, docs = _read('{\n  "a": 1.50,\n  "b": 2\n}\n')
    assert forms == ["single"]
    assert docs == [RawDocument(1, {"a": Decimal("1.50"), "b": 2}, 1)]
    assert isinstance(docs[0].value["a"], Decimal)  # type: ignore[attr-defined]


def test_ndjson_bad_line_is_reported_and_the_next_lines_still_read() -> None:
    text = '{"n": 1}\n{"n": 2}\n{"n": 3,,}\n{"n": 4}\n'
    forms, docs = _read(text)
    assert forms == ["ndjson"]
    assert docs == [
        RawDocument(1, {"n": 1}, 1), RawDocument(2, {"n": 2}, 2),
        InputProblem(3, "malformed JSON: expecting property name enclosed in double quotes",
                     3, 9),
        RawDocument(4, {"n": 4}, 4),
    ]


def test_array_error_has_line_and_column_and_stops() -> None:
    forms, docs = _read('[{"n": 1},\n {"n": 2},\n {"n": tru}\n]')
    assert forms == ["array"]
    assert docs[:2] == [RawDocument(1, {"n": 1}, 1), RawDocument(2, {"n": 2}, 2)]
    assert docs[2] == InputProblem(3, "malformed JSON: expecting value", 3, 8)
    assert len(docs) == 3


def test_unclosed_array_and_trailing_text() -> None:
    assert _read("[1, 2")[1][-1] == InputProblem(
        3, "malformed JSON: the array is not closed with ']'", 1, 6)
    assert _read("[1] x")[1][-1] == InputProblem(
        2, "malformed JSON: text after the closing ']'", 1, 5)


def test_two_pretty_documents_are_refused_with_a_hint() -> None:
    _, docs = _read('{\n"a": 1\n}\n{"b": 2}\n')
    assert docs[1] == InputProblem(
        2, "more than one JSON document; write one document per line (NDJSON) or put them "
        "in an array", 4, 1)


def test_nan_is_not_a_number() -> None:
    _, docs = _read('{"a": NaN}')
    assert docs == [InputProblem(1, "NaN is not a number JSON allows", 1, 7)]


def test_text_that_is_not_utf8_is_a_problem_not_a_traceback() -> None:
    stream = io.TextIOWrapper(io.BytesIO(b'{"a": "caf\xe9"}\n'), encoding="utf-8")
    assert list(iter_documents(stream)) == [InputProblem(
        1, "byte 0xe9 is not UTF-8 text; save the file as UTF-8", 1, 11, "$.a")]


def test_empty_input_has_no_documents() -> None:
    assert _read("  \n") == (["single"], [])
    assert _read("[]") == (["array"], [])


_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.text(max_size=8)
    | st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-10**6,
                  max_value=10**6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=3),
    max_leaves=12,
)


@given(st.lists(st.dictionaries(st.text(max_size=5), _values, max_size=4), max_size=5),
       st.integers(1, 17))
def test_any_chunk_size_reads_the_same_documents(docs: list[dict[str, object]],
                                                 chunk: int) -> None:
    ndjson = "".join(dump_json(d) + "\n" for d in docs)
    array = dump_json(docs, indent=2)
    for text in (ndjson, array):
        got = [d.value for d in _read(text, chunk)[1]]  # type: ignore[union-attr]
        assert got == docs


def test_dump_json_writes_exact_decimals_and_dates() -> None:
    value = {"a": Decimal("1195.170"), "d": datetime.date(2024, 4, 24), "t": [True, None]}
    assert dump_json(value) == '{"a":1195.170,"d":"2024-04-24","t":[true,null]}'
    with pytest.raises(TypeError, match="float"):
        dump_json({"x": 1.5})


FIELDS = (
    FieldSpec("amount", FieldType.DECIMAL), FieldSpec("count", FieldType.INTEGER),
    FieldSpec("day", FieldType.DATE), FieldSpec("flag", FieldType.BOOLEAN),
    FieldSpec("kind", FieldType.ENUM, allowed=("vat", "estimate")),
    FieldSpec("lines", FieldType.LIST, fields=(FieldSpec("price", FieldType.DECIMAL),)),
)


def test_read_fields_types_values_and_keeps_unknown_keys() -> None:
    issues: list[object] = []
    plain = read_fields({"amount": "59.00", "count": "3", "day": "2024-01-15T00:00:00",
                         "flag": "1", "kind": "vat", "other": 1.0 if False else "x"},
                        FIELDS, "$", issues)  # type: ignore[arg-type]
    assert plain == {"amount": Decimal("59.00"), "count": 3,
                     "day": datetime.date(2024, 1, 15), "flag": True, "kind": "vat",
                     "other": "x"}
    assert issues == []


def test_read_fields_reports_each_bad_value_with_its_path() -> None:
    issues: list[object] = []
    read_fields({"amount": "12,50", "day": "2024-01-15T10:30:00", "kind": "estimat",
                 "lines": [{"price": "1 234,5"}, 3]}, FIELDS, "$.invoice", issues,
                "in.json")  # type: ignore[arg-type]
    assert [(i.level, i.path, i.message) for i in issues] == [  # type: ignore[attr-defined]
        (Level.ERROR, "$.invoice.amount",
         'value "12,50" uses a decimal comma; write it with a point: 12.50'),
        (Level.ERROR, "$.invoice.day",
         'value "2024-01-15T10:30:00" has a time of day; a date is expected'),
        (Level.ERROR, "$.invoice.kind",
         "unknown kind \"estimat\"; did you mean 'estimate'? (expected one of: vat, estimate)"),
        (Level.ERROR, "$.invoice.lines[0].price",
         'value "1 234,5" uses a decimal comma; write it with a point: 1234.5'),
        (Level.ERROR, "$.invoice.lines[1]", "value 3 is not an object"),
    ]
