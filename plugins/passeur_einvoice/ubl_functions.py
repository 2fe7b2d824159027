"""Mapping functions for UBL references and payment means (what the language cannot merge).

The canonical model keeps a document's references in one list told apart by `kind`; UBL
spreads them over a dozen elements, and keeps payment accounts inside payment means. Merging
several lists into one and picking items of a list by a field's value are what these do.
"""

from __future__ import annotations

from typing import Any

from passeur.dsl import ABSENT

__all__ = ["FUNCTIONS"]

#: what writers put in OrderReference/ID, which UBL requires, when only a sales order
#: (BT-14) is known: not a purchase order number (passeur writes "NA")
_PLACEHOLDERS = frozenset({"NA", "N/A", "n/a", "-", "Dummywert"})
_LISTS = (("ContractDocumentReference", "contract"), ("ProjectReference", "project"),
          ("DespatchDocumentReference", "delivery"))


def references(buyer: Any, order: Any, billing: Any, contract: Any, project: Any,
               despatch: Any) -> Any:
    """Canonical references from UBL's BuyerReference, OrderReference, BillingReference,
    ContractDocumentReference, ProjectReference and DespatchDocumentReference."""
    out: list[dict[str, Any]] = []
    if buyer:  # absent (falsy), null and "" give nothing
        out.append({"kind": "buyer_reference", "value": buyer})
    if isinstance(order, dict):
        if order.get("ID") not in (None, "") and not (
                order.get("SalesOrderID") and order["ID"] in _PLACEHOLDERS):
            out.append({"kind": "order", "value": order["ID"]})
        if order.get("SalesOrderID") not in (None, ""):
            out.append({"kind": "sales_order", "value": order["SalesOrderID"]})
    for item in billing or ():
        ref = item.get("InvoiceDocumentReference") or {}
        if ref.get("ID") not in (None, ""):
            entry = {"kind": "original_invoice", "value": ref["ID"]}
            if ref.get("IssueDate") is not None:
                entry["date"] = ref["IssueDate"]
            out.append(entry)
    for items, kind in ((contract, "contract"), (project, "project"), (despatch, "delivery")):
        for item in items or ():
            if item.get("ID") not in (None, ""):
                out.append({"kind": kind, "value": item["ID"]})
    return out or ABSENT


def reference(refs: Any, kind: Any) -> Any:
    """The value of the first reference of a kind, or null."""
    for ref in refs or ():
        if ref.get("kind") == kind:
            return ref.get("value")
    return ABSENT


def reference_ids(refs: Any, kind: Any) -> Any:
    """The references of a kind as UBL [{ID}] records, or null."""
    out = [{"ID": r["value"]} for r in refs or () if r.get("kind") == kind]
    return out or ABSENT


def billing(refs: Any) -> Any:
    """The invoices a document corrects (BG-3) as UBL BillingReference records."""
    out = []
    for ref in refs or ():
        if ref.get("kind") == "original_invoice":
            doc = {"ID": ref["value"]}
            if ref.get("date") is not None:
                doc["IssueDate"] = ref["date"]
            out.append({"InvoiceDocumentReference": doc})
    return out or ABSENT


def order(refs: Any) -> Any:
    """The OrderReference (BT-13, BT-14); UBL needs its ID when a sales order is given."""
    ordered, sales = reference(refs, "order"), reference(refs, "sales_order")
    if not ordered and not sales:  # absent is falsy
        return ABSENT
    out = {"ID": ordered if ordered else "NA"}
    if sales:
        out["SalesOrderID"] = sales
    return out


def accounts(means: Any) -> Any:
    """The payee's bank accounts (BG-17) of UBL PaymentMeans."""
    out = []
    for item in means or ():
        account = item.get("PayeeFinancialAccount")
        if not account:
            continue
        entry: dict[str, Any] = {}
        if account.get("ID"):
            entry["iban"] = account["ID"]
        if account.get("Name"):
            entry["holder"] = account["Name"]
        bic = (account.get("FinancialInstitutionBranch") or {}).get("ID")
        if bic:
            entry["bic"] = bic
        out.append(entry)
    return out or ABSENT


def first(items: Any, key: Any) -> Any:
    """Field `key` of the first item of a list that has it, or absent."""
    for item in items or ():
        if isinstance(item, dict) and item.get(key) not in (None, ""):
            return item[key]
    return ABSENT


def payment_means(code: Any, reference_: Any, bank_accounts: Any) -> Any:
    """UBL PaymentMeans from canonical payment terms and the seller's accounts: one per
    account (credit transfer, 30, unless the terms name a code), else one without."""
    means_code = str(code) if code and str(code).isdigit() else None
    out = []
    for account in bank_accounts or ():
        if not account.get("iban") and not account.get("number"):
            continue
        item: dict[str, Any] = {"PaymentMeansCode": means_code or "30"}
        if reference_:
            item["PaymentID"] = reference_
        financial: dict[str, Any] = {"ID": account.get("iban") or account.get("number")}
        if account.get("holder"):
            financial["Name"] = account["holder"]
        if account.get("bic"):
            financial["FinancialInstitutionBranch"] = {"ID": account["bic"]}
        item["PayeeFinancialAccount"] = financial
        out.append(item)
    if not out and (means_code or reference_):
        item = {"PaymentMeansCode": means_code or "1"}
        if reference_:
            item["PaymentID"] = reference_
        out.append(item)
    return out or ABSENT


FUNCTIONS = (
    ("ubl_references", ("any", "any", "any", "any", "any", "any"), "list", references, None,
     "Canonical references from UBL's reference elements."),
    ("xml_reference", ("any", "string"), "any", reference, None,
     "The value of the first reference of a kind."),
    ("ubl_reference_ids", ("any", "string"), "list", reference_ids, None,
     "References of a kind as UBL [{ID}] records."),
    ("ubl_billing", ("any",), "list", billing, None,
     "The corrected invoices (BG-3) as UBL BillingReference records."),
    ("ubl_order", ("any",), "any", order, None,
     "The UBL OrderReference (BT-13, BT-14) from canonical references."),
    ("ubl_accounts", ("any",), "list", accounts, None,
     "The payee's bank accounts (BG-17) of UBL PaymentMeans."),
    ("xml_first", ("any", "string"), "any", first, None,
     "A field of the first item of a list that has it."),
    ("ubl_payment_means", ("any", "any", "any"), "list", payment_means, None,
     "UBL PaymentMeans from canonical payment terms and bank accounts."),
)
