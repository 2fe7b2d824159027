"""The VosFactures client against the VosFactures sandbox over loopback: every endpoint,
pagination across pages, every error class, retries, lost responses, secrets in logs."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest
from clients.client_helpers import TOKEN, eventually, fast_settings

from passeur.http import AuthError, NotFound, Uncertain, ValidationError
from passeur_vosfactures.client import VosFacturesClient, destroy_position
from passeur_vosfactures.sandbox import create_app

TODAY = "2025-06-15"


def _client(server, **settings) -> VosFacturesClient:
    return VosFacturesClient(server.base_url, api_token=TOKEN, settings=fast_settings(**settings))


def _invoice(oid: str | None = None, **extra) -> dict:
    body = {"kind": "vat", "issue_date": "2025-06-01", "buyer_name": "Client Untel",
            "positions": [{"name": "Produit A", "quantity": 2, "tax": 20,
                           "total_price_gross": "24.00"}]}
    if oid:
        body["oid"] = oid
    return {**body, **extra}


def test_every_invoice_endpoint(serve) -> None:
    server = serve(create_app(token=TOKEN, today=TODAY))
    with _client(server) as client:
        created = client.create_invoice(_invoice(), oid="WEB-1", oid_unique=True)
        invoice_id = created["id"]
        assert created["price_gross"] == Decimal("24.00")
        got = client.get_invoice(invoice_id)
        assert got["oid"] == "WEB-1" and len(got["positions"]) == 1
        position_id = got["positions"][0]["id"]
        client.update_invoice(invoice_id, {"positions": [
            {"id": position_id, "name": "Produit A (modifié)"},
            {"name": "Produit B", "quantity": 1, "tax": 20, "total_price_gross": "12.00"}]})
        got = client.get_invoice(invoice_id)
        assert [p["name"] for p in got["positions"]] == ["Produit A (modifié)", "Produit B"]
        assert got["price_gross"] == Decimal("36.00")
        client.update_invoice(invoice_id, {"positions": [destroy_position(position_id)]})
        assert [p["name"] for p in client.get_invoice(invoice_id)["positions"]] == ["Produit B"]
        client.change_status(invoice_id, "paid")
        assert client.get_invoice(invoice_id)["status"] == "paid"
        pdf = client.invoice_pdf(invoice_id)
        assert pdf.startswith(b"%PDF")
        client.send_by_email(invoice_id, email_to=["a@example.com"])
        client.cancel_invoice(invoice_id, "erreur de quantité")
        client.delete_invoice(invoice_id)
        with pytest.raises(NotFound):
            client.get_invoice(invoice_id)


def test_other_collections_and_client_search(serve) -> None:
    server = serve(create_app(token=TOKEN, today=TODAY))
    with _client(server) as client:
        made = client.create_client({"name": "Client1", "tax_no": "FR5252445333",
                                     "email": "client@email.fr", "external_id": "EXT-9"})
        client.create_client({"name": "Autre", "email": "autre@email.fr"})
        for criteria in ({"external_id": "EXT-9"}, {"tax_no": "FR5252445333"},
                         {"email": "client@email.fr"}, {"name": "Client1"}):
            assert [c["id"] for c in client.find_clients(**criteria)] == [made["id"]], criteria
        product = client.create_product({"name": "Produit A", "code": "PA", "price_net": "10.00",
                                         "tax": 20})
        assert client.get("product", product["id"])["name"] == "Produit A"
        dept = client.create_department({"name": "Entreprise ABC", "shortcut": "ABC"})
        assert client.get("department", dept["id"])["shortcut"] == "ABC"
        invoice = client.create_invoice(_invoice())
        payment = client.create_payment({"name": "Paiement", "price": Decimal("24.00"),
                                         "invoice_id": invoice["id"], "paid": True,
                                         "kind": "api"})
        assert client.get("payment", payment["id"])["price"] == Decimal("24.00")
        client.update("client", made["id"], {"city": "Nice"})
        assert client.get("client", made["id"])["city"] == "Nice"
        client.delete("client", made["id"])
        assert client.find_clients(external_id="EXT-9") == []


def test_pagination_reaches_every_invoice_and_period_all_matters(serve) -> None:
    app = create_app(token=TOKEN, today=TODAY, seed=260)
    server = serve(app)
    stored = len(app.state.invoices)
    with _client(server) as client:
        everything = list(client.iter_invoices())
        assert len(everything) == stored
        assert len({i["id"] for i in everything}) == stored
        default_period = list(client.iterate("invoice"))  # no period: last 12 months only
        assert len(default_period) < stored
        page = client.list_invoices(per_page=100, period="all", page=1)
        assert len(page) == 100


def test_auth_error_with_the_documented_body(serve) -> None:
    server = serve(create_app(token=TOKEN, today=TODAY))
    client = VosFacturesClient(server.base_url, api_token="wrong-token",
                               settings=fast_settings())
    with pytest.raises(AuthError) as info:
        client.list_invoices()
    assert info.value.status == 401
    assert "You must be logged in" in str(info.value)
    assert "wrong-token" not in str(info.value)


def test_validation_errors_carry_field_paths(serve) -> None:
    server = serve(create_app(token=TOKEN, today=TODAY))
    with _client(server) as client:
        client.create_invoice(_invoice(), oid="DUP-1", oid_unique=True)
        with pytest.raises(ValidationError) as info:
            client.create_invoice(_invoice(), oid="DUP-1", oid_unique=True)
        assert [p.path for p in info.value.problems] == ["oid"]
        with pytest.raises(ValidationError) as info:
            client.create_invoice({"kind": "nonsense", "positions": []})
        assert "kind" in [p.path for p in info.value.problems]


def test_retries_on_429_and_5xx_then_succeeds(serve) -> None:
    app = create_app(token=TOKEN, today=TODAY, seed=30, fail_rate=0.4, random_seed=3)
    server = serve(app)
    with _client(server, max_attempts=12) as client:
        assert len(list(client.iter_invoices(per_page=5))) == len(app.state.invoices)
    assert app.stats.failed > 0
    limited = create_app(token=TOKEN, today=TODAY, rate_limit=2.0)
    server = serve(limited)
    with _client(server) as client:
        for _ in range(4):
            client.list_invoices()
    assert limited.stats.rate_limited > 0  # answered 429 + Retry-After, and we waited


def test_guarded_create_survives_5xx_without_duplicates(serve) -> None:
    app = create_app(token=TOKEN, today=TODAY, fail_rate=0.5, random_seed=11)
    server = serve(app)
    with _client(server, max_attempts=15) as client:
        for n in range(10):
            client.create_document("invoice", _invoice(oid=f"G-{n}"))
    oids = sorted(i["oid"] for i in app.state.invoices)
    assert oids == sorted(f"G-{n}" for n in range(10))
    assert app.stats.failed > 0


def test_lost_response_is_uncertain_and_never_duplicated(serve) -> None:
    app = create_app(token=TOKEN, today=TODAY, lost_response_rate=1.0, lost_response_hold=5.0)
    server = serve(app)
    with _client(server, timeout=0.5) as client, pytest.raises(Uncertain) as info:
        client.create_invoice(_invoice(), oid="LOST-1")
    assert "may have been applied" in str(info.value)
    assert eventually(lambda: len(app.state.invoices) > 0)
    assert app.stats.lost == 1 and app.stats.requests == 1
    assert [i["oid"] for i in app.state.invoices] == ["LOST-1"]  # applied exactly once


def test_secrets_absent_from_logs(serve, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="passeur.http")
    server = serve(create_app(token=TOKEN, today=TODAY))
    with _client(server) as client:
        client.create_invoice(_invoice())
        client.list_invoices()
    basic = VosFacturesClient(server.base_url, login="sandbox", password=TOKEN,
                              settings=fast_settings())
    basic.list_invoices()
    assert caplog.records, "tracing is on"
    assert TOKEN not in caplog.text
    assert "api_token=***" in caplog.text
