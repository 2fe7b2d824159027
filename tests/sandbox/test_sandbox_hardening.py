"""Hostile input never makes a sandbox answer 500 (issue 12, item 8), and credentials are
checked the way the platform checks them, before the body is read (issue 11, item 1)."""

from __future__ import annotations

import base64

import pytest

from passeur_erpconnector.sandbox import create_app as erp_app
from passeur_vosfactures.sandbox import UNAUTHORIZED_BODY, create_app

from .conftest import TODAY

TOKEN = "qCedKxkTgQhGJpiI2SU"
AUTH = ("LIC-123", "s3cret")
INVOICE = {"buyer_name": "Client", "issue_date": "2025-06-01",
           "positions": [{"name": "A", "tax": 20, "total_price_gross": "12", "quantity": 1}]}


@pytest.fixture
def vf(serve):
    return serve(create_app(token=TOKEN, today=TODAY, max_body=64 * 1024))


@pytest.fixture
def erp(serve):
    return serve(erp_app(licence=AUTH[0], secret=AUTH[1], erp="quickbooks", today=TODAY,
                         seed=3))


def _post(vf, text: bytes, **params):
    return vf.http.post("/invoices.json", content=text, params=params,
                        headers={"content-type": "application/json"})


# -- authentication ---------------------------------------------------------------------------
def test_bearer_token_is_accepted_and_a_wrong_one_refused(vf):
    ok = vf.http.get("/invoices.json", headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200 and ok.json() == []
    made = vf.http.post("/invoices.json", json={"invoice": INVOICE},
                        headers={"Authorization": f"Bearer {TOKEN}"})
    assert made.status_code == 201
    wrong = vf.http.get("/invoices.json", headers={"Authorization": "Bearer nope"})
    assert (wrong.status_code, wrong.json()) == (401, UNAUTHORIZED_BODY)


@pytest.mark.parametrize("where", ["query", "body", "bearer", "basic"])
def test_a_non_ascii_token_is_refused_not_a_500(vf, where):
    token = "jéton€"
    if where == "query":
        answer = vf.http.get("/invoices.json", params={"api_token": token})
    elif where == "body":
        answer = vf.http.post("/invoices.json", json={"api_token": token, "invoice": INVOICE})
    elif where == "bearer":
        answer = vf.http.get("/invoices.json",
                             headers={"Authorization": b"Bearer " + token.encode()})
    else:
        raw = base64.b64encode(f"sandbox:{token}".encode()).decode()
        answer = vf.http.get("/invoices.json", headers={"Authorization": f"Basic {raw}"})
    assert (answer.status_code, answer.json()) == (401, UNAUTHORIZED_BODY)
    assert len(vf.state.invoices) == 0


def test_auth_is_checked_before_the_body_is_parsed(vf):
    # Malformed JSON without credentials: 401 (who is asking comes first), not 400.
    assert _post(vf, b'{"invoice": ').status_code == 401
    # A wrong token in the query: 401 without reading the (malformed) body.
    assert _post(vf, b'{"invoice": ', api_token="nope").status_code == 401
    # The right token: now the body's problem is reported.
    bad = _post(vf, b'{"invoice": ', api_token=TOKEN)
    assert bad.status_code == 400 and bad.json()["code"] == "error"


def test_a_body_over_the_cap_is_refused_before_it_is_read(vf):
    big = b'{"api_token": "%s", "invoice": {"description": "' % TOKEN.encode() + (
        b"x" * 70 * 1024) + b'"}}'
    answer = _post(vf, big)
    assert answer.status_code == 413
    assert answer.json() == {"code": "error", "message": "Request body larger than 65536 bytes"}
    assert len(vf.state.invoices) == 0


# -- hostile numbers and structures (VosFactures) ---------------------------------------------
@pytest.mark.parametrize("amount", ["1" * 40, "1e400", "-1e400", "1e999999"])
def test_absurd_amounts_as_text_are_422_naming_the_field(vf, amount):
    invoice = INVOICE | {"positions": [{"name": "A", "tax": 20, "quantity": 1,
                                        "total_price_gross": amount}]}
    answer = vf.http.post("/invoices.json", json={"api_token": TOKEN, "invoice": invoice})
    assert answer.status_code == 422
    assert list(answer.json()["message"]) == ["positions.total_price_gross"]


@pytest.mark.parametrize("literal, reason", [
    (b"1" * 5000, "a number of 5000 characters (at most 100)"),
    (b"1e400", "number '1e400' out of range (exponent beyond ±100)"),
])
def test_absurd_number_literals_are_400(vf, literal, reason):
    text = b'{"invoice": {"positions": [{"name": "A", "quantity": %s}]}}' % literal
    answer = _post(vf, text, api_token=TOKEN)
    assert (answer.status_code, answer.json()) == (400, {"code": "error",
                                                         "message": f"invalid JSON: {reason}"})


def test_deep_json_is_400(vf):
    answer = _post(vf, b"[" * 5000 + b"]" * 5000, api_token=TOKEN)
    assert answer.status_code == 400
    assert answer.json()["message"] == "invalid JSON: nested deeper than 32 levels"


def test_a_lone_surrogate_is_refused_and_listings_keep_working(vf):
    answer = _post(vf, b'{"invoice": {"buyer_name": "\\ud800", '
                       b'"positions": [{"name": "A", "total_price_gross": 1}]}}', api_token=TOKEN)
    assert answer.status_code == 400
    assert "lone surrogate" in answer.json()["message"]
    assert vf.http.get("/invoices.json", params={"api_token": TOKEN}).status_code == 200


def test_numbers_in_text_fields_are_stored_as_text_and_sorting_keeps_working(vf):
    for name in (12, "Acme", 3.5):
        made = vf.http.post("/invoices.json", json={"api_token": TOKEN, "invoice": INVOICE | {
            "buyer_name": name, "oid": name}})
        assert made.status_code == 201, made.text
    for order in ("buyer_name", "oid", "oid.desc"):
        listed = vf.http.get("/invoices.json", params={"api_token": TOKEN, "order": order})
        assert listed.status_code == 200
    names = [i["buyer_name"] for i in vf.http.get(
        "/invoices.json", params={"api_token": TOKEN, "order": "buyer_name"}).json()]
    assert names == ["12", "3.5", "Acme"]


def test_a_structure_where_one_value_belongs_is_422(vf):
    answer = vf.http.post("/invoices.json", json={"api_token": TOKEN,
                                                  "invoice": INVOICE | {"number": [1]}})
    assert (answer.status_code, answer.json()) == (422, {"code": "error", "message": {
        "number": ["n'est pas valide"]}})


def test_booleans_sent_as_text_are_stored_as_booleans(vf):
    made = vf.http.post("/invoices.json", json={"api_token": TOKEN,
                                                "invoice": INVOICE | {"test": "true"}})
    assert made.status_code == 201 and made.json()["test"] is True


def test_payment_update_checks_the_amount(vf):
    invoice = vf.http.post("/invoices.json", json={"api_token": TOKEN, "invoice": INVOICE})
    payment = vf.http.post("/banking/payments.json", json={"api_token": TOKEN, "banking_payment": {
        "price": "5", "invoice_id": invoice.json()["id"]}}).json()
    bad = vf.http.patch(f"/banking/payments/{payment['id']}.json",
                        json={"api_token": TOKEN, "banking_payment": {"price": "abc"}})
    assert (bad.status_code, bad.json()["message"]) == (422, {"price": ["n'est pas un nombre"]})
    good = vf.http.patch(f"/banking/payments/{payment['id']}.json",
                         json={"api_token": TOKEN, "banking_payment": {"price": 7}})
    assert good.status_code == 200 and good.json()["price"] == "7.0"


def test_the_main_department_cannot_be_deleted(vf):
    answer = vf.http.delete("/departments/1.json", params={"api_token": TOKEN})
    assert answer.status_code == 422
    made = vf.http.post("/invoices.json", json={"api_token": TOKEN, "invoice": INVOICE})
    assert made.json()["seller_name"] == "Ma Société"


def test_a_huge_id_in_a_path_is_404(vf):
    answer = vf.http.get(f"/invoices/{'9' * 5000}.json", params={"api_token": TOKEN})
    assert answer.status_code == 404


# -- ERP Connector --------------------------------------------------------------------------
@pytest.mark.parametrize("text, message", [
    ("(" * 60 + "NoFacture eq '1'" + ")" * 60,
     "$filter: nested deeper than 50 levels at character 51"),
    ("not " * 60 + "NoFacture eq '1'", "$filter: nested deeper than 50 levels at character 201"),
    ("(" * 3000 + "NoFacture eq '1'" + ")" * 3000, "$filter: longer than 4000 characters"),
])
def test_deep_or_long_filters_are_400(erp, text, message):
    answer = erp.http.get("/api/Entity/CustomerInvoice", params={"$filter": text}, auth=AUTH)
    assert (answer.status_code, answer.json()) == (400, {"Message": message})


def test_a_huge_task_id_is_404(erp):
    answer = erp.http.get(f"/api/Task/{'9' * 5000}", auth=AUTH)
    assert answer.status_code == 404


@pytest.mark.parametrize("day", ["2024-13-45", "2024-02-30", "yesterday", 20240101])
def test_an_impossible_date_is_refused(erp, day):
    answer = erp.http.post("/api/Entity/CustomerInvoice", auth=AUTH, json={"Facture": {
        "DateFacture": day, "InfoClientFacturerA": {"NoClient": "0Comptoir"},
        "LigneFacture": [{"strNoProduit": "CAThermo", "QteFacture": 1}]}})
    assert answer.status_code == 400
    assert list(answer.json()["ResultPayload"]["Errors"]) == ["Facture.DateFacture"]


def test_erp_body_over_the_cap_is_413(serve):
    erp = serve(erp_app(licence=AUTH[0], secret=AUTH[1], erp="quickbooks", max_body=1000))
    answer = erp.http.post("/api/Entity/CustomerInvoice", auth=AUTH, content=b" " * 2000)
    assert (answer.status_code, answer.json()) == (413, {
        "Message": "Request body larger than 1000 bytes"})
