"""Wrong syntax, unsafe XML, PDFs without XML: refused with a message that says what it is."""

from __future__ import annotations

import pytest
from conftest import TESTDATA

from support.einvoice_corpus import converter


def _errors(system: str, data: bytes) -> list[str]:
    outcome = converter(system, "passeur").convert(data)
    assert outcome.failed
    return [i.message for i in outcome.issues]


def test_cii_given_to_ubl_says_it_is_cii() -> None:
    data = (TESTDATA / "cii/en16931/CII_example1.xml").read_bytes()
    assert _errors("ubl", data) == [
        "this is a CII (UN/CEFACT D16B) invoice, not a UBL Invoice or CreditNote: read it "
        "with --from cii"]


def test_ubl_given_to_cii_says_it_is_ubl() -> None:
    data = (TESTDATA / "ubl/peppol/base-creditnote-correction.xml").read_bytes()
    assert _errors("cii", data) == [
        "this is a UBL CreditNote, not a CII CrossIndustryInvoice: read it with --from ubl"]


@pytest.mark.parametrize("name", ["zugferd-basic.xml", "zugferd-comfort.xml",
                                  "zugferd-extended.xml"])
def test_zugferd_1_is_recognised_and_reported(name: str) -> None:
    message, = _errors("cii", (TESTDATA / "facturx" / name).read_bytes())
    assert message.startswith("this is a ZUGFeRD 1.0 invoice (the old CrossIndustryDocument "
                              "namespace, before Factur-X and ZUGFeRD 2), not a CII")
    assert "ZUGFeRD 1.0 is not read by passeur" in message


def test_order_x_is_not_an_invoice() -> None:
    message, = _errors("cii", (TESTDATA / "facturx/order-x-basic.xml").read_bytes())
    assert message == "this is an Order-X purchase order (CII), not a CII CrossIndustryInvoice"


def test_external_entity_is_refused_by_the_ubl_reader() -> None:
    data = (b'<?xml version="1.0"?>\n'
            b'<!DOCTYPE Invoice [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&x;'
            b"</Invoice>")
    message, = _errors("ubl", data)
    assert message.endswith(":2:1: the XML document has a DOCTYPE (a DTD); passeur refuses "
                            "DTDs and entity declarations (nothing is fetched or expanded)")


def test_json_given_to_ubl() -> None:
    outcome = converter("ubl", "passeur").convert({"number": "1"})
    assert [i.message for i in outcome.issues] == [
        "a UBL Invoice or CreditNote is read from its XML file, not from JSON"]


def test_malformed_ubl_says_line_and_column() -> None:
    message, = _errors("ubl", b"<Invoice>\n  <ID>1</Invoice>")
    assert message.startswith("<input>:2:") or ":2:" in message
    assert "Opening and ending tag mismatch" in message
