"""Standalone documents that are not invoices: products and bank statements.

Parties (clients, suppliers) are `passeur.model.Party` and payments `passeur.model.Payment`,
the same classes an invoice embeds, so a client read alone and a buyer read on an invoice
compare equal.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import attrs

from passeur.frozen import FrozenDict, frozen_mapping
from passeur.model.common import BankAccount, Source
from passeur.model.invoice import Tax
from passeur.model.money import Money

__all__ = ["BankStatement", "Movement", "Product"]


@attrs.frozen
class Product:
    """A product or service in a catalogue."""

    code: str | None = None
    name: str | None = None
    description: str | None = None
    unit: str | None = None
    unit_price_net: Decimal | None = None
    unit_price_gross: Decimal | None = None
    currency: str | None = None
    taxes: tuple[Tax, ...] = ()
    gtin: str | None = None
    group_code: str | None = None
    cost_price: Decimal | None = None
    is_service: bool | None = None
    id: str | None = None
    extensions: dict[str, Any] = attrs.field(factory=FrozenDict, converter=frozen_mapping)
    source: Source | None = None


@attrs.frozen
class Movement:
    """One movement on a bank statement; `amount` is signed (credit positive).

    A globalised movement (one booking for several transactions, CODA types 1 and 2, a camt
    batch entry) lists its parts in `details`; the parts are not counted again in balances.
    """

    amount: Money
    booking_date: datetime.date | None = None
    value_date: datetime.date | None = None
    sequence: str | None = None
    counterparty_name: str | None = None
    counterparty_account: BankAccount | None = None
    communication: str | None = None  # free-text remittance information
    structured_communication: str | None = None  # e.g. Belgian OGM-VCS +++123/4567/89012+++
    bank_reference: str | None = None
    transaction_code: str | None = None
    details: tuple[Movement, ...] = ()
    extensions: dict[str, Any] = attrs.field(factory=FrozenDict, converter=frozen_mapping)
    source: Source | None = None


@attrs.frozen
class BankStatement:
    """A bank statement (CODA, camt.053): balances and the movements between them."""

    account: BankAccount
    opening_balance: Money
    closing_balance: Money
    opening_date: datetime.date | None = None
    closing_date: datetime.date | None = None
    number: str | None = None
    bank_id: str | None = None
    holder_name: str | None = None
    movements: tuple[Movement, ...] = ()
    extensions: dict[str, Any] = attrs.field(factory=FrozenDict, converter=frozen_mapping)
    source: Source | None = None
