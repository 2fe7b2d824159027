"""Canadian sales taxes (TPS/GST, TVQ/QST, HST, PST) as the one VAT per line EN 16931 has.

An Acomba line is taxed twice, TPS then TVQ (before 2013 the TVQ was levied on the price
plus the TPS). EN 16931 carries one VAT category and rate per line (BT-151, BT-152) and its
syntaxes allow no second tax on a line (the EN 16931 CII XSD has exactly one
`ApplicableTradeTax`), so a file written with both is neither schema- nor EN 16931-valid.
Both are value-added taxes on the same base: the line is written with their combined rate
(TPS 5 % + TVQ 9.975 % = 14.975 %; compound TPS 7 % + TVQ 7.5 % = 7 + 7.5 x 1.07 = 15.025 %)
as standard-rated VAT, and the split with each tax's registration number becomes an
invoice note (BT-22), so nothing of it is lost. Each folding is reported.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from passeur.issues import Issue, Level
from passeur.model.common import Note
from passeur.model.invoice import Invoice, Line, LineKind, Tax, TaxSubtotal

__all__ = ["fold_sales_taxes", "is_vat"]

ZERO = Decimal("0")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")


def _combined(taxes: tuple[Tax, ...]) -> Decimal | None:
    """The one rate the line's taxes amount to, each compound tax levied on the price plus
    the taxes before it; None when a rate is missing."""
    total = ZERO
    for tax in taxes:
        if tax.disabled:
            continue
        if tax.rate is None:
            return None
        base = HUNDRED + total if tax.compound else HUNDRED
        total += tax.rate * base / HUNDRED
    return total.normalize() if total else ZERO


def is_vat(tax: Tax | TaxSubtotal) -> bool:
    """A VAT by any of its names (TVA, IVA, MwSt, BTW)."""
    return tax.scheme.upper() in ("VAT", "TVA", "IVA", "MWST", "BTW")


def _foldable(line: Line) -> bool:
    return (line.kind in (LineKind.ITEM, LineKind.PRODUCT_GROUP) and bool(line.taxes)
            and not any(is_vat(t) for t in line.taxes))


def _text(rate: Decimal) -> str:
    return format(rate.normalize(), "f")


def fold_sales_taxes(invoice: Invoice) -> tuple[Invoice, list[Issue]]:
    """The invoice with each line's sales taxes as one VAT rate and the breakdown by that
    rate; lines mixing VAT with another tax, or lacking a rate, are left as they are."""
    found: list[Issue] = []
    lines: list[Line] = []
    rates: dict[Decimal, Decimal] = {}  # combined rate -> taxable amount
    folded: dict[tuple[str, ...], list[int]] = {}
    for i, line in enumerate(invoice.lines):
        rate = _combined(line.taxes) if _foldable(line) else None
        if rate is None:
            lines.append(line)
            continue
        disabled = all(t.disabled for t in line.taxes)
        category = "O" if disabled else "S" if rate > 0 else "Z"
        lines.append(attrs.evolve(line, taxes=(Tax(rate=None if disabled else rate,
                                                   category=category, disabled=disabled),)))
        if not disabled:
            rates[rate] = rates.get(rate, ZERO) + (line.net_amount or ZERO)
        said = tuple(f"{t.scheme} {_text(t.rate)} %" + (" (compound)" if t.compound else "")
                     for t in line.taxes if t.rate is not None and not t.disabled)
        folded.setdefault((*said, _text(rate)), []).append(i + 1)
    if not folded:
        return invoice, found
    for (*names, shown), numbers in folded.items():
        found.append(Issue(Level.INFO, f"lines {', '.join(map(str, numbers))}: "
                           f"{' + '.join(names)} written as one VAT rate of {shown} % "
                           "(EN 16931 carries one VAT per line, BT-152); the split is an "
                           "invoice note", "en16931.sales_tax", "$.lines"))
    changes: dict[str, Any] = {"lines": tuple(lines)}
    sources = [r for r in invoice.tax_breakdown if not is_vat(r)]
    if sources or not invoice.tax_breakdown:
        reported = sum((r.tax_amount for r in sources), ZERO)
        rows = []
        for rate, taxable in rates.items():
            amount = (taxable * rate / HUNDRED).quantize(CENT)
            if len(rates) == 1 and sources:  # the source's own amounts, as it printed them
                amount = reported
            rows.append(TaxSubtotal(rate=rate, category="S" if rate > 0 else "Z",
                                    taxable_amount=taxable.quantize(CENT), tax_amount=amount))
        kept = tuple(r for r in invoice.tax_breakdown if is_vat(r))
        changes["tax_breakdown"] = kept + tuple(rows)
        split = "; ".join(
            f"{r.scheme} {r.tax_amount}" + (f" (no {r.registration})" if r.registration else "")
            for r in sources)
        if split:
            changes["notes"] = (*invoice.notes, Note(text=f"Taxes: {split}"))
        if invoice.totals is not None and invoice.totals.tax is None and rows:
            changes["totals"] = attrs.evolve(invoice.totals, tax=sum(
                (r.tax_amount for r in changes["tax_breakdown"]), ZERO))
    return attrs.evolve(invoice, **changes), found
