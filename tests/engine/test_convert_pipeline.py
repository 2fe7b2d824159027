"""`Converter`: the seeds and the real VosFactures responses through the whole pipeline."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from passeur import IssuePolicy, Level, dump_json, load_registry
from passeur.engine.convert import Converter, DocumentOutcome, parse_endpoint
from passeur.model import Invoice, TaxRounding, recompute
from passeur.serialize import structure

ROOT = Path(__file__).resolve().parents[2]
TESTDATA = ROOT.parent / "shared" / "testdata"
GOLDEN = ROOT / "tests" / "fixtures" / "golden"


@cache
def _registry() -> Any:
    return load_registry()


def convert(value: Any, source: str, target: str,
            policy: IssuePolicy = IssuePolicy.WARN) -> DocumentOutcome:
    registry = _registry()
    converter = Converter(registry, parse_endpoint(registry, source),
                          parse_endpoint(registry, target), policy=policy)
    return converter.convert(value)


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


def _plain(value: Any) -> Any:
    return json.loads(dump_json(value), parse_float=Decimal)


def _issues(outcome: DocumentOutcome) -> list[tuple[str, str, str]]:
    return [(str(i.level), i.path, i.message) for i in outcome.issues]


def _manifest() -> dict[str, dict[str, str]]:
    facts = {}
    with (TESTDATA / "MANIFEST.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["kind"] == "vosfactures-json":
                parts = (p.strip() for p in row["facts"].split(";"))
                facts[row["path"]] = dict(p.split("=", 1) for p in parts if "=" in p)
    return facts


def test_seed_004_to_vosfactures_and_back_equal_on_every_mapped_field() -> None:
    payload = _load(GOLDEN / "acomba_seed004" / "input.json")
    there = convert(payload, "acomba", "vosfactures")
    assert not there.failed
    back = convert(there.output, "vosfactures", "acomba")
    assert not back.failed
    # what VosFactures has no place for: ordered quantities, the product group, payment modes
    expected = _plain(payload["Facture"])
    for line in expected["LigneFacture"]:
        line.pop("QteCommande", None)
        line.pop("strNoGroupeProduit", None)
    got = _plain(back.output["Facture"])
    assert got == expected
    assert back.output["ListeModePaiements"] is None
    assert there.output["invoice"]["paid"] == "1195.00"  # 500.00 + 695.00 applied


def test_seed_004_to_vosfactures_reports_what_it_cannot_hold() -> None:
    outcome = convert(_load(GOLDEN / "acomba_seed004" / "input.json"), "acomba", "vosfactures")
    assert _issues(outcome) == [
        ("warning", "$.lines[2].kind", "line 3 is a blank line; vosfactures has no such lines"),
        ("warning", "$.lines[3].kind",
         "line 4 is a product_group line; vosfactures has no such lines"),
    ]


def test_seed_003_created_to_vosfactures_totals_to_the_cent() -> None:
    outcome = convert(_load(GOLDEN / "acomba_seed003_created" / "input.json"), "acomba",
                      "vosfactures")
    assert not outcome.failed
    positions = outcome.output["invoice"]["positions"]
    gross = sum((Decimal(p.get("total_price_gross", "0")) for p in positions), Decimal(0))
    net = sum((Decimal(p.get("total_price_net", "0")) for p in positions), Decimal(0))
    assert (net, gross) == (Decimal("1039.06"), Decimal("1195.17"))
    assert [p.get("tax") for p in positions] == ["15.025", None, None, "15.025", "15.025"]
    assert outcome.output["invoice"]["number"] == "10044"
    assert outcome.output["invoice"]["additional_fields"] == {"client_external_id": "0Comptoir"}
    codes = [(i.code, i.path) for i in outcome.issues]
    assert codes == [
        ("taxes.regime_date", "$.tax_breakdown"),
        ("target.tax_count", "$.lines[0].taxes"),
        ("target.line_kind", "$.lines[2].kind"),
        ("target.line_kind", "$.lines[3].kind"),
        ("target.tax_count", "$.lines[3].taxes"),
        ("target.tax_count", "$.lines[4].taxes"),
        ("target.totals", "$.totals.gross"),
        ("taxes.fitted", "$.lines[4].gross_amount"),
    ]
    assert outcome.issues[1].message == (
        "line 1 carries 2 taxes (TPS 7 %, TVQ 7.5 % (compound)); vosfactures allows 1 per "
        "line, so they are combined into one rate")
    assert outcome.issues[6].message == (
        "vosfactures rounds tax per line: from these lines it computes a total of 1195.18 "
        "(tax 156.12) where the source says 1195.17")


def test_seed_003_created_to_canonical_has_the_pre_2013_quebec_taxes() -> None:
    outcome = convert(_load(GOLDEN / "acomba_seed003_created" / "input.json"), "acomba",
                      "passeur")
    invoice = structure(outcome.output, Invoice)
    assert invoice.totals is not None
    assert (invoice.totals.net, invoice.totals.gross) == (Decimal("1039.06"),
                                                          Decimal("1195.17"))
    taxes = invoice.lines[0].taxes
    assert [(t.scheme, t.rate, t.compound, t.code) for t in taxes] == [
        ("TPS", Decimal("7"), False, "T.P.S. 100%"), ("TVQ", Decimal("7.5"), True, "T.V.Q. 100%")]
    assert taxes[0].registration == "RT100393939933"
    computed = recompute(invoice, tax_rounding=TaxRounding.PER_DOCUMENT)
    assert (computed.tax, computed.gross) == (Decimal("156.11"), Decimal("1195.17"))
    assert [(r.scheme, r.tax_amount) for r in invoice.tax_breakdown] == [
        ("TPS", Decimal("72.73")), ("TVQ", Decimal("83.38"))]
    assert _issues(outcome) == [(
        "info", "$.tax_breakdown", "the reported taxes (TPS 72.73, TVQ 83.38) follow TPS 7 % + "
        "TVQ 7.5 % (compound), the rates in force from 1991-01-01 to 2006-07-01, not on the "
        "invoice date 2024-04-24")]


def test_seed_003_get_list_converts_each_invoice() -> None:
    documents = _load(GOLDEN / "acomba_seed003_get" / "input.json")
    totals = []
    for document in documents:
        outcome = convert(document, "acomba", "passeur")
        assert not outcome.failed, outcome.issues
        invoice = structure(outcome.output, Invoice)
        assert invoice.totals is not None
        totals.append((invoice.number, invoice.totals.net, invoice.totals.gross))
    assert totals == [("F-2024-001", Decimal("1250.00"), Decimal("1456.75")),
                      ("F-2024-002", Decimal("500.00"), Decimal("567.90"))]


INVOICES = ["invoice_get.json", "invoice_get2.json", "invoice_created.json",
            "invoice_put_status_response.json"]


@pytest.mark.parametrize("name", INVOICES)
def test_real_vosfactures_invoice_to_canonical_totals_match_the_manifest(name: str) -> None:
    facts = _manifest()[f"vosfactures/{name}"]
    outcome = convert(_load(TESTDATA / "vosfactures" / name), "vosfactures", "passeur")
    assert not outcome.failed, outcome.issues
    invoice = structure(outcome.output, Invoice)
    assert invoice.totals is not None
    assert invoice.number == facts["number"]
    assert invoice.currency == facts["cur"]
    assert invoice.totals.net == Decimal(facts["net"])
    assert invoice.totals.tax == Decimal(facts["vat"])
    assert invoice.totals.gross == Decimal(facts["gross"])
    if "positions" in facts:
        assert len(invoice.lines) == int(facts["positions"])
        computed = recompute(invoice, tax_rounding=TaxRounding.PER_LINE)
        assert (computed.net, computed.tax, computed.gross) == (
            invoice.totals.net, invoice.totals.tax, invoice.totals.gross)


def test_the_request_body_converts_and_its_totals_are_computed_per_line() -> None:
    facts = _manifest()["vosfactures/invoice_created.json"]  # the answer to this request
    outcome = convert(_load(TESTDATA / "vosfactures" / "invoice_create.json"), "vosfactures",
                      "passeur")
    invoice = structure(outcome.output, Invoice)
    # the request gives gross line totals; net = gross / (1 + rate), per line, to the cent
    nets = [(ln.gross_amount or Decimal(0)) * 100 / (100 + (ln.taxes[0].rate or 0))
            for ln in invoice.lines]
    net = sum((n.quantize(Decimal("0.01")) for n in nets), Decimal(0))
    gross = sum((ln.gross_amount or Decimal(0) for ln in invoice.lines), Decimal(0))
    assert (net, gross - net, gross) == (Decimal(facts["net"]), Decimal(facts["vat"]),
                                         Decimal(facts["gross"]))


@pytest.mark.parametrize("name", ["invoice_get.json", "invoice_put_status_response.json",
                                  "invoice_created.json"])
def test_real_vosfactures_invoice_to_acomba_and_back(name: str) -> None:
    source = _load(TESTDATA / "vosfactures" / name)
    there = convert(source, "vosfactures", "acomba")
    assert not there.failed, there.issues
    facture = there.output["Facture"]
    assert facture["NoFacture"] == source["number"]
    assert facture["TypeDoc"] == "FACTURES"
    back = convert(there.output, "acomba", "vosfactures")
    assert not back.failed, back.issues
    invoice = back.output["invoice"]
    assert invoice["number"] == source["number"]
    assert invoice["issue_date"] == source["issue_date"]
    assert invoice["kind"] == "vat"
    for before, after in zip(source.get("positions", []), invoice.get("positions", []),
                             strict=True):
        assert (after["name"], Decimal(after["quantity"]), Decimal(after["price_net"])) == (
            before["name"], Decimal(before["quantity"]), Decimal(before["price_net"]))


def test_a_cash_voucher_cannot_become_an_acomba_document() -> None:
    # a proforma now converts (SOUMISSIONS, kind kept in ExtendedProperties: see
    # tests/systems/test_vosfactures_acomba_roundtrip.py); a cash voucher has no TypeDoc
    document = _load(TESTDATA / "vosfactures" / "invoice_get2.json")
    document["kind"] = "kp"
    outcome = convert(document, "vosfactures", "acomba")
    assert outcome.failed
    errors = [i for i in outcome.issues if i.level is Level.ERROR]
    assert len(errors) == 1
    assert 'value "cash_in" is not in table erp_type_doc' in errors[0].message


def test_policy_error_refuses_two_taxes_on_a_vosfactures_position() -> None:
    payload = _load(GOLDEN / "acomba_seed003_created" / "input.json")
    outcome = convert(payload, "acomba", "vosfactures", IssuePolicy.ERROR)
    assert outcome.failed
    assert outcome.output is None
    assert ("error", "$.lines[0].taxes") in [(str(i.level), i.path) for i in outcome.issues]


def test_policy_ignore_keeps_only_what_is_not_about_the_target() -> None:
    payload = _load(GOLDEN / "acomba_seed003_created" / "input.json")
    outcome = convert(payload, "acomba", "vosfactures", IssuePolicy.IGNORE)
    assert not outcome.failed
    assert [i.code for i in outcome.issues] == ["taxes.regime_date", "taxes.fitted"]


def test_acomba_requires_a_customer_number() -> None:
    outcome = convert({"kind": "vat", "number": "F1", "issue_date": "2024-01-02",
                       "buyer_name": "ACME",
                       "positions": [{"name": "A", "quantity": "1", "price_net": "10.00",
                                      "tax": "disabled"}]}, "vosfactures", "acomba")
    assert _issues(outcome) == [
        ("warning", "$.lines[0].product_code", "line 1 has a quantity but neither a product "
         "code nor a product group; the ERP needs one of them (strNoProduit or "
         "strNoGroupeProduit)"),
        ("warning", "$.currency", "the amounts are in EUR; an ERP Connector invoice has no "
         "currency and is read in the company's currency (CAD)"),
        # Said before any call: the number sent and where it comes from (issue 11, item 10).
        ("info", "$.number", "NoFacture 'F1' is sent: it is the source document's number "
         "($.number)"),
        ("warning", "$.InfoClientFacturerA.NoClient",
         "acomba requires InfoClientFacturerA.NoClient, which the document does not give")]


def test_an_input_without_a_required_field_is_named() -> None:
    outcome = convert({"NoFacture": "F1", "LigneFacture": [{"strNoProduit": "P",
                                                            "QteFacture": 1}]},
                      "acomba", "passeur")
    assert not outcome.failed
    assert _issues(outcome) == [
        ("warning", "$.DateFacture", "required field DateFacture is missing"),
        ("warning", "$.InfoClientFacturerA", "required field InfoClientFacturerA is missing")]


def test_quickbooks_does_not_require_nofacture_but_acomba_does() -> None:
    document = {"kind": "vat", "issue_date": "2024-01-02", "client_id": 5,
                "positions": [{"name": "A", "quantity": "1", "price_net": "10.00",
                               "tax": "disabled"}]}
    acomba = {i.path for i in convert(document, "vosfactures", "acomba").issues}
    quickbooks = {i.path for i in convert(document, "vosfactures", "quickbooks").issues}
    assert "$.NoFacture" in acomba
    assert "$.NoFacture" not in quickbooks


def test_canonical_in_and_out() -> None:
    document = {"number": "F1", "currency": "EUR", "lines": [
        {"quantity": "2", "unit_price_net": "10.00", "taxes": [{"rate": "20"}]}],
        "totals": {"gross": "24.00"}}
    outcome = convert(document, "passeur", "passeur")
    assert outcome.output == {"number": "F1", "lines": [
        {"quantity": "2", "unit_price_net": "10.00", "taxes": [{"rate": "20"}]}],
        "totals": {"gross": "24.00"},
        "computed_totals": {"line_net": "20.00", "net": "20.00", "tax": "4.00",
                            "gross": "24.00", "paid": "0", "due": "24.00"}}
    bad = convert({"lines": [{"quantity": "x"}]}, "passeur", "vosfactures")
    assert _issues(bad) == [("error", "$.lines[0].quantity", 'value "x" is not a number')]


def test_a_document_of_the_wrong_system_fails_with_a_hint() -> None:
    outcome = convert(_load(TESTDATA / "vosfactures" / "invoice_get.json"), "acomba", "passeur")
    assert outcome.failed
    assert _issues(outcome) == [("error", "$", "no ERP Connector invoice field found (expected "
                                 "NoFacture, DateFacture, LigneFacture...): this looks like a "
                                 "VosFactures invoice (it has `user_id`, "
                                 "`accounting_income_tax_date`, `accounting_kind`); read it "
                                 "with --from vosfactures")]


def test_seed_003_post_form_with_null_payments() -> None:
    # seed 003's POST example sends "ListeModePaiements": null: no payment at all
    payload = {"Facture": {"TypeDoc": "FACTURES", "Référence": "From OERP",
                           "DateFacture": "2024-04-24",
                           "InfoClientFacturerA": {"NoClient": "0Comptoir"},
                           "LigneFacture": [{"QteFacture": 4, "strNoProduit": "CAThermo"}]},
               "ListeModePaiements": None, "ReturnFullTransaction": True}
    canonical = convert(payload, "acomba", "passeur")
    assert not canonical.failed, canonical.issues
    assert "payments" not in canonical.output
    back = convert(canonical.output, "passeur", "acomba")
    assert back.output == {"Facture": {
        "DateFacture": "2024-04-24", "TypeDoc": "FACTURES", "Référence": "From OERP",
        "InfoClientFacturerA": {"NoClient": "0Comptoir"},
        "LigneFacture": [{"strNoProduit": "CAThermo", "QteFacture": Decimal("4")}]},
        "ListeModePaiements": None, "ReturnFullTransaction": True}


def test_canonical_records_say_where_they_come_from_and_keep_both_totals() -> None:
    document = {"kind": "vat", "id": 4242, "number": "FV 2024/05/013",
                "issue_date": "2024-05-02", "currency": "EUR", "price_net": "20.00",
                "price_gross": "24.00", "positions": [
                    {"name": "A", "quantity": "2", "price_net": "10.00", "tax": "20",
                     "total_price_net": "20.00", "total_price_gross": "24.00"}]}
    outcome = convert(document, "vosfactures", "passeur")
    assert outcome.output["source"] == {"system": "vosfactures", "id": "4242",
                                        "location": "<input>#1"}
    assert outcome.output["totals"]["gross"] == "24.00"
    assert outcome.output["computed_totals"] == {
        "line_net": "20.00", "net": "20.00", "tax": "4.00", "gross": "24.00", "paid": "0",
        "due": "24.00"}


def test_taxes_to_acomba_are_said_to_ride_along_but_not_applied() -> None:
    document = {"kind": "vat", "number": "F9", "issue_date": "2024-01-02", "client_id": 5,
                "positions": [{"name": "A", "code": "A1", "quantity": "1",
                               "price_net": "10.00", "tax": "20"}]}
    outcome = convert(document, "vosfactures", "acomba")
    [issue] = [i for i in outcome.issues if i.code == "target.tax_computed"]
    assert (issue.path, issue.message) == (
        "$.lines[0].taxes",
        "line 1 carries VAT 20 %; acomba computes taxes itself (tax group): the rates ride in "
        "ExtendedProperties (passeur.taxes) for the way back, but it applies its own")


def test_what_a_target_cannot_represent_follows_the_run_policy() -> None:
    proforma = json.loads((TESTDATA / "vosfactures" / "invoice_get2.json").read_text(),
                          parse_float=Decimal)
    codes = {policy: [(str(i.level), i.code) for i in convert(
        proforma, "vosfactures", "acomba", policy).issues
        if i.code in ("target.line_amount", "target.kind")]
        for policy in IssuePolicy}
    assert codes[IssuePolicy.WARN] == [("info", "target.kind"),
                                       ("warning", "target.line_amount")]
    assert codes[IssuePolicy.IGNORE] == [("info", "target.kind")]
    assert codes[IssuePolicy.ERROR] == [("info", "target.kind"),
                                        ("error", "target.line_amount")]
    assert convert(proforma, "vosfactures", "acomba", IssuePolicy.ERROR).failed
