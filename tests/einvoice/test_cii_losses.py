"""What CII cannot carry from a UBL invoice is reported, never dropped without a word:
over the corpus, every UBL-only structure that UBL -> canonical -> CII -> canonical loses is
named by a warning of the conversion to CII."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import TESTDATA
from lxml import etree

from passeur.model import Contact, Invoice, Party
from passeur_einvoice.losses import DOCUMENT, LINE, PAYMENT_MEANS, cii_losses
from support.einvoice_corpus import comparable, converter, manifest, read

UBL = [p for p, _ in manifest("ubl-invoice", "ubl-creditnote")]
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"


def _lost(before: dict, after: dict) -> set[str]:
    """The UBL-only keys of `before` that `after` (read back from CII) does not have."""
    lost = set()
    ext, back = before.get("extensions") or {}, after.get("extensions") or {}
    lost |= {f"$.extensions.{k}" for k in DOCUMENT if k in ext and k not in back}
    for i, means in enumerate(ext.get("ubl_payment_means") or []):
        lost |= {f"$.extensions.ubl_payment_means[{i}].{k}" for k in PAYMENT_MEANS
                 if k in means}
    for i, line in enumerate(before.get("lines") or []):
        lost |= {f"$.lines[{i}].extensions.{k}" for k in LINE
                 if k in (line.get("extensions") or {})}
        if line.get("tax_amount") is not None:
            lost.add(f"$.lines[{i}].tax_amount")
    return lost


@pytest.mark.parametrize("path", UBL)
def test_every_ubl_structure_cii_drops_is_reported(path: str) -> None:
    first = read("ubl", TESTDATA / path)
    written = converter("passeur", "cii").convert(first.output)
    assert not written.failed
    back = converter("cii", "passeur").convert(written.output)
    reported = {i.path for i in written.issues if i.code == "cii.not_carried"}
    before, after = comparable(first.output), comparable(back.output)
    assert reported == _lost(before, after)
    # and no other extension disappears: the rest comes back (under a cii_ name for the
    # payment means), or is UBL syntax with no business term (UBLVersionID)
    # (BT-15 comes back in CII's form, cii_receiving_advice)
    gone = set(before.get("extensions") or {}) - set(after.get("extensions") or {})
    assert gone <= set(DOCUMENT) | {"ubl_payment_means", "ubl_version",
                                    "ubl_receipt_references"}
    if "ubl_receipt_references" in gone:
        assert "cii_receiving_advice" in after["extensions"]
    for line, line_back in zip(before.get("lines") or [], after.get("lines") or [],
                               strict=True):
        gone = set(line.get("extensions") or {}) - set(line_back.get("extensions") or {})
        crossing = {"ubl_allowance_charges": "cii_allowance_charges",  # in CII's form
                    "ubl_item_properties": "cii_item_properties",
                    "ubl_classifications": "cii_classifications",
                    "ubl_document_references": "cii_document_references"}
        assert gone <= set(LINE) | set(crossing)
        for key in gone & set(crossing):
            assert crossing[key] in line_back["extensions"]
        assert line_back.get("tax_amount") is None  # reported above whenever it was there


def test_the_french_ubl_sample_names_each_loss() -> None:
    first = read("ubl", TESTDATA / "facturx/ubl-21-en16931.xml")
    written = converter("passeur", "cii").convert(first.output)
    messages = [i.message for i in written.issues if i.code == "cii.not_carried"]
    # carried now: BG-10, BG-11, BT-15, BG-32, BT-158, the mandate BT-89 and BT-91
    assert not any(t in m for m in messages for t in ("BG-10", "BG-11", "BT-15", "BG-32",
                                                       "BT-158", "BT-89", "BT-91", "BT-82"))
    cii = written.output.decode()
    assert "<ram:DirectDebitMandateID>" in cii and "<ram:PayerPartyDebtorFinancialAccount>" in cii
    assert "<ram:ReceivingAdviceReferencedDocument>" in cii
    assert "<ram:ApplicableProductCharacteristic>" in cii


def test_language_and_fax_are_reported() -> None:
    invoice = Invoice(number="1", language="fr",
                      seller=Party(name="S", contact=Contact(fax="+32 2 555 01 02")))
    assert [(i.message, i.path) for i in cii_losses(invoice)] == [
        ("not written to CII: the document language 'fr' (UBL LanguageID; the EN 16931 CII "
         "has no place for it)", "$.language"),
        ("not written to CII: the seller's fax number '+32 2 555 01 02' (the EN 16931 CII "
         "contact has none)", "$.seller.contact.fax")]


def _terms(value: Any) -> Any:
    """A canonical document's business terms: without the syntax-only extensions (`ubl_*`,
    `cii_*`), empty extension tables and the source; references as a set (their order is
    each syntax's element order, with no meaning in EN 16931)."""
    if isinstance(value, dict):
        out = {k: _terms(v) for k, v in value.items()
               if not k.startswith(("ubl_", "cii_")) and k not in ("source", "computed_totals")}
        if out.get("extensions") == {}:
            del out["extensions"]
        if "references" in out:
            out["references"] = sorted(out["references"], key=repr)
        return out
    if isinstance(value, list):
        return [_terms(v) for v in value]
    return value


@pytest.mark.parametrize("path", UBL)
def test_ubl_canonical_cii_canonical_keeps_every_business_term(path: str) -> None:
    """UBL -> canonical -> CII -> canonical gives the same canonical document: the payee
    (BG-10), the tax representative (BG-11), the VAT point date and code (BT-7, BT-8) and the
    line allowances (BG-27, BG-28) included; only what a warning names is missing (the UBL.BE
    line VAT amount, which EN 16931 has no place for)."""
    first = read("ubl", TESTDATA / path)
    written = converter("passeur", "cii").convert(first.output)
    back = converter("cii", "passeur").convert(written.output)
    before, after = _terms(comparable(first.output)), _terms(comparable(back.output))
    reported = {i.path for i in written.issues if i.code == "cii.not_carried"}
    for i, line in enumerate(before.get("lines") or []):
        if f"$.lines[{i}].tax_amount" in reported:
            del line["tax_amount"]
    assert after == before


def test_the_payee_and_tax_representative_reach_cii() -> None:
    """Invoice-Max_content (CEN) names a payee and a tax representative: in the CII written,
    PayeeTradeParty and SellerTaxRepresentativeTradeParty, read back the same."""
    first = read("ubl", TESTDATA / "ubl/en16931/Invoice-Max_content.xml")
    canonical = comparable(first.output)
    assert canonical["payee"]["name"] and canonical["tax_representative"]["name"]
    written = converter("passeur", "cii").convert(first.output).output.decode()
    assert "<ram:PayeeTradeParty>" in written
    assert "<ram:SellerTaxRepresentativeTradeParty>" in written


@pytest.mark.parametrize(("path", "element", "expected"), [
    ("cii/en16931/CII_example5.xml", "AdditionalItemProperty", [("Thickness", "2 mm")]),
    ("facturx/factur-x-extended.xml", "CommodityClassification", [("SKU2578", "SK")]),
    ("facturx/factur-x-extended.xml", "DocumentReference", [("EQUIPE_A", "AOP"),
                                                            ("S1", "AVV")]),
])
def test_cii_item_attributes_and_classifications_reach_ubl(path: str, element: str,
                                                            expected: list) -> None:
    """BG-32, BT-158 and BT-128 the other way: CII's ApplicableProductCharacteristic,
    DesignatedProductClassification and line AdditionalReferencedDocument become UBL's
    AdditionalItemProperty, CommodityClassification and line DocumentReference (values read
    from the corpus files)."""
    first = read("cii", TESTDATA / path)
    root = etree.fromstring(converter("passeur", "ubl").convert(first.output).output)
    line = root.find("{*}InvoiceLine")
    assert line is not None
    found = []
    for item in line.iter(f"{{{CAC}}}{element}"):
        if element == "AdditionalItemProperty":
            found.append((item.findtext(f"{{{CBC}}}Name"), item.findtext(f"{{{CBC}}}Value")))
        elif element == "DocumentReference":  # BT-128, with its scheme
            ident = item.find(f"{{{CBC}}}ID")
            assert ident is not None and item.findtext(f"{{{CBC}}}DocumentTypeCode") == "130"
            found.append((ident.text, ident.get("schemeID")))
        else:
            code = item.find(f"{{{CBC}}}ItemClassificationCode")
            assert code is not None
            found.append((code.text, code.get("listID")))
    assert found == expected
