"""Mapping functions for what the mapping language cannot say about UBL parties.

A party's identifiers stand in three UBL places told apart by attributes (`PartyIdentification/
ID@schemeID`, `PartyTaxScheme/CompanyID` with `TaxScheme/ID` VAT, `PartyLegalEntity/CompanyID
@schemeID`): the language would need a filter on a list by a field's value and a way to merge
several lists into one. Forward, `ubl_party_ids` gives the canonical identifiers (ISO 6523 ICD
codes as schemes, in a fixed order so a round trip is stable); backward, one function per UBL
place picks the identifiers that belong there. The same functions serve CII (its `ID`,
`GlobalID@schemeID`, `SpecifiedTaxRegistration/ID@schemeID` and legal organisation).
"""

from __future__ import annotations

from typing import Any

__all__ = ["FUNCTIONS", "ICD", "legal_id", "legal_scheme", "other_ids", "party_ids", "tax_ids"]

#: ISO 6523 ICD codes passeur knows by name (EN 16931 code list for BT-29/30/46/47).
ICD = {"0002": "siren", "0009": "siret", "0088": "gln", "0199": "lei", "0208": "bce"}
_ICD_OF = {v: k for k, v in ICD.items()}
_ORDER = ("vat", "bce", "siren", "siret", "gln", "lei", "other")
#: schemes that are a legal registration (written as PartyLegalEntity/CompanyID)
_LEGAL = ("bce", "siren")


def _ident(value: Any, icd: Any) -> dict[str, Any] | None:
    if value in (None, ""):
        return None
    code = str(icd) if icd not in (None, "") else None
    scheme = ICD.get(code or "", "other")
    ident: dict[str, Any] = {"value": str(value), "scheme": scheme}
    if scheme == "other" and code:
        ident["system"] = f"iso6523:{code}"
    return ident


def party_ids(ids: Any, tax: Any, legal: Any) -> list[dict[str, Any]] | None:
    """Canonical identifiers from UBL/CII lists of {ID, ID_schemeID}, tax schemes and legal
    entities (each a list of plain records, or absent)."""
    found: list[dict[str, Any]] = []
    for item in ids or ():
        found.append(_ident(item.get("ID"), item.get("ID_schemeID")) or {})
    for item in tax or ():
        scheme = (item.get("TaxScheme") or {}).get("ID", "VAT")
        value = item.get("CompanyID")
        if value not in (None, ""):
            found.append({"value": str(value), "scheme": "vat"} if scheme == "VAT"
                         else {"value": str(value), "scheme": "other",
                               "system": f"tax:{scheme}"})
    for item in ([legal] if isinstance(legal, dict) else legal or ()):
        found.append(_ident(item.get("CompanyID"), item.get("CompanyID_schemeID")) or {})
    unique: list[dict[str, Any]] = []
    for ident in found:
        if ident and ident not in unique:
            unique.append(ident)
    if not unique and not (ids or tax or legal):
        return None
    unique.sort(key=_rank)
    return unique


def _rank(ident: dict[str, Any]) -> tuple[int, int]:
    """Where an identifier goes in the canonical list: by scheme, tax numbers first among
    the others (the order UBL and CII write them back in)."""
    scheme = ident.get("scheme", "other")
    place = _ORDER.index(scheme) if scheme in _ORDER else len(_ORDER)
    return place, 0 if str(ident.get("system") or "").startswith("tax:") else 1


def _code(ident: dict[str, Any]) -> str | None:
    system = str(ident.get("system") or "")
    if system.startswith("iso6523:"):
        return system.removeprefix("iso6523:")
    return _ICD_OF.get(str(ident.get("scheme")))


def tax_ids(identifiers: Any) -> list[dict[str, Any]] | None:
    """The VAT (and other tax) identifiers as UBL PartyTaxScheme records."""
    out = []
    for ident in identifiers or ():
        system = str(ident.get("system") or "")
        if ident.get("scheme") == "vat":
            out.append({"CompanyID": ident["value"], "TaxScheme": {"ID": "VAT"}})
        elif system.startswith("tax:"):
            out.append({"CompanyID": ident["value"],
                        "TaxScheme": {"ID": system.removeprefix("tax:")}})
    return out or None


def _legal(identifiers: Any) -> dict[str, Any] | None:
    for ident in identifiers or ():
        if ident.get("scheme") in _LEGAL:
            return dict(ident)
    return None


def legal_id(identifiers: Any) -> Any:
    """The legal registration number (BCE/KBO, SIREN): PartyLegalEntity/CompanyID."""
    ident = _legal(identifiers)
    return None if ident is None else ident["value"]


def legal_scheme(identifiers: Any) -> Any:
    """The ISO 6523 code of the legal registration (0208 for BCE, 0002 for SIREN)."""
    ident = _legal(identifiers)
    return None if ident is None else _code(ident)


def other_ids(identifiers: Any) -> list[dict[str, Any]] | None:
    """The remaining identifiers as {ID, ID_schemeID} (PartyIdentification)."""
    out = []
    legal_done = False
    for ident in identifiers or ():
        scheme = ident.get("scheme")
        system = str(ident.get("system") or "")
        if scheme == "vat" or system.startswith("tax:"):
            continue
        if scheme in _LEGAL and not legal_done:
            legal_done = True
            continue
        item = {"ID": ident["value"]}
        code = _code(ident)
        if code:
            item["ID_schemeID"] = code
        out.append(item)
    return out or None


def compact(*values: Any) -> Any:
    """The values that are neither null nor empty, as a list (address lines)."""
    out = [v for v in values if v]  # absent (falsy), null and "" are left out
    return out or None


def nth(values: Any, index: Any) -> Any:
    """Item `index` (1 is the first) of a list, or null."""
    if not isinstance(values, list):
        return None
    i = int(index) - 1
    return values[i] if 0 <= i < len(values) else None


def rest(values: Any, start: Any) -> Any:
    """The items from position `start` on (1 is the first), or null when there are none."""
    if not isinstance(values, list):
        return None
    tail = values[int(start) - 1:]
    return tail or None


def texts(items: Any) -> Any:
    """[{value}] (a repeated UBL text element) as a list of texts."""
    return None if items is None else [i.get("value") for i in items if isinstance(i, dict)]


def items(values: Any) -> Any:
    """Inverse of `texts`."""
    return None if values is None else [{"value": v} for v in values]


FUNCTIONS = (
    ("xml_party_ids", ("any", "any", "any"), "list", party_ids, None,
     "A party's identifiers from its UBL/CII identification, tax scheme and legal lists."),
    ("xml_tax_ids", ("any",), "list", tax_ids, None,
     "A party's VAT (and other tax) identifiers as UBL PartyTaxScheme records."),
    ("xml_legal_id", ("any",), "string", legal_id, None,
     "A party's legal registration number (BCE, SIREN) among its identifiers."),
    ("xml_legal_scheme", ("any",), "string", legal_scheme, None,
     "The ISO 6523 code of a party's legal registration (0208, 0002)."),
    ("xml_other_ids", ("any",), "list", other_ids, None,
     "A party's other identifiers (GLN, SIRET...) as {ID, ID_schemeID} records."),
    ("xml_compact", ("any...",), "list", compact, None,
     "The values given that are neither null nor empty, as a list (address lines)."),
    ("xml_nth", ("any", "integer"), "any", nth, None,
     "Item N of a list (1 is the first), or null."),
    ("xml_rest", ("any", "integer"), "list", rest, None,
     "The items of a list from position N on, or null."),
    ("xml_texts", ("any",), "list", texts, "xml_items",
     "A repeated XML text element ([{value}]) as a list of texts."),
    ("xml_items", ("any",), "list", items, "xml_texts",
     "A list of texts as a repeated XML text element ([{value}])."),
)
