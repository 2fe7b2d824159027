"""Webhooks of the VosFactures sandbox (issue 11, item 7): registered as seed 002 shows,
delivered to a loopback receiver in the shapes of the recorded webhooks of the corpus."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from passeur.sandbox import serve_in_thread
from passeur_vosfactures.sandbox import create_app

from .conftest import TODAY

TOKEN = "qCedKxkTgQhGJpiI2SU"
TESTDATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "testdata" / "vosfactures"


def _recorded(name: str) -> dict:
    return json.loads((TESTDATA / name).read_text(encoding="utf-8"))


@pytest.fixture
def receiver():
    received: list[dict] = []

    async def hook(request: Request) -> Response:
        received.append(json.loads(await request.body()))
        return Response("ok")

    with serve_in_thread(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as server:
        yield f"{server.base_url}/hook", received


def _wait(received: list, count: int) -> list:
    deadline = time.monotonic() + 5
    while len(received) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    return received


@pytest.fixture
def vf(serve):
    return serve(create_app(token=TOKEN, today=TODAY))


def _register(vf, kind, url, token="MY_ENDPOINT_API_TOKEN"):
    return vf.http.post("/webhooks.json", json={"api_token": TOKEN, "webhook": {
        "kind": kind, "url": url, "api_token": token, "active": True}})


def test_invoice_events_are_delivered_in_the_recorded_shape(vf, receiver):
    url, received = receiver
    for kind in ("invoice:create", "invoice:update", "invoice:destroy"):
        assert _register(vf, kind, url).status_code == 201
    listed = vf.http.get("/webhooks.json", params={"api_token": TOKEN}).json()
    assert [w["kind"] for w in listed] == ["invoice:create", "invoice:update", "invoice:destroy"]
    made = vf.http.post("/invoices.json", json={"api_token": TOKEN, "invoice": {
        "buyer_name": "Henson-Gray", "positions": [
            {"name": "benchmark", "tax": 0, "total_price_gross": "339.99"}]}}).json()
    vf.http.post(f"/invoices/{made['id']}/change_status.json",
                 params={"api_token": TOKEN, "status": "paid"})
    vf.http.delete(f"/invoices/{made['id']}.json", params={"api_token": TOKEN})
    created, updated, destroyed = _wait(received, 3)
    recorded = _recorded("invoice_create_webhook.json")
    assert set(created) == set(recorded)
    assert set(created["deal"]) == set(recorded["deal"])
    assert set(created["deal"]["client"]) == set(recorded["deal"]["client"])
    deal = created["deal"]
    assert (deal["price"], deal["paid"], deal["invoice_no"], deal["url"]) == (
        "339.99", False, made["number"], made["view_url"])
    assert created["api_token"] == "MY_ENDPOINT_API_TOKEN"
    assert updated["deal"]["paid"] is True
    assert destroyed["deal"]["external_ids"] == {"vosfactures": made["id"]}
    assert [d["status"] for d in _wait(vf.state.webhooks.deliveries, 3)] == [200, 200, 200]


def test_client_events_carry_the_client_record(vf, receiver):
    url, received = receiver
    _register(vf, "client:create", url)
    vf.http.post("/clients.json", json={"api_token": TOKEN, "client": {
        "name": "Client1", "tax_no": "5252445767"}})
    (event,) = _wait(received, 1)
    recorded = _recorded("client_create_webhook.json")
    assert set(event) == set(recorded)
    assert event["client"]["name"] == "Client1" and event["client"]["skip_webhooks"] is True


def test_only_loopback_urls_and_known_kinds_are_registered(vf):
    answer = _register(vf, "invoice:create", "https://example.com/hook")
    assert answer.status_code == 422 and list(answer.json()["message"]) == ["url"]
    answer = _register(vf, "invoice:explode", "http://127.0.0.1:9/hook")
    assert answer.status_code == 422 and list(answer.json()["message"]) == ["kind"]


def test_an_unreachable_receiver_is_recorded_not_fatal(vf):
    _register(vf, "invoice:create", "http://127.0.0.1:9/hook")
    made = vf.http.post("/invoices.json", json={"api_token": TOKEN, "invoice": {
        "buyer_name": "C", "positions": [{"name": "A", "total_price_gross": 1}]}})
    assert made.status_code == 201
    deliveries = _wait(vf.state.webhooks.deliveries, 1)
    assert "ConnectError" in deliveries[0]["error"]
