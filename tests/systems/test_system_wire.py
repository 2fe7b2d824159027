"""Reading and writing the JSON forms of ERP Connector and VosFactures."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from passeur import Level, dump_json
from passeur_erpconnector.wire import read_invoice as read_erp
from passeur_erpconnector.wire import write_invoice as write_erp
from passeur_vosfactures.schema import CLIENT
from passeur_vosfactures.wire import read_invoice as read_vf
from passeur_vosfactures.wire import reader
from passeur_vosfactures.wire import write_invoice as write_vf

TESTDATA = Path(__file__).resolve().parents[2].parent / "shared" / "testdata" / "vosfactures"
GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


def _messages(issues: list[Any]) -> list[tuple[str, str]]:
    return [(i.path, i.message) for i in issues]


def test_create_payload_is_unwrapped_and_typed() -> None:
    plain, issues = read_erp(_load(GOLDEN / "acomba_seed004" / "input.json"), "seed004")
    assert issues == []
    assert plain is not None
    assert plain["DateFacture"] == datetime.date(2024, 4, 24)
    assert plain["TypeDoc"] == "FACTURES"
    assert plain["LigneFacture"][3]["PrixFinal"] == Decimal("26.09")
    assert plain["ListeModePaiements"] == [
        {"ModePaiement": 1, "dbl_MontantPaiement": Decimal("500.00")},
        {"ModePaiement": 102, "dbl_MontantPaiement": Decimal("695.00")}]
    assert "ReturnFullTransaction" not in plain


def test_create_payload_round_trips_through_the_writer() -> None:
    payload = _load(GOLDEN / "acomba_seed004" / "input.json")
    plain, _ = read_erp(payload)
    assert plain is not None
    assert json.loads(dump_json(write_erp(plain)), parse_float=Decimal) == payload


def test_task_result_gives_the_full_transaction_with_typedoc_code_named() -> None:
    plain, issues = read_erp(_load(GOLDEN / "acomba_seed003_created" / "input.json"))
    assert issues == []
    assert plain is not None
    assert plain["TypeDoc"] == "FACTURES"  # the response says 1
    assert plain["DateFacture"] == datetime.date(2024, 4, 24)  # "2024-04-24T00:00:00"
    assert plain["TotalFacture"] == Decimal("1195.17")
    assert plain["LigneFacture"][0]["Montant_TotalLigne"] == Decimal("561.322")


def test_writer_leaves_out_what_the_erp_computes() -> None:
    plain, _ = read_erp(_load(GOLDEN / "acomba_seed003_created" / "input.json"))
    assert plain is not None
    facture = write_erp(plain)["Facture"]
    for computed in ("TotalFacture", "SousTotalFacture", "ListeDesTaxes", "NbLignes",
                     "NoUniqueSystemeSource", "MontantNonPaye"):
        assert computed not in facture
    assert "NoLigneFacture" not in facture["LigneFacture"][0]
    assert facture["NoFacture"] == "10044"


def test_erp_bad_values_name_document_paths() -> None:
    _, issues = read_erp({"Facture": {"TypeDoc": "FACTURE", "DateFacture": "24/04/2024",
                                      "LigneFacture": [{"PrixFinal": "26,09"}]},
                          "ListeModePaiements": [{"dbl_MontantPaiement": "x"}]}, "in.json")
    assert _messages(issues) == [
        ("$.Facture.TypeDoc", "unknown TypeDoc \"FACTURE\"; did you mean 'FACTURES'? "
         "(expected one of: FACTURES, COMMANDES, SOUMISSIONS, ACHATS)"),
        ("$.Facture.DateFacture", 'value "24/04/2024" is not a date (expected YYYY-MM-DD)'),
        ("$.Facture.LigneFacture[0].PrixFinal",
         'value "26,09" uses a decimal comma; write it with a point: 26.09'),
        ("$.ListeModePaiements[0].dbl_MontantPaiement", 'value "x" is not a number'),
    ]
    assert {i.level for i in issues} == {Level.ERROR}
    assert {i.source for i in issues} == {"in.json"}


def test_unknown_typedoc_code_is_refused() -> None:
    _, issues = read_erp({"NoFacture": "1", "TypeDoc": 7})
    assert _messages(issues) == [("$.TypeDoc", "TypeDoc code 7 is not documented (known: "
                                  "1 = FACTURES, 2 = COMMANDES, 3 = SOUMISSIONS, 4 = ACHATS)")]
    assert issues[0].level is Level.ERROR


def test_assumed_typedoc_codes_are_read_with_a_note() -> None:
    plain, issues = read_erp({"NoFacture": "1", "TypeDoc": 3})
    assert plain is not None and plain["TypeDoc"] == "SOUMISSIONS"
    assert [(i.level, i.message) for i in issues] == [(
        Level.INFO, "TypeDoc code 3 read as SOUMISSIONS (an assumption: only 1 = FACTURES is "
        "documented)")]


def test_documents_of_the_other_system_are_recognised() -> None:
    vf = _load(TESTDATA / "invoice_get.json")
    assert read_erp(vf)[0] is None
    # the reader says the document is not its own; which system it is, the engine finds
    # from the registry (tests/engine/test_recognise.py)
    assert [(i.code, i.path, i.message) for i in read_erp(vf)[1]] == [
        ("wire.wrong_system", "$", "no ERP Connector invoice field found (expected NoFacture, "
         "DateFacture, LigneFacture...)")]
    payload = _load(GOLDEN / "acomba_seed004" / "input.json")
    assert [(i.code, i.path, i.message) for i in read_vf(payload)[1]] == [
        ("wire.wrong_system", "$", "no VosFactures invoice field found")]
    webhook = _load(TESTDATA / "invoice_create_webhook.json")
    assert _messages(read_vf(webhook)[1]) == [
        ("$", "this looks like a VosFactures webhook payload (an event), not a document")]
    assert _messages(read_erp([1, 2])[1]) == [
        ("$", "expected an ERP Connector invoice object, got a list")]
    assert _messages(read_erp({"Facture": "F-1"})[1]) == [
        ("$.Facture", "expected an ERP Connector invoice object, got a string")]
    assert _messages(read_vf(None)[1]) == [
        ("$", "expected a VosFactures invoice object, got null")]


def test_vosfactures_money_strings_become_decimals_and_back() -> None:
    document = _load(TESTDATA / "invoice_get2.json")
    plain, issues = read_vf(document)
    assert issues == []
    assert plain is not None
    assert plain["price_net"] == Decimal("81.3")
    assert plain["positions"][0]["quantity"] == Decimal("100.0")
    assert plain["positions"][0]["tax"] == "23"
    assert plain["issue_date"] == datetime.date(2018, 1, 5)
    body = write_vf(plain)["invoice"]
    assert body["positions"][0]["total_price_gross"] == "100.0"
    assert body["positions"][0]["price_net"] == "0.81"
    for computed in ("id", "price_net", "price_gross", "token", "view_url"):
        assert computed not in body


def test_vosfactures_request_body_with_numbers_and_wrapper() -> None:
    body = _load(TESTDATA / "invoice_create.json")
    plain, issues = read_vf({"invoice": body, "api_token": "x"})
    assert issues == []
    assert plain is not None
    assert [p["tax"] for p in plain["positions"]] == ["23", "0"]
    assert plain["positions"][0]["total_price_gross"] == Decimal("10.23")


def test_vosfactures_decimal_comma_and_unknown_kind() -> None:
    _, issues = read_vf({"kind": "devis", "positions": [{"price_net": "59,00", "tax": "23"}]},
                        "f.json")
    assert _messages(issues) == [
        ("$.kind", 'unknown kind "devis" (expected one of: vat, proforma, bill, receipt, '
         "advance, final, correction, invoice_other, estimate, client_order, "
         "maintenance_request, payment_receipt, kp, kw)"),
        ("$.positions[0].price_net",
         'value "59,00" uses a decimal comma; write it with a point: 59.00'),
    ]


def test_vosfactures_client_reader() -> None:
    plain, issues = reader(CLIENT)(_load(TESTDATA / "client_get.json"), "")
    assert issues == []
    assert plain is not None
    assert plain["balance"] == Decimal("30.99")
    assert plain["company"] is True
