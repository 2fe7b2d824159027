"""BR-CL (code lists), BR-IC (intra-community supply) and BR-O (not subject to VAT),
natively: the corpus outcomes the research measured under CEN, and each rule broken on
purpose from a valid corpus invoice."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import pytest
from conftest import TESTDATA

from passeur.model import Identifier, IdentifierScheme, Invoice, Tax, TaxSubtotal, codelists
from passeur.model.en16931 import validate_en16931
from passeur.serialize import structure
from support.einvoice_corpus import read


def _invoice(system: str, path: str) -> Invoice:
    outcome = read(system, TESTDATA / path)
    assert not outcome.failed
    return structure(outcome.output, Invoice)


def _rules(invoice: Invoice) -> list[str]:
    return sorted(f.rule for f in validate_en16931(invoice))


def test_the_code_lists_are_the_en16931_ones() -> None:
    assert len(codelists.currencies()) == 178 and {"EUR", "CAD", "NOK"} <= codelists.currencies()
    assert {"1A", "XI", "BE", "CA"} <= codelists.countries()
    assert not {"UK", "EU", "XX"} & codelists.countries()
    assert len(codelists.units()) == 2162 and {"C62", "H87", "XPP"} <= codelists.units()
    assert codelists.vat_categories() == {"S", "Z", "E", "AE", "K", "G", "O", "L", "M", "B"}


def test_the_intra_community_ublbe_case_fails_br_cl_22_and_br_ic_as_under_cen() -> None:
    """UBL.BE 14 (two K breakdowns, no deliver-to country) fails BR-CL-22 and BR-IC-* under
    CEN 1.3.16 (testdata README): its exemption codes BETE-44 and BETE-46/GO (each on a
    breakdown row and a line) are Belgian, not VATEX."""
    invoice = _invoice("ubl", "ublbe/UBLBE_BE0000000196_V01-15000014.xml")
    assert _rules(invoice) == ["BR-CL-22"] * 4 + ["BR-IC-01", "BR-IC-08", "BR-IC-08",
                                                  "BR-IC-12"]


def test_the_peppol_category_o_example_passes() -> None:
    assert _rules(_invoice("ubl", "ubl/peppol/vat-category-O.xml")) == []


def _evolve_line(invoice: Invoice, **changes: Any) -> Invoice:
    line = attrs.evolve(invoice.lines[0], **changes)
    return attrs.evolve(invoice, lines=(line, *invoice.lines[1:]))


BASE = "ubl/peppol/base-example.xml"


@pytest.mark.parametrize(("change", "rule", "message"), [
    (lambda inv: attrs.evolve(inv, currency="EUX"), "BR-CL-04",
     "the currency 'EUX' is not an ISO 4217 code"),
    (lambda inv: attrs.evolve(inv, seller=attrs.evolve(inv.seller, address=attrs.evolve(
        inv.seller.address, country="UK"))), "BR-CL-14",
     "the seller's country 'UK' is not an ISO 3166 code"),
    (lambda inv: _evolve_line(inv, unit="PCS"), "BR-CL-23",
     "line 1: the unit 'PCS' is not a UN/ECE recommendation 20 or 21 code"),
    (lambda inv: attrs.evolve(inv, tax_breakdown=(attrs.evolve(
        inv.tax_breakdown[0], category="X"), *inv.tax_breakdown[1:])), "BR-CL-17",
     "the VAT category 'X' is not an EN 16931 code"),
])
def test_each_code_list_rule_is_broken_on_purpose(change: Any, rule: str, message: str) -> None:
    invoice = _invoice("ubl", BASE)
    assert _rules(invoice) == []
    found = [f for f in validate_en16931(change(invoice)) if f.rule.startswith("BR-CL")]
    assert [(f.rule, f.message) for f in found] == [(rule, message)]


def test_a_line_category_outside_the_list_is_br_cl_18() -> None:
    invoice = _invoice("ubl", BASE)
    taxes = (attrs.evolve(invoice.lines[0].taxes[0], category="X"),)
    found = {(f.rule, f.message) for f in validate_en16931(_evolve_line(invoice, taxes=taxes))}
    assert ("BR-CL-18", "line 1: the VAT category 'X' is not an EN 16931 code") in found


O_FILE = "ubl/peppol/vat-category-O.xml"


def test_not_subject_to_vat_has_no_vat_identifier_and_no_rate() -> None:
    invoice = _invoice("ubl", O_FILE)
    assert invoice.seller is not None
    seller = attrs.evolve(invoice.seller, identifiers=(
        *invoice.seller.identifiers, Identifier("SE123456789001", IdentifierScheme.VAT)))
    rated = _evolve_line(attrs.evolve(invoice, seller=seller), taxes=(
        Tax(scheme="VAT", category="O", rate=Decimal("0")),))
    assert [(f.rule, f.message) for f in validate_en16931(rated)
            if f.rule.startswith("BR-O")] == [
        ("BR-O-02", "a line not subject to VAT (O) but the seller has a VAT identifier"),
        ("BR-O-05", "a line of category O has rate 0; it must have none")]


def test_not_subject_to_vat_has_nothing_else() -> None:
    invoice = _invoice("ubl", O_FILE)
    line = _evolve_line(invoice, taxes=(Tax(scheme="VAT", category="S", rate=Decimal(25)),))
    mixed = attrs.evolve(line, tax_breakdown=(*invoice.tax_breakdown, TaxSubtotal(
        category="S", rate=Decimal(25), taxable_amount=Decimal(0),
        tax_amount=Decimal(0))))
    rules = {f.rule: f.message for f in validate_en16931(mixed) if f.rule.startswith("BR-O")}
    assert rules["BR-O-11"] == "a VAT breakdown of category O and others (S)"
    assert rules["BR-O-12"] == "line 1 is of VAT category S in an invoice not subject to VAT"


def test_an_intra_community_supply_says_when_and_where_it_was_delivered() -> None:
    invoice = _invoice("ubl", "ublbe/UBLBE_BE0000000196_V01-15000014.xml")
    undated = attrs.evolve(invoice, sale_date=None,
                           extensions={k: v for k, v in invoice.extensions.items()
                                       if not k.startswith("period_")})
    assert "BR-IC-11" in _rules(undated)
    buyer = attrs.evolve(invoice.buyer, identifiers=tuple(
        i for i in invoice.buyer.identifiers if i.scheme is not IdentifierScheme.VAT))
    assert [f.message for f in validate_en16931(attrs.evolve(invoice, buyer=buyer))
            if f.rule == "BR-IC-02"] == [
        "an intra-community supply (K) needs the buyer's VAT identifier"]
