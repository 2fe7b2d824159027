"""What a CII file written by passeur does not carry, said before it is written.

The canonical invoice keeps UBL structures the model has no field for in `extensions.ubl_*`
(for the way back to UBL). The CII mapping writes some of them (payment means, accounts);
the ones below it does not, and the document language and contact fax numbers have no
place in the EN 16931 CII. Each is reported as a warning with its business term, found by
comparing UBL -> canonical -> CII -> canonical over the corpus
(tests/einvoice/test_cii_losses.py), so that nothing is lost without a word.
"""

from __future__ import annotations

from typing import Any

from passeur import Issue, Level
from passeur.model import Invoice

__all__ = ["cii_losses"]

#: document extensions the CII mapping does not write: key -> what it is
DOCUMENT = {
    "ubl_unmapped_xml": "UBL elements passeur keeps as XML (written back to UBL only)",
}
#: keys inside each `ubl_payment_means` item the CII mapping does not write
PAYMENT_MEANS: dict[str, str] = {}  # none left: code, text, card, accounts and mandate cross
#: line extensions the CII mapping does not write
LINE = {
}


def _warn(what: str, path: str) -> Issue:
    return Issue(Level.WARNING, f"not written to CII: {what}", "cii.not_carried", path)


def _present(value: Any) -> bool:
    return value not in (None, "", [], {}, ())


def cii_losses(model: Any) -> list[Issue]:
    """A warning for each thing of `model` a CII file of passeur's will not carry."""
    if not isinstance(model, Invoice):
        return []
    found = []
    if model.language:
        found.append(_warn(f"the document language {model.language!r} (UBL LanguageID; "
                           "the EN 16931 CII has no place for it)", "$.language"))
    for role in ("seller", "buyer", "ship_to"):
        party = getattr(model, role)
        if party is not None and party.contact is not None and party.contact.fax:
            found.append(_warn(f"the {role}'s fax number {party.contact.fax!r} (the EN 16931 "
                               "CII contact has none)", f"$.{role}.contact.fax"))
    ext = model.extensions or {}
    for key, what in DOCUMENT.items():
        if _present(ext.get(key)):
            found.append(_warn(what, f"$.extensions.{key}"))
    receipts = ext.get("ubl_receipt_references") or []
    if isinstance(receipts, list) and len(receipts) > 1:  # CII has one (BT-15 is 0..1)
        found.append(_warn(f"the receiving advice references after the first "
                           f"({len(receipts) - 1}; BT-15 is one)",
                           "$.extensions.ubl_receipt_references"))
    for i, means in enumerate(ext.get("ubl_payment_means") or []):
        for key, what in PAYMENT_MEANS.items():
            if isinstance(means, dict) and _present(means.get(key)):
                found.append(_warn(what, f"$.extensions.ubl_payment_means[{i}].{key}"))
    for i, line in enumerate(model.lines):
        if line.tax_amount is not None:
            found.append(_warn(f"line {i + 1}: its VAT amount {line.tax_amount} (EN 16931 "
                               "has no line VAT amount; UBL writes it as the UBL.BE line "
                               "TaxTotal)",
                               f"$.lines[{i}].tax_amount"))
        for key, what in LINE.items():
            if _present((line.extensions or {}).get(key)):
                found.append(_warn(f"line {i + 1}: {what}", f"$.lines[{i}].extensions.{key}"))
    return found
