"""The native EN 16931 rules: the corpus outcomes the research measured with the official
CEN artefacts, and each rule family broken on purpose at its official tolerance."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest
from conftest import TESTDATA

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
from passeur.serialize import structure
from support.einvoice_corpus import manifest, read

D = Decimal
# files the CEN rules pass (README "Validation expectations"); UBL.BE 27 fails BR-CO-10
CEN_PASS = [p for p, _ in manifest("ubl-invoice", "ubl-creditnote", "cii")
            if p.startswith(("ubl/peppol/", "xrechnung/", "cii/en16931/CII"))
            or p.startswith("ubl/en16931/ubl-tc434") or "content" in p
            or p.endswith(("15000001.xml", "15000002.xml", "15000004.xml"))
            or p in ("facturx/factur-x-en16931.xml", "facturx/ubl-21-en16931.xml",
                     "facturx/ubl-21-extended-ctc-fr.xml")]


def _rules(system: str, path: str) -> list[str]:
    outcome = read(system, TESTDATA / path)
    assert not outcome.failed
    return [f.rule for f in validate_en16931(structure(outcome.output, Invoice))]


@pytest.mark.parametrize("path", CEN_PASS)
def test_files_the_official_rules_pass_pass(path: str) -> None:
    system = "cii" if path.startswith(("cii/", "facturx/factur")) or "uncefact" in path \
        else "ubl"
    assert _rules(system, path) == []


def test_ublbe_27_fails_br_co_10_as_measured() -> None:
    assert _rules("ubl", "ublbe/UBLBE_BE0000000196_V01-15000027.xml") == ["BR-CO-10"]


@pytest.mark.parametrize("name", ["factur-x-minimum.xml", "factur-x-basicwl.xml"])
def test_minimum_and_basic_wl_are_not_full_en16931_invoices(name: str) -> None:
    assert "BR-16" in _rules("cii", f"facturx/{name}")


SELLER = Party(name="Vendeur SA", address=Address(country="BE"),
               identifiers=(Identifier("BE0403019261", IdentifierScheme.VAT),))
BUYER = Party(name="Client SPRL", address=Address(country="FR"))


def _invoice(category: str = "S", rate: str = "21", tax: str = "21.00",
             taxable: str = "100.00", **changes: object) -> Invoice:
    invoice = Invoice(
        number="F1", issue_date=__import__("datetime").date(2026, 1, 2), currency="EUR",
        due_date=__import__("datetime").date(2026, 2, 1), seller=SELLER, buyer=BUYER,
        lines=(Line(id="1", name="Item", quantity=D("1"), unit="C62",
                    unit_price_net=D("100"), net_amount=D("100.00"),
                    taxes=(Tax(category=category, rate=D(rate)),)),),
        tax_breakdown=(TaxSubtotal(category=category, rate=D(rate),
                                   taxable_amount=D(taxable), tax_amount=D(tax)),),
        totals=Totals(line_net=D("100.00"), net=D("100.00"), tax=D(tax),
                      gross=D("100.00") + D(tax), due=D("100.00") + D(tax)))
    return attrs.evolve(invoice, **changes)


def _found(invoice: Invoice) -> list[str]:
    return [f.rule for f in validate_en16931(invoice)]


def test_a_sound_invoice_passes() -> None:
    assert _found(_invoice()) == []


def test_br_co_17_tolerance_is_one_unit_exclusive() -> None:
    assert "BR-CO-17" not in _found(_invoice(tax="21.99", taxable="100.00"))
    found = _found(_invoice(tax="22.00", taxable="100.00"))
    assert "BR-CO-17" in found and "BR-S-09" in found


def test_br_s_08_taxable_amount_against_the_lines() -> None:
    assert "BR-S-08" not in _found(_invoice(taxable="100.99", tax="21.21"))
    assert "BR-S-08" in _found(_invoice(taxable="101.00", tax="21.21"))


def test_standard_rate_must_be_positive() -> None:
    assert "BR-S-05" in _found(_invoice(rate="0", tax="0.00"))


def test_exempt_needs_a_reason_and_zero_tax() -> None:
    found = _found(_invoice(category="E", rate="0", tax="0.00"))
    assert found == ["BR-E-10"]
    row = TaxSubtotal(category="E", rate=D("0"), taxable_amount=D("100.00"),
                      tax_amount=D("0.00"), exemption_reason="Art. 44")
    assert _found(_invoice(category="E", rate="0", tax="0.00", tax_breakdown=(row,))) == []


def test_reverse_charge_needs_the_buyer_vat_number() -> None:
    row = TaxSubtotal(category="AE", rate=D("0"), taxable_amount=D("100.00"),
                      tax_amount=D("0.00"), exemption_code="VATEX-EU-AE")
    found = _found(_invoice(category="AE", rate="0", tax="0.00", tax_breakdown=(row,)))
    assert found == ["BR-AE-02"]
    buyer = attrs.evolve(BUYER, identifiers=(Identifier("FR40303265045", IdentifierScheme.VAT),))
    assert _found(_invoice(category="AE", rate="0", tax="0.00", tax_breakdown=(row,),
                           buyer=buyer)) == []


def test_zero_rate_with_tax_and_a_reason() -> None:
    row = TaxSubtotal(category="Z", rate=D("0"), taxable_amount=D("100.00"),
                      tax_amount=D("1.00"), exemption_reason="no")
    found = _found(_invoice(category="Z", rate="0", tax="1.00", tax_breakdown=(row,)))
    assert {"BR-Z-09", "BR-Z-10", "BR-CO-17"} <= set(found)


def test_category_without_breakdown_and_seller_without_vat() -> None:
    seller = attrs.evolve(SELLER, identifiers=(Identifier("0403019261", IdentifierScheme.BCE),))
    found = _found(_invoice(tax_breakdown=(), seller=seller))
    assert {"BR-S-01", "BR-S-02", "BR-CO-18"} <= set(found)


def test_document_charge_counts_in_its_category_and_totals() -> None:
    charge = AllowanceCharge(charge=True, amount=D("10.00"), reason="Transport",
                             tax=Tax(category="S", rate=D("21")))
    row = TaxSubtotal(category="S", rate=D("21"), taxable_amount=D("110.00"),
                      tax_amount=D("23.10"))
    totals = Totals(line_net=D("100.00"), charges=D("10.00"), net=D("110.00"),
                    tax=D("23.10"), gross=D("133.10"), due=D("133.10"))
    invoice = _invoice(allowance_charges=(charge,), tax_breakdown=(row,), totals=totals)
    assert _found(invoice) == []
    assert "BR-CO-12" in _found(attrs.evolve(invoice, totals=attrs.evolve(
        totals, charges=D("9.00"), net=D("109.00"), gross=D("132.10"), due=D("132.10"))))


def test_sums_are_exact_after_rounding() -> None:
    totals = Totals(line_net=D("100.00"), net=D("100.00"), tax=D("21.00"),
                    gross=D("121.01"), due=D("121.01"))
    assert _found(_invoice(totals=totals)) == ["BR-CO-15"]


def test_decimal_rule_and_missing_terms() -> None:
    line = Line(id="1", name="Item", quantity=D("1"), unit="C62", unit_price_net=D("100"),
                net_amount=D("100.001"), taxes=(Tax(category="S", rate=D("21")),))
    found = _found(_invoice(lines=(line,)))
    assert "BR-DEC" in found
    assert {"BR-02", "BR-06", "BR-16"} <= set(_found(Invoice()))
