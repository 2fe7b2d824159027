"""Québec sales taxes as ERP Connector reports them, and how they reach the canonical lines.

ERP Connector never says a rate: a line names a tax group (`NoGroupeTaxe`) and the invoice
lists the amounts the ERP computed (`ListeDesTaxes`: TPS, TVQ). To give each canonical line
its taxes, the regime is recognised from those amounts: the one whose rates, applied to the
net the way the ERP does (per document, TVQ on net + TPS before 2013), gives every reported
amount to the cent. Seed 003 is such a case: 1039.06 gives TPS 72.73 and TVQ 83.38 only
with the rates in force before July 2006 (TPS 7 %, TVQ 7.5 % compound).
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import attrs

from passeur import Issue, Level
from passeur.model import Invoice, LineKind, Tax, TaxRounding, recompute, tax_breakdown

__all__ = ["QUEBEC_REGIMES", "Regime", "infer_line_taxes", "tax_scheme"]


@attrs.frozen
class Regime:
    """TPS (GST) and TVQ (QST) rates in force between two dates."""

    name: str
    start: datetime.date
    end: datetime.date | None  # exclusive
    tps: Decimal
    tvq: Decimal
    compound: bool  # TVQ levied on the net plus TPS

    def taxes(self, codes: dict[str, Tax]) -> tuple[Tax, Tax]:
        tps, tvq = codes.get("TPS", Tax("TPS")), codes.get("TVQ", Tax("TVQ"))
        return (Tax(scheme="TPS", rate=self.tps, code=tps.code, registration=tps.registration),
                Tax(scheme="TVQ", rate=self.tvq, compound=self.compound, code=tvq.code,
                    registration=tvq.registration))

    def holds_on(self, day: datetime.date | None) -> bool:
        return day is not None and self.start <= day and (self.end is None or day < self.end)


def _d(text: str) -> Decimal:
    return Decimal(text)


#: Public rates (Canada Revenue Agency; Revenu Québec), newest first.
QUEBEC_REGIMES = (
    Regime("TPS 5 % + TVQ 9.975 %", datetime.date(2013, 1, 1), None, _d("5"), _d("9.975"),
           False),
    Regime("TPS 5 % + TVQ 9.5 % (compound)", datetime.date(2012, 1, 1),
           datetime.date(2013, 1, 1), _d("5"), _d("9.5"), True),
    Regime("TPS 5 % + TVQ 8.5 % (compound)", datetime.date(2011, 1, 1),
           datetime.date(2012, 1, 1), _d("5"), _d("8.5"), True),
    Regime("TPS 5 % + TVQ 7.5 % (compound)", datetime.date(2008, 1, 1),
           datetime.date(2011, 1, 1), _d("5"), _d("7.5"), True),
    Regime("TPS 6 % + TVQ 7.5 % (compound)", datetime.date(2006, 7, 1),
           datetime.date(2008, 1, 1), _d("6"), _d("7.5"), True),
    Regime("TPS 7 % + TVQ 7.5 % (compound)", datetime.date(1991, 1, 1),
           datetime.date(2006, 7, 1), _d("7"), _d("7.5"), True),
)

_SCHEMES = (("TPS", "TPS"), ("GST", "TPS"), ("TVQ", "TVQ"), ("QST", "TVQ"), ("TVH", "TVH"),
            ("HST", "TVH"))


def tax_scheme(code: Any) -> Any:
    """The tax an ERP tax code names: 'T.P.S. 100%' -> 'TPS', 'T.V.Q. 100%' -> 'TVQ'."""
    if not isinstance(code, str):
        return code
    letters = "".join(ch for ch in code.upper() if ch.isalpha())
    for prefix, scheme in _SCHEMES:
        if letters.startswith(prefix):
            return scheme
    return code.strip()


CENT = Decimal("0.01")
_NO_GROUP = object()  # every priced line is taxed


def _priced(invoice: Invoice) -> list[int]:
    return [i for i, line in enumerate(invoice.lines)
            if line.kind in (LineKind.ITEM, LineKind.PRODUCT_GROUP)]


def _reported(invoice: Invoice) -> dict[str, Decimal]:
    amounts: dict[str, Decimal] = {}
    for row in invoice.tax_breakdown:
        amounts[row.scheme] = amounts.get(row.scheme, Decimal(0)) + row.tax_amount
    return amounts


def _fits(invoice: Invoice, regime: Regime, reported: dict[str, Decimal],
          untaxed: Any = _NO_GROUP) -> bool:
    trial = _with_taxes(invoice, regime.taxes({}), untaxed)
    rows: dict[str, Decimal] = {}
    tps_base = Decimal(0)
    for row in _breakdown(trial):  # a scheme at its rate and at 0 % (untaxed lines)
        rows[row.scheme] = rows.get(row.scheme, Decimal(0)) + row.tax_amount
        if row.scheme == "TPS":
            tps_base += row.taxable_amount
    if all(rows.get(scheme) == amount for scheme, amount in reported.items()):
        return True
    if not regime.compound or "TPS" not in rows:
        return False
    # A compound TVQ may be levied on the net plus the TPS as rounded on the invoice
    # (what the ERP prints), not the exact TPS: 874.95 -> TPS 61.25, TVQ 70.22 (not 70.21)
    tvq = ((tps_base + rows["TPS"]) * regime.tvq / 100).quantize(CENT, ROUND_HALF_UP)
    return reported == {"TPS": rows["TPS"], "TVQ": tvq}


def _breakdown(invoice: Invoice) -> tuple[Any, ...]:
    return tax_breakdown(invoice, tax_rounding=TaxRounding.PER_DOCUMENT)


def _group(line: Any) -> Any:
    return (line.extensions or {}).get("tax_group")


def _exempt(taxes: tuple[Tax, ...]) -> tuple[Tax, ...]:
    """The same taxes at 0 % (category E): a line of a tax group the ERP does not tax."""
    return tuple(attrs.evolve(t, rate=Decimal(0), category="E", compound=False)
                 for t in taxes)


def _with_taxes(invoice: Invoice, taxes: tuple[Tax, ...], untaxed: Any = _NO_GROUP) -> Invoice:
    priced = set(_priced(invoice))
    lines = tuple(attrs.evolve(line, taxes=_exempt(taxes) if _group(line) == untaxed
                               else taxes) if i in priced else line
                  for i, line in enumerate(invoice.lines))
    return attrs.evolve(invoice, lines=lines)


def infer_line_taxes(invoice: Any) -> tuple[Any, list[Issue]]:
    """Give each priced line the TPS/TVQ rates that reproduce the reported tax amounts.

    Only when no line has taxes yet and the invoice reports TPS and/or TVQ amounts; when
    several regimes fit, the one in force on the invoice date wins.
    """
    if not isinstance(invoice, Invoice) or any(line.taxes for line in invoice.lines):
        return invoice, []
    reported = _reported(invoice)
    if not reported or not set(reported) <= {"TPS", "TVQ"} or not _priced(invoice):
        return invoice, []
    fitting = [r for r in QUEBEC_REGIMES if _fits(invoice, r, reported)]
    untaxed: Any = _NO_GROUP
    amounts = ", ".join(f"{k} {v}" for k, v in reported.items())
    issues = []
    if not fitting:
        # Some lines may belong to a tax group the ERP does not tax (an exempt product):
        # the one group whose lines, left untaxed, make the amounts fit is that group.
        groups = {_group(invoice.lines[i]) for i in _priced(invoice)}
        tried = [(g, [r for r in QUEBEC_REGIMES if _fits(invoice, r, reported, g)])
                 for g in sorted(groups, key=str)] if len(groups) > 1 else []
        found = [(g, regimes) for g, regimes in tried if regimes]
        if len(found) != 1:
            return invoice, [Issue(Level.WARNING, f"the reported taxes ({amounts}) match no "
                                   "Québec rate since 1991; the lines are left without tax "
                                   "rates", "taxes.unknown_regime", "$.tax_breakdown")]
        untaxed, fitting = found[0]
        issues.append(Issue(Level.INFO, f"the lines of tax group {untaxed} are not taxed: "
                            f"only then do the reported taxes ({amounts}) follow a Québec "
                            "rate", "taxes.untaxed_group", "$.tax_breakdown"))
    regime = next((r for r in fitting if r.holds_on(invoice.issue_date)), fitting[0])
    codes = {row.scheme: Tax(row.scheme, code=row.code, registration=row.registration)
             for row in invoice.tax_breakdown}
    result = _with_taxes(invoice, regime.taxes(codes), untaxed)
    if not regime.holds_on(invoice.issue_date):
        issues.append(Issue(Level.INFO, f"the reported taxes ({amounts}) follow {regime.name}, "
                            f"the rates in force from {regime.start}"
                            + (f" to {regime.end}" if regime.end else "")
                            + f", not on the invoice date {invoice.issue_date}",
                            "taxes.regime_date", "$.tax_breakdown"))
    check = recompute(result, tax_rounding=TaxRounding.PER_DOCUMENT)
    if invoice.totals is not None and invoice.totals.gross not in (None, check.gross):
        issues.append(Issue(Level.WARNING, f"with {regime.name} the lines give a total of "
                            f"{check.gross}, the ERP reports {invoice.totals.gross}",
                            "taxes.total_mismatch", "$.totals.gross"))
    return result, issues
