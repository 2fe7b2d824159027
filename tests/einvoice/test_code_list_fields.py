"""BR-CL-01, -05, -10, -16, -19, -20 and -24 natively, on the Factur-X code database's lists: corpus
invoices whose codes are in the lists pass, the same invoices with a code outside fail
with the rule, the message and the path."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from conftest import TESTDATA

from passeur.model import Invoice, codelists
from passeur.model.en16931 import validate_en16931
from support.einvoice_corpus import read

ALLOWANCE = "ubl/peppol/Allowance-example.xml"  # charge CG, allowance 95, means 30
UBLBE = "ublbe/UBLBE_BE0000000196_V01-15000014.xml"  # an embedded application/pdf


def _invoice(path: str) -> Invoice:
    from passeur.serialize import structure

    outcome = read("ubl", TESTDATA / path)
    assert not outcome.failed
    return structure(outcome.output, Invoice)


def _code_rules(invoice: Invoice) -> list[tuple[str, str, str]]:
    return [(f.rule, f.message, f.path) for f in validate_en16931(invoice)
            if f.rule in ("BR-CL-01", "BR-CL-05", "BR-CL-10", "BR-CL-16", "BR-CL-19", "BR-CL-20",
                          "BR-CL-24")]


def test_the_lists_are_the_en16931_ones() -> None:
    assert len(codelists.payment_means()) == 84 and {"30", "58", "ZZZ"} <= \
        codelists.payment_means()
    assert codelists.allowance_reasons() == {
        "41", "42", "60", "62", "63", "64", "65", "66", "67", "68", "70", "71", "88", "95",
        "100", "102", "103", "104", "105"}
    assert len(codelists.document_types()) == 62 and {"380", "381", "384", "389", "751"} <= \
        codelists.document_types()
    assert len(codelists.charge_reasons()) == 178 and "CG" in codelists.charge_reasons()
    assert codelists.mime_codes() == {
        "application/pdf", "image/png", "image/jpeg", "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.spreadsheet"}


def test_the_corpus_codes_pass() -> None:
    """Allowance-example.xml: type 380; Invoice-Max_content.xml: type 380, VAT accounting
    currency EUR beside SEK."""
    maximal = _invoice("ubl/en16931/Invoice-Max_content.xml")
    assert (maximal.extensions.get("type_code"), maximal.extensions.get("tax_currency")) == (
        "380", "EUR")
    assert _code_rules(maximal) == []
    allowance = _invoice(ALLOWANCE)
    assert [(a.charge, a.reason_code) for a in allowance.allowance_charges] == [
        (True, "CG"), (False, "95")]
    assert allowance.payment_terms is not None and allowance.payment_terms.means == "30"
    assert [f.rule for f in validate_en16931(allowance)] == []
    ublbe = _invoice(UBLBE)
    assert [(a.mime_type, bool(a.content)) for a in ublbe.attachments][-1] == (
        "application/pdf", True)
    assert _code_rules(ublbe) == []


def _charges(inv: Invoice, charge: str, allowance: str) -> Invoice:
    first, second = inv.allowance_charges
    return attrs.evolve(inv, allowance_charges=(
        attrs.evolve(first, reason_code=charge), attrs.evolve(second, reason_code=allowance)))


@pytest.mark.parametrize(("path", "change", "expected"), [
    (ALLOWANCE, lambda inv: attrs.evolve(inv, extensions={**inv.extensions,
                                                          "type_code": "999"}),
     ("BR-CL-01", "the document type code '999' is not a UNTDID 1001 code of EN 16931",
      "$.extensions.type_code")),
    (ALLOWANCE, lambda inv: attrs.evolve(inv, extensions={**inv.extensions,
                                                          "tax_currency": "SEX"}),
     ("BR-CL-05", "the VAT accounting currency 'SEX' is not an ISO 4217 code",
      "$.extensions.tax_currency")),
    (ALLOWANCE, lambda inv: attrs.evolve(inv, payment_terms=attrs.evolve(
        inv.payment_terms, means="99")),
     ("BR-CL-16", "the payment means code '99' is not a UNTDID 4461 code",
      "$.payment_terms.means")),
    (ALLOWANCE, lambda inv: _charges(inv, "CG", "CG"),
     ("BR-CL-19", "the allowance reason code 'CG' is not a UNTDID 5189 code of EN 16931",
      "$.allowance_charges[1].reason_code")),
    (ALLOWANCE, lambda inv: _charges(inv, "95", "95"),
     ("BR-CL-20", "the charge reason code '95' is not a UNTDID 7161 code",
      "$.allowance_charges[0].reason_code")),
    (UBLBE, lambda inv: attrs.evolve(inv, attachments=(
        *inv.attachments[:-1], attrs.evolve(inv.attachments[-1], mime_type="image/gif"))),
     ("BR-CL-24", "the attachment's MIME code 'image/gif' is not one EN 16931 allows",
      f"$.attachments[{1}].mime_type")),
])
def test_a_code_outside_its_list_is_broken(path: str, change: Any,
                                           expected: tuple[str, str, str]) -> None:
    assert _code_rules(change(_invoice(path))) == [expected]


def test_a_payment_means_word_is_not_a_code() -> None:
    """VosFactures' "transfer" is the system's own name (the writer codes it): not BR-CL-16."""
    inv = _invoice(ALLOWANCE)
    assert _code_rules(attrs.evolve(inv, payment_terms=attrs.evolve(
        inv.payment_terms, means="transfer"))) == []


def test_an_identifier_scheme_outside_iso_6523_is_br_cl_10() -> None:
    """Invoice-Max_content.xml's seller has a Swedish organisation number, ICD 0007."""
    assert len(codelists.icd()) == 243 and {"0007", "0088", "0208", "0248"} <= codelists.icd()
    maximal = _invoice("ubl/en16931/Invoice-Max_content.xml")
    assert maximal.seller is not None
    coded = [(i, ident) for i, ident in enumerate(maximal.seller.identifiers)
             if ident.system == "iso6523:0007"]
    assert coded and _code_rules(maximal) == []
    i, ident = coded[0]
    changed = list(maximal.seller.identifiers)
    changed[i] = attrs.evolve(ident, system="iso6523:9999")
    broken = attrs.evolve(maximal, seller=attrs.evolve(maximal.seller,
                                                       identifiers=tuple(changed)))
    assert _code_rules(broken) == [(
        "BR-CL-10", f"the seller's identifier {ident.value!r} has the scheme '9999', not an "
        "ISO 6523 ICD code", f"$.seller.identifiers[{i}]")]


def test_the_sepa_scheme_is_allowed_to_the_seller_and_the_payee_only() -> None:
    """factur-x's ubl-21-en16931.xml names its seller with schemeID SEPA (the creditor
    identifier), which CEN's BR-CL-10 allows the seller and the payee."""
    invoice = _invoice("facturx/ubl-21-en16931.xml")
    assert invoice.seller is not None and "iso6523:SEPA" in [
        i.system for i in invoice.seller.identifiers]
    assert _code_rules(invoice) == []
    assert [(r, p) for r, _, p in _code_rules(attrs.evolve(invoice, buyer=attrs.evolve(
        invoice.buyer, identifiers=invoice.seller.identifiers)))] == [
        ("BR-CL-10", f"$.buyer.identifiers[{i}]") for i, ident in
        enumerate(invoice.seller.identifiers) if ident.system == "iso6523:SEPA"]
