"""Factur-X (and ZUGFeRD 2) PDFs: the CII invoice embedded in a PDF/A-3, read and written.

Read: the embedded `factur-x.xml` (or `zugferd-invoice.xml`, `xrechnung.xml`) is taken out of
the PDF with pypdf and parsed with passeur's hardened reader (the factur-x library's own
extraction parses with lxml defaults, so it is not used for reading untrusted files); the
profile is named by the factur-x library from the guideline ID. The PDF itself is kept, as
base64, so the document can be written back or carried as an attachment. A PDF without
embedded XML, a ZUGFeRD 1.0 file and a file that is not a PDF are refused with what they are.

Written: the factur-x library embeds the CII XML into the invoice's PDF (the canonical
attachment that is a PDF) with the profile chosen, MINIMUM to EXTENDED (EN 16931 by default),
after passeur drops what the profile does not carry (no lines below BASIC) and the library
checked the XML against the profile's XSD.
"""

from __future__ import annotations

import base64
import io
import logging
from typing import Any

from lxml import etree

from passeur import Issue, Level, WriteRefusedError, Written
from passeur.xml import describe_root, parse_xml, xpath_of
from passeur.xmldata import read_tree, write_tree
from passeur_einvoice.cii import with_mandatory_groups
from passeur_einvoice.cii_tree import INVOICE, PROFILES
from passeur_einvoice.xmlfile import as_bytes, error, root_for

__all__ = ["PROFILES", "read_facturx", "write_facturx"]

_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml")
_GUIDELINE = ("ExchangedDocumentContext", "GuidelineSpecifiedDocumentContextParameter", "ID")


def _embedded(data: bytes) -> tuple[dict[str, bytes], str | None]:
    from pypdf import PdfReader  # a dependency of factur-x
    from pypdf.errors import PdfReadError

    log = logging.getLogger("pypdf")
    level = log.level
    log.setLevel(logging.ERROR)  # pypdf narrates every repair of a damaged file
    try:
        reader = PdfReader(io.BytesIO(data))
        found = {name: contents[0] for name, contents in reader.attachments.items()
                 if contents}
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        return {}, f"the PDF cannot be read: {exc}"
    finally:
        log.setLevel(level)
    return found, None


def embedded_xml(data: bytes) -> tuple[bytes | None, str | None]:
    """The invoice XML inside a Factur-X PDF, or None and why not."""
    attachments, problem = _embedded(data)
    if problem:
        return None, problem
    name = next((n for n in _NAMES if n in attachments), None)
    if name is None:
        return None, ("the PDF has no embedded Factur-X / ZUGFeRD invoice XML (looked for "
                      f"{', '.join(_NAMES)}; attachments: "
                      f"{', '.join(sorted(attachments)) or 'none'})")
    return attachments[name], None


def profile_of(guideline: Any) -> str | None:
    """The Factur-X profile a guideline ID names, in its current form or the Factur-X 1.0
    one (`urn:cen.eu:en16931:2017:compliant:factur-x.eu:1p0:basic`); None for another."""
    text = str(guideline or "")
    for name, urn in PROFILES.items():
        if text == urn:
            return name
    if "factur-x.eu:1p0:" in text or "zugferd" in text.lower():
        tail = text.rsplit(":", 1)[-1].lower()
        return tail if tail in PROFILES else None
    return "en16931" if text.startswith("urn:cen.eu:en16931:2017") else None


def read_facturx(value: Any, source: str = "") -> tuple[dict[str, Any] | None, list[Issue]]:
    """The plain record (the CII invoice, its profile and the PDF) of a Factur-X PDF."""
    data = as_bytes(value)
    if data is None:
        return None, [error("a Factur-X document is read from its PDF file, not from JSON",
                            source)]
    if data.lstrip()[:5] != b"%PDF-":
        if data.lstrip()[:1] == b"<":
            try:
                what = describe_root(parse_xml(data, source).getroot())
            except Exception:
                what = "an XML file"
            return None, [error(f"this is {what}, not a Factur-X PDF (a bare CII invoice "
                                "reads with --from cii)", source, "wire.wrong_system")]
        return None, [error("this is not a PDF file (it does not start with %PDF-)", source,
                            "wire.form")]
    attachments, problem = _embedded(data)
    if problem:
        return None, [error(problem, source, "pdf.input")]
    name = next((n for n in _NAMES if n in attachments), None)
    if name is None:
        listing = ", ".join(sorted(attachments)) or "none"
        return None, [error("the PDF has no embedded Factur-X / ZUGFeRD invoice XML (looked "
                            f"for {', '.join(_NAMES)}; attachments: {listing})", source,
                            "facturx.no_xml")]
    root, _syntax, problems = root_for(attachments[name], f"{source}!{name}", "cii",
                                       "a CII CrossIndustryInvoice")
    if root is None:
        return None, problems
    plain, issues = read_tree(INVOICE, root, source)
    guideline = _get(plain, _GUIDELINE)
    plain["Profile"] = profile_of(guideline)
    plain["PDF"] = base64.b64encode(data).decode("ascii")
    plain["PDFName"] = source.rsplit("/", 1)[-1] or "invoice.pdf"
    others = sorted(n for n in attachments if n != name)
    if others:
        issues.append(Issue(Level.INFO, f"the PDF also carries {', '.join(others)}; they stay "
                            "inside the PDF kept with the document", "facturx.attachments",
                            "$.PDF", source or None))
    return plain, issues


def _get(plain: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = plain
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _for_profile(plain: dict[str, Any], profile: str) -> dict[str, Any]:
    """The CII record with the guideline of `profile` and without what it does not carry."""
    record = {k: v for k, v in plain.items() if k not in ("Profile", "PDF", "PDFName")}
    context = dict(record.get("ExchangedDocumentContext") or {})
    guideline = (context.get("GuidelineSpecifiedDocumentContextParameter") or {}).get("ID")
    if profile_of(guideline) != profile:  # keep the document's own form of its profile
        context["GuidelineSpecifiedDocumentContextParameter"] = {"ID": PROFILES[profile]}
    record["ExchangedDocumentContext"] = context
    document = dict(record.get("ExchangedDocument") or {})
    document.pop("LanguageID", None)  # not in the Factur-X schemas (D16B has it)
    record["ExchangedDocument"] = document
    if profile in ("minimum", "basicwl"):
        transaction = dict(record.get("SupplyChainTradeTransaction") or {})
        transaction.pop("IncludedSupplyChainTradeLineItem", None)
        record["SupplyChainTradeTransaction"] = transaction
    return record


def write_facturx(plain: dict[str, Any]) -> bytes | Written:
    """A Factur-X PDF: the plain record's CII XML embedded in its PDF with its profile."""
    from facturx import generate_from_binary

    profile = str(plain.get("Profile") or "en16931").lower().replace(" ", "")
    if profile not in PROFILES:
        raise WriteRefusedError(f"unknown Factur-X profile {profile!r} "
                                f"(expected one of: {', '.join(PROFILES)})")
    pdf = plain.get("PDF")
    if not pdf:
        raise WriteRefusedError("a Factur-X PDF needs the invoice's PDF (none was given)")
    agreement = ((plain.get("SupplyChainTradeTransaction") or {})
                 .get("ApplicableHeaderTradeAgreement") or {})
    if not (agreement.get("SellerTradeParty") or {}).get("Name"):  # the library's IndexError
        raise WriteRefusedError("a Factur-X PDF names its seller (BT-27) in its metadata, and "
                                "this document has none: give it with `--seller FILE` (see "
                                "docs/einvoices.md)")
    xml, left_out = fit_profile(write_tree(INVOICE, with_mandatory_groups(
        _for_profile(plain, profile))), profile)
    try:
        out: bytes = generate_from_binary(base64.b64decode(pdf), xml, flavor="factur-x",
                                          level=profile, check_xsd=True)
    except Exception as exc:  # the library raises bare Exceptions
        raise WriteRefusedError(f"the factur-x library refused the {profile.upper()} XML: "
                                f"{str(exc)[:500]}") from None
    issues = tuple(Issue(Level.WARNING, f"the {profile.upper()} profile does not carry "
                         f"{path}: left out of the Factur-X XML", "facturx.profile", "$")
                   for path in left_out)
    return Written(out, issues) if issues else out


def _schema(profile: str) -> Any:
    import importlib.resources

    from facturx.facturx import FACTURX_LEVEL2xsd

    path = importlib.resources.files("facturx") / "xsd_and_schematron" / \
        FACTURX_LEVEL2xsd[profile]
    return etree.XMLSchema(file=str(path))


def fit_profile(xml: bytes, profile: str) -> tuple[bytes, list[str]]:
    """The CII XML without the elements the profile's XSD does not allow, and their paths.

    Each XSD error "This element is not expected" names an element (and its line) a profile
    has no place for; it is removed and the check run again, until the XML fits (or an
    error of another kind remains, which the library then reports).
    """
    schema = _schema(profile)
    left_out: list[str] = []
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    compact = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
    for _ in range(500):
        # laid out afresh each time: line numbers name elements, and no blank text is left
        # in an element emptied by a removal
        root = etree.fromstring(etree.tostring(etree.fromstring(xml, compact),
                                               pretty_print=True), parser)
        if schema.validate(root):
            xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
            break
        error = next((e for e in schema.error_log if "is not expected" in e.message
                      or "content type is empty" in e.message), None)
        if error is None:
            break
        culprit = next((el for el in root.iter() if el.sourceline == error.line
                        and isinstance(el.tag, str)), None)
        if culprit is None or culprit.getparent() is None:
            break
        if "content type is empty" in error.message:  # a group the profile keeps empty
            doomed = [c for c in culprit if isinstance(c.tag, str)]
        else:
            doomed = [culprit]
        for element in doomed:
            left_out.append(xpath_of(element))
            parent = element.getparent()
            parent.remove(element)
            if len(parent) == 0 and not (parent.text or "").strip():
                parent.text = None  # emptied: no layout whitespace left as content
        xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml, left_out
