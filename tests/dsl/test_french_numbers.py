"""French number formats both ways (`"1 234,50"`), through core's one decimal parser."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from passeur.checking import check_text
from passeur.dsl import compile_text
from passeur.numbers import NumberError, format_french, parse_french

HEADER = "mapping acomba.invoice <-> passeur.invoice\n"


@pytest.mark.parametrize(("text", "number"), [
    ("1 234,50", "1234.50"), ("1\u00a0234,50", "1234.50"), ("1\u202f234,50", "1234.50"),
    ("1234,50", "1234.50"), ("-12", "-12"), ("0,5", "0.5"), ("1 234 567,00", "1234567.00"),
    ("007", "7")])
def test_french_text_is_read_exactly(text: str, number: str) -> None:
    value = parse_french(text)
    assert isinstance(value, D) and str(value) == number


@pytest.mark.parametrize("text", ["1 23,5", "12.50", "1,234.50", " 12", "1 234,", ",5",
                                  "12,5e3", "1\t234"])
def test_other_forms_are_refused_with_the_value(text: str) -> None:
    with pytest.raises(NumberError) as info:
        parse_french(text)
    assert str(info.value) == (f'value "{text}" is not a number written the French way '
                               '(like "1 234,50")')


def test_numbers_are_written_the_french_way() -> None:
    assert format_french(D("1234.50")) == "1\u202f234,50"
    assert format_french(D("-1234567.1"), " ") == "-1 234 567,1"
    assert format_french(D("999"), " ") == "999"
    assert format_french(D("-0.00"), " ") == "0,00"
    assert format_french(D("1234.5"), "") == "1234,5"
    with pytest.raises(NumberError):
        format_french(D(1), ".")


def test_both_ways_it_needs_keep_and_then_keeps_the_original(registry: Any) -> None:
    report = check_text(HEADER + 'french_number(Description, " ") <-> totals.net\n', "t.map",
                        registry)
    assert [f.problem.message[:89] for f in report.findings if f.problem.code == "lossy"] == [
        '`french_number` does not give back exactly what it read ("1234,50" is read as 1234.50 '
        "and"]
    mapping = compile_text(HEADER + 'french_number(Description, " ") <-> totals.net keep\n',
                           "t.map", registry, use_cache=False)
    assert mapping.forward({"Description": "1\u202f234,50"}).value == {
        "totals": {"net": D("1234.50")}}
    original = {"Description": "1234,50"}
    assert mapping.backward({"totals": {"net": D("1234.5")}}, original).value == original
    assert mapping.backward({"totals": {"net": D("98765.4")}}, original).value == {
        "Description": "98 765,4"}
    result = mapping.forward({"Description": "12.50"})
    assert [str(i) for i in result.issues] == [
        'error [mapping-runtime]: Description: value "12.50" at Description is not a number '
        'written the French way (like "1 234,50") at t.map:2:1']
