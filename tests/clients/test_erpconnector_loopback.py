"""The ERP Connector client against the ERP Connector sandbox over loopback."""

from __future__ import annotations

import asyncio
import base64
import datetime
import logging
from decimal import Decimal

import pytest
from clients.client_helpers import eventually, fast_settings

from passeur import UsageError
from passeur.http import AuthError, Conflict, NotFound, Uncertain, ValidationError
from passeur_erpconnector.client import ErpConnectorClient
from passeur_erpconnector.odata import Field, Query
from passeur_erpconnector.sandbox import create_app
from support.erp_seed_004 import seed_004_invoice

LICENCE, SECRET = "LIC-2024-0042", "secret-key-XYZ"


def _app(**kw):
    return create_app(licence=LICENCE, secret=SECRET, company_id="1", today="2025-06-15", **kw)


def _client(server, erp="acomba", **settings) -> ErpConnectorClient:
    return ErpConnectorClient(server.base_url + "/api", licence=LICENCE, secret=SECRET, erp=erp,
                              company_id="1", settings=fast_settings(**settings),
                              poll_interval=0.01, poll_timeout=5)


def test_create_get_and_the_seed_totals(serve) -> None:
    server = serve(_app())
    with _client(server) as client:
        result = client.create("invoice", seed_004_invoice())
        assert result["NoFacture"] == "10044"
        assert (result["SousTotal"], result["Total"]) == (Decimal("1039.06"), Decimal("1195.17"))
        assert isinstance(result["Total"], Decimal)
        got = client.get("invoice", "10044")
        assert got["TotalFacture"] == Decimal("1195.17")
        with pytest.raises(NotFound):
            client.get("invoice", "nope/1")


def test_if_none_match_conflict_and_validation_paths(serve) -> None:
    server = serve(_app())
    with _client(server) as client:
        client.create("invoice", seed_004_invoice("A-1"))
        with pytest.raises(Conflict, match="La facture A-1 existe déjà"):
            client.create("invoice", seed_004_invoice("A-1"))
        invoice = seed_004_invoice()
        del invoice["NoFacture"]
        with pytest.raises(ValidationError) as info:
            client.create("invoice", invoice)
        assert [p.path for p in info.value.problems] == ["Facture.NoFacture"]
        assert info.value.status == 400


def test_incomplete_tasks_are_polled(serve) -> None:
    app = _app(pending_polls=2)
    server = serve(app)
    with _client(server) as client:
        assert client.create("invoice", seed_004_invoice("P-1"))["NoFacture"] == "P-1"
    assert app.stats.requests == 4  # POST, 2 pending polls, the poll that completes


def test_incomplete_tasks_are_polled_by_the_async_client(serve) -> None:
    app = _app(pending_polls=2)
    server = serve(app)

    async def scenario() -> dict:
        client = _client(server)
        try:
            return await client.acreate("invoice", seed_004_invoice("P-2"))
        finally:
            await client.aclose()
            client.close()

    assert asyncio.run(scenario())["NoFacture"] == "P-2"
    assert app.stats.requests == 4  # POST, 2 pending polls, the poll that completes
    assert list(app.state.invoices) == ["P-2"]


def test_without_company_id_the_licence_company_answers(serve) -> None:
    """The sandbox's default company is "1"; a client given no company sends no CompanyId
    header (it used to send "0" and was refused with a 403)."""
    server = serve(create_app(licence=LICENCE, secret=SECRET, seed=3, today="2025-06-15"))
    with ErpConnectorClient(server.base_url + "/api", licence=LICENCE, secret=SECRET,
                            erp="acomba", settings=fast_settings()) as client:
        assert client.company_id is None
        assert len(client.list_page("invoice")) == 3


def test_matrix_refuses_before_any_call(serve) -> None:
    app = _app(erp="avantage", seed=3)
    server = serve(app)
    with _client(server, erp="avantage") as client:
        with pytest.raises(UsageError, match="avantage does not support create"):
            client.create("invoice", seed_004_invoice())
        assert app.stats.requests == 0
        assert len(client.list_page("invoice")) == 3


def test_paging_with_skip_top_and_filters(serve) -> None:
    app = _app(seed=230)
    server = serve(app)
    with _client(server) as client:
        everything = list(client.iterate("invoice"))
        assert len(everything) == len(app.state.invoices) == 230
        assert len({i["NoFacture"] for i in everything}) == 230
        since = datetime.date(2025, 1, 1)
        recent = list(client.iter_documents("invoice", since=since))
        assert recent and all(i["DateFacture"][:10] >= "2025-01-01" for i in recent)
        assert len(recent) == sum(1 for r in app.state.invoices.values()
                                  if str(r["DateFacture"])[:10] >= "2025-01-01")
        some = client.list_page("invoice", Query().select("NoFacture", "TotalFacture")
                                .orderby("TotalFacture", desc=True).top(3))
        assert [set(s) for s in some] == [{"NoFacture", "TotalFacture"}] * 3
        assert some[0]["TotalFacture"] >= some[1]["TotalFacture"] >= some[2]["TotalFacture"]
        quoted = client.list_page("invoice", Query().filter(Field("NoFacture") == "x' or 1 eq 1"))
        assert quoted == []


def test_async_listing_walks_every_invoice_in_date_then_number_order(serve) -> None:
    app = _app(seed=130)
    server = serve(app)

    async def scenario() -> list[dict]:
        client = _client(server)
        try:
            return [i async for i in client.aiter_documents("invoice")]
        finally:
            await client.aclose()
            client.close()

    got = asyncio.run(scenario())
    assert len(got) == len(app.state.invoices) == 130
    keys = [(str(i["DateFacture"]), i["NoFacture"]) for i in got]
    assert keys == sorted(keys)
    assert app.stats.requests == 2  # $top=100: a full page, then a short one


def test_auth_and_company_errors(serve) -> None:
    server = serve(_app())
    bad = ErpConnectorClient(server.base_url + "/api", licence=LICENCE, secret="wrong",
                             erp="acomba", company_id="1", settings=fast_settings())
    with pytest.raises(AuthError, match="Authorization has been denied"):
        bad.list_page("invoice")
    other = ErpConnectorClient(server.base_url + "/api", licence=LICENCE, secret=SECRET,
                               erp="acomba", company_id="9", settings=fast_settings())
    with pytest.raises(AuthError, match="CompanyId '9' inconnu"):
        other.list_page("invoice")


def test_5xx_resent_safely_and_lost_response_uncertain(serve) -> None:
    app = _app(fail_rate=0.5, random_seed=5)
    server = serve(app)
    with _client(server, max_attempts=15) as client:
        for n in range(8):
            client.create("invoice", seed_004_invoice(f"R-{n}"))
    assert sorted(app.state.invoices) == sorted(f"R-{n}" for n in range(8))
    assert app.stats.failed > 0
    lost = _app(lost_response_rate=1.0, lost_response_hold=5.0)
    server = serve(lost)
    with _client(server, timeout=0.5) as client, pytest.raises(Uncertain):
        client.create("invoice", seed_004_invoice("L-1"))
    assert eventually(lambda: len(lost.state.invoices) > 0)
    assert list(lost.state.invoices) == ["L-1"] and lost.stats.requests == 1


def test_secrets_absent_from_logs(serve, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="passeur.http")
    server = serve(_app(seed=2))
    with _client(server) as client:
        client.list_page("invoice")
        client.create("invoice", seed_004_invoice("S-1"))
    assert "-> POST " in caplog.text and "'authorization': '***'" in caplog.text
    basic = base64.b64encode(f"{LICENCE}:{SECRET}".encode()).decode()
    assert SECRET not in caplog.text and LICENCE not in caplog.text and basic not in caplog.text
