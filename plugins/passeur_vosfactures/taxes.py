"""VosFactures' one `tax` per position, and fitting line totals to the cent.

A position's `tax` is a percentage written as text ("20", "5.5"), or "disabled" / "np" for
no tax ("np": not subject, category O). The canonical line holds a list of taxes, so the
mapping functions here turn one into the other. When a source line has several taxes
(Québec TPS + TVQ), VosFactures can only take one rate: the effective combined rate is
written and the engine has already reported it under the run's policy.

VosFactures rounds each position, an ERP such as Acomba rounds the tax once per document;
`fit_line_totals` rounds the line amounts so they add up to the totals the source reported,
which keeps the converted document exact to the cent.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Any

import attrs

from passeur import Issue, Level, NumberError, parse_decimal
from passeur.model import Invoice, LineKind

__all__ = ["VAT_RATES", "check_vat_rates", "complete_lines", "fit_line_totals", "read_hub",
           "tax_text", "taxes_of"]

HUNDRED = Decimal(100)
CENT = Decimal("0.01")

#: Standard, intermediate, reduced and zero VAT rates in force (percent).
VAT_RATES = {
    "FR": ("20", "10", "5.5", "2.1", "0"),
    "BE": ("21", "12", "6", "0"),
}
_NO_TAX = {"disabled": None, "np": "O"}


def _fail(message: str) -> Exception:
    from passeur.dsl import FunctionError  # the compiler names the rule and the data path

    return FunctionError(message)


def taxes_of(text: Any) -> Any:
    """`"20"` -> `[{"scheme": "VAT", "rate": 20}]`; `"np"` -> a disabled tax of category O."""
    if text is None:
        return None
    value = str(text).strip()
    if value.lower() in _NO_TAX:
        tax: dict[str, Any] = {"scheme": "VAT", "disabled": True}
        category = _NO_TAX[value.lower()]
        if category:
            tax["category"] = category
        if str(text) not in _NO_TAX:
            tax["code"] = str(text)  # "Disabled", " np": kept to be written back
        return [tax]
    try:
        rate = parse_decimal(value)
    except NumberError:
        raise _fail(f'tax "{value}" is not a rate in percent, "disabled" or "np"') from None
    tax = {"scheme": "VAT", "rate": rate}
    if str(text) != format(rate, "f"):
        tax["code"] = str(text)  # written unusually ("00", " 20"): kept to be written back
    return [tax]


def _same_rate(code: str, rate: Decimal) -> bool:
    try:
        return parse_decimal(code.strip()) == rate
    except NumberError:
        return False


def _combined(taxes: list[dict[str, Any]]) -> Decimal:
    """The one rate that gives the same gross as several taxes (compound ones included)."""
    earlier = Decimal(0)  # taxes so far, per unit of net
    for tax in taxes:
        rate = Decimal(tax.get("rate") or 0) / HUNDRED
        earlier += (1 + earlier if tax.get("compound") else 1) * rate
    return (earlier * HUNDRED).normalize()


def tax_text(taxes: Any) -> Any:
    """Inverse of `taxes_of`; several taxes give their combined effective rate."""
    if taxes is None:
        return None
    if not isinstance(taxes, list):
        raise _fail("taxes must be a list")
    active = [t for t in taxes if isinstance(t, dict) and not t.get("disabled")]
    if not active:
        disabled = [t for t in taxes if isinstance(t, dict) and t.get("disabled")]
        if not disabled:
            return "disabled"
        code = disabled[0].get("code")
        if isinstance(code, str) and code.strip().lower() in _NO_TAX:
            return code
        return "np" if disabled[0].get("category") == "O" else "disabled"
    if len(active) == 1:
        rate, code = active[0].get("rate"), active[0].get("code")
        if rate is None:
            return None
        if isinstance(code, str) and _same_rate(code, Decimal(rate)):
            return code
        return format(Decimal(rate), "f")
    return format(_combined(active), "f")


def check_vat_rates(invoice: Any) -> tuple[Any, list[Issue]]:
    """Warn about a French or Belgian seller's rate that is not one in force there."""
    if not isinstance(invoice, Invoice) or invoice.seller is None:
        return invoice, []
    address = invoice.seller.address
    country = (address.country or "").upper() if address is not None else ""
    rates = VAT_RATES.get(country)
    if rates is None:
        return invoice, []
    allowed = {Decimal(r) for r in rates}
    issues = []
    for i, line in enumerate(invoice.lines):
        for j, tax in enumerate(line.taxes):
            if tax.scheme == "VAT" and tax.rate is not None and tax.rate not in allowed:
                issues.append(Issue(Level.WARNING, f"VAT {tax.rate} % is not a rate in force "
                                    f"in {country} ({', '.join(rates)})", "taxes.vat_rate",
                                    f"$.lines[{i}].taxes[{j}].rate"))
    return invoice, issues


def complete_lines(invoice: Any) -> tuple[Any, list[Issue]]:
    """Fill in what VosFactures computes when a request leaves it out: from a position's
    gross total and its one rate, the net and tax totals and the unit prices, to the cent."""
    if not isinstance(invoice, Invoice):
        return invoice, []
    lines = list(invoice.lines)
    for i, line in enumerate(lines):
        active = [t for t in line.taxes if not t.disabled]
        rate = active[0].rate if len(active) == 1 else (Decimal(0) if line.taxes else None)
        gross = line.gross_amount
        if line.kind is not LineKind.ITEM or gross is None or rate is None:
            continue
        net = line.net_amount
        if net is None:
            net = (gross * HUNDRED / (HUNDRED + rate)).quantize(CENT)
        quantity = line.quantity
        unit_net, unit_gross = line.unit_price_net, line.unit_price_gross
        if quantity:
            unit_net = unit_net if unit_net is not None else (net / quantity).quantize(CENT)
            if unit_gross is None:
                unit_gross = (gross / quantity).quantize(CENT)
        lines[i] = attrs.evolve(
            line, net_amount=net, unit_price_net=unit_net, unit_price_gross=unit_gross,
            tax_amount=line.tax_amount if line.tax_amount is not None else gross - net)
    return attrs.evolve(invoice, lines=tuple(lines)), []


def read_hub(invoice: Any) -> tuple[Any, list[Issue]]:
    """What the hub needs from a VosFactures document: computed amounts, rate checks."""
    invoice, issues = complete_lines(invoice)
    invoice, more = check_vat_rates(invoice)
    return invoice, issues + more


def _allocate(values: list[Decimal], target: Decimal) -> list[Decimal] | None:
    """Round `values` to cents so they add up to `target` (largest remainders first)."""
    floors = [v.quantize(CENT, rounding=ROUND_DOWN) for v in values]
    missing = int((target - sum(floors, Decimal(0))) / CENT)
    if missing < 0 or missing > len(values):
        return None
    order = sorted(range(len(values)), key=lambda k: values[k] - floors[k], reverse=True)
    for k in order[:missing]:
        floors[k] += CENT
    return floors


def fit_line_totals(invoice: Any) -> tuple[Any, list[Issue]]:
    """Round each priced line's net and gross amounts so they add up to the reported totals.

    Left alone when the source reported no totals or when the lines cannot reach them
    within a cent per line (then the totals check reports the difference).
    """
    if not isinstance(invoice, Invoice) or invoice.totals is None:
        return invoice, []
    priced = [i for i, ln in enumerate(invoice.lines)
              if ln.kind in (LineKind.ITEM, LineKind.PRODUCT_GROUP)]
    lines = list(invoice.lines)
    issues: list[Issue] = []
    for field, target in (("net_amount", invoice.totals.net),
                          ("gross_amount", invoice.totals.gross)):
        values = [getattr(lines[i], field) for i in priced]
        if target is None or not values or any(v is None for v in values):
            continue
        fitted = _allocate(values, target)
        if fitted is None:
            continue
        for i, old, new in zip(priced, values, fitted, strict=True):
            if old == new:
                continue
            lines[i] = attrs.evolve(lines[i], **{field: new})
            if new != old.quantize(CENT):
                issues.append(Issue(Level.INFO, f"line {i + 1}: {field} {old} written as {new} "
                                    f"so the lines add up to the source's total {target}",
                                    "taxes.fitted", f"$.lines[{i}].{field}"))
    return attrs.evolve(invoice, lines=tuple(lines)), issues
