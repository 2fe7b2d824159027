"""Money as `Decimal` with its currency, and rounding that is always said out loud.

Amounts inside a document are in the document currency (EN 16931 BT-5), as in the standard;
standalone amounts (a payment, a bank movement) carry their currency in a `Money`.
Nothing here converts from float: a float reaching `Money` is a bug and is refused.
"""

from __future__ import annotations

import decimal
import enum
import threading
from decimal import Decimal
from typing import Final

import attrs

__all__ = [
    "EXACT",
    "CurrencyMismatchError",
    "Money",
    "Rounding",
    "exact_context",
    "minor_units",
    "quantize",
    "round_money",
]

# ISO 4217 minor units of the currencies where it is not 2; every other code uses 2.
_MINOR_UNITS = {
    "BHD": 3, "BIF": 0, "CLF": 4, "CLP": 0, "DJF": 0, "GNF": 0, "IQD": 3, "ISK": 0,
    "JOD": 3, "JPY": 0, "KMF": 0, "KRW": 0, "KWD": 3, "LYD": 3, "OMR": 3, "PYG": 0,
    "RWF": 0, "TND": 3, "UGX": 0, "UYI": 0, "UYW": 4, "VND": 0, "VUV": 0, "XAF": 0,
    "XOF": 0, "XPF": 0,
}


#: The decimal context documents are computed under (every compiled mapping, and the whole
#: conversion of a document). The default context keeps 28 significant digits and would
#: round a large sum silently, or refuse to round it to the cent (InvalidOperation); with
#: 200, addition, subtraction and multiplication of any amount a document can hold (see
#: passeur.limits) are exact, and a division keeps 200 digits until it is rounded
#: explicitly. Nothing here is global: callers restore their own context after each run.
EXACT: Final = decimal.Context(
    prec=200, rounding=decimal.ROUND_HALF_EVEN, Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow])

_per_thread = threading.local()


def exact_context() -> decimal.Context:
    """This thread's copy of EXACT (a context records flags, so threads never share one).
    Swapping it in with `decimal.setcontext` costs half of `localcontext` on the hot path."""
    ctx: decimal.Context | None = getattr(_per_thread, "context", None)
    if ctx is None:
        ctx = _per_thread.context = EXACT.copy()
    return ctx


class Rounding(enum.Enum):
    """Rounding modes by the names accountants use; values are `decimal` module constants."""

    HALF_UP = decimal.ROUND_HALF_UP  # commercial rounding, the usual rule on invoices
    HALF_EVEN = decimal.ROUND_HALF_EVEN  # banker's rounding
    HALF_DOWN = decimal.ROUND_HALF_DOWN
    UP = decimal.ROUND_UP  # away from zero
    DOWN = decimal.ROUND_DOWN  # towards zero (truncation)
    CEILING = decimal.ROUND_CEILING
    FLOOR = decimal.ROUND_FLOOR


class CurrencyMismatchError(ValueError):
    """Arithmetic between amounts of two currencies."""


def minor_units(currency: str) -> int:
    """Number of decimals of a currency (2 unless ISO 4217 says otherwise)."""
    return _MINOR_UNITS.get(currency.upper(), 2)


def quantize(value: Decimal, places: int, rounding: Rounding = Rounding.HALF_UP) -> Decimal:
    """`value` rounded to `places` decimals with an explicit rounding mode."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=rounding.value)


def round_money(value: Decimal, currency: str, rounding: Rounding = Rounding.HALF_UP) -> Decimal:
    """`value` rounded to the minor unit of `currency`."""
    return quantize(value, minor_units(currency), rounding)


def _decimal(value: object) -> Decimal:
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a Decimal or a string")
    if not isinstance(value, Decimal):
        raise TypeError(f"money must be a Decimal, not {type(value).__name__}")
    return value


@attrs.frozen
class Money:
    """An amount and its ISO 4217 currency code."""

    amount: Decimal = attrs.field(validator=attrs.validators.instance_of(Decimal))
    currency: str

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str) -> Money:
        """Money from a string or an int (never a float)."""
        if isinstance(amount, float):
            raise TypeError("money must not be a float; pass a Decimal or a string")
        return cls(Decimal(amount), currency)

    def _same(self, other: Money) -> Decimal:
        if other.currency != self.currency:
            raise CurrencyMismatchError(f"cannot combine {self.currency} and {other.currency}")
        return other.amount

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + self._same(other), self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - self._same(other), self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        return Money(self.amount * _decimal(Decimal(factor) if isinstance(factor, int)
                                            else factor), self.currency)

    def rounded(self, rounding: Rounding = Rounding.HALF_UP) -> Money:
        """This amount rounded to the currency's minor unit."""
        return Money(round_money(self.amount, self.currency, rounding), self.currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
