"""Money: Decimal only, explicit rounding, no silent currency mixing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from passeur.model import CurrencyMismatchError, Money, Rounding, quantize, round_money


def test_float_is_refused() -> None:
    with pytest.raises(TypeError, match="must not be a float"):
        Money.of(0.1, "EUR")  # type: ignore[arg-type]


def test_arithmetic_keeps_currency_and_refuses_mixing() -> None:
    assert Money.of("0.10", "EUR") + Money.of("0.20", "EUR") == Money(Decimal("0.30"), "EUR")
    with pytest.raises(CurrencyMismatchError, match="cannot combine EUR and CAD"):
        Money.of("1", "EUR") + Money.of("1", "CAD")


@pytest.mark.parametrize(("value", "currency", "mode", "expected"), [
    ("2.345", "EUR", Rounding.HALF_UP, "2.35"),
    ("2.345", "EUR", Rounding.HALF_EVEN, "2.34"),
    ("2.5", "JPY", Rounding.HALF_EVEN, "2"),
    ("1.0005", "KWD", Rounding.HALF_UP, "1.001"),
    ("-2.345", "EUR", Rounding.HALF_UP, "-2.35"),
    ("2.349", "EUR", Rounding.DOWN, "2.34"),
])
def test_rounding_is_explicit(value: str, currency: str, mode: Rounding, expected: str) -> None:
    assert str(round_money(Decimal(value), currency, mode)) == expected


def test_quantize_places() -> None:
    assert str(quantize(Decimal("561.322"), 2)) == "561.32"
    assert str(Money.of("30.0100225", "CAD").rounded()) == "30.01 CAD"
