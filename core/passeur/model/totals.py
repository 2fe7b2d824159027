"""Recompute an invoice's totals from its lines, under an explicit rounding rule.

Systems disagree on where rounding happens: EN 16931 rounds the tax once per rate over the
document; VosFactures and most ERPs round each line. `TaxRounding` says which, so the same
lines give each target the totals it would itself compute.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from decimal import Decimal

import attrs

from passeur.model.invoice import Invoice, Line, LineKind, Tax, TaxSubtotal, Totals
from passeur.model.money import Rounding, round_money

__all__ = [
    "TaxRounding",
    "computed_line_net",
    "line_net",
    "recompute",
    "tax_breakdown",
    "with_computed_totals",
]

ZERO = Decimal("0")
HUNDRED = Decimal("100")


class TaxRounding(enum.Enum):
    PER_DOCUMENT = "document"  # EN 16931: tax = round(sum of taxable x rate) per rate
    PER_LINE = "line"  # tax rounded on each line, then summed


def line_net(line: Line, currency: str, rounding: Rounding = Rounding.HALF_UP) -> Decimal | None:
    """A line's net amount: the reported one, else quantity x unit price - discount."""
    if line.net_amount is not None:
        return line.net_amount
    return computed_line_net(line, currency, rounding)


def computed_line_net(
    line: Line, currency: str, rounding: Rounding = Rounding.HALF_UP
) -> Decimal | None:
    """quantity x unit price net - discount, rounded to the currency (None if unpriced)."""
    if line.quantity is None or line.unit_price_net is None:
        return None
    amount = line.quantity * line.unit_price_net
    if line.discount_percent is not None:
        amount -= amount * line.discount_percent / HUNDRED
    if line.discount_amount is not None:
        amount -= line.discount_amount
    return round_money(amount, currency, rounding)


def _priced_lines(lines: Iterable[Line]) -> Iterable[Line]:
    return (ln for ln in lines if ln.kind in (LineKind.ITEM, LineKind.PRODUCT_GROUP))


def _key(tax: Tax) -> tuple[str, str | None, Decimal | None]:
    return (tax.scheme, tax.category, tax.rate)


def tax_breakdown(
    invoice: Invoice,
    *,
    tax_rounding: TaxRounding = TaxRounding.PER_DOCUMENT,
    rounding: Rounding = Rounding.HALF_UP,
) -> tuple[TaxSubtotal, ...]:
    """One subtotal per (scheme, category, rate), in first-seen order."""
    taxable: dict[tuple[str, str | None, Decimal | None], Decimal] = {}
    line_tax: dict[tuple[str, str | None, Decimal | None], Decimal] = {}
    first: dict[tuple[str, str | None, Decimal | None], Tax] = {}
    for line in _priced_lines(invoice.lines):
        net = line_net(line, invoice.currency, rounding) or ZERO
        earlier = ZERO  # taxes already levied on this line, the base of compound ones
        for tax in line.taxes:
            key = _key(tax)
            first.setdefault(key, tax)
            base = net + earlier if tax.compound else net
            taxable[key] = taxable.get(key, ZERO) + base
            rate = ZERO if tax.disabled or tax.rate is None else tax.rate
            amount = base * rate / HUNDRED
            if tax_rounding is TaxRounding.PER_LINE:
                amount = round_money(amount, invoice.currency, rounding)
            earlier += amount
            line_tax[key] = line_tax.get(key, ZERO) + amount
    for item in invoice.allowance_charges:  # BG-20/21 count under their own category
        if item.tax is None:
            continue
        key = _key(item.tax)
        first.setdefault(key, item.tax)
        base = item.amount if item.charge else -item.amount
        taxable[key] = taxable.get(key, ZERO) + base
        rate = ZERO if item.tax.disabled or item.tax.rate is None else item.tax.rate
        amount = base * rate / HUNDRED
        if tax_rounding is TaxRounding.PER_LINE:
            amount = round_money(amount, invoice.currency, rounding)
        line_tax[key] = line_tax.get(key, ZERO) + amount
    rows = []
    for key, base in taxable.items():
        tax = first[key]
        rows.append(TaxSubtotal(
            scheme=tax.scheme, rate=tax.rate, category=tax.category,
            taxable_amount=base,
            tax_amount=round_money(line_tax[key], invoice.currency, rounding),
            code=tax.code, registration=tax.registration,
            exemption_reason=tax.exemption_reason, exemption_code=tax.exemption_code,
        ))
    return tuple(rows)


def recompute(
    invoice: Invoice,
    *,
    tax_rounding: TaxRounding = TaxRounding.PER_DOCUMENT,
    rounding: Rounding = Rounding.HALF_UP,
) -> Totals:
    """Totals as the lines say they should be (BR-CO-10, -13, -15, -16)."""
    nets = [line_net(ln, invoice.currency, rounding) for ln in _priced_lines(invoice.lines)]
    line_total = sum((n for n in nets if n is not None), ZERO)
    reported = invoice.totals or Totals()
    listed_allowances = sum((a.amount for a in invoice.allowance_charges if not a.charge), ZERO)
    listed_charges = sum((a.amount for a in invoice.allowance_charges if a.charge), ZERO)
    allowances = reported.allowances if reported.allowances is not None else listed_allowances
    charges = reported.charges if reported.charges is not None else listed_charges
    net = line_total - allowances + charges
    tax = sum((row.tax_amount for row in tax_breakdown(
        invoice, tax_rounding=tax_rounding, rounding=rounding)), ZERO)
    gross = net + tax
    paid = sum((p.amount.amount for p in invoice.payments), ZERO)
    if reported.paid is not None:
        paid = reported.paid
    rounding_amount = reported.rounding or ZERO
    return Totals(
        line_net=line_total, allowances=reported.allowances, charges=reported.charges,
        net=net, tax=tax, gross=gross, paid=paid, rounding=reported.rounding,
        due=gross - paid + rounding_amount,
    )


def with_computed_totals(
    invoice: Invoice,
    *,
    tax_rounding: TaxRounding = TaxRounding.PER_DOCUMENT,
    rounding: Rounding = Rounding.HALF_UP,
) -> Invoice:
    """The same invoice with `computed_totals` filled in."""
    return attrs.evolve(invoice, computed_totals=recompute(
        invoice, tax_rounding=tax_rounding, rounding=rounding))
