"""Issue 4's last gap: every real VosFactures invoice response goes to Acomba and back with
its taxes, kind, currency and totals, through ERP Connector's ExtendedProperties."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from passeur import IssuePolicy, dump_json, load_registry
from passeur.engine.convert import Converter, DocumentOutcome, parse_endpoint
from passeur.model import Invoice, TaxRounding, recompute
from passeur.serialize import structure

ROOT = Path(__file__).resolve().parents[2]
TESTDATA = ROOT / ".." / "shared" / "testdata"
GOLDEN = ROOT / "tests" / "fixtures" / "golden"


@cache
def _registry() -> Any:
    return load_registry()


def _convert(value: Any, source: str, target: str) -> DocumentOutcome:
    registry = _registry()
    converter = Converter(registry, parse_endpoint(registry, source),
                          parse_endpoint(registry, target), policy=IssuePolicy.WARN)
    outcome = converter.convert(value)
    assert not outcome.failed, [str(i) for i in outcome.issues]
    return outcome


def _plain(value: Any) -> Any:
    return json.loads(dump_json(value), parse_float=Decimal)


def _invoice_responses() -> dict[str, dict[str, str]]:
    """MANIFEST rows of the real VosFactures invoice responses (not request bodies, not
    webhooks), with their facts."""
    rows = {}
    with (TESTDATA / "MANIFEST.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["kind"] == "vosfactures-json" and row["facts"].startswith("invoice;"):
                parts = (p.strip() for p in row["facts"].split(";"))
                rows[row["path"]] = dict(p.split("=", 1) for p in parts if "=" in p)
    return rows


RESPONSES = _invoice_responses()


def _load(path: str) -> Any:
    return json.loads((TESTDATA / path).read_text(encoding="utf-8"), parse_float=Decimal)


def _round_trip(path: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(source invoice, Acomba create payload, VosFactures invoice written back)."""
    source = _load(path)
    acomba = _plain(_convert(source, "vosfactures", "acomba").output)
    back = _plain(_convert(acomba, "acomba", "vosfactures").output)
    return source.get("invoice", source), acomba, back["invoice"]


def test_the_manifest_lists_the_four_invoice_responses() -> None:
    assert sorted(RESPONSES) == [
        "vosfactures/invoice_created.json", "vosfactures/invoice_get.json",
        "vosfactures/invoice_get2.json", "vosfactures/invoice_put_status_response.json"]


@pytest.mark.parametrize("path", sorted(RESPONSES))
def test_kind_number_and_currency_come_back(path: str) -> None:
    facts = RESPONSES[path]
    _, _, back = _round_trip(path)
    assert (back["kind"], back["number"], back["currency"]) == (
        facts["kind"], facts["number"], facts["cur"])


@pytest.mark.parametrize("path", [p for p in sorted(RESPONSES) if "positions" in RESPONSES[p]])
def test_positions_come_back_with_their_tax_price_and_quantity(path: str) -> None:
    source, _, back = _round_trip(path)
    fields = ("tax", "price_net", "quantity", "price_gross", "total_price_net",
              "total_price_gross")
    expected = [{k: Decimal(str(p[k])) if k != "tax" else p[k] for k in fields}
                for p in source["positions"]]
    got = [{k: Decimal(str(p[k])) if k != "tax" else p[k] for k in fields}
           for p in back["positions"]]
    assert got == expected
    assert len(back["positions"]) == int(RESPONSES[path]["positions"])


@pytest.mark.parametrize("path", [p for p in sorted(RESPONSES) if "positions" in RESPONSES[p]])
def test_totals_recomputed_from_the_positions_written_back_are_the_manifests(
        path: str) -> None:
    facts = RESPONSES[path]
    _, _, back = _round_trip(path)
    canonical = _convert({"invoice": back}, "vosfactures", "passeur").output
    totals = recompute(structure(canonical, Invoice), tax_rounding=TaxRounding.PER_LINE)
    assert (totals.net, totals.tax, totals.gross) == (
        Decimal(facts["net"]), Decimal(facts["vat"]), Decimal(facts["gross"]))


@pytest.mark.parametrize("path", sorted(RESPONSES))
def test_reported_totals_survive_acomba_to_the_canonical_model(path: str) -> None:
    """Read back from the Acomba payload, the canonical totals are the MANIFEST's: from the
    lines when the response has positions, else from what rode in ExtendedProperties."""
    facts = RESPONSES[path]
    _, acomba, _ = _round_trip(path)
    canonical = structure(_convert(acomba, "acomba", "passeur").output, Invoice)
    totals = (canonical.computed_totals if canonical.lines else canonical.totals)
    assert totals is not None
    assert (totals.net, totals.tax, totals.gross) == (
        Decimal(facts["net"]), Decimal(facts["vat"]), Decimal(facts["gross"]))


def test_the_proforma_is_a_quote_in_acomba_and_a_proforma_again() -> None:
    _, acomba, back = _round_trip("vosfactures/invoice_get2.json")
    facture = acomba["Facture"]
    assert facture["TypeDoc"] == "SOUMISSIONS"
    assert facture["ExtendedProperties"] == {"passeur.kind": "proforma",
                                             "passeur.currency": "EUR"}
    assert facture["LigneFacture"][0]["ExtendedProperties"] == {
        "passeur.taxes": '[{"scheme":"VAT","rate":"23"}]',
        "passeur.net_amount": "81.3", "passeur.tax_amount": "18.7",
        "passeur.gross_amount": "100.0", "passeur.unit_price_gross": "1.0"}
    assert back["kind"] == "proforma"


def test_the_proforma_says_what_acomba_will_make_of_it() -> None:
    outcome = _convert(_load("vosfactures/invoice_get2.json"), "vosfactures", "acomba")
    found = {(str(i.level), i.code): i.message for i in outcome.issues}
    assert found[("info", "target.kind")] == (
        "ERP Connector has no TypeDoc for a proforma document: it is written with the "
        "closest one, and the kind kept in ExtendedProperties (passeur.kind) so that reading "
        "it back restores it")
    assert found[("warning", "target.line_amount")] == (
        "line 1: the ERP will compute 100.0 x 0.81 = 81.00, the source says 81.3; the "
        "source's amounts are kept in ExtendedProperties for the way back")


def test_a_header_only_response_keeps_its_totals() -> None:
    _, acomba, _ = _round_trip("vosfactures/invoice_put_status_response.json")
    assert acomba["Facture"]["ExtendedProperties"] == {
        "passeur.currency": "EUR", "passeur.net": "339.99", "passeur.tax": "0.0",
        "passeur.gross": "339.99"}


def test_a_kind_acomba_has_no_place_for_is_refused_by_name() -> None:
    registry = _registry()
    converter = Converter(registry, parse_endpoint(registry, "vosfactures"),
                          parse_endpoint(registry, "acomba"), policy=IssuePolicy.WARN)
    source = _load("vosfactures/invoice_get2.json")
    source["kind"] = "kp"
    outcome = converter.convert(source)
    assert outcome.failed
    assert any('value "cash_in" is not in table erp_type_doc' in i.message
               for i in outcome.issues)


def test_seed_004_to_vosfactures_and_back_to_acomba_equal_on_every_mapped_field() -> None:
    payload = json.loads((GOLDEN / "acomba_seed004" / "input.json").read_text("utf-8"),
                         parse_float=Decimal)
    vosfactures = _plain(_convert(payload, "acomba", "vosfactures").output)
    back = _plain(_convert(vosfactures, "vosfactures", "acomba").output)["Facture"]
    original = payload["Facture"]
    for key in ("TypeDoc", "Référence", "Description", "DateFacture"):
        assert back[key] == original[key], key
    assert back["InfoClientFacturerA"]["NoClient"] == original["InfoClientFacturerA"]["NoClient"]
    assert "ExtendedProperties" not in back  # nothing Acomba lacks: nothing rides along
    mapped = ("strNoProduit", "DescriptionLigne", "QteFacture", "PrixFinal")
    # the product-group line has no place in VosFactures (a plain position): its group is lost
    assert [{k: ln[k] for k in mapped if k in ln} for ln in back["LigneFacture"]] == [
        {k: ln[k] for k in mapped if k in ln} for ln in original["LigneFacture"]]


def test_the_erp_sandbox_takes_the_payload_and_returns_what_rode_along() -> None:
    """A create through the ERP Connector sandbox (loopback) keeps ExtendedProperties on the
    invoice and its lines, as seed 003 says the ERP does; reading the created invoice back,
    the proforma, its currency and its line tax are restored (the amounts are the ERP's)."""
    import httpx

    from passeur.sandbox import dumps, serve_in_thread
    from passeur_erpconnector.sandbox import create_app

    _, payload, _ = _round_trip("vosfactures/invoice_get2.json")
    payload["Facture"]["InfoClientFacturerA"]["NoClient"] = "0Comptoir"
    payload["Facture"]["NoFacture"] = "P3-01-2018"
    server = serve_in_thread(create_app(licence="L", secret="S", erp="acomba"))
    try:
        with httpx.Client(base_url=server.base_url, timeout=10) as client:
            answer = client.post("/api/Entity/CustomerInvoice", auth=("L", "S"),
                                 content=dumps(payload).encode(),
                                 headers={"content-type": "application/json"})
    finally:
        server.stop()
    assert answer.status_code == 201, answer.text
    created = json.loads(answer.text, parse_float=Decimal)["ResultPayload"]["FullTransaction"]
    assert created["ExtendedProperties"] == {"passeur.kind": "proforma",
                                             "passeur.currency": "EUR"}
    assert created["LigneFacture"][0]["ExtendedProperties"] == (
        payload["Facture"]["LigneFacture"][0]["ExtendedProperties"])
    canonical = structure(_convert(created, "acomba", "passeur").output, Invoice)
    assert (canonical.kind.value, canonical.currency) == ("proforma", "EUR")
    assert [(t.scheme, t.rate) for t in canonical.lines[0].taxes] == [("VAT", Decimal("23"))]
    assert canonical.lines[0].net_amount == Decimal("81")  # the ERP's, from 100 x 0.81


def test_the_create_request_through_acomba_gives_the_totals_vosfactures_answered() -> None:
    """invoice_create.json is the request whose answer is invoice_created.json: its positions
    (gross totals only) through Acomba and back give the answer's MANIFEST totals."""
    _, _, back = _round_trip("vosfactures/invoice_create.json")
    assert [(p["tax"], Decimal(p["quantity"])) for p in back["positions"]] == [
        ("23", Decimal(1)), ("0", Decimal(2))]
    canonical = _convert({"invoice": back}, "vosfactures", "passeur").output
    totals = recompute(structure(canonical, Invoice), tax_rounding=TaxRounding.PER_LINE)
    facts = RESPONSES["vosfactures/invoice_created.json"]
    assert (totals.net, totals.tax, totals.gross) == (
        Decimal(facts["net"]), Decimal(facts["vat"]), Decimal(facts["gross"]))
