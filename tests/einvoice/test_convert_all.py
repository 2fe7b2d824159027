"""The issue's "done when": `passeur convert` from any of erpconnector, vosfactures, ubl,
cii and facturx to any other (a Factur-X PDF given the invoice's PDF with --attach), and
from coda to camt053 and to the canonical model."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import REPO, TESTDATA

from passeur.cli.app import cli
from passeur.engine.convert import Converter, parse_endpoint
from passeur.engine.seller import load_seller
from passeur.model import Attachment
from support.einvoice_corpus import registry

PDF = TESTDATA / "facturx/Facture_FR_MINIMUM.pdf"  # any PDF: the Factur-X file is built on it
SOURCES: dict[str, Any] = {
    "erpconnector": lambda: json.loads((REPO / "tests/fixtures/golden/acomba_seed003_created/"
                                        "input.json").read_text(), parse_float=Decimal),
    "vosfactures": lambda: json.loads((TESTDATA / "vosfactures/invoice_get.json").read_text(),
                                      parse_float=Decimal),
    "ubl": lambda: (TESTDATA / "ubl/peppol/base-example.xml").read_bytes(),
    "cii": lambda: (TESTDATA / "cii/en16931/CII_example1.xml").read_bytes(),
    "facturx": lambda: (TESTDATA / "facturx/invoice_EN16931.pdf").read_bytes(),
}
PAIRS = [(s, t) for s in SOURCES for t in SOURCES if s != t]
SELLER = load_seller(Path(__file__).parent / "seller.toml")  # Acomba does not name its seller


@pytest.mark.parametrize(("source", "target"), PAIRS)
def test_any_invoice_system_to_any_other(source: str, target: str) -> None:
    reg = registry()
    attach = (Attachment(filename=PDF.name, mime_type="application/pdf",
                         content=base64.b64encode(PDF.read_bytes()).decode()),)
    converter = Converter(reg, parse_endpoint(reg, source), parse_endpoint(reg, target),
                          attachments=attach if target == "facturx" else (),
                          seller=SELLER if source == "erpconnector" else None)
    outcome = converter.convert(SOURCES[source]())
    assert not outcome.failed, [i.message for i in outcome.issues if i.level.name == "ERROR"]
    if target in ("ubl", "cii"):
        assert outcome.output.lstrip().startswith(b"<?xml")
    if target == "facturx":
        assert outcome.output.startswith(b"%PDF-")


def test_facturx_without_a_seller_says_how_to_give_one() -> None:
    """An Acomba invoice names no seller, which a Factur-X PDF's metadata needs."""
    reg = registry()
    attach = (Attachment(filename=PDF.name, mime_type="application/pdf",
                         content=base64.b64encode(PDF.read_bytes()).decode()),)
    outcome = Converter(reg, parse_endpoint(reg, "erpconnector"), parse_endpoint(reg, "facturx"),
                        attachments=attach).convert(SOURCES["erpconnector"]())
    assert outcome.failed
    assert [i.message for i in outcome.issues if i.level.name == "ERROR"] == [
        "facturx cannot write this document: a Factur-X PDF names its seller (BT-27) in its "
        "metadata, and this document has none: give it with `--seller FILE` (see "
        "docs/einvoices.md)"]


def test_facturx_without_a_pdf_says_how_to_give_one() -> None:
    reg = registry()
    outcome = Converter(reg, parse_endpoint(reg, "cii"), parse_endpoint(reg, "facturx")
                        ).convert(SOURCES["cii"]())
    assert outcome.failed
    assert [i.message for i in outcome.issues if i.level.name == "ERROR"] == [
        "a Factur-X PDF is written into the invoice's own PDF, and this document has none: "
        "give it with `passeur convert ... --attach invoice.pdf`, or convert to cii for the "
        "XML alone"]


@pytest.mark.parametrize("target", ["camt053", "passeur"])
def test_coda_to_camt053_and_canonical_on_the_command_line(tmp_path: Path, target: str) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["convert", str(TESTDATA / "coda/CODA.txt"), "--from",
                                      "coda", "--to", target, "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    if target == "camt053":
        assert "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08" in text
    else:
        statements = json.loads(text)
        first = statements[0] if isinstance(statements, list) else statements
        assert first["account"]["number"] == "435000000080"
