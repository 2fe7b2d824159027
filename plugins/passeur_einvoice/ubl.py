"""UBL files as plain records and back: what `passeur convert --from ubl` reads and writes.

Read: an Invoice or a CreditNote (bytes as found on disk), through passeur's hardened XML
reader; any other syntax is refused with its name ("this is a CII invoice: read it with
--from cii"). A CreditNote gives the same plain record as an Invoice (see `tree`), its due date
(`PaymentMeans/PaymentDueDate` in UBL 2.1) as `DueDate`. Written: an Invoice, or a CreditNote
when the type code is a credit-note code, as Peppol BIS Billing 3.0 by default (its
CustomizationID and ProfileID when the document names none).
"""

from __future__ import annotations

from typing import Any

from passeur import Issue, Level
from passeur.xml import XMLInputError, describe_root, detect_syntax, parse_xml
from passeur.xmldata import read_tree, write_tree
from passeur_einvoice.ubl_tree import CREDIT_NOTE, CREDIT_NOTE_CODES, INVOICE, RENAMES

__all__ = ["PEPPOL_CUSTOMIZATION", "PEPPOL_PROFILE", "read_ubl", "write_ubl"]

PEPPOL_CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PEPPOL_PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
_BACK = {v: k for k, v in RENAMES.items()}


def _rename(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {names.get(k, k): _rename(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_rename(v, names) for v in value]
    return value


def _error(message: str, source: str, code: str = "wire.form") -> Issue:
    return Issue(Level.ERROR, message, code, "$", source or None)


def as_bytes(value: Any) -> bytes | None:
    """The input as bytes (the XML formats read files as they are, not as JSON)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return None


def read_ubl(value: Any, source: str = "") -> tuple[dict[str, Any] | None, list[Issue]]:
    """The plain record of a UBL Invoice or CreditNote, and the problems found."""
    data = as_bytes(value)
    if data is None:
        return None, [_error("a UBL document is read from its XML file, not from JSON",
                             source)]
    try:
        root = parse_xml(data, source).getroot()
    except XMLInputError as exc:
        return None, [_error(exc.reason if not exc.line else str(exc), source, "xml.input")]
    syntax = detect_syntax(root)
    if syntax is None or syntax.system != "ubl":
        hint = f": read it with --from {syntax.system}" if syntax and syntax.system else ""
        return None, [_error(f"this is {describe_root(root)}, not a UBL Invoice or "
                             f"CreditNote{hint}", source, "wire.wrong_system")]
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
    return plain, issues


def write_ubl(plain: dict[str, Any]) -> bytes:
    """A UBL document for a plain record (Peppol BIS 3.0 identifiers unless it has its own)."""
    record = dict(plain)
    if not record.get("CustomizationID"):  # a document that names no profile: Peppol BIS 3
        record["CustomizationID"] = PEPPOL_CUSTOMIZATION
        record.setdefault("ProfileID", PEPPOL_PROFILE)
    code = str(record.get("InvoiceTypeCode") or "380")
    record["InvoiceTypeCode"] = code
    if code not in CREDIT_NOTE_CODES:
        return write_tree(INVOICE, record)
    due = record.pop("DueDate", None)
    if due is not None:
        means = [dict(m) for m in record.get("PaymentMeans") or []]
        if means:
            means[0].setdefault("PaymentDueDate", due)
            record["PaymentMeans"] = means
        else:
            record["PaymentMeans"] = [{"PaymentMeansCode": "1", "PaymentDueDate": due}]
    return write_tree(CREDIT_NOTE, _rename(record, RENAMES))
