"""Where each field of a CODA 2 record stands: plain slices, read once per line.

Positions follow the Febelfin "Coded statement of account (CODA)" standard, version 2
(records 0, 1, 2.1-2.3, 3.1-3.3, 4, 8, 9; every record is 128 characters). Slices are
0-based Python slices; the messages name 1-based columns, as the standard does.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

__all__ = ["ACCOUNT_SLICES", "LENGTH", "amount", "column", "date"]

LENGTH = 128

# record 0 (header)
H_CREATION = slice(5, 11)
H_BANK_ID = slice(11, 14)
H_DUPLICATE = 16
H_FILE_REF = slice(24, 34)
H_ADDRESSEE = slice(34, 60)
H_BIC = slice(60, 71)
H_COMPANY_ID = slice(71, 82)
H_REFERENCE = slice(88, 104)
H_RELATED = slice(105, 120)
H_VERSION = 127

# record 1 (old balance)
O_STRUCTURE = 1
O_NUMBER = slice(2, 5)
O_ACCOUNT = slice(5, 42)
O_BALANCE = slice(42, 58)
O_DATE = slice(58, 64)
O_HOLDER = slice(64, 90)
O_DESCRIPTION = slice(90, 125)
O_CODA_SEQUENCE = slice(125, 128)

# records 2.x and 3.x share these
SEQUENCE = slice(2, 6)
DETAIL = slice(6, 10)

# record 2.1 (movement)
M_BANK_REF = slice(10, 31)
M_AMOUNT = slice(31, 47)
M_VALUE_DATE = slice(47, 53)
M_CODE = slice(53, 61)
M_COMM_TYPE = 61
M_COMM = slice(62, 115)
M_ENTRY_DATE = slice(115, 121)
# record 2.2
M2_COMM = slice(10, 63)
M2_CUSTOMER_REF = slice(63, 98)
M2_BIC = slice(98, 109)
M2_R_TYPE = 112
M2_R_REASON = slice(113, 117)
M2_CATEGORY_PURPOSE = slice(117, 121)
M2_PURPOSE = slice(121, 125)
# record 2.3
M3_ACCOUNT = slice(10, 44)
M3_CURRENCY = slice(44, 47)
M3_NAME = slice(47, 82)
M3_COMM = slice(82, 125)

# record 3.1-3.3 (information)
I1_COMM = slice(39, 113)
I2_COMM = slice(10, 115)
I3_COMM = slice(10, 100)

# record 4 (free communication)
F_TEXT = slice(32, 112)

# record 8 (new balance)
N_NUMBER = slice(1, 4)
N_ACCOUNT = slice(4, 41)
N_BALANCE = slice(41, 57)
N_DATE = slice(57, 63)

# record 9 (trailer)
T_COUNT = slice(16, 22)
T_DEBIT = slice(22, 37)
T_CREDIT = slice(37, 52)

# the account number and the currency inside the 37 characters of records 1 and 8, by the
# account structure of record 1 (0 Belgian number, 1 foreign number, 2 Belgian IBAN,
# 3 foreign IBAN)
ACCOUNT_SLICES: dict[str, tuple[slice, slice]] = {
    "0": (slice(0, 12), slice(13, 16)),
    "1": (slice(0, 34), slice(34, 37)),
    "2": (slice(0, 31), slice(34, 37)),
    "3": (slice(0, 34), slice(34, 37)),
}

_DIGITS = frozenset("0123456789")
_DATES: dict[str, datetime.date | None] = {"000000": None, "      ": None}


class FieldError(ValueError):
    """A field whose characters do not fit it; `start` is its 0-based offset in the line."""

    def __init__(self, message: str, start: int) -> None:
        super().__init__(message)
        self.start = start


def column(field: slice | int) -> int:
    """The 1-based column a field starts at."""
    return (field.start if isinstance(field, slice) else field) + 1


def amount(line: str, field: slice) -> Decimal:
    """A signed amount: a sign digit (0 credit, 1 debit) then 15 digits with 3 decimals.

    The third decimal is kept only when it is not zero, so 1.230 reads as 1.23 (the cent
    the currency has) and nothing is rounded.
    """
    text = line[field]
    sign, digits = text[0], text[1:]
    if sign not in "01" or not _DIGITS.issuperset(digits) or len(digits) != 15:
        raise FieldError(f"amount {text!r} is not a sign digit (0 or 1) and 15 digits",
                         field.start)
    if digits[-1] == "0":
        value = Decimal(f"{digits[:-3]}.{digits[-3:-1]}")
    else:
        value = Decimal(f"{digits[:-3]}.{digits[-3:]}")
    return -value if sign == "1" else value


def date(line: str, field: slice) -> datetime.date | None:
    """A DDMMYY date (years 2000-2099); zeros or blanks mean no date."""
    text = line[field]
    try:
        return _DATES[text]
    except KeyError:
        pass
    try:
        value: datetime.date | None = datetime.date(2000 + int(text[4:6]), int(text[2:4]),
                                                    int(text[0:2]))
    except ValueError:
        raise FieldError(f"date {text!r} is not a valid DDMMYY date", field.start) from None
    if len(_DATES) < 4096:
        _DATES[text] = value
    return value
