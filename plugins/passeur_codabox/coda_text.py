"""CODA statements for the sandbox's bank accounts, made from a template statement.

A CodaBox feed delivers one CODA file per statement of an account, numbered in sequence, each
opening on the balance the previous one closed on. The sandbox builds such a chain from a
real sample of the corpus (its movements kept byte for byte) by rewriting only the fields
that tie a statement to its account and its place in the chain: the account in records 1
and 8, the statement numbers, the balances and their dates, the creation date. The new
closing balance is the new opening balance plus the template's movements, so every
statement still balances. Without the corpus a small statement written here is the template.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

import attrs

__all__ = ["ENCODING", "GENERATED_TEMPLATE", "CodaTemplate", "Statement", "chain"]

ENCODING = "iso-8859-1"
LENGTH = 128

# positions (0-based slices) of the fields rewritten, from the Febelfin CODA v2 layout
_CREATION = slice(5, 11)          # record 0
_BIC = slice(60, 71)              # record 0
_OLD_NUMBER = slice(2, 5)         # record 1: paper statement number
_OLD_ACCOUNT = slice(5, 42)       # record 1: account and currency (structure 2: IBAN)
_OLD_BALANCE = slice(42, 58)      # record 1: sign + 15 digits (3 decimals)
_OLD_DATE = slice(58, 64)
_HOLDER = slice(64, 90)
_CODA_NUMBER = slice(125, 128)    # record 1: electronic statement number
_NEW_NUMBER = slice(1, 4)         # record 8
_NEW_ACCOUNT = slice(4, 41)
_NEW_BALANCE = slice(41, 57)
_NEW_DATE = slice(57, 63)


def _put(line: str, where: slice, text: str) -> str:
    width = where.stop - where.start
    if len(text) > width:
        raise ValueError(f"{text!r} does not fit {width} characters")
    return line[:where.start] + text.ljust(width) + line[where.stop:]


def _amount(text: str) -> Decimal:
    value = Decimal(int(text[1:])).scaleb(-3)
    return -value if text[0] == "1" else value


def _amount_text(value: Decimal) -> str:
    sign = "1" if value < 0 else "0"
    return sign + str(int(abs(value).scaleb(3))).rjust(15, "0")


def _date_text(day: datetime.date) -> str:
    return day.strftime("%d%m%y")


@attrs.frozen
class CodaTemplate:
    """The records of one single-statement CODA file of account structure 2 (a Belgian IBAN)."""

    name: str
    lines: tuple[str, ...]

    @classmethod
    def parse(cls, name: str, text: str) -> CodaTemplate:
        lines = tuple(line.ljust(LENGTH)[:LENGTH] for line in text.splitlines() if line.strip())
        kinds = [line[0] for line in lines]
        if kinds.count("1") != 1 or kinds.count("8") != 1 or kinds[0] != "0":
            raise ValueError(f"{name}: not a single-statement CODA file")
        if lines[kinds.index("1")][1] != "2":
            raise ValueError(f"{name}: account structure is not 2 (Belgian IBAN)")
        return cls(name, lines)

    def _record(self, kind: str) -> str:
        return next(line for line in self.lines if line[0] == kind)

    @property
    def movement(self) -> Decimal:
        """What the statement's movements add to the balance."""
        return _amount(self._record("8")[_NEW_BALANCE]) - _amount(self._record("1")[_OLD_BALANCE])

    @property
    def movement_count(self) -> int:
        """Movements: records 21 of detail number 0000 (the others detail a globalised one)."""
        return sum(1 for line in self.lines if line[:2] == "21" and line[6:10] == "0000")

    @property
    def currency(self) -> str:
        return self._record("1")[_OLD_ACCOUNT][34:37]


@attrs.frozen
class Statement:
    """One statement of a chain: its CODA text and what a feed entry says about it."""

    number: int
    iban: str
    bic: str
    currency: str
    old_balance: Decimal
    new_balance: Decimal
    old_date: datetime.date
    new_date: datetime.date
    movement_count: int
    template: str
    text: str

    @property
    def data(self) -> bytes:
        return self.text.encode(ENCODING)


def _statement(template: CodaTemplate, *, number: int, iban: str, bic: str, holder: str,
               old_balance: Decimal, old_date: datetime.date,
               new_date: datetime.date) -> Statement:
    new_balance = old_balance + template.movement
    account = iban.ljust(34) + template.currency
    out: list[str] = []
    for line in template.lines:
        if line[0] == "0":
            line = _put(_put(line, _CREATION, _date_text(new_date)), _BIC, bic)
        elif line[0] == "1":
            line = _put(line, _OLD_NUMBER, f"{number % 1000:03d}")
            line = _put(line, _OLD_ACCOUNT, account)
            line = _put(line, _OLD_BALANCE, _amount_text(old_balance))
            line = _put(line, _OLD_DATE, _date_text(old_date))
            line = _put(line, _HOLDER, holder[:26])
            line = _put(line, _CODA_NUMBER, f"{number % 1000:03d}")
        elif line[0] == "8":
            line = _put(line, _NEW_NUMBER, f"{number % 1000:03d}")
            line = _put(line, _NEW_ACCOUNT, account)
            line = _put(line, _NEW_BALANCE, _amount_text(new_balance))
            line = _put(line, _NEW_DATE, _date_text(new_date))
        out.append(line)
    return Statement(number=number, iban=iban, bic=bic, currency=template.currency,
                     old_balance=old_balance, new_balance=new_balance, old_date=old_date,
                     new_date=new_date, movement_count=template.movement_count,
                     template=template.name, text="\r\n".join(out) + "\r\n")


def chain(templates: Sequence[CodaTemplate], *, iban: str, bic: str, holder: str,
          count: int, first_number: int, opening: Decimal,
          first_date: datetime.date, start: int = 0) -> list[Statement]:
    """`count` statements numbered from `first_number`, one business day apart, each
    opening on the previous closing balance; templates are used in turn from `start`."""
    out: list[Statement] = []
    balance, day = opening, first_date
    for i in range(count):
        following = day + datetime.timedelta(days=3 if day.weekday() == 4 else 1)
        statement = _statement(templates[(start + i) % len(templates)], number=first_number + i,
                               iban=iban, bic=bic, holder=holder, old_balance=balance,
                               old_date=day, new_date=following)
        out.append(statement)
        balance, day = statement.new_balance, following
    return out


def _generated() -> str:
    """A small statement of our own: records 0, 1, 21, 22, 23, 8, 9 with one credit of 1,250.00
    (the template when the corpus is not at hand)."""
    rows = [
        "00000" + "010125" + "725" + "05" + " " * 7 + "PASSEUR   " + "SANDBOX".ljust(26)
        + "KREDBEBB".ljust(11) + "00000000000" + " " + "00000" + " " * 16 + " " + " " * 16
        + " " * 7 + "2",
        "12001" + "BE00000000000000".ljust(34) + "EUR" + _amount_text(Decimal(0)) + "010125"
        + "SANDBOX".ljust(26) + "Compte courant".ljust(35) + "001",
        "2100010000" + "PASSEUR-SANDBOX-0001".ljust(21) + _amount_text(Decimal("1250.000"))
        + "020125" + "00150000" + "0" + "FACTURE 2025-0001".ljust(53) + "020125" + "001" + "0"
        + " " + "1" + " " + "0",
        "2200010000" + " " * 53 + " " * 35 + " " * 11 + " " * 6 + " " * 6 + " 1 0",
        "2300010000" + "BE71096123456769".ljust(37) + "CLIENT SANDBOX".ljust(35)
        + " " * 43 + "0 1",
        "8001" + "BE00000000000000".ljust(34) + "EUR" + _amount_text(Decimal("1250"))
        + "020125" + " " * 64 + "0",
        "9" + " " * 15 + "000005" + "0" * 15 + "000000001250000" + " " * 75 + "2",
    ]
    return "\r\n".join(row.ljust(LENGTH)[:LENGTH] for row in rows) + "\r\n"


#: The template used when no corpus sample is available.
GENERATED_TEMPLATE = CodaTemplate.parse("generated", _generated())
