"""The EN 16931 rules of the VAT categories added natively: export outside the EU (G,
BR-G-*), IGIC (L, BR-AF-*), IPSI (M, BR-AG-*), Italian split payment (B, BR-B-*), and the
VATEX exemption codes (BR-CL-22). Each rule has a document written from its text that
passes and one that fails (CEN 1.3.16 names the IGIC and IPSI families BR-AF and BR-AG).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import attrs
import pytest

from passeur.model import (
    Address,
    AllowanceCharge,
    Identifier,
    IdentifierScheme,
    Invoice,
    Line,
    Party,
    Tax,
    TaxSubtotal,
    Totals,
)
from passeur.model.en16931 import validate_en16931

D = Decimal
SELLER = Party(name="Venditore SpA", address=Address(country="IT"),
               identifiers=(Identifier("IT00743110157", IdentifierScheme.VAT),))
BUYER = Party(name="Comune di Roma", address=Address(country="IT"))
EXEMPT = "VATEX-EU-G"  # export outside the EU


def _invoice(category: str, rate: str, tax: str, reason: str | None = None,
             **changes: object) -> Invoice:
    """One line of 100.00 in `category` at `rate`, its breakdown row, consistent totals."""
    invoice = Invoice(
        number="F1", issue_date=datetime.date(2026, 1, 2), due_date=datetime.date(2026, 2, 1),
        seller=SELLER, buyer=BUYER,
        lines=(Line(id="1", name="Item", quantity=D("1"), unit="C62",
                    unit_price_net=D("100"), net_amount=D("100.00"),
                    taxes=(Tax(category=category, rate=D(rate)),)),),
        tax_breakdown=(TaxSubtotal(category=category, rate=D(rate),
                                   taxable_amount=D("100.00"), tax_amount=D(tax),
                                   exemption_code=reason),),
        totals=Totals(line_net=D("100.00"), net=D("100.00"), tax=D(tax),
                      gross=D("100.00") + D(tax), due=D("100.00") + D(tax)))
    return attrs.evolve(invoice, **changes)


def _found(invoice: Invoice) -> list[str]:
    return sorted(f.rule for f in validate_en16931(invoice))


def test_an_export_outside_the_eu_passes_with_its_exemption_code() -> None:
    assert _found(_invoice("G", "0", "0.00", EXEMPT)) == []


@pytest.mark.parametrize(("changes", "rules"), [
    ({"rate": "10", "tax": "0.00"}, ["BR-CO-17", "BR-G-05"]),  # rate of G must be 0
    ({"tax": "1.00"}, ["BR-CO-17", "BR-G-09"]),                # VAT of G must be 0
    ({"reason": None}, ["BR-G-10"]),                             # needs an exemption reason
])
def test_export_outside_the_eu_rules(changes: dict[str, str | None], rules: list[str]) -> None:
    args = {"category": "G", "rate": "0", "tax": "0.00", "reason": EXEMPT} | changes
    assert _found(_invoice(**args)) == rules  # type: ignore[arg-type]


def test_export_needs_the_sellers_or_its_representatives_vat_number() -> None:
    """BR-G-02: the seller VAT identifier (BT-31) or the tax representative's (BT-63); a
    tax registration (BT-32) is not enough, unlike standard rate."""
    registered = attrs.evolve(SELLER, identifiers=(Identifier("12345", system="tax:IT"),))
    assert _found(_invoice("G", "0", "0.00", EXEMPT, seller=registered)) == ["BR-G-02"]
    representative = Party(name="Rappresentante", address=Address(country="IT"),
                           identifiers=(Identifier("IT01234567890", IdentifierScheme.VAT),))
    assert _found(_invoice("G", "0", "0.00", EXEMPT, seller=registered,
                           tax_representative=representative)) == []
    assert _found(_invoice("S", "22", "22.00", seller=registered)) == []


def test_two_export_breakdowns_break_br_g_01() -> None:
    invoice = _invoice("G", "0", "0.00", EXEMPT)
    row = invoice.tax_breakdown[0]
    half = attrs.evolve(row, taxable_amount=D("50.00"))
    # exactly one G breakdown; each of the two is compared with all the G lines (100.00)
    assert _found(attrs.evolve(invoice, tax_breakdown=(half, half))) == [
        "BR-G-01", "BR-G-08", "BR-G-08"]


@pytest.mark.parametrize(("category", "family"), [("L", "BR-AF"), ("M", "BR-AG")])
def test_igic_and_ipsi_are_rated_at_zero_or_more(category: str, family: str) -> None:
    assert _found(_invoice(category, "7", "7.00")) == []
    assert _found(_invoice(category, "0", "0.00")) == []  # 0 is allowed, unlike S
    assert f"{family}-05" in _found(_invoice(category, "-1", "-1.00"))
    # the tax amount within one unit of taxable x rate, as BR-S-09
    tolerated = _invoice(category, "7", "7.99")
    assert f"{family}-09" not in _found(tolerated)
    off = _invoice(category, "7", "8.00")
    assert f"{family}-09" in _found(off)
    # no exemption reason on a rated category
    assert _found(_invoice(category, "7", "7.00", EXEMPT)) == [f"{family}-10"]


@pytest.mark.parametrize(("category", "family"), [("L", "BR-AF"), ("M", "BR-AG")])
def test_igic_and_ipsi_breakdown_per_rate(category: str, family: str) -> None:
    """-01: lines of the category need a breakdown of it, and a breakdown needs lines;
    -08: the taxable amount is the lines' of the same rate."""
    invoice = _invoice(category, "7", "7.00")
    assert _found(attrs.evolve(invoice, tax_breakdown=())) == [f"{family}-01", "BR-CO-18"]
    other = attrs.evolve(invoice.tax_breakdown[0], rate=D("3"), tax_amount=D("3.00"))
    assert f"{family}-08" in _found(attrs.evolve(invoice, tax_breakdown=(other,)))


def test_split_payment_is_domestic_italian_and_never_beside_standard_rate() -> None:
    assert _found(_invoice("B", "22", "22.00")) == []
    abroad = attrs.evolve(BUYER, address=Address(country="FR"))
    assert _found(_invoice("B", "22", "22.00", buyer=abroad)) == ["BR-B-01"]
    invoice = _invoice("B", "22", "22.00")
    charge = AllowanceCharge(charge=True, amount=D("10.00"), tax=Tax(category="S",
                                                                      rate=D("22")))
    found = _found(attrs.evolve(invoice, allowance_charges=(charge,)))
    assert "BR-B-02" in found


@pytest.mark.parametrize(("code", "rules"), [
    ("VATEX-EU-G", []), ("vatex-eu-g", []),  # compared upper-case, as CEN 1.3.16 does
    ("BETE-44", ["BR-CL-22"]), ("VATEX-EU-XX", ["BR-CL-22"])])
def test_br_cl_22_exemption_codes_are_vatex(code: str, rules: list[str]) -> None:
    assert _found(_invoice("G", "0", "0.00", code)) == rules
