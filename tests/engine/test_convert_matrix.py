"""Any to any: every registered reader to every writer of the same canonical document type.

Each reader gets a sample document whose business facts are written below by hand from the
corpus (MANIFEST.csv) or the seeds. Every pair must convert, and its output, read back by
the target's own reader, must carry those facts (number, issue date, currency, the
document's total with tax at its scale, the line count) unless an issue said what was not
kept; the few pairs that may not convert are listed with the refusal they must give. A
document that reaches the canonical model and comes back to its own system keeps its
identity (number, name...).
"""

from __future__ import annotations

import importlib.util
import json
import re
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from passeur import Level, WireFormat, load_registry
from passeur.engine.convert import Converter, DocumentOutcome, parse_endpoint
from passeur.model import Invoice
from passeur.serialize import structure
from passeur.testing import same_value

ROOT = Path(__file__).resolve().parents[2]
TESTDATA = ROOT.parent / "shared" / "testdata" / "vosfactures"
GOLDEN = ROOT / "tests" / "fixtures" / "golden"


@cache
def _registry() -> Any:
    return load_registry()


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


SAMPLES: dict[str, Any] = {
    "erpconnector.invoice": lambda: _load(GOLDEN / "acomba_seed004" / "input.json"),
    "vosfactures.invoice": lambda: _load(TESTDATA / "invoice_get.json"),
    "vosfactures.client": lambda: _load(TESTDATA / "client_get.json"),
    "vosfactures.product": lambda: {"name": "ProduitA", "code": "A001", "price_gross": "100",
                                    "tax": "20"},
    "vosfactures.payment": lambda: {"price": "100.00", "currency": "EUR", "paid": True,
                                    "name": "Titre du Paiement", "kind": "api"},
    "vosfactures.department": lambda: {"name": "Entreprise ABC", "tax_no": "FR40303265045"},
    "ubl.invoice": lambda: (TESTDATA.parent / "ubl" / "peppol" / "base-example.xml").read_bytes(),
    "coda.statement": lambda: _first_statement(ROOT.parent / "shared" / "testdata" / "coda"
                                               / "CODA.txt"),
    "camt053.statement": lambda: _first_statement(ROOT.parent / "shared" / "testdata" / "coda"
                                                  / "CODA.txt"),
    "cii.invoice": lambda: (TESTDATA.parent / "cii" / "en16931" / "CII_example1.xml").read_bytes(),
    "facturx.invoice": lambda: (TESTDATA.parent / "facturx" / "invoice_EN16931.pdf").read_bytes(),
}
# what identifies the sample, read on the input and on the output of the same system
IDENTITY: dict[str, Any] = {
    "erpconnector.invoice": lambda d: d["Facture"]["InfoClientFacturerA"]["NoClient"],
    "vosfactures.invoice": lambda d: d.get("invoice", d)["number"],
    "vosfactures.client": lambda d: d.get("client", d)["name"],
    "vosfactures.product": lambda d: d.get("product", d)["code"],
    "vosfactures.payment": lambda d: Decimal(d.get("banking_payment", d)["price"]),
    "vosfactures.department": lambda d: d.get("department", d)["tax_no"],
    "ubl.invoice": lambda d: re.search(rb"<cbc:ID>([^<]*)</cbc:ID>", d).group(1),
    "coda.statement": lambda d: d["number"] if isinstance(d, dict) else d.number,
    "camt053.statement": lambda d: d["number"] if isinstance(d, dict) else d.number,
    "cii.invoice": lambda d: re.search(rb"<ram:ID>([^<]*)</ram:ID>", d.split(
        b"ExchangedDocument>", 1)[1]).group(1),
    "facturx.invoice": lambda d: _facturx_number(d),
}


# the tutorial's third-party package, when installed (nox installs it)
SAGE100 = ROOT / "tests" / "plugins" / "sage100_plugin" / "samples" / "ventes-2024-03.csv"
if importlib.util.find_spec("passeur_sage100") is not None:
    SAMPLES["sage100.invoice"] = lambda: _first_document("sage100.invoice", SAGE100)
    IDENTITY["sage100.invoice"] = lambda rows: rows[0]["DO_Piece"]


def _first_document(name: str, path: Path) -> Any:
    """The first document a format's own reader cuts out of a file."""
    fmt: WireFormat = _registry().formats[name]
    with path.open("rb") as stream:
        return next(iter(fmt.document_reader().read(stream, path.name))).value


def _first_statement(path: Path) -> Any:
    """A file format's sample: the first document its own `read_file` gives."""
    fmt: WireFormat = _registry().formats["coda.statement"]
    assert fmt.read_file is not None
    with path.open("rb") as f:
        return next(fmt.read_file(f, path.name))[0]


def _facturx_number(pdf: bytes) -> Any:
    from passeur_einvoice.facturx import read_facturx

    plain, _ = read_facturx(pdf, "")
    assert plain is not None
    return plain["ExchangedDocument"]["ID"]


def _endpoints() -> list[tuple[str, str]]:
    registry = _registry()
    readers = sorted(registry.formats)
    pairs = []
    for reader in readers:
        fmt: WireFormat = registry.formats[reader]
        canonical = registry.document_type(fmt.system, fmt.doctype).canonical
        targets = [w for w in readers if registry.formats[w].writes
                   and registry.document_type(registry.formats[w].system,
                                             registry.formats[w].doctype).canonical == canonical]
        pairs.extend((reader, target) for target in [*targets, f"passeur.{canonical}"])
    return pairs


def test_every_registered_format_has_a_sample() -> None:
    assert set(_registry().formats) == set(SAMPLES)


#: The facts of each invoice sample, read off the corpus and the seeds by hand: number,
#: issue date, currency, the total with tax (None: the source does not say it), lines.
INVOICE_FACTS: dict[str, tuple[str | None, str, str, Decimal | None, int]] = {
    # MANIFEST: number=55/01/2018; cur=EUR; gross=339.99; positions=3 (issue_date 2018-01-21)
    "vosfactures.invoice": ("55/01/2018", "2018-01-21", "EUR",
                            Decimal("339.99"), 3),
    # seed 004: no number, DateFacture 2024-04-24, Québec (CAD), two lines without a price
    # (Acomba prices them): no total; five lines (product, text, blank, group, product)
    "erpconnector.invoice": (None, "2024-04-24", "CAD", None, 5),
    # MANIFEST: id=Snippet1; date=2017-11-13; cur=EUR; total=1656.25; lines=2
    "ubl.invoice": ("Snippet1", "2017-11-13", "EUR", Decimal("1656.25"), 2),
    # MANIFEST: id=12115118; date=2015-01-09; cur=EUR; total=250.33; lines=20
    "cii.invoice": ("12115118", "2015-01-09", "EUR", Decimal("250.33"), 20),
    # MANIFEST: id=F20260023; date=2026-01-31; cur=EUR; total=104.90; lines=3
    "facturx.invoice": ("F20260023", "2026-01-31", "EUR", Decimal("104.90"), 3),
    # the tutorial's CSV: FA00142 of 2024-03-04 in EUR, 10 x 4.50 + 4 x 3.25 = 58.00 at
    # 20 % = 69.60, two rows
    "sage100.invoice": ("FA00142", "2024-03-04", "EUR", Decimal("69.60"), 2),
}
#: Pairs that cannot convert, with the code of the refusal they must give.
REFUSED = {(reader, "facturx.invoice"): "facturx.no_pdf" for reader in INVOICE_FACTS
           if reader != "facturx.invoice"}  # a Factur-X PDF is written into the source's PDF
#: Issue codes that say a fact is not kept, by fact.
EXPLAINS = {
    "currency": {"target.currency"},  # ERP Connector reads amounts in the company's currency
    # the ERP computes its taxes; a document-level charge or allowance a target has no place for
    "gross": {"target.tax_computed", "target.line_amount", "target.allowance_charge"},
    "lines": {"en16931.text_line", "target.line_kind"},  # text and blank lines left out
}
def _facts(invoice: Invoice) -> tuple[str | None, str, str, Decimal | None, int]:
    gross = invoice.totals.gross if invoice.totals is not None else None
    if gross is None and invoice.computed_totals is not None:
        gross = invoice.computed_totals.gross
    return (invoice.number, invoice.issue_date.isoformat() if invoice.issue_date else "",
            invoice.currency, gross, len(invoice.lines))


def _read_back(outcome: DocumentOutcome, writer: str) -> Invoice:
    """The canonical invoice of a pair's output, as the target's own reader reads it."""
    registry = _registry()
    if writer.startswith("passeur."):
        return structure(outcome.output, Invoice)
    back = Converter(registry, parse_endpoint(registry, writer),
                     parse_endpoint(registry, "passeur.invoice")).convert(outcome.output)
    assert not back.failed, [i.message for i in back.issues if i.level is Level.ERROR]
    return structure(back.output, Invoice)


def _check_invoice_facts(reader: str, writer: str, outcome: DocumentOutcome) -> None:
    codes = {i.code for i in outcome.issues}
    number, date, currency, gross, lines = INVOICE_FACTS[reader]
    got = _facts(_read_back(outcome, writer))
    assert got[0] == number and got[1] == date, (got, number, date)
    assert got[2] == currency or codes & EXPLAINS["currency"], (got[2], currency)
    explained_lines = sum(i.code in EXPLAINS["lines"] for i in outcome.issues)
    assert got[4] == lines or lines - explained_lines <= got[4] < lines, (got[4], lines)
    if gross is not None and not codes & EXPLAINS["gross"]:
        assert got[3] is not None and same_value(got[3], gross), (got[3], gross)


@pytest.mark.parametrize(("reader", "writer"), _endpoints())
def test_any_to_any(reader: str, writer: str) -> None:
    registry = _registry()
    source, target = parse_endpoint(registry, reader), parse_endpoint(registry, writer)
    converter = Converter(registry, source, target)
    outcome = converter.convert(SAMPLES[reader]())
    if (reader, writer) in REFUSED:
        assert outcome.failed
        assert [i.code for i in outcome.issues if i.level is Level.ERROR] == [
            REFUSED[reader, writer]]
        return
    assert not outcome.failed, [i.message for i in outcome.issues if i.level is Level.ERROR]
    if reader in INVOICE_FACTS:
        _check_invoice_facts(reader, writer, outcome)
    if writer.startswith("passeur.") and not registry.formats[reader].writes:
        assert outcome.output["number"] == IDENTITY[reader](SAMPLES[reader]())
    elif writer.startswith("passeur."):
        back = Converter(registry, target, source).convert(outcome.output)
        assert not back.failed, back.issues
        identity = IDENTITY[reader]
        assert identity(back.output) == identity(SAMPLES[reader]())
    if writer.startswith("passeur.") and not registry.formats[reader].writes:
        assert outcome.output["number"] == IDENTITY[reader](SAMPLES[reader]())
    elif writer.startswith("passeur."):
        back = Converter(registry, target, source).convert(outcome.output)
        assert not back.failed, back.issues
        identity = IDENTITY[reader]
        assert identity(back.output) == identity(SAMPLES[reader]())


@pytest.mark.parametrize("reader", sorted(SAMPLES))
def test_canonical_to_every_writer(reader: str) -> None:
    """The canonical form of each sample, read with --from passeur, reaches every writer of
    its type (or gets the refusal REFUSED names), and the writer of the sample's own system
    gives back the sample's identity."""
    registry = _registry()
    source = parse_endpoint(registry, reader)
    canonical_type = registry.document_type(source.system, source.doctype).canonical
    hub = parse_endpoint(registry, f"passeur.{canonical_type}")
    canonical = Converter(registry, source, hub).convert(SAMPLES[reader]())
    assert not canonical.failed, canonical.issues
    for writer, fmt in sorted(registry.formats.items()):
        if (registry.document_type(fmt.system, fmt.doctype).canonical != canonical_type
                or not fmt.writes):
            continue
        outcome = Converter(registry, hub, parse_endpoint(registry, writer)).convert(
            canonical.output)
        if (reader, writer) in REFUSED:
            assert [i.code for i in outcome.issues if i.level is Level.ERROR] == [
                REFUSED[reader, writer]]
            continue
        assert not outcome.failed, (writer, [i.message for i in outcome.issues
                                             if i.level is Level.ERROR])
        if writer == reader:
            assert not outcome.failed, outcome.issues
            assert IDENTITY[reader](outcome.output) == IDENTITY[reader](SAMPLES[reader]())


def test_a_document_charge_the_target_has_no_place_for_is_reported() -> None:
    # the Peppol example's Insurance charge (25, at 25 %): VosFactures has no document-level
    # charges, so its invoice totals 1625.00 instead of 1656.25, and says why
    registry = _registry()
    outcome = Converter(registry, parse_endpoint(registry, "ubl"),
                        parse_endpoint(registry, "vosfactures")).convert(
        SAMPLES["ubl.invoice"]())
    assert [(i.level, i.code, i.path, i.message) for i in outcome.issues] == [(
        Level.WARNING, "target.allowance_charge", "$.allowance_charges[0]",
        "the document's charge 'Insurance' of 25 is not kept: vosfactures has no "
        "document-level charges or allowances, so its total leaves it out")]
    to_ubl = Converter(registry, parse_endpoint(registry, "ubl"),
                       parse_endpoint(registry, "cii")).convert(SAMPLES["ubl.invoice"]())
    assert "target.allowance_charge" not in {i.code for i in to_ubl.issues}
