"""Mapping functions for CII references, payment means and tax totals.

As for UBL: merging CII's reference documents into the canonical reference list, payment
accounts out of payment means, and `TaxTotalAmount`, which CII repeats with a currencyID
(the document currency, and the tax currency for BT-111): picking by an attribute value is
what the mapping language cannot say.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from passeur.dsl import ABSENT

__all__ = ["FUNCTIONS"]


def _id(doc: Any) -> Any:
    return doc.get("IssuerAssignedID") if isinstance(doc, dict) else None


def references(buyer: Any, seller_order: Any, buyer_order: Any, contract: Any,
               project: Any, despatch: Any, invoices: Any) -> Any:
    """Canonical references from CII's header documents."""
    out: list[dict[str, Any]] = []
    if buyer:
        out.append({"kind": "buyer_reference", "value": buyer})
    for doc, kind in ((buyer_order, "order"), (seller_order, "sales_order"),
                      (contract, "contract"), (despatch, "delivery")):
        if _id(doc):
            out.append({"kind": kind, "value": _id(doc)})
    if isinstance(project, dict) and project.get("ID"):
        out.append({"kind": "project", "value": project["ID"]})
    for doc in invoices or ():
        if _id(doc):
            entry: dict[str, Any] = {"kind": "original_invoice", "value": _id(doc)}
            raw = ((doc.get("FormattedIssueDateTime") or {}).get("DateTimeString") or "")
            if len(raw) == 8 and raw.isdigit():
                entry["date"] = f"{raw[:4]}-{raw[4:6]}-{raw[6:]}"
            out.append(entry)
    return out or ABSENT


def document(refs: Any, kind: Any) -> Any:
    """The first reference of a kind as a CII referenced document {IssuerAssignedID}."""
    for ref in refs or ():
        if ref.get("kind") == kind:
            return {"IssuerAssignedID": ref["value"]}
    return ABSENT


def project(refs: Any) -> Any:
    """The project reference (BT-11) as a SpecifiedProcuringProject (its Name is required:
    the reference itself when nothing better is known)."""
    for ref in refs or ():
        if ref.get("kind") == "project":
            return {"ID": ref["value"], "Name": ref["value"]}
    return ABSENT


def invoice_documents(refs: Any) -> Any:
    """The corrected invoices (BG-3) as CII InvoiceReferencedDocument records."""
    out = []
    for ref in refs or ():
        if ref.get("kind") == "original_invoice":
            doc: dict[str, Any] = {"IssuerAssignedID": ref["value"]}
            if ref.get("date") is not None:
                doc["FormattedIssueDateTime"] = {
                    "DateTimeString": str(ref["date"]).replace("-", ""),
                    "DateTimeString_format": "102"}
            out.append(doc)
    return out or ABSENT


def accounts(means: Any) -> Any:
    """The payee's accounts (BG-17) of CII payment means."""
    out = []
    for item in means or ():
        account = item.get("PayeePartyCreditorFinancialAccount")
        if not account:
            continue
        entry: dict[str, Any] = {}
        if account.get("IBANID"):
            entry["iban"] = account["IBANID"]
        if account.get("ProprietaryID"):
            entry["number"] = account["ProprietaryID"]
        if account.get("AccountName"):
            entry["holder"] = account["AccountName"]
        bic = (item.get("PayeeSpecifiedCreditorFinancialInstitution") or {}).get("BICID")
        if bic:
            entry["bic"] = bic
        out.append(entry)
    return out or ABSENT


def payment_means(code: Any, bank_accounts: Any) -> Any:
    """CII payment means from canonical payment terms and the seller's accounts."""
    means_code = str(code) if code and str(code).isdigit() else None
    out = []
    for account in bank_accounts or ():
        if not account.get("iban") and not account.get("number"):
            continue
        financial: dict[str, Any] = {}
        if account.get("iban"):
            financial["IBANID"] = account["iban"]
        if account.get("holder"):
            financial["AccountName"] = account["holder"]
        if account.get("number") and not account.get("iban"):
            financial["ProprietaryID"] = account["number"]
        item: dict[str, Any] = {"TypeCode": means_code or "58" if account.get("iban")
                                else means_code or "30",
                                "PayeePartyCreditorFinancialAccount": financial}
        if account.get("bic"):
            item["PayeeSpecifiedCreditorFinancialInstitution"] = {"BICID": account["bic"]}
        out.append(item)
    if not out and means_code:
        out.append({"TypeCode": means_code})
    return out or ABSENT


def location(value: Any, scheme: Any) -> Any:
    """A delivery location id (BT-71) as a CII GlobalID item."""
    if not value:
        return ABSENT
    item = {"value": value}
    if scheme:
        item["schemeID"] = scheme
    return [item]


def tax_total(amounts: Any, currency: Any) -> Any:
    """The TaxTotalAmount in `currency` (BT-110), or the only one without a currency."""
    for item in amounts or ():
        if item.get("currencyID") in (None, currency):
            return item.get("value")
    return ABSENT


def other_tax_total(amounts: Any, currency: Any) -> Any:
    """The TaxTotalAmount in another currency (BT-111) as {value, currencyID}, or null."""
    for item in amounts or ():
        if item.get("currencyID") not in (None, currency):
            return {"value": item.get("value"), "currencyID": item["currencyID"]}
    return ABSENT


def tax_totals(tax: Any, currency: Any, other: Any) -> Any:
    """TaxTotalAmount records: BT-110 in the document currency, then BT-111 if known."""
    out = []
    if isinstance(tax, (Decimal, int, str)) and tax != "":
        out.append({"value": tax, "currencyID": currency or "EUR"})
    if isinstance(other, dict) and other.get("value") is not None:
        out.append(dict(other))
    return out or ABSENT


FUNCTIONS = (
    ("cii_references", ("any", "any", "any", "any", "any", "any", "any"), "list",
     references, None, "Canonical references from CII's header documents."),
    ("cii_document", ("any", "string"), "any", document, None,
     "The first reference of a kind as a CII referenced document."),
    ("cii_project", ("any",), "any", project, None,
     "The project reference (BT-11) as a CII SpecifiedProcuringProject."),
    ("cii_invoice_documents", ("any",), "list", invoice_documents, None,
     "The corrected invoices (BG-3) as CII InvoiceReferencedDocument records."),
    ("cii_accounts", ("any",), "list", accounts, None,
     "The payee's bank accounts (BG-17) of CII payment means."),
    ("cii_payment_means", ("any", "any"), "list", payment_means, None,
     "CII payment means from canonical payment terms and bank accounts."),
    ("cii_location", ("any", "any"), "list", location, None,
     "A delivery location id (BT-71) as a CII GlobalID item."),
    ("cii_tax_total", ("any", "any"), "decimal", tax_total, None,
     "The TaxTotalAmount in the document currency (BT-110)."),
    ("cii_other_tax_total", ("any", "any"), "any", other_tax_total, None,
     "The TaxTotalAmount in the tax currency (BT-111), with its currency."),
    ("cii_tax_totals", ("any", "any", "any"), "list", tax_totals, None,
     "TaxTotalAmount records from BT-110 and BT-111."),
)
