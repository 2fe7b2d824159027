"""The invoice family: every billing document kind, its lines, taxes and totals (EN 16931).

One class, `Invoice`, carries every kind (invoice, credit note, quote, order...) because the
systems passeur connects use one record for all of them and only a kind field differs.
Business-term numbers (BT-/BG-) in comments point to EN 16931-1.
"""

from __future__ import annotations

import datetime
import enum
from decimal import Decimal
from typing import Any

import attrs

from passeur.frozen import FrozenDict, frozen_mapping
from passeur.model.common import Attachment, Note, Party, Reference, Source
from passeur.model.money import Money

__all__ = [
    "AllowanceCharge",
    "Direction",
    "DocumentKind",
    "Invoice",
    "Line",
    "LineKind",
    "Payment",
    "PaymentTerms",
    "Tax",
    "TaxSubtotal",
    "Totals",
]


class DocumentKind(enum.Enum):
    """What a billing document is; covers the kinds of VosFactures and ERP Connector."""

    INVOICE = "invoice"  # UNTDID 1001 380; VosFactures vat; Acomba FACTURES
    CREDIT_NOTE = "credit_note"  # 381; VosFactures correction
    ADVANCE = "advance"  # 386 prepayment invoice
    FINAL = "final"  # the invoice that settles advances
    QUOTE = "quote"  # estimate; Acomba SOUMISSIONS
    PROFORMA = "proforma"  # 325
    ORDER = "order"  # client order; Acomba COMMANDES
    RECEIPT = "receipt"
    OTHER_INVOICE = "other_invoice"  # VosFactures invoice_other
    MAINTENANCE_REQUEST = "maintenance_request"
    PAYMENT_RECEIPT = "payment_receipt"
    CASH_IN = "cash_in"  # VosFactures kp
    CASH_OUT = "cash_out"  # VosFactures kw
    DELIVERY_NOTE = "delivery_note"


class Direction(enum.Enum):
    """Whether the document is a sale (we are the seller) or a purchase (an expense)."""

    SALE = "sale"
    PURCHASE = "purchase"


class LineKind(enum.Enum):
    ITEM = "item"  # a product or service sold
    TEXT = "text"  # a comment line
    BLANK = "blank"  # an empty spacer line
    SUBTOTAL = "subtotal"
    PRODUCT_GROUP = "product_group"  # billed on a product group rather than a product


@attrs.frozen
class Tax:
    """One tax on a line or in a breakdown (Québec TPS and TVQ are two `Tax`es on one line).

    `scheme` is the tax's name in the source (VAT, TPS, TVQ, GST, QST, HST); `category` the
    UNCL5305 code (S, Z, E, AE, K, G, O, L, M) when known; `rate` a percentage.
    """

    scheme: str = "VAT"
    rate: Decimal | None = None
    category: str | None = None
    amount: Decimal | None = None
    code: str | None = None  # the system's own code for this tax (Acomba "T.P.S. 100%")
    registration: str | None = None  # the seller's number for this tax
    exemption_reason: str | None = None
    exemption_code: str | None = None
    disabled: bool = False  # "not subject" (VosFactures "disabled" / "np")
    compound: bool = False  # levied on the net plus the line's earlier taxes (TVQ before 2013)


@attrs.frozen
class Line:
    """One line of a document. Amounts are in the document currency.

    `net_amount` is BT-131 (quantity x unit price net - discount); `gross_amount` includes the
    line's taxes. `discount_amount` is a net allowance on the line (BT-136).
    """

    kind: LineKind = LineKind.ITEM
    id: str | None = None  # BT-126 line number or the system's line id
    product_code: str | None = None  # BT-155 seller's item id
    product_id: str | None = None  # the product's id in its system
    group_code: str | None = None
    name: str | None = None  # BT-153
    description: str | None = None  # BT-154
    quantity: Decimal | None = None  # BT-129
    ordered_quantity: Decimal | None = None
    unit: str | None = None  # BT-130 (a UN/ECE rec 20 code or the system's text)
    unit_price_net: Decimal | None = None  # BT-146
    unit_price_gross: Decimal | None = None  # price including taxes (not BT-148)
    list_price: Decimal | None = None  # BT-148 price before discount
    cost_price: Decimal | None = None
    discount_percent: Decimal | None = None
    discount_amount: Decimal | None = None  # BT-136
    net_amount: Decimal | None = None  # BT-131
    tax_amount: Decimal | None = None
    gross_amount: Decimal | None = None
    taxes: tuple[Tax, ...] = ()
    account: str | None = None  # BT-133 buyer accounting reference / GL account
    project: str | None = None
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    extensions: dict[str, Any] = attrs.field(factory=FrozenDict, converter=frozen_mapping)


@attrs.frozen
class TaxSubtotal:
    """One row of the tax breakdown (BG-23)."""

    scheme: str = "VAT"
    rate: Decimal | None = None
    category: str | None = None
    taxable_amount: Decimal = Decimal("0")  # BT-116
    tax_amount: Decimal = Decimal("0")  # BT-117
    code: str | None = None  # the system's own code for this tax (Acomba "T.P.S. 100%")
    registration: str | None = None  # the seller's number for this tax
    exemption_reason: str | None = None  # BT-120
    exemption_code: str | None = None  # BT-121, a VATEX code


@attrs.frozen
class AllowanceCharge:
    """A document-level allowance (BG-20) or charge (BG-21), without tax; `tax` gives its
    VAT category and rate (BT-95/96, BT-102/103), which the tax breakdown counts it under."""

    charge: bool = False  # false: an allowance (discount), true: a charge
    amount: Decimal = Decimal("0")  # BT-92 / BT-99
    base_amount: Decimal | None = None  # BT-93 / BT-100
    percent: Decimal | None = None  # BT-94 / BT-101
    reason: str | None = None  # BT-97 / BT-104
    reason_code: str | None = None  # BT-98 / BT-105
    tax: Tax | None = None


@attrs.frozen
class Totals:
    """Document totals (BG-22). Every field is optional: a source reports what it has."""

    line_net: Decimal | None = None  # BT-106 sum of line net amounts
    allowances: Decimal | None = None  # BT-107
    charges: Decimal | None = None  # BT-108
    net: Decimal | None = None  # BT-109 total without tax
    tax: Decimal | None = None  # BT-110
    gross: Decimal | None = None  # BT-112 total with tax
    paid: Decimal | None = None  # BT-113 prepaid amount
    rounding: Decimal | None = None  # BT-114
    due: Decimal | None = None  # BT-115 amount due for payment


@attrs.frozen
class PaymentTerms:
    """When and how the buyer is expected to pay (BT-20, BT-9, BG-16)."""

    description: str | None = None
    days: int | None = None
    due_date: datetime.date | None = None
    means: str | None = None  # transfer, card, cash, cheque... or a UNCL4461 code
    code: str | None = None  # the system's own code for these terms
    structured_reference: str | None = None  # BT-83, e.g. Belgian +++123/4567/89012+++
    discount_percent: Decimal | None = None


@attrs.frozen
class Payment:
    """A payment received or made, standalone or applied to documents."""

    amount: Money
    date: datetime.date | None = None
    method: str | None = None
    reference: str | None = None
    description: str | None = None
    payer: Party | None = None
    invoices: tuple[Reference, ...] = ()
    id: str | None = None
    extensions: dict[str, Any] = attrs.field(factory=FrozenDict, converter=frozen_mapping)
    source: Source | None = None


@attrs.frozen
class Invoice:
    """A billing document of any kind, with both the totals its source reported and the ones
    passeur recomputed, so a disagreement is visible instead of silently fixed."""

    kind: DocumentKind = DocumentKind.INVOICE
    direction: Direction = Direction.SALE
    number: str | None = None  # BT-1
    issue_date: datetime.date | None = None  # BT-2
    sale_date: datetime.date | None = None  # BT-72 actual delivery date
    due_date: datetime.date | None = None  # BT-9
    currency: str = "EUR"  # BT-5
    language: str | None = None
    status: str | None = None
    seller: Party | None = None  # BG-4
    buyer: Party | None = None  # BG-7
    ship_to: Party | None = None  # BG-13
    payee: Party | None = None  # BG-10, when not the seller
    tax_representative: Party | None = None  # BG-11, the seller's tax representative
    payment_terms: PaymentTerms | None = None
    lines: tuple[Line, ...] = ()
    allowance_charges: tuple[AllowanceCharge, ...] = ()  # BG-20, BG-21
    tax_breakdown: tuple[TaxSubtotal, ...] = ()
    totals: Totals | None = None  # as the source reported them
    computed_totals: Totals | None = None  # as passeur recomputed them
    payments: tuple[Payment, ...] = ()
    references: tuple[Reference, ...] = ()
    notes: tuple[Note, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    extensions: dict[str, Any] = attrs.field(factory=FrozenDict, converter=frozen_mapping)
    source: Source | None = None
