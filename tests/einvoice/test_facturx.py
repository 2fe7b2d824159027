"""Factur-X PDFs: the corpus read with the MANIFEST's facts; a VosFactures invoice and its PDF
(from the VosFactures sandbox, over loopback) written with every profile and read back."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import TESTDATA

import passeur.cli.convert_cmd  # noqa: F401 - registers the command
from passeur.cli.app import cli
from passeur.sandbox import serve_in_thread, tiny_pdf
from passeur_einvoice.facturx import read_facturx
from support.einvoice_corpus import assert_facts, converter, manifest, read

PDFS = manifest("facturx-pdf")
VF_INVOICE = TESTDATA / "vosfactures" / "invoice_get2.json"


@pytest.mark.parametrize(("path", "facts"), PDFS, ids=[p for p, _ in PDFS])
def test_facturx_pdf_matches_the_manifest(path: str, facts: dict[str, str]) -> None:
    outcome = read("facturx", TESTDATA / path)
    assert not outcome.failed, [i.message for i in outcome.issues]
    assert_facts(outcome.output, facts)
    assert outcome.output["extensions"]["customization_id"] == facts["profile"]


def test_the_second_attachment_is_said_to_stay_in_the_pdf() -> None:
    outcome = read("facturx", TESTDATA / "facturx/invoice_EN16931.pdf")
    assert [i.message for i in outcome.issues] == [
        "the PDF also carries Bon_de_livraison.pdf; they stay inside the PDF kept with the "
        "document"]


def test_a_pdf_without_embedded_xml_says_so() -> None:
    outcome = converter("facturx", "passeur").convert(tiny_pdf(["Facture 1"]))
    assert [i.message for i in outcome.issues] == [
        "the PDF has no embedded Factur-X / ZUGFeRD invoice XML (looked for factur-x.xml, "
        "zugferd-invoice.xml, xrechnung.xml; attachments: none)"]


def test_an_xml_file_given_as_facturx_says_what_it_is() -> None:
    data = (TESTDATA / "cii/en16931/CII_example1.xml").read_bytes()
    outcome = converter("facturx", "passeur").convert(data)
    assert [i.message for i in outcome.issues] == [
        "this is a CII (UN/CEFACT D16B) invoice, not a Factur-X PDF (a bare CII invoice reads "
        "with --from cii)"]


def test_writing_without_a_pdf_is_refused_with_the_way_out() -> None:
    invoice = json.loads(VF_INVOICE.read_text(), parse_float=Decimal)
    outcome = converter("vosfactures", "facturx").convert(invoice)
    assert outcome.failed
    assert "a Factur-X PDF is written into the invoice's own PDF, and this document has none" \
        in outcome.issues[-1].message


def _vosfactures_pdf(tmp_path: Path) -> tuple[Path, Path]:
    """An invoice created in the VosFactures sandbox, and its PDF, fetched over loopback."""
    from passeur_vosfactures.client import VosFacturesClient
    from passeur_vosfactures.sandbox import create_app

    server = serve_in_thread(create_app(token="t0k3n", today="2025-06-15"))
    try:
        with VosFacturesClient(server.base_url, api_token="t0k3n") as client:
            created = client.create_invoice({
                "kind": "vat", "number": "FV/2025/7", "issue_date": "2025-06-01",
                "payment_to": "2025-06-30", "seller_name": "Vendeur SARL",
                "seller_tax_no": "FR40303265045", "seller_country": "FR",
                "seller_city": "Paris", "seller_street": "1 rue de la Paix",
                "buyer_name": "Client SA", "buyer_country": "BE", "buyer_city": "Bruxelles",
                "buyer_street": "Rue Neuve 2", "buyer_tax_no": "BE0403019261",
                "positions": [{"name": "Conseil", "quantity": 2, "tax": 20,
                               "total_price_gross": "240.00"}]})
            invoice = client.get_invoice(created["id"])
            pdf = client.invoice_pdf(created["id"])
    finally:
        server.stop()
    source = tmp_path / "invoice.json"
    source.write_text(json.dumps(invoice, default=str))
    (tmp_path / "invoice.pdf").write_bytes(pdf)
    return source, tmp_path / "invoice.pdf"


@pytest.mark.parametrize(("profile", "lines"), [("minimum", 0), ("basicwl", 0), ("basic", 1),
                                                ("en16931", 1), ("extended", 1)])
def test_vosfactures_invoice_and_its_pdf_become_factur_x(tmp_path: Path, profile: str,
                                                         lines: int) -> None:
    source, pdf = _vosfactures_pdf(tmp_path)
    out = tmp_path / f"facture_{profile}.pdf"
    result = CliRunner().invoke(cli, ["convert", str(source), "--from", "vosfactures",
                                      "--to", f"facturx_{profile}", "--attach", str(pdf),
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    plain, issues = read_facturx(out.read_bytes(), out.name)
    assert plain is not None, issues
    assert plain["Profile"] == profile
    assert plain["ExchangedDocument"]["ID"] == "FV/2025/7"
    items = plain["SupplyChainTradeTransaction"].get("IncludedSupplyChainTradeLineItem", [])
    assert len(items) == lines
    summary = plain["SupplyChainTradeTransaction"]["ApplicableHeaderTradeSettlement"][
        "SpecifiedTradeSettlementHeaderMonetarySummation"]
    assert summary["GrandTotalAmount"] == Decimal("240.00")
    assert summary["TaxBasisTotalAmount"] == Decimal("200.00")
