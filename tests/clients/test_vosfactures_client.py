"""The VosFactures client over httpx.MockTransport: exact URLs, bodies and parsing, and the
real 2018 API answers from ../shared/testdata/vosfactures replayed through its parsing."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from passeur import UsageError
from passeur.http import reset_budgets
from passeur_vosfactures.client import (
    VosFacturesClient,
    client_factory,
    destroy_position,
    invoice_filters,
)

TESTDATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "testdata" / "vosfactures"
TOKEN = "qCedKxkTgQhGJpiI2SU"


@pytest.fixture(autouse=True)
def _fresh() -> None:
    reset_budgets()


class Recorder:
    """A fake account: records every request and answers from a queue or a function."""

    def __init__(self, answer: Any = None) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer if answer is not None else (lambda r: httpx.Response(200, json={}))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)

    def client(self) -> VosFacturesClient:
        return VosFacturesClient("https://acme.vosfactures.fr", api_token=TOKEN,
                                 transport=httpx.MockTransport(self))

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].content)


def test_list_invoices_with_every_filter() -> None:
    rec = Recorder(lambda r: httpx.Response(200, json=[]))
    rec.client().list_invoices(page=2, per_page=50, period="more", date_from="2018-01-01",
                               date_to="2018-04-30", search_date_type="issue_date",
                               kinds=["vat", "estimate"], number="13/2012", client_id=9,
                               invoice_ids=[123, 456], include_positions=True,
                               order="updated_at.desc", income=True)
    assert rec.last.method == "GET"
    assert rec.last.url.path == "/invoices.json"
    assert list(rec.last.url.params.multi_items()) == [
        ("period", "more"), ("date_from", "2018-01-01"), ("date_to", "2018-04-30"),
        ("search_date_type", "issue_date"), ("number", "13/2012"), ("client_id", "9"),
        ("include_positions", "true"), ("order", "updated_at.desc"), ("income", "1"),
        ("kinds[]", "vat"), ("kinds[]", "estimate"), ("invoice_ids", "123,456"),
        ("page", "2"), ("per_page", "50"), ("api_token", TOKEN)]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"period": "forever"}, "unknown period 'forever'"),
    ({"period": "more"}, "period=more needs both date_from and date_to"),
    ({"date_from": "2024-01-01"}, "period=more needs both date_from and date_to"),
    ({"order": "colour"}, "unknown order 'colour'"),
    ({"search_date_type": "due"}, "unknown search_date_type 'due'"),
])
def test_bad_filters_are_refused_before_any_call(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        invoice_filters(**kwargs)


def test_per_page_above_100_is_refused() -> None:
    with pytest.raises(UsageError, match="per_page must be between 1 and 100, got 500"):
        Recorder().client().list_invoices(per_page=500)


def test_iter_invoices_walks_every_page_with_period_all() -> None:
    data = [{"id": i, "price_gross": f"{i}.10"} for i in range(1, 251)]

    def answer(request: httpx.Request) -> httpx.Response:
        page, per = int(request.url.params["page"]), int(request.url.params["per_page"])
        return httpx.Response(200, json=data[(page - 1) * per: page * per])

    rec = Recorder(answer)
    got = list(rec.client().iter_invoices())
    assert [g["id"] for g in got] == list(range(1, 251))
    assert got[0]["price_gross"] == Decimal("1.10")
    assert [r.url.params["page"] for r in rec.requests] == ["1", "2", "3"]
    assert {r.url.params["period"] for r in rec.requests} == {"all"}
    assert {r.url.params["per_page"] for r in rec.requests} == {"100"}


def test_create_invoice_token_in_body_and_oid_unique() -> None:
    rec = Recorder(lambda r: httpx.Response(201, json={"id": 1, "oid": "A-1"}))
    rec.client().create_invoice({"kind": "vat", "positions": []}, oid="A-1", oid_unique=True)
    assert rec.last.url == "https://acme.vosfactures.fr/invoices.json"
    assert rec.body() == {"api_token": TOKEN, "invoice": {
        "kind": "vat", "positions": [], "oid": "A-1", "oid_unique": "yes"}}


def test_update_positions_with_id_and_destroy() -> None:
    rec = Recorder()
    client = rec.client()
    client.update_invoice(111, {"positions": [{"id": 5, "name": "test"}, destroy_position(6)]})
    assert rec.last.method == "PUT" and rec.last.url.path == "/invoices/111.json"
    assert rec.body()["invoice"] == {"positions": [{"id": 5, "name": "test"},
                                                   {"id": 6, "_destroy": 1}]}


def test_adding_a_line_is_never_retried_after_a_lost_answer() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("lost", request=request)

    rec = Recorder(answer)
    from passeur.http import Uncertain
    with pytest.raises(Uncertain):
        rec.client().update_invoice(1, {"positions": [{"name": "A", "quantity": 1}]})
    assert len(rec.requests) == 1


def test_invoice_actions_urls() -> None:
    rec = Recorder(lambda r: httpx.Response(200, content=b"%PDF-1.4 x",
                                            headers={"content-type": "application/pdf"}))
    client = rec.client()
    assert client.invoice_pdf(100, print_option="duplicate") == b"%PDF-1.4 x"
    assert str(rec.last.url) == ("https://acme.vosfactures.fr/invoices/100.pdf?"
                                 f"print_option=duplicate&api_token={TOKEN}")
    rec.answer = lambda r: httpx.Response(200, json={})
    client.change_status(100, "paid")
    assert rec.last.method == "POST"
    assert str(rec.last.url) == ("https://acme.vosfactures.fr/invoices/100/change_status.json?"
                                 f"status=paid&api_token={TOKEN}")
    client.send_by_email(100, email_to=["a@x.fr", "b@x.fr"], email_pdf=True)
    assert list(rec.last.url.params.multi_items()) == [
        ("email_to", "a@x.fr,b@x.fr"), ("email_pdf", "true"), ("api_token", TOKEN)]
    client.cancel_invoice(100, "erreur")
    assert rec.last.url.path == "/invoices/cancel.json"
    assert rec.body() == {"cancel_invoice_id": 100, "cancel_reason": "erreur",
                          "api_token": TOKEN}
    rec.answer = lambda r: httpx.Response(200)
    client.delete_invoice(100)
    assert rec.last.method == "DELETE" and rec.last.url.params["api_token"] == TOKEN


def test_find_clients_and_other_collections() -> None:
    rec = Recorder(lambda r: httpx.Response(200, json=[{"id": 1, "balance": "30.99"}]))
    client = rec.client()
    found = client.find_clients(tax_no="FR5252445333", email="c@x.fr")
    assert found == [{"id": 1, "balance": Decimal("30.99")}]
    assert list(rec.last.url.params.multi_items())[:2] == [("tax_no", "FR5252445333"),
                                                           ("email", "c@x.fr")]
    client.create_payment({"name": "P", "price": Decimal("100.00"), "invoice_ids": [555]})
    assert rec.last.url.path == "/banking/payments.json"
    assert rec.last.content == (b'{"banking_payment":{"name":"P","price":100.00,'
                                b'"invoice_ids":[555]},"api_token":"' + TOKEN.encode() + b'"}')
    for doctype, path in [("product", "/products.json"), ("department", "/departments.json"),
                          ("client", "/clients.json")]:
        client.list_page(doctype)
        assert rec.last.url.path == path
    with pytest.raises(UsageError, match="find_clients needs"):
        client.find_clients()


def test_basic_auth_and_factory() -> None:
    rec = Recorder(lambda r: httpx.Response(200, json=[]))
    client = VosFacturesClient("http://127.0.0.1:9", login="me", password="pw",
                               transport=httpx.MockTransport(rec))
    client.list_page("invoice")
    assert rec.last.headers["authorization"] == "Basic bWU6cHc="
    assert "api_token" not in str(rec.last.url)
    assert client_factory({"account": "acme", "api_token": "t"}).base_url == \
        "https://acme.vosfactures.fr"
    with pytest.raises(UsageError, match="needs `account`"):
        client_factory({"api_token": "t"})
    with pytest.raises(UsageError, match="needs api_token, or login and password"):
        client_factory({"account": "acme"})


def _replay(name: str) -> VosFacturesClient:
    content = (TESTDATA / name).read_bytes()
    return VosFacturesClient("https://acme.vosfactures.fr", api_token=TOKEN,
                             transport=httpx.MockTransport(
                                 lambda r: httpx.Response(200, content=content)))


@pytest.mark.parametrize(("name", "facts"), [
    # facts from MANIFEST.csv
    ("invoice_get.json", {"id": 21367364, "number": "55/01/2018", "kind": "vat",
                          "currency": "EUR", "price_net": Decimal("339.99"),
                          "price_tax": Decimal("0.0"), "price_gross": Decimal("339.99")}),
    ("invoice_get2.json", {"id": 21398984, "number": "P3/01/2018", "kind": "proforma",
                           "price_net": Decimal("81.3"), "price_tax": Decimal("18.7"),
                           "price_gross": Decimal("100.0")}),
    ("invoice_created.json", {"id": 21293421, "number": "1/01/2018", "currency": "PLN",
                              "price_net": Decimal("58.32"), "price_gross": Decimal("60.23")}),
    ("invoice_put_status_response.json", {"id": 21556032, "status": "paid",
                                          "price_gross": Decimal("339.99")}),
])
def test_recorded_invoices_parse_with_decimal_money(name: str, facts: dict[str, Any]) -> None:
    invoice = _replay(name).get_invoice(1)
    for key, value in facts.items():
        assert invoice[key] == value, key
        assert type(invoice[key]) is type(value)


def test_recorded_positions_are_decimal_and_sum_to_the_total() -> None:
    invoice = _replay("invoice_get.json").get_invoice(1)
    positions = invoice["positions"]
    assert len(positions) == 3  # MANIFEST: positions=3
    assert all(isinstance(p["total_price_gross"], Decimal) for p in positions)
    assert sum(p["total_price_gross"] for p in positions) == invoice["price_gross"]


def test_recorded_client_parses() -> None:
    client = _replay("client_get.json").get("client", 1)
    assert client["name"] == "Taylor and Sons" and client["tax_no"] == "4591588032"
    assert client["balance"] == Decimal("30.99")
    created = _replay("client_created.json").create_client({"name": "Client1"})
    assert (created["id"], created["name"], created["tax_no"]) == (9857672, "Client1",
                                                                   "5252445767")


def test_async_listing_and_create_share_the_rules() -> None:
    import asyncio

    from passeur.http import DocumentClient

    data = [{"id": i, "price_gross": "1.50"} for i in range(130)]
    seen: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.method == "POST":
            return httpx.Response(201, json={"id": 9, "price_gross": "2.00"})
        page, per = int(request.url.params["page"]), int(request.url.params["per_page"])
        return httpx.Response(200, json=data[(page - 1) * per: page * per])

    client = VosFacturesClient("https://acme.vosfactures.fr", api_token=TOKEN,
                               async_transport=httpx.MockTransport(handler))
    assert isinstance(client, DocumentClient)

    async def scenario() -> tuple[list[dict[str, Any]], dict[str, Any]]:
        items = [i async for i in client.aiter_documents("invoice")]
        made = await client.acreate_document("invoice", {"invoice": {"oid": "X-1"}})
        await client.aclose()
        return items, made

    items, made = asyncio.run(scenario())
    assert len(items) == 130 and items[0]["price_gross"] == Decimal("1.50")
    assert made == {"id": 9, "price_gross": Decimal("2.00")}
    assert [(r.url.params.get("period"), r.url.params.get("include_positions"))
            for r in seen[:2]] == [("all", "true")] * 2  # as the sync iter_documents
    assert json.loads(seen[-1].content) == {"invoice": {"oid": "X-1", "oid_unique": "yes"},
                                            "api_token": TOKEN}
