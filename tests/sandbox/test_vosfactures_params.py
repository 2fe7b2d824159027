"""Parameters the VosFactures sandbox used to swallow (issue 11, item 6): each is now
applied as seed 002 says, or refused with a clear error."""

from __future__ import annotations

import pytest

from passeur_vosfactures.sandbox import create_app

from .conftest import TODAY

TOKEN = "qCedKxkTgQhGJpiI2SU"
LINE = {"name": "Produit A", "tax": 20, "total_price_gross": "12", "quantity": 1}


@pytest.fixture
def vf(serve):
    return serve(create_app(token=TOKEN, today=TODAY))


def create(vf, invoice, **extra):
    answer = vf.http.post("/invoices.json", json={"api_token": TOKEN, "invoice": invoice,
                                                  **extra})
    assert answer.status_code == 201, answer.text
    return answer.json()


def get(vf, path, **params):
    return vf.http.get(path, params={"api_token": TOKEN, **params})


def test_additional_fields_show_what_is_asked_and_refuse_the_unknown(vf):
    made = create(vf, {"buyer_name": "C", "positions": [LINE]})
    vf.http.post("/invoices/cancel.json", json={"api_token": TOKEN,
                                                "cancel_invoice_id": made["id"],
                                                "cancel_reason": "erreur"})
    plain = get(vf, f"/invoices/{made['id']}.json").json()
    assert "cancel_reason" not in plain
    asked = get(vf, f"/invoices/{made['id']}.json",
                **{"additional_fields[invoice]": "cancel_reason,connected_payments"}).json()
    assert (asked["cancel_reason"], asked["connected_payments"]) == ("erreur", [])
    wrong = get(vf, f"/invoices/{made['id']}.json", **{"additional_fields[invoice]": "nope"})
    assert wrong.status_code == 422 and list(wrong.json()["message"]) == [
        "additional_fields[invoice]"]


def test_payments_include_their_invoices(vf):
    made = create(vf, {"buyer_name": "C", "positions": [LINE]})
    vf.http.post("/banking/payments.json", json={"api_token": TOKEN, "banking_payment": {
        "price": "12", "invoice_id": made["id"]}})
    (payment,) = get(vf, "/banking/payments.json", include="invoices").json()
    assert [i["id"] for i in payment["invoices"]] == [made["id"]]
    assert payment["invoices"][0]["status"] == "paid"
    assert get(vf, "/banking/payments.json", include="clients").status_code == 422


def test_send_by_email_options(vf):
    made = create(vf, {"buyer_name": "C", "buyer_email": "old@ex.fr", "positions": [LINE]})
    answer = vf.http.post(f"/invoices/{made['id']}/send_by_email.json", params={
        "api_token": TOKEN, "email_to": "new@ex.fr", "email_cc": "cc@ex.fr",
        "email_pdf": "true", "update_buyer_email": "yes"})
    assert answer.status_code == 200
    assert vf.state.outbox == [{"invoice_id": made["id"], "to": ["new@ex.fr"],
                                "cc": ["cc@ex.fr"], "pdf": True}]
    assert get(vf, f"/invoices/{made['id']}.json").json()["buyer_email"] == "new@ex.fr"
    assert vf.state.clients.get(made["client_id"])["email"] == "new@ex.fr"
    too_many = vf.http.post(f"/invoices/{made['id']}/send_by_email.json", params={
        "api_token": TOKEN, "force": "true", "email_cc": ",".join(f"a{i}@ex.fr"
                                                                  for i in range(6))})
    assert too_many.status_code == 422 and list(too_many.json()["message"]) == ["email_cc"]


def test_print_option_is_printed_or_refused(vf):
    made = create(vf, {"buyer_name": "C", "positions": [LINE]})
    copy = get(vf, f"/invoices/{made['id']}.pdf", print_option="duplicate")
    assert copy.status_code == 200 and b"Duplicata" in copy.content
    assert get(vf, f"/invoices/{made['id']}.pdf", print_option="triplicate").status_code == 422


def test_payment_to_kind_off_shows_no_due_date(vf):
    assert create(vf, {"buyer_name": "C", "payment_to_kind": "off",
                       "positions": [LINE]})["payment_to"] is None


def test_fill_default_descriptions_and_the_reverse_charge_mention(vf):
    vf.http.put("/departments/1.json", json={"api_token": TOKEN, "department": {
        "invoice_description": "Escompte : néant"}})
    filled = create(vf, {"buyer_name": "C", "positions": [LINE]},
                    fill_default_descriptions=True)
    assert filled["description"] == "Escompte : néant"
    assert create(vf, {"buyer_name": "C", "positions": [LINE]})["description"] is None
    reverse = create(vf, {"buyer_name": "C", "reverse_charge": True, "positions": [LINE]})
    assert reverse["description"] == ("Mécanisme d'autoliquidation : la TVA est due par le "
                                      "preneur assujetti")


def test_new_products_join_the_catalogue(vf):
    made = create(vf, {"buyer_name": "C", "positions": [LINE | {"code": "PA-1"}]})
    (product,) = get(vf, "/products.json").json()
    assert (product["name"], product["code"], product["price_gross"]) == (
        "Produit A", "PA-1", "12.0")
    again = create(vf, {"buyer_name": "C", "positions": [LINE | {"code": "PA-1"}]})
    assert len(get(vf, "/products.json").json()) == 1
    lines = [get(vf, f"/invoices/{i}.json").json()["positions"][0]["product_id"]
             for i in (made["id"], again["id"])]
    assert lines == [product["id"], product["id"]]


def test_buyer_override_updates_the_card_and_without_it_the_card_wins(vf):
    client = vf.http.post("/clients.json", json={"api_token": TOKEN, "client": {
        "name": "Client Untel", "city": "Paris"}}).json()
    kept = create(vf, {"client_id": client["id"], "buyer_city": "Nice", "positions": [LINE]})
    assert kept["buyer_city"] == "Paris"
    moved = create(vf, {"client_id": client["id"], "buyer_city": "Nice",
                        "buyer_override": True, "positions": [LINE]})
    assert moved["buyer_city"] == "Nice"
    assert vf.state.clients.get(client["id"])["city"] == "Nice"


def test_email_recognition_ignores_case(vf):
    first = create(vf, {"buyer_name": "Reco", "buyer_email": "reco@ex.fr", "positions": [LINE]})
    second = create(vf, {"buyer_name": "Autre nom", "buyer_email": "RECO@ex.fr",
                         "positions": [LINE]})
    assert second["client_id"] == first["client_id"]
    assert len(vf.state.clients) == 1
