"""Amounts the VosFactures sandbox computes as the platform does, or refuses (issue 11,
items 2-4): discounts, advances, final invoices, PUT status paid, calculating_strategy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from passeur_vosfactures.sandbox import create_app

from .conftest import TODAY

TOKEN = "qCedKxkTgQhGJpiI2SU"
TESTDATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "testdata" / "vosfactures"


@pytest.fixture
def vf(serve):
    return serve(create_app(token=TOKEN, today=TODAY))


def create(vf, invoice):
    return vf.http.post("/invoices.json", json={"api_token": TOKEN, "invoice": invoice})


def totals(answer):
    body = answer.json()
    return body["price_net"], body["price_tax"], body["price_gross"]


LINE = {"name": "Produit", "tax": 23, "total_price_gross": "123.00", "quantity": 1}


# -- discounts (seed 002: show_discount, discount_kind, position discount / discount_percent) --
@pytest.mark.parametrize("kind, field, gross", [
    ("amount", "discount", "89.67"),           # 123.00 - 33.33
    ("percent_total", "discount_percent", "82.0"),       # 123.00 x (1 - 33.33 %) = 82.0041
    ("percent_unit_gross", "discount_percent", "82.0"),
])
def test_discounts_are_applied(vf, kind, field, gross):
    answer = create(vf, {"buyer_name": "C", "show_discount": True, "discount_kind": kind,
                         "positions": [LINE | {field: "33.33"}]})
    assert answer.status_code == 201, answer.text
    assert answer.json()["price_gross"] == gross


def test_percent_unit_discount_is_on_the_net(vf):
    answer = create(vf, {"buyer_name": "C", "show_discount": True, "discount_kind": "percent_unit",
                         "positions": [{"name": "P", "tax": 20, "price_net": "100",
                                        "quantity": 2, "discount_percent": "10"}]})
    assert totals(answer) == ("180.0", "36.0", "216.0")


def test_a_discount_without_its_kind_is_refused_not_ignored(vf):
    answer = create(vf, {"buyer_name": "C", "positions": [LINE | {"discount": "33.33"}]})
    assert answer.status_code == 422
    assert list(answer.json()["message"]) == ["discount_kind"]
    assert len(vf.state.invoices) == 0


# -- advances and final invoices (seed 002, "Créer une facture d'acompte / de solde") --------
@pytest.fixture
def estimate(vf):
    answer = create(vf, {"kind": "estimate", "buyer_name": "Client", "positions": [
        {"name": "Travaux", "tax": 20, "total_price_gross": "1200.00", "quantity": 1}]})
    assert answer.status_code == 201
    return answer.json()


def _advance(vf, estimate, mode, value):
    return create(vf, {"copy_invoice_from": estimate["id"], "kind": "advance",
                       "advance_creation_mode": mode, "advance_value": value,
                       "position_name": f"Acompte {value}"})


def test_percent_and_amount_advances(vf, estimate):
    percent = _advance(vf, estimate, "percent", "30")
    assert percent.status_code == 201
    assert totals(percent) == ("300.0", "60.0", "360.0")
    amount = _advance(vf, estimate, "amount", "150")
    assert totals(amount) == ("125.0", "25.0", "150.0")
    got = vf.http.get(f"/invoices/{amount.json()['id']}.json", params={"api_token": TOKEN})
    assert [(p["name"], p["total_price_gross"]) for p in got.json()["positions"]] == [
        ("Acompte 150", "150.0")]
    assert got.json()["invoice_id"] == estimate["id"]


def test_final_invoice_deducts_the_advances(vf, estimate):
    first = _advance(vf, estimate, "percent", "30").json()
    second = _advance(vf, estimate, "amount", "150").json()
    final = create(vf, {"copy_invoice_from": estimate["id"], "kind": "final",
                        "invoice_ids": [first["id"], second["id"]]})
    assert final.status_code == 201, final.text
    assert totals(final) == ("575.0", "115.0", "690.0")  # 1200 - 360 - 150


@pytest.mark.parametrize("mode, value, field", [
    ("percent", "130", "advance_value"), ("amount", "5000", "advance_value"),
    ("share", "30", "advance_creation_mode"), ("percent", "abc", "advance_value")])
def test_an_impossible_advance_is_refused(vf, estimate, mode, value, field):
    answer = _advance(vf, estimate, mode, value)
    assert answer.status_code == 422 and list(answer.json()["message"]) == [field]


def test_a_final_invoice_naming_no_advance_is_refused(vf, estimate):
    answer = create(vf, {"copy_invoice_from": estimate["id"], "kind": "final",
                         "invoice_ids": [estimate["id"]]})
    assert answer.status_code == 422
    assert answer.json()["message"] == {"invoice_ids": [
        f"{estimate['number']} n'est pas une facture d'acompte"]}


# -- PUT status paid (the recorded invoice_put_status_response.json) -------------------------
def test_put_status_paid_sets_paid_and_paid_date_like_the_recording(vf):
    recorded = json.loads((TESTDATA / "invoice_put_status_response.json").read_text())
    assert recorded["status"] == "paid" and recorded["paid"] == recorded["price_gross"]
    made = create(vf, {"buyer_name": "C", "positions": [LINE]}).json()
    answer = vf.http.put(f"/invoices/{made['id']}.json",
                         json={"api_token": TOKEN, "invoice": {"status": "paid"}})
    body = answer.json()
    assert (body["status"], body["paid"], body["paid_date"]) == ("paid", "123.0", TODAY)


# -- calculating_strategy (seed 002: the three values, all required) -------------------------
def test_calculating_strategy_needs_its_three_values(vf):
    answer = create(vf, {"buyer_name": "C", "calculating_strategy": {"sum": "keep_net"},
                         "positions": [LINE]})
    assert answer.status_code == 422
    assert sorted(answer.json()["message"]) == ["calculating_strategy.invoice_form_price_kind",
                                               "calculating_strategy.position"]


def test_net_prices_with_keep_net_keep_the_net_and_tax_the_sum(vf):
    strategy = {"position": "default", "sum": "keep_net", "invoice_form_price_kind": "net"}
    lines = [{"name": f"L{i}", "tax": "20", "total_price_net": "10.01", "quantity": 1}
             for i in range(3)]
    answer = create(vf, {"buyer_name": "C", "calculating_strategy": strategy,
                         "positions": lines})
    # Per line 10.01 x 1.2 = 12.012 -> 12.01 (sum 36.03); on the net sum 30.03 x 20 % = 6.006.
    assert totals(answer) == ("30.03", "6.01", "36.04")
    plain = create(vf, {"buyer_name": "C", "positions": lines})
    assert totals(plain) == ("30.03", "6.0", "36.03")


def test_both_totals_sent_are_kept_when_they_agree_with_the_rate(vf):
    line = {"name": "L", "tax": "15.025", "total_price_net": "488", "quantity": 4,
            "total_price_gross": "561.33"}
    assert totals(create(vf, {"buyer_name": "C", "positions": [line]})) == (
        "488.0", "73.33", "561.33")
    wrong = create(vf, {"buyer_name": "C", "positions": [line | {"total_price_gross": "600"}]})
    assert wrong.status_code == 422
    assert list(wrong.json()["message"]) == ["positions.total_price_gross"]
