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

from decimal import Decimal
from typing import Any

from passeur.dsl import ABSENT

__all__ = ["FUNCTIONS", "ICD", "cii_party_ids", "legal_id", "legal_scheme", "other_ids",
           "party_ids", "tax_ids"]

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
        if value not in (None, ""):  # a tax number that is not VAT: BT-32, CII scheme FC
            found.append({"value": str(value), "scheme": "vat"} if scheme == "VAT"
                         else {"value": str(value), "scheme": "other", "system": "tax:FC"})
    for item in ([legal] if isinstance(legal, dict) else legal or ()):
        found.append(_ident(item.get("CompanyID"), item.get("CompanyID_schemeID")) or {})
    unique: list[dict[str, Any]] = []
    for ident in found:
        if ident and ident not in unique:
            unique.append(ident)
    if not unique and not (ids or tax or legal):
        return ABSENT
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
            out.append({"CompanyID": ident["value"], "TaxScheme": {"ID": "FC"}})
    return out or ABSENT


def cii_party_ids(ids: Any, global_ids: Any, legal: Any, registrations: Any) -> Any:
    """Canonical identifiers of a CII trade party: its `ID`s, `GlobalID@schemeID`s, legal
    organisation and tax registrations (schemeID VA: VAT, FC: a national tax number)."""
    plain = [{"ID": i.get("value")} for i in ids or ()]
    plain += [{"ID": i.get("value"), "ID_schemeID": i.get("schemeID")} for i in global_ids or ()]
    tax = [{"CompanyID": r.get("ID"),
            "TaxScheme": {"ID": "VAT" if r.get("ID_schemeID", "VA") == "VA" else "FC"}}
           for r in registrations or ()]
    legal_ = ({"CompanyID": legal.get("ID"), "CompanyID_schemeID": legal.get("ID_schemeID")}
              if isinstance(legal, dict) else None)
    return party_ids(plain, tax, legal_)


def cii_ids(identifiers: Any) -> Any:
    """A party's identifiers without a scheme, as CII `ID` items."""
    out = [{"value": i["ID"]} for i in other_ids(identifiers) or () if "ID_schemeID" not in i]
    return out or ABSENT


def cii_global_ids(identifiers: Any) -> Any:
    """A party's identifiers with an ISO 6523 scheme, as CII `GlobalID@schemeID` items."""
    out = [{"value": i["ID"], "schemeID": i["ID_schemeID"]}
           for i in other_ids(identifiers) or () if "ID_schemeID" in i]
    return out or ABSENT


def cii_tax_registrations(identifiers: Any) -> Any:
    """A party's VAT (VA) and other tax (FC) numbers as CII SpecifiedTaxRegistration."""
    out = [{"ID": t["CompanyID"], "ID_schemeID": "VA" if t["TaxScheme"]["ID"] == "VAT"
            else "FC"} for t in tax_ids(identifiers) or ()]
    return out or ABSENT


def _legal(identifiers: Any) -> dict[str, Any] | None:
    for ident in identifiers or ():
        if ident.get("scheme") in _LEGAL:
            return dict(ident)
    return None


def legal_id(identifiers: Any) -> Any:
    """The legal registration number (BCE/KBO, SIREN): PartyLegalEntity/CompanyID."""
    ident = _legal(identifiers)
    return ABSENT if ident is None else ident["value"]


def legal_scheme(identifiers: Any) -> Any:
    """The ISO 6523 code of the legal registration (0208 for BCE, 0002 for SIREN)."""
    ident = _legal(identifiers)
    return ABSENT if ident is None else _code(ident)


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
    return out or ABSENT


def compact(*values: Any) -> Any:
    """The values that are neither null nor empty, as a list (address lines); a list of
    records given among them (UBL AddressLine) gives the text of each."""
    out: list[Any] = []
    for value in values:
        if isinstance(value, list):
            out += [next(iter(v.values()), None) if isinstance(v, dict) else v for v in value]
        else:
            out.append(value)
    kept = [v for v in out if v]  # absent (falsy), null and "" are left out
    return kept or ABSENT


def address_lines(lines: Any) -> Any:
    """Address lines beyond the second as UBL AddressLine records."""
    return [{"Line": line} for line in lines] if isinstance(lines, list) and lines else ABSENT


def note_text(value: Any) -> Any:
    """A UBL note's text without its `#CODE#` subject prefix (Peppol, XRechnung)."""
    if isinstance(value, str) and value.startswith("#") and value.count("#") >= 2:
        code, _, text = value[1:].partition("#")
        if code.isalnum() and len(code) <= 4:
            return text
    return value


def note_subject(value: Any) -> Any:
    """The subject code (BT-21) a UBL note carries as a `#CODE#` prefix, or absent."""
    if isinstance(value, str) and value.startswith("#") and value.count("#") >= 2:
        code = value[1:].partition("#")[0]
        if code.isalnum() and len(code) <= 4:
            return code
    return ABSENT


def note(text: Any, subject: Any) -> Any:
    """A UBL note from a text and its subject code."""
    if not isinstance(text, str):
        return ABSENT
    return f"#{subject}#{text}" if subject else text


def nth(values: Any, index: Any) -> Any:
    """Item `index` (1 is the first) of a list, or absent."""
    if not isinstance(values, list):
        return ABSENT
    i = int(index) - 1
    return values[i] if 0 <= i < len(values) else ABSENT


def rest(values: Any, start: Any) -> Any:
    """The items from position `start` on (1 is the first), or absent when there are none."""
    if not isinstance(values, list):
        return ABSENT
    tail = values[int(start) - 1:]
    return tail or ABSENT


def net_allowance(items: Any, indicator: Any, amount: Any) -> Any:
    """Line allowances minus line charges (BG-27, BG-28) as one net discount (BT-136)."""
    total = None
    for item in items or ():
        value = item.get(amount)
        if value is None:
            continue
        total = (total or 0) + (-value if item.get(indicator) else value)
    return ABSENT if total is None else total


def allowance_records(discount: Any, indicator: Any, amount: Any) -> Any:
    """A line's net discount as one allowance record (or a charge when negative)."""
    if discount is None or discount == "" or not isinstance(discount, (int, Decimal)):
        return ABSENT
    if discount == 0:
        return ABSENT
    return [{indicator: discount < 0, amount: abs(discount)}]


def texts(items: Any) -> Any:
    """[{value}] (a repeated UBL text element) as a list of texts."""
    return None if items is None else [i.get("value") for i in items if isinstance(i, dict)]


def items(values: Any) -> Any:
    """Inverse of `texts`."""
    return None if values is None else [{"value": v} for v in values]


#: Functions whose inverse does not give back exactly what they read (`<->` needs `keep`).
INEXACT = {
    "xml_texts": "an item's attributes and non-object items are not written back",
    "xml_items": "an item's attributes and non-object items are not written back",
}

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
    ("cii_party_ids", ("any", "any", "any", "any"), "list", cii_party_ids, None,
     "A CII trade party's identifiers (ID, GlobalID, legal organisation, tax registrations)."),
    ("cii_ids", ("any",), "list", cii_ids, None,
     "A party's identifiers without a scheme, as CII ID items."),
    ("cii_global_ids", ("any",), "list", cii_global_ids, None,
     "A party's identifiers with an ISO 6523 scheme, as CII GlobalID items."),
    ("cii_tax_registrations", ("any",), "list", cii_tax_registrations, None,
     "A party's VAT and tax numbers as CII SpecifiedTaxRegistration items."),
    ("xml_compact", ("any...",), "list", compact, None,
     "The values given that are neither null nor empty, as a list (address lines)."),
    ("xml_address_lines", ("any",), "list", address_lines, None,
     "Address lines as UBL AddressLine records."),
    ("xml_note_text", ("any",), "string", note_text, None,
     "A UBL note's text without its #CODE# subject prefix."),
    ("xml_note_subject", ("any",), "string", note_subject, None,
     "The subject code a UBL note carries as a #CODE# prefix."),
    ("xml_note", ("any", "any"), "string", note, None,
     "A UBL note from its text and subject code (#CODE#text)."),
    ("xml_nth", ("any", "integer"), "any", nth, None,
     "Item N of a list (1 is the first), or null."),
    ("xml_rest", ("any", "integer"), "list", rest, None,
     "The items of a list from position N on, or null."),
    ("xml_net_allowance", ("any", "string", "string"), "decimal", net_allowance, None,
     "Line allowances minus line charges as one net discount (BT-136)."),
    ("xml_allowance_records", ("any", "string", "string"), "list", allowance_records, None,
     "A line's net discount as one allowance (or charge) record."),
    ("xml_texts", ("any",), "list", texts, "xml_items",
     "A repeated XML text element ([{value}]) as a list of texts."),
    ("xml_items", ("any",), "list", items, "xml_texts",
     "A list of texts as a repeated XML text element ([{value}])."),
)
