"""The statement sequence of each bank account, from CodaBox feed entries: the last number
and date received, the numbers missing, the statements that came out of order.

A bank numbers its statements 1, 2, 3... per account, starting again at 1 each year; a feed
that skips one (or delivers 5 before 4) is something the office must see, per journal
(seed 001's monitoring tab), before anyone books from a statement with a hole before it.
Only the metadata of `coda` entries is read; entries of other models are ignored.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

__all__ = ["AccountSequence", "statement_sequences"]


@attrs.frozen
class AccountSequence:
    """What the entries say about one account (IBAN)."""

    iban: str
    last_number: int | None = None
    last_date: datetime.date | None = None
    received: int = 0
    missing: tuple[int, ...] = ()  # numbers skipped since the first one seen
    out_of_order: tuple[int, ...] = ()  # numbers that came after a higher one of that year

    def after(self, first: int, last: int, day: datetime.date | None) -> AccountSequence:
        """This sequence once statements `first`..`last` (closing on `day`) arrived."""
        missing = list(self.missing)
        late = list(self.out_of_order)
        new_year = (day is not None and self.last_date is not None
                    and day.year > self.last_date.year and first == 1)
        if self.last_number is None or new_year:
            number = last
        elif first > self.last_number + 1:
            missing.extend(range(self.last_number + 1, first))
            number = last
        elif first <= self.last_number:
            if first in missing:
                missing.remove(first)
            late.append(first)
            number = self.last_number
        else:
            number = last
        newest = self.last_date if number == self.last_number and self.last_date else day
        return attrs.evolve(self, last_number=number, last_date=newest,
                            received=self.received + 1, missing=tuple(missing),
                            out_of_order=tuple(late))


def _date(value: Any) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def statement_sequences(entries: Iterable[Mapping[str, Any]],
                        known: Mapping[str, AccountSequence] | None = None
                        ) -> dict[str, AccountSequence]:
    """Each account's sequence after `entries` (feed order), continuing from `known`."""
    found = dict(known or {})
    for entry in entries:
        if entry.get("document_model") != "coda":
            continue
        meta = entry.get("metadata") or {}
        iban = str(meta.get("iban") or "")
        first = _number(meta.get("first_statement_number"))
        last = _number(meta.get("last_statement_number"))
        if not iban or first is None:
            continue
        current = found.get(iban, AccountSequence(iban))
        found[iban] = current.after(first, last if last is not None else first,
                                    _date(meta.get("new_balance_date")))
    return found
