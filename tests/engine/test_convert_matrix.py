"""Any to any: every registered reader to every writer of the same canonical document type.

Each reader gets a sample document; converting it to every other endpoint either gives an
output or fails with issues (never an exception), and a document that reaches the canonical
model and comes back to its own system keeps its identity (number, name...).
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

from passeur import WireFormat, load_registry
from passeur.engine.convert import Converter, parse_endpoint

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


@pytest.mark.parametrize(("reader", "writer"), _endpoints())
def test_any_to_any(reader: str, writer: str) -> None:
    registry = _registry()
    source, target = parse_endpoint(registry, reader), parse_endpoint(registry, writer)
    converter = Converter(registry, source, target)
    outcome = converter.convert(SAMPLES[reader]())
    assert outcome.output is not None or outcome.issues, (reader, writer)
    if outcome.failed:
        return
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
    its type, and the writer of the sample's own system gives back the sample's identity."""
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
        assert outcome.output is not None or outcome.issues, writer
        if writer == reader:
            assert not outcome.failed, outcome.issues
            assert IDENTITY[reader](outcome.output) == IDENTITY[reader](SAMPLES[reader]())
