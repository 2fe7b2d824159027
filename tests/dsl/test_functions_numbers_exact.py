"""Exact results of the number functions, scale and type included, and their refusals:
written against the mutants mutmut left alive in passeur.dsl.functions_numbers (a sign, a
bound, a default or a message changed, and the suite still passed)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from passeur.dsl.functions import FunctionError
from passeur.dsl.functions_numbers import FUNCTIONS, MAX_SCALE, round_to
from passeur.testing import same_value

IMPL = {f.name: f.impl for f in FUNCTIONS}


def call(name: str, *args: Any) -> Any:
    return IMPL[name](*args)


@pytest.mark.parametrize(("args", "expected"), [
    ((Decimal("2.345"), 2), Decimal("2.35")),           # half_up by default
    ((Decimal("2.345"), 2, "half_even"), Decimal("2.34")),
    ((Decimal("-2.345"), 2), Decimal("-2.35")),
    ((Decimal("2"), 3), Decimal("2.000")),             # exactly `scale` decimals
    ((Decimal("2.5"), 0), Decimal("3")),
    ((Decimal("2.5"), Decimal("0")), Decimal("3")),    # a whole Decimal scale
    ((Decimal("1.5"), MAX_SCALE), Decimal("1.5").quantize(Decimal(1).scaleb(-MAX_SCALE))),
])
def test_round_to(args: tuple[Any, ...], expected: Decimal) -> None:
    assert same_value(round_to(*args), expected)


@pytest.mark.parametrize("scale", [-1, MAX_SCALE + 1, True, Decimal("1.5"), "2", 2.0])
def test_round_to_refuses_a_scale(scale: Any) -> None:
    with pytest.raises(FunctionError) as info:
        round_to(Decimal("1"), scale)
    assert str(info.value).endswith(f"is not a whole number from 0 to {MAX_SCALE}")


def test_round_widens_the_context_for_large_amounts() -> None:
    big = Decimal("1" * 30 + ".5")
    assert same_value(round_to(big, 0), Decimal("1" * 29 + "2"))


@pytest.mark.parametrize(("value", "expected"), [
    (Decimal("1.50"), Decimal("-1.50")), (Decimal("-1.50"), Decimal("1.50")),
    (Decimal("0.00"), Decimal("0.00")), (Decimal("-0.00"), Decimal("0.00")),
    (3, -3), (-3, 3), (0, 0)])
def test_negate(value: Any, expected: Any) -> None:
    got = call("negate", value)
    assert same_value(got, expected) and str(got) == str(expected)


@pytest.mark.parametrize(("value", "expected"), [
    (Decimal("-1.50"), Decimal("1.50")), (Decimal("1.50"), Decimal("1.50")),
    (-3, 3), (3, 3), ("-2.0", Decimal("2.0"))])
def test_abs(value: Any, expected: Any) -> None:
    assert same_value(call("abs", value), expected)


def test_boolean_and_its_texts() -> None:
    assert call("boolean", "true") is True and call("boolean", "false") is False
    assert call("boolean", True) is True and call("boolean", False) is False
    assert call("boolean", "oui", "oui", "non") is True
    assert call("boolean", "non", "oui", "non") is False
    with pytest.raises(FunctionError, match=r'^value "yes" is neither "true" nor "false"$'):
        call("boolean", "yes")
    with pytest.raises(FunctionError, match=r'^value "true" is neither "oui" nor "non"$'):
        call("boolean", "true", "oui", "non")
    assert call("boolean_text", True) == "true" and call("boolean_text", False) == "false"
    assert call("boolean_text", True, "O", "N") == "O"
    assert call("boolean_text", False, "O", "N") == "N"
    with pytest.raises(FunctionError, match=r'^value "true" is not true or false$'):
        call("boolean_text", "true")


def test_decimal_comma_both_ways() -> None:
    assert same_value(call("decimal_comma", "12,50"), Decimal("12.50"))
    assert same_value(call("decimal_comma", Decimal("3.10")), Decimal("3.10"))
    assert call("decimal_comma_text", Decimal("12.50")) == "12,50"
    assert call("decimal_comma_text", Decimal("-0.5")) == "-0,5"
    with pytest.raises(FunctionError, match="decimal comma"):
        call("decimal_comma", "12.50")


@pytest.mark.parametrize(("value", "expected"), [("42", 42), (Decimal("42.00"), 42), (7, 7)])
def test_integer(value: Any, expected: int) -> None:
    got = call("integer", value)
    assert got == expected and type(got) is int


@pytest.mark.parametrize("value", [Decimal("4.5"), True, "4.5"])
def test_integer_refuses(value: Any) -> None:
    with pytest.raises(FunctionError, match=r"is not a whole number$"):
        call("integer", value)


def test_null_goes_through() -> None:
    assert all(call(name, None) is None for name in ("integer", "negate", "abs", "boolean"))
