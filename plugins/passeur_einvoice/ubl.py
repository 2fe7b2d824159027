"""UBL files as plain records and back: what `passeur convert --from ubl` reads and writes.

Read: an Invoice or a CreditNote (bytes as found on disk), through passeur's hardened XML
reader; any other syntax is refused with its name ("this is a CII invoice: read it with
--from cii"). A CreditNote gives the same plain record as an Invoice (see `tree`), its due date
(`PaymentMeans/PaymentDueDate` in UBL 2.1) as `DueDate`. Written: an Invoice, or a CreditNote
when the type code is a credit-note code, as Peppol BIS Billing 3.0 by default (its
CustomizationID and ProfileID when the document names none).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from passeur import Issue, Written
from passeur.xmldata import UNMAPPED, read_tree, write_tree
from passeur_einvoice.ubl_tree import (
    CREDIT_NOTE,
    CREDIT_NOTE_CODES,
    INVOICE,
    RENAMES,
    TAX_IN_TAX_CURRENCY,
)
from passeur_einvoice.xmlfile import root_for
from passeur_einvoice.xsd import schema_issues

__all__ = ["PEPPOL_CUSTOMIZATION", "PEPPOL_PROFILE", "read_ubl", "write_ubl"]

PEPPOL_CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PEPPOL_PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
_BACK = {v: k for k, v in RENAMES.items()}
_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"


def _tax_currency_total(plain: dict[str, Any]) -> None:
    """Take the second TaxTotal (a TaxAmount alone, in the tax currency) out of the kept
    XML into its own field, so that CII can carry it (BT-111)."""
    kept = []
    for item in plain.get(UNMAPPED) or []:
        element = None
        if str(item.get("path", "")).count("/") == 1:
            try:
                element = etree.fromstring(str(item.get("xml")), etree.XMLParser(
                    resolve_entities=False, no_network=True, load_dtd=False))
            except etree.XMLSyntaxError:
                element = None
        children = [c for c in element if isinstance(c.tag, str)] if element is not None \
            else []
        if element is not None and element.tag == f"{{{_CAC}}}TaxTotal" and len(
                children) == 1 and children[0].tag == f"{{{_CBC}}}TaxAmount" and \
                children[0].get("currencyID") == plain.get("TaxCurrencyCode") and \
                TAX_IN_TAX_CURRENCY not in plain:
            try:
                plain[TAX_IN_TAX_CURRENCY] = Decimal((children[0].text or "").strip())
                continue
            except InvalidOperation:
                pass
        kept.append(item)
    if kept:
        plain[UNMAPPED] = kept
    else:
        plain.pop(UNMAPPED, None)


def _tax_currency_xml(record: dict[str, Any]) -> None:
    """BT-111 back as UBL's second TaxTotal, after the first."""
    amount = record.pop(TAX_IN_TAX_CURRENCY, None)
    currency = record.get("TaxCurrencyCode")
    if amount is None or not currency:
        return
    xml = (f'<cac:TaxTotal xmlns:cac="{_CAC}" xmlns:cbc="{_CBC}"><cbc:TaxAmount '
           f'currencyID="{currency}">{amount}</cbc:TaxAmount></cac:TaxTotal>')
    record[UNMAPPED] = [*(record.get(UNMAPPED) or []), {"path": "/Invoice", "after": "TaxTotal",
                                                         "xml": xml}]


def _key(key: str, names: dict[str, str]) -> str:
    """A renamed key; `Element_attr` keys follow their element."""
    element, sep, attr = key.partition("_")
    return names.get(key) or (names[element] + sep + attr if sep and element in names else key)


def _rename(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {_key(k, names): _rename(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_rename(v, names) for v in value]
    return value


def read_ubl(value: Any, source: str = "") -> tuple[dict[str, Any] | None, list[Issue]]:
    """The plain record of a UBL Invoice or CreditNote, and the problems found."""
    root, syntax, problems = root_for(value, source, "ubl", "a UBL Invoice or CreditNote")
    if root is None or syntax is None:
        return None, problems
    if syntax.key == "ubl-creditnote":
        plain, issues = read_tree(CREDIT_NOTE, root, source)
        plain = _rename(plain, _BACK)
        means = plain.get("PaymentMeans") or []
        due = next((m["PaymentDueDate"] for m in means if m.get("PaymentDueDate")), None)
        if due is not None and "DueDate" not in plain:
            plain["DueDate"] = due
            for m in means:
                m.pop("PaymentDueDate", None)
    else:
        plain, issues = read_tree(INVOICE, root, source)
    _tax_currency_total(plain)
    if TAX_IN_TAX_CURRENCY in plain:  # the second TaxTotal is mapped after all
        issues = [i for i in issues if not (i.path == "$.TaxTotal" and "repeated" in i.message)]
    tenders = plain.pop("OriginatorDocumentReference", None)
    if tenders:  # BT-17 is, as in CII, a referenced document of type 50 (listed first)
        documents = [{"ID": t.get("ID"), "DocumentTypeCode": "50"} for t in tenders] + list(
            plain.get("AdditionalDocumentReference") or [])
        plain["AdditionalDocumentReference"] = sorted(
            documents, key=lambda d: 0 if d.get("DocumentTypeCode") == "50"
            and not d.get("Attachment") else 1)
    return plain, issues


def write_ubl(plain: dict[str, Any]) -> Written:
    """A UBL document for a plain record (Peppol BIS 3.0 identifiers unless it has its own)."""
    record = dict(plain)
    _tax_currency_xml(record)
    if not record.get("CustomizationID"):  # a document that names no profile: Peppol BIS 3
        record["CustomizationID"] = PEPPOL_CUSTOMIZATION
        record.setdefault("ProfileID", PEPPOL_PROFILE)
    documents = list(record.get("AdditionalDocumentReference") or [])
    tenders = [d for d in documents if d.get("DocumentTypeCode") == "50"
               and not d.get("Attachment")]
    if tenders:  # BT-17 goes back to its own UBL element
        record["OriginatorDocumentReference"] = [{"ID": d.get("ID")} for d in tenders]
        record["AdditionalDocumentReference"] = [d for d in documents if d not in tenders]
    code = str(record.get("InvoiceTypeCode") or "380")
    record["InvoiceTypeCode"] = code
    if code not in CREDIT_NOTE_CODES:
        data = write_tree(INVOICE, record)
        return Written(data, tuple(schema_issues(data)))
    due = record.pop("DueDate", None)
    if due is not None:
        means = [dict(m) for m in record.get("PaymentMeans") or []]
        if means:
            means[0].setdefault("PaymentDueDate", due)
            record["PaymentMeans"] = means
        else:
            record["PaymentMeans"] = [{"PaymentMeansCode": "1", "PaymentDueDate": due}]
    data = write_tree(CREDIT_NOTE, _rename(record, RENAMES))
    return Written(data, tuple(schema_issues(data)))
