"""The one decimal parser: its accepted forms, and every reader of numbers agreeing on them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passeur import NumberError, parse_decimal, to_decimal
from passeur.dsl.functions import FunctionError, builtin_functions
from passeur.dsl.values import ValueProblem, num
from passeur.engine.wire import _Bad
from passeur.model import Line
from passeur.serialize import structure

ACCEPTED = [
    ("12", Decimal("12")),
    ("-12.50", Decimal("-12.50")),
    ("0.30", Decimal("0.30")),
    ("007", Decimal("7")),
    ("-0", Decimal("-0")),
    (42, Decimal(42)),
    (Decimal("1E+5"), Decimal("1E+5")),  # a JSON number 1e5, already read as a Decimal
]

REFUSED = [
    ("12,50", "comma", "12.50"),
    ("1 234,5", "comma", "1234.5"),
    ("1.234,50", "comma", "1234.50"),
    ("1 234.50", "thousands", "1234.50"),
    ("1,234.50", "thousands", "1234.50"),
    (" 12.50", "spaces", "12.50"),
    ("12.50\n", "spaces", "12.50"),
    ("1e5", "form", "100000"),
    ("+5", "form", "5"),
    (".5", "form", "0.5"),
    ("5.", "form", "5"),
    ("1_000", "", None),
    ("NaN", "", None),
    ("Infinity", "", None),
    ("", "", None),
    ("abc", "", None),
    (True, "", None),
    (None, "", None),
    (1.5, "float", None),
    (Decimal("NaN"), "", None),
    (Decimal("-Infinity"), "", None),
]


@pytest.mark.parametrize(("value", "expected"), ACCEPTED)
def test_accepted_forms_keep_their_scale(value: Any, expected: Decimal) -> None:
    got = parse_decimal(value)
    assert got == expected
    assert got.as_tuple() == expected.as_tuple()  # 0.30 stays 0.30, not 0.3


@pytest.mark.parametrize(("value", "hint", "fixed"), REFUSED)
def test_refused_forms_say_what_the_mistake_is(value: Any, hint: str, fixed: str | None
                                               ) -> None:
    with pytest.raises(NumberError) as info:
        parse_decimal(value)
    assert (info.value.hint, info.value.fixed) == (hint, fixed)


def test_messages() -> None:
    cases = {
        "12,50": 'value "12,50" is not a number (it has a decimal comma)',
        "1e5": 'value "1e5" is not a number written plainly (write 100000)',
        "1_000": 'value "1_000" is not a number',
        Decimal("NaN"): "value NaN is not a finite number",
    }
    for value, message in cases.items():
        with pytest.raises(NumberError) as info:
            parse_decimal(value)
        assert str(info.value) == message


def _readers() -> dict[str, Any]:
    number = builtin_functions()["number"].impl

    def structured(value: Any) -> Decimal:
        line: Any = structure({"quantity": value}, Line)
        return line.quantity  # type: ignore[no-any-return]

    return {"wire": to_decimal, "mapping number()": number, "arithmetic": num,
            "canonical JSON": structured}


REJECTIONS = (NumberError, FunctionError, ValueProblem, _Bad, Exception)


@pytest.mark.parametrize("value", [v for v, _ in ACCEPTED if not isinstance(v, int)]
                         + [v for v, _, _ in REFUSED if v is not None])
def test_every_reader_of_numbers_accepts_the_same_forms(value: Any) -> None:
    """The wire readers, number(), arithmetic on text and the canonical model agree."""
    try:
        expected: Decimal | None = parse_decimal(value)
    except NumberError:
        expected = None
    for name, read in _readers().items():
        if name == "arithmetic" and not isinstance(value, str):
            continue  # arithmetic takes numbers as they are; only text is parsed
        try:
            got = read(value)
        except REJECTIONS:
            got = None
        assert (got is None) == (expected is None), (name, value, got)
        if expected is not None:
            assert got.as_tuple() == expected.as_tuple(), (name, value)


@given(st.decimals(allow_nan=False, allow_infinity=False, places=4))
def test_what_passeur_writes_reads_back_exactly(value: Decimal) -> None:
    text = format(value, "f")
    assert parse_decimal(text) == value
    assert format(parse_decimal(text), "f") == text
