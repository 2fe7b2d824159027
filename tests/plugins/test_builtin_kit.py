"""Every built-in system passes the plugin kit through the entry point a third party uses
(`passeur.testing.check_plugin`), on real corpus files, and against its sandbox when it
has one. What a system assigns itself (ids, totals, links) is named, not silently skipped.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from passeur import load_registry
from passeur.engine.convert import Converter, parse_endpoint
from passeur.engine.documents import read_all
from passeur.http import reset_budgets
from passeur.testing import LiveCheck, check_plugin
from support.erp_seed_004 import seed_004_invoice

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "testdata"
GOLDEN = ROOT / "tests" / "fixtures" / "golden"
TOKEN = "kit-token-0123456789"
LICENCE, SECRET = "LIC-2024-0042", "secret-key-XYZ"

VOSFACTURES_INVOICE = {"kind": "vat", "issue_date": "2025-06-01", "buyer_name": "Client Untel",
                       "positions": [{"name": "Produit A", "quantity": 2, "tax": 20,
                                      "total_price_gross": "24.00"}]}


@pytest.fixture(autouse=True)
def _fresh_budgets() -> None:
    reset_budgets()


def test_vosfactures() -> None:
    report = check_plugin(
        "vosfactures",
        samples={"invoice": [CORPUS / "vosfactures" / "invoice_get.json",
                             CORPUS / "vosfactures" / "invoice_get2.json"],
                 "client": [CORPUS / "vosfactures" / "client_get.json"]},
        # what VosFactures computes or assigns and a create body cannot carry
        assigned=("extensions.vosfactures_id", "lines[*].id", "totals", "extensions.balance"),
        live=LiveCheck("invoice", VOSFACTURES_INVOICE, options={"token": TOKEN},
                       settings=lambda url: {"base_url": url, "api_token": TOKEN}))
    assert "live vosfactures.invoice: a lost answer is uncertain" in report.checked
    assert "invoice_get.json: document 1: canonical -> vosfactures.invoice -> canonical equal" \
        in report.checked
    assert "vosfactures-invoice.map: compiles, 3 examples pass both ways" in report.checked


def test_erpconnector() -> None:
    report = check_plugin(
        "erpconnector", samples={"invoice": [GOLDEN / "acomba_seed004" / "input.json"]},
        live=LiveCheck("invoice", seed_004_invoice(), lost=seed_004_invoice("A-2"),
                       options={"licence": LICENCE, "secret": SECRET},
                       settings=lambda url: {"base_url": url + "/api", "erp": "acomba",
                                             "licence": LICENCE, "secret": SECRET,
                                             "company_id": "1"}))
    assert "live erpconnector.invoice: create (id 10044)" in report.checked
    assert "live erpconnector.invoice: a lost answer is uncertain" in report.checked


@pytest.mark.parametrize(("system", "files"), [
    ("ubl", ["ubl/peppol/base-example.xml", "ubl/en16931/Invoice-Min_content_with_VAT.xml"]),
    ("cii", ["cii/en16931/CII_example1.xml"]),
    ("coda", ["coda/CODA.txt"]),
])
def test_file_systems(system: str, files: list[str]) -> None:
    report = check_plugin(system, [CORPUS / f for f in files])
    assert f"{Path(files[0]).name}: document 1: to the canonical model" in report.checked


def test_facturx() -> None:
    # the PDF is built again around the written XML: the same invoice, other bytes
    check_plugin("facturx", [CORPUS / "facturx" / "invoice_EN16931.pdf"],
                 assigned=("extensions.facturx_pdf",))


def _camt053_sample() -> bytes:
    """camt.053 has no file in the corpus: the statement of the corpus' CODA file, written
    by passeur's camt.053 writer (the kit then reads it, and writes it again)."""
    registry = load_registry()
    coda = registry.formats["coda.statement"]
    raw = read_all(coda.document_reader(), (CORPUS / "coda" / "CODA.txt").read_bytes())[0]
    outcome = Converter(registry, parse_endpoint(registry, "coda"),
                        parse_endpoint(registry, "camt053")).convert(raw.value)
    assert not outcome.failed, outcome.issues
    sink = io.BytesIO()
    writer = registry.formats["camt053.statement"].open_writer(sink, "single")
    writer.write(outcome.output)
    writer.close()
    return sink.getvalue()


def test_camt053() -> None:
    report = check_plugin("camt053", [_camt053_sample()])
    assert "<bytes>: document 1: written and read back" in report.checked


def test_the_kit_fails_a_plugin_whose_writer_loses_a_field(monkeypatch: Any) -> None:
    """The kit is not a formality: a writer that drops the buyer's name fails it."""
    import attrs

    registry = load_registry()
    fmt = registry.formats["vosfactures.invoice"]

    def lossy(plain: dict[str, Any]) -> Any:
        body = fmt.write(plain)
        body["invoice"].pop("buyer_name", None)
        return body

    monkeypatch.setitem(registry.formats, "vosfactures.invoice", attrs.evolve(fmt, write=lossy))
    with pytest.raises(AssertionError, match=r"\$\.buyer\.name: missing"):
        check_plugin("vosfactures", {"invoice": [CORPUS / "vosfactures" / "invoice_get.json"]},
                     assigned=("extensions.vosfactures_id", "lines[*].id", "totals"),
                     registry=registry)


def test_codabox() -> None:
    # read only: its feeds are listed, never created; the sandbox's first office (pod 66,
    # docs/sandboxes.md) logs in
    report = check_plugin("codabox", live=LiveCheck(
        "feed_client", None, options={"software_company": "kit-vendor"},
        settings=lambda url: {"base_url": url + "/v2", "software_company": "kit-vendor",
                              "username": "pod66", "password": "sandbox-66"}))
    assert "live codabox.feed_client: every listed document has its client_id" \
        in report.checked


def test_sagesrc() -> None:
    report = check_plugin("sagesrc", live=LiveCheck(
        "invoice", None, options={"login": "kit", "password": "kit-password"},
        settings=lambda url: {"base_url": url, "login": "kit", "password": "kit-password"}))
    # of the 30 seeded entries, every 4th has its document and every 7th is excluded (28
    # both): 30 - 7 - 4 + 1 = 20 still wait for one
    assert "live sagesrc.invoice: list (20 documents)" in report.checked
    assert "live sagesrc.invoice: every listed document has its id" in report.checked


def test_clearfacts() -> None:
    token = "k" * 80
    report = check_plugin("clearfacts", live=LiveCheck(
        "administration", None, options={"token": token},
        settings=lambda url: {"base_url": url, "token": token}))
    assert "live clearfacts.administration: every listed document has its companyNumber" \
        in report.checked


def test_a_listed_document_without_its_natural_key_fails_the_kit(monkeypatch: Any) -> None:
    import passeur_src.client as src_client

    real = src_client.SrcClient.iter_documents

    def without_ids(self: Any, doctype: str, **kw: Any) -> Any:
        for document in real(self, doctype, **kw):
            yield {**document, "id": ""}

    monkeypatch.setattr(src_client.SrcClient, "iter_documents", without_ids)
    with pytest.raises(AssertionError, match="document 1 has no id"):
        check_plugin("sagesrc", live=LiveCheck(
            "invoice", None, settings=lambda url: {"base_url": url, "login": "connecteur",
                                                   "password": "sandbox-src"}))
