"""The VosFactures sandbox answers as seed 002 documents, over a real loopback socket."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest

from passeur_vosfactures.sandbox import UNAUTHORIZED_BODY, create_app

from .conftest import TODAY

TOKEN = "qCedKxkTgQhGJpiI2SU"
TESTDATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "testdata" / "vosfactures"


@pytest.fixture
def vf(serve):
    return serve(create_app(token=TOKEN, today=TODAY))


@pytest.fixture
def seeded(serve):
    return serve(create_app(token=TOKEN, today=TODAY, seed=240, random_seed=7))


def create(vf, invoice, **extra):
    return vf.http.post("/invoices.json", json={"api_token": TOKEN, "invoice": invoice, **extra})


def get_all(vf, path, **params):
    params = {"api_token": TOKEN, **params}
    return vf.http.get(path, params=params)


SIMPLE = {"kind": "vat", "issue_date": "2025-05-20", "buyer_name": "Client Untel",
          "buyer_tax_no": "FR45362780010",
          "positions": [{"name": "Produit A1", "tax": 23, "total_price_gross": "10.23",
                         "quantity": 1},
                        {"name": "Produit A2", "tax": 0, "total_price_gross": 50,
                         "quantity": 3}]}


# -- authentication ---------------------------------------------------------------------------
def test_no_token_is_401_with_the_platform_body(vf):
    answer = vf.http.get("/invoices.json")
    assert answer.status_code == 401
    assert answer.json() == {"code": "error",
                             "message": "You must be logged in to gain access to the site"}
    assert answer.json() == UNAUTHORIZED_BODY


def test_wrong_token_is_401_in_query_and_in_body(vf):
    assert vf.http.get("/invoices.json", params={"api_token": "nope"}).status_code == 401
    answer = vf.http.post("/invoices.json", json={"api_token": "nope", "invoice": SIMPLE})
    assert answer.status_code == 401
    assert len(vf.state.invoices) == 0


def test_token_in_body_for_writes_and_basic_auth(vf):
    assert create(vf, SIMPLE).status_code == 201
    basic = vf.http.get("/invoices.json", auth=("sandbox", TOKEN))
    assert basic.status_code == 200 and len(basic.json()) == 1
    assert vf.http.get("/invoices.json", auth=("sandbox", "wrong")).status_code == 401


# -- creation, numbering, money ---------------------------------------------------------------
def test_create_returns_201_with_the_partial_object_and_money_as_strings(vf):
    answer = create(vf, SIMPLE)
    assert answer.status_code == 201
    body = answer.json()
    assert "positions" not in body
    assert body["number"] == "FV 2025/05/001"
    # 10.23 gross at 23 % -> 8.32 net; 50.00 at 0 %.
    assert (body["price_net"], body["price_tax"], body["price_gross"]) == (
        "58.32", "1.91", "60.23")
    assert body["status"] == "issued" and body["payment_to"] == "2025-05-25"
    full = get_all(vf, f"/invoices/{body['id']}.json").json()
    assert [(p["name"], p["quantity"], p["price_net"], p["total_price_gross"], p["tax"])
            for p in full["positions"]] == [
        ("Produit A1", "1.0", "8.32", "10.23", "23"),
        ("Produit A2", "3.0", "16.67", "50.0", "0")]


def test_real_recorded_create_body_gives_the_recorded_totals(vf):
    # invoice_create.json was answered by invoice_created.json: net 58.32, vat 1.91, gross 60.23
    raw = (TESTDATA / "invoice_create.json").read_text()
    body = vf.http.post("/invoices.json", content=f'{{"api_token": "{TOKEN}", "invoice": {raw}}}',
                        headers={"content-type": "application/json"}).json()
    recorded = json.loads((TESTDATA / "invoice_created.json").read_text())
    assert [Decimal(body[k]) for k in ("price_net", "price_tax", "price_gross")] == [
        Decimal(recorded[k]) for k in ("price_net", "price_tax", "price_gross")]


def test_numbering_per_kind_and_month(vf):
    numbers = [create(vf, {**SIMPLE, "kind": kind, "issue_date": day}).json()["number"]
               for kind, day in [("vat", "2025-05-02"), ("vat", "2025-05-09"),
                                 ("proforma", "2025-05-09"), ("vat", "2025-06-01")]]
    assert numbers == ["FV 2025/05/001", "FV 2025/05/002", "PRO 2025/05/001", "FV 2025/06/001"]


def test_given_number_is_kept_and_a_duplicate_refused(vf):
    assert create(vf, {**SIMPLE, "number": "13/2012"}).json()["number"] == "13/2012"
    again = create(vf, {**SIMPLE, "number": "13/2012"})
    assert again.status_code == 422
    assert again.json() == {"code": "error", "message": {"number": ["est déjà utilisé(e)"]}}


def test_product_id_position_uses_the_catalogue(vf):
    product = vf.http.post("/products.json", json={
        "api_token": TOKEN, "product": {"name": "ProduitA", "code": "A001",
                                        "price_gross": "100", "tax": "20"}}).json()
    assert (product["price_net"], product["price_gross"], product["tax"]) == (
        "83.33", "100.0", "20")
    body = create(vf, {"buyer_name": "X", "positions": [
        {"product_id": product["id"], "quantity": 2}]}).json()
    assert (body["price_net"], body["price_gross"]) == ("166.66", "199.99")
    assert body["issue_date"] == TODAY


def test_ids_sent_as_text_work_and_ids_that_are_not_ids_are_refused(vf):
    product = vf.http.post("/products.json", json={
        "api_token": TOKEN, "product": {"name": "P", "price_net": "10", "tax": "20"}}).json()
    ok = create(vf, {"buyer_name": "X", "department_id": "1", "positions": [
        {"product_id": str(product["id"]), "quantity": 1}]})
    assert ok.status_code == 201 and ok.json()["price_net"] == "10.0"
    # `true` is not department 1, and a fraction is not the product whose id it rounds to.
    body = json.dumps({"api_token": TOKEN, "invoice": {
        "buyer_name": "X", "department_id": True,
        "positions": [{"product_id": "FRACTION", "quantity": 1}]}})
    refused = vf.http.post("/invoices.json",
                           content=body.replace('"FRACTION"', f"{product['id']}.5"),
                           headers={"Content-Type": "application/json"})
    assert refused.status_code == 422
    assert refused.json() == {"code": "error", "message": {
        "department_id": ["n'existe pas"], "positions.name": ["doit être rempli(e)"],
        "positions.product_id": ["n'existe pas"]}}


# -- oid_unique and validation ----------------------------------------------------------------
def test_oid_unique_refuses_a_duplicate_with_422(vf):
    first = create(vf, {**SIMPLE, "oid": "10021", "oid_unique": "yes"})
    assert first.status_code == 201
    duplicate = create(vf, {**SIMPLE, "oid": "10021", "oid_unique": "yes"})
    assert duplicate.status_code == 422
    assert duplicate.json() == {"code": "error", "message": {"oid": ["est déjà utilisé(e)"]}}
    assert len(vf.state.invoices) == 1
    # Without oid_unique the platform accepts the same oid again.
    assert create(vf, {**SIMPLE, "oid": "10021"}).status_code == 201


def test_validation_errors_are_422_with_every_field(vf):
    answer = create(vf, {"kind": "invoice", "issue_date": "2025-13-45",
                         "positions": [{"quantity": "abc", "total_price_gross": 1}]})
    assert answer.status_code == 422
    assert answer.json() == {"code": "error", "message": {
        "kind": ["n'est pas inclus(e) dans la liste"],
        "issue_date": ["n'est pas une date valide"],
        "buyer_name": ["doit être rempli(e)"],
        "positions.name": ["doit être rempli(e)"],
        "positions.quantity": ["n'est pas un nombre"]}}
    assert len(vf.state.invoices) == 0 and len(vf.state.clients) == 0


def test_missing_positions_and_unknown_client(vf):
    answer = create(vf, {"client_id": 999, "positions": []})
    assert answer.json()["message"] == {"client_id": ["n'existe pas"],
                                        "positions": ["doit être rempli(e)"]}


def test_unknown_ids_are_404(vf):
    for method, path in [("GET", "/invoices/4242.json"), ("PUT", "/invoices/4242.json"),
                         ("DELETE", "/invoices/4242.json"), ("GET", "/clients/1.json"),
                         ("GET", "/invoices/4242.pdf"), ("GET", "/nothing.json")]:
        answer = vf.http.request(method, path, params={"api_token": TOKEN},
                                 json={"invoice": {}})
        assert (answer.status_code, answer.json()) == (
            404, {"code": "error", "message": "Not found"}), path


# -- listing: pagination, period, filters, order ----------------------------------------------
def test_per_page_is_capped_at_100_and_defaults_to_25(seeded):
    assert len(get_all(seeded, "/invoices.json", period="all", per_page=500).json()) == 100
    assert len(get_all(seeded, "/invoices.json", period="all").json()) == 25
    pages = [get_all(seeded, "/invoices.json", period="all", per_page=100, page=n).json()
             for n in (1, 2, 3, 4)]
    assert [len(p) for p in pages] == [100, 100, 40, 0]
    ids = [i["id"] for page in pages for i in page]
    assert len(set(ids)) == 240 and ids == sorted(ids, reverse=True)


def test_default_period_hides_documents_older_than_12_months(seeded):
    today = datetime.date.fromisoformat(TODAY)
    limit = datetime.date(today.year - 1, today.month, today.day)
    every = [i for p in (1, 2, 3) for i in get_all(
        seeded, "/invoices.json", period="all", per_page=100, page=p).json()]
    recent = [i for p in (1, 2, 3) for i in get_all(
        seeded, "/invoices.json", per_page=100, page=p).json()]
    expected = {i["id"] for i in every if datetime.date.fromisoformat(i["issue_date"]) >= limit}
    assert 0 < len(expected) < len(every)
    assert {i["id"] for i in recent} == expected


def test_period_more_this_month_and_last_year(vf):
    for day in ("2025-06-01", "2025-05-31", "2024-03-10", "2023-12-31"):
        create(vf, {**SIMPLE, "issue_date": day})

    def dates(**params):
        return sorted(i["issue_date"] for i in get_all(vf, "/invoices.json", **params).json())

    assert dates(period="this_month") == ["2025-06-01"]
    assert dates(period="last_month") == ["2025-05-31"]
    assert dates(period="last_year") == ["2024-03-10"]
    assert dates(period="this_year") == ["2025-05-31", "2025-06-01"]
    assert dates(period="more", date_from="2023-12-31", date_to="2024-03-10") == [
        "2023-12-31", "2024-03-10"]
    assert dates() == ["2025-05-31", "2025-06-01"]
    bad = get_all(vf, "/invoices.json", period="more", date_from="yesterday")
    assert (bad.status_code, bad.json()["message"]) == (
        422, {"date_from": ["n'est pas une date valide"]})


def test_filters_kind_kinds_number_client_ids_income(vf):
    a = create(vf, SIMPLE).json()
    b = create(vf, {**SIMPLE, "kind": "proforma", "buyer_name": "Autre",
                    "buyer_tax_no": "FR5252445767"}).json()
    c = create(vf, {**SIMPLE, "kind": "estimate", "income": "0"}).json()

    def ids(**params):
        return sorted(i["id"] for i in get_all(vf, "/invoices.json", **params).json())

    assert ids(kind="proforma") == [b["id"]]
    assert ids(**{"kinds[]": ["vat", "estimate"]}) == [a["id"], c["id"]]
    assert ids(number=a["number"]) == [a["id"]]
    assert ids(client_id=b["client_id"]) == [b["id"]]
    assert a["client_id"] == c["client_id"] != b["client_id"]
    assert ids(invoice_ids=f"{a['id']},{c['id']}") == [a["id"], c["id"]]
    assert ids(income="0") == [c["id"]]
    listed = get_all(vf, "/invoices.json").json()
    assert all("positions" not in i for i in listed)
    with_positions = get_all(vf, "/invoices.json", include_positions="true").json()
    assert all(len(i["positions"]) == 2 for i in with_positions)


def test_order_ascending_and_desc(vf):
    for gross in ("30", "10", "20"):
        create(vf, {**SIMPLE, "positions": [{"name": "P", "tax": 0, "total_price_gross": gross}]})
    asc = [i["price_gross"] for i in get_all(vf, "/invoices.json", order="price_gross").json()]
    desc = [i["price_gross"] for i in get_all(vf, "/invoices.json",
                                              order="price_gross.desc").json()]
    assert asc == ["10.0", "20.0", "30.0"] and desc == asc[::-1]


# -- updates, status, cancel, e-mail, pdf -----------------------------------------------------
def test_update_positions_by_id_destroy_and_add(vf):
    created = create(vf, SIMPLE).json()
    first, second = get_all(vf, f"/invoices/{created['id']}.json").json()["positions"]
    answer = vf.http.put(f"/invoices/{created['id']}.json", json={
        "api_token": TOKEN, "invoice": {
            "buyer_name": "Nouveau nom du client",
            "positions": [{"id": first["id"], "name": "test", "quantity": 2},
                          {"id": second["id"], "_destroy": 1},
                          {"name": "Produit B", "tax": 20, "total_price_gross": "12.0",
                           "quantity": 1}]}})
    assert answer.status_code == 200
    full = get_all(vf, f"/invoices/{created['id']}.json").json()
    assert full["buyer_name"] == "Nouveau nom du client"
    assert [(p["name"], p["quantity"], p["total_price_gross"]) for p in full["positions"]] == [
        ("test", "2.0", "20.47"), ("Produit B", "1.0", "12.0")]
    assert full["price_gross"] == "32.47"
    unknown = vf.http.patch(f"/invoices/{created['id']}.json", json={
        "api_token": TOKEN, "invoice": {"positions": [{"id": 1, "_destroy": 1}]}})
    assert unknown.status_code == 422
    assert unknown.json()["message"] == {"positions.id": ["n'existe pas"]}


def test_change_status_cancel_delete(vf):
    created = create(vf, SIMPLE).json()
    path = f"/invoices/{created['id']}"
    paid = vf.http.post(f"{path}/change_status.json", params={"api_token": TOKEN,
                                                             "status": "paid"})
    assert (paid.json()["status"], paid.json()["paid"]) == ("paid", "60.23")
    bad = vf.http.post(f"{path}/change_status.json", params={"api_token": TOKEN,
                                                            "status": "done"})
    assert bad.status_code == 422
    cancel = vf.http.post("/invoices/cancel.json", json={
        "api_token": TOKEN, "cancel_invoice_id": str(created["id"]), "cancel_reason": "doublon"})
    assert cancel.json() == {"code": "success", "message": "Document annulé"}
    assert get_all(vf, f"{path}.json").json()["cancelled"] is True
    assert vf.http.delete(f"{path}.json", params={"api_token": TOKEN}).status_code == 200
    assert get_all(vf, f"{path}.json").status_code == 404


def test_send_by_email_needs_an_address_and_waits_three_days(vf):
    created = create(vf, SIMPLE).json()
    path = f"/invoices/{created['id']}/send_by_email.json"
    none = vf.http.post(path, params={"api_token": TOKEN})
    assert none.json()["message"] == {"email_to": ["doit être rempli(e)"]}
    sent = vf.http.post(path, params={"api_token": TOKEN, "email_to": "a@exemple.com"})
    assert sent.json()["code"] == "success"
    assert vf.state.outbox == [{"invoice_id": created["id"], "to": ["a@exemple.com"], "cc": [],
                                "pdf": False}]
    again = vf.http.post(path, params={"api_token": TOKEN, "email_to": "a@exemple.com"})
    assert again.status_code == 422
    forced = vf.http.post(path, params={"api_token": TOKEN, "email_to": "a@exemple.com",
                                        "force": "true"})
    assert forced.status_code == 200
    assert get_all(vf, f"/invoices/{created['id']}.json").json()["status"] == "sent"


def test_pdf_is_a_small_valid_pdf(vf):
    created = create(vf, SIMPLE).json()
    answer = vf.http.get(f"/invoices/{created['id']}.pdf", params={"api_token": TOKEN})
    assert answer.headers["content-type"] == "application/pdf"
    data = answer.content
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    assert b"FV 2025/05/001" in data
    xref_at = int(data.rsplit(b"startxref", 1)[1].split()[0])
    assert data[xref_at:xref_at + 4] == b"xref"
    offsets = [int(line[:10]) for line in data[xref_at:].splitlines()[3:8]]
    assert [data[o:o + 7] for o in offsets] == [f"{n} 0 obj".encode() for n in range(1, 6)]


# -- clients, products, payments, departments -------------------------------------------------
def test_clients_found_by_external_id_tax_no_email_name(vf):
    made = vf.http.post("/clients.json", json={"api_token": TOKEN, "client": {
        "name": "Client1", "tax_no": "FR5252445333", "email": "client@email.fr",
        "external_id": "100"}})
    assert made.status_code == 201
    vf.http.post("/clients.json", json={"api_token": TOKEN, "client": {"name": "Autre"}})
    for params in ({"external_id": "100"}, {"tax_no": "FR5252445333"},
                   {"email": "CLIENT@email.fr"}, {"name": "client1"}):
        found = get_all(vf, "/clients.json", **params).json()
        assert [c["id"] for c in found] == [made.json()["id"]], params
    assert get_all(vf, "/clients.json", external_id="nope").json() == []
    nameless = vf.http.post("/clients.json", json={"api_token": TOKEN, "client": {"city": "N"}})
    assert nameless.json() == {"code": "error", "message": {"name": ["doit être rempli(e)"]}}


def test_invoice_recognises_an_existing_client_by_tax_number(vf):
    client = vf.http.post("/clients.json", json={"api_token": TOKEN, "client": {
        "name": "Client Untel", "tax_no": "FR45362780010", "city": "Nice"}}).json()
    body = create(vf, SIMPLE).json()
    assert body["client_id"] == client["id"] and body["buyer_city"] == "Nice"
    assert len(vf.state.clients) == 1


def test_payment_applies_to_invoices_in_order(vf):
    a = create(vf, {**SIMPLE, "positions": [{"name": "A", "tax": 0,
                                             "total_price_gross": 100}]}).json()
    b = create(vf, {**SIMPLE, "positions": [{"name": "B", "tax": 0,
                                             "total_price_gross": 150}]}).json()
    payment = vf.http.post("/banking/payments.json", json={"api_token": TOKEN, "banking_payment": {
        "name": "Titre", "price": 200, "invoice_ids": [a["id"], b["id"]], "paid": True,
        "kind": "api"}})
    assert payment.status_code == 201 and payment.json()["price"] == "200.0"
    states = [(i["status"], i["paid"]) for i in (
        get_all(vf, f"/invoices/{n['id']}.json").json() for n in (a, b))]
    assert states == [("paid", "100.0"), ("partial", "100.0")]
    one = get_all(vf, f"/banking/payment/{payment.json()['id']}.json")
    assert one.json()["invoice_ids"] == [a["id"], b["id"]]
    assert len(get_all(vf, "/banking/payments.json").json()) == 1


def test_departments_main_one_exists_and_new_ones_are_listed(vf):
    made = vf.http.post("/departments.json", json={"api_token": TOKEN, "department": {
        "name": "Entreprise ABC", "shortcut": "ABC"}}).json()
    listed = get_all(vf, "/departments.json").json()
    assert [d["name"] for d in listed] == ["Ma Société", "Entreprise ABC"]
    body = create(vf, {**SIMPLE, "department_id": made["id"]}).json()
    assert body["seller_name"] == "Entreprise ABC"
    renamed = vf.http.put(f"/departments/{made['id']}.json", json={
        "api_token": TOKEN, "department": {"name": "nouveau_nom"}})
    assert renamed.json()["name"] == "nouveau_nom"


def test_same_random_seed_same_data(serve):
    one = create_app(token=TOKEN, today=TODAY, seed=30, random_seed=3)
    two = create_app(token=TOKEN, today=TODAY, seed=30, random_seed=3)
    other = create_app(token=TOKEN, today=TODAY, seed=30, random_seed=4)
    assert list(one.state.invoices) == list(two.state.invoices)
    assert list(one.state.invoices) != list(other.state.invoices)


def test_product_update_by_code_recomputes_net_from_gross(vf):
    made = vf.http.post("/products.json", json={"api_token": TOKEN, "product": {
        "name": "ProduitA", "code": "REFABC", "price_gross": "100", "tax": "20"}}).json()
    answer = vf.http.put("/products/REFABC.json", json={
        "api_token": TOKEN, "find_by": "code",
        "product": {"name": "Product A", "tax": "20", "price_gross": "102",
                    "price_net": "1.0", "description": "Test 123"}})
    assert answer.status_code == 200
    assert {k: answer.json()[k] for k in ("id", "name", "price_gross", "price_net",
                                          "description")} == {
        "id": made["id"], "name": "Product A", "price_gross": "102.0", "price_net": "85.0",
        "description": "Test 123"}
    numeric = vf.http.post("/products.json", json={"api_token": TOKEN, "product": {
        "name": "Numérique", "code": "333", "price_gross": "10"}}).json()
    by_code = vf.http.put("/products/333.json", json={"api_token": TOKEN, "find_by": "code",
                                                       "product": {"name": "Renommé"}})
    assert (by_code.json()["id"], by_code.json()["name"]) == (numeric["id"], "Renommé")
    unknown = vf.http.put("/products/NOPE.json", json={"api_token": TOKEN, "find_by": "code",
                                                       "product": {"name": "x"}})
    assert unknown.status_code == 404


def test_products_list_active_by_default_and_disabled_on_filter(vf):
    for name, disabled in (("Actif", False), ("Inactif", True)):
        vf.http.post("/products.json", json={"api_token": TOKEN, "product": {
            "name": name, "price_net": "1", "disabled": disabled}})
    assert [p["name"] for p in get_all(vf, "/products.json").json()] == ["Actif"]
    assert [p["name"] for p in get_all(vf, "/products.json", filter="disabled").json()] == [
        "Inactif"]


def test_credit_notes_partial_and_total(vf):
    invoice = create(vf, SIMPLE).json()
    partial = create(vf, {
        "kind": "correction", "correction_reason": "erreur de quantité",
        "from_invoice_id": invoice["id"], "invoice_id": invoice["id"],
        "client_id": invoice["client_id"],
        "positions": [{"name": "Produit A2", "quantity": -1, "total_price_gross": "-10",
                       "tax": "0", "kind": "correction"}]}).json()
    assert (partial["number"], partial["price_gross"], partial["invoice_id"]) == (
        "AV 2025/06/001", "-10.0", invoice["id"])
    total = create(vf, {"copy_invoice_from": invoice["id"], "kind": "correction",
                        "total_correction": "1", "correction_reason": "commande annulée"})
    assert total.status_code == 201
    body = total.json()
    assert (body["price_net"], body["price_gross"], body["buyer_name"], body["invoice_id"]) == (
        "-58.32", "-60.23", "Client Untel", invoice["id"])
    lines = get_all(vf, f"/invoices/{body['id']}.json").json()["positions"]
    assert [(p["quantity"], p["total_price_gross"], p["kind"]) for p in lines] == [
        ("-1.0", "-10.23", "correction"), ("-3.0", "-50.0", "correction")]
    linked = get_all(vf, "/invoices.json", invoice_id=invoice["id"]).json()
    assert sorted(i["id"] for i in linked) == [partial["id"], body["id"]]
    missing = create(vf, {"copy_invoice_from": 1, "kind": "correction"})
    assert missing.json()["message"] == {"copy_invoice_from": ["n'existe pas"],
                                         "buyer_name": ["doit être rempli(e)"],
                                         "positions": ["doit être rempli(e)"]}


def test_timestamps_are_paris_time_with_summer_time(serve):
    """The recorded responses (January) show +01:00; a French account in June is at +02:00."""
    for today, offset in (("2025-06-15", "+02:00"), ("2025-01-15", "+01:00")):
        served = serve(create_app(token=TOKEN, today=today))
        body = create(served, SIMPLE).json()
        assert body["created_at"].startswith(f"{today}T09:00:")
        assert body["created_at"].endswith(offset) and body["updated_at"].endswith(offset)
