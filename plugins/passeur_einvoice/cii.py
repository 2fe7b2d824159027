"""CII files as plain records and back: what `passeur convert --from cii` reads and writes.

Read: a D16B CrossIndustryInvoice (Factur-X / ZUGFeRD 2 / XRechnung CII) through passeur's
hardened XML reader; ZUGFeRD 1.0, Order-X and UBL are refused with their names. Written:
a CrossIndustryInvoice with the EN 16931 guideline unless the document names another.
"""

from __future__ import annotations

from typing import Any

from passeur import Issue, Written
from passeur.xmldata import read_tree, write_tree
from passeur_einvoice.cii_tree import INVOICE
from passeur_einvoice.xmlfile import root_for
from passeur_einvoice.xsd import schema_issues

__all__ = ["read_cii", "with_mandatory_groups", "write_cii"]


def read_cii(value: Any, source: str = "") -> tuple[dict[str, Any] | None, list[Issue]]:
    """The plain record of a CII invoice, and the problems found."""
    root, _syntax, problems = root_for(value, source, "cii", "a CII CrossIndustryInvoice")
    if root is None:
        return None, problems
    return read_tree(INVOICE, root, source)


_MANDATORY = ("ApplicableHeaderTradeAgreement", "ApplicableHeaderTradeDelivery",
              "ApplicableHeaderTradeSettlement")


def with_mandatory_groups(plain: dict[str, Any]) -> dict[str, Any]:
    """The record with the groups the D16B schema requires even when empty (a delivery
    group without a delivery date, a context without a business process)."""
    record = dict(plain)
    record.setdefault("ExchangedDocumentContext", {})
    transaction = dict(record.get("SupplyChainTradeTransaction") or {})
    for name in _MANDATORY:
        transaction.setdefault(name, {})
    agreement = dict(transaction["ApplicableHeaderTradeAgreement"])
    agreement.setdefault("SellerTradeParty", {})
    agreement.setdefault("BuyerTradeParty", {})
    transaction["ApplicableHeaderTradeAgreement"] = agreement
    record["SupplyChainTradeTransaction"] = transaction
    return record


def write_cii(plain: dict[str, Any]) -> Written:
    """A CII CrossIndustryInvoice for a plain record, with the schema's verdict."""
    data = write_tree(INVOICE, with_mandatory_groups(plain))
    return Written(data, tuple(schema_issues(data)))
