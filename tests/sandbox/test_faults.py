"""Each fault option is observable by a plain client over loopback, and reproducible."""

from __future__ import annotations

import httpx
import pytest
from clients.client_helpers import eventually

from passeur.sandbox import FaultConfig, FaultMiddleware
from passeur_erpconnector.sandbox import create_app as erp_app
from passeur_vosfactures.sandbox import create_app as vf_app

from .conftest import TODAY

TOKEN = "tok"
INVOICE = {"api_token": TOKEN, "invoice": {
    "buyer_name": "Client", "positions": [{"name": "A", "tax": 20, "total_price_gross": 12}]}}


def statuses(sandbox, count: int, method: str = "GET") -> list[int]:
    if method == "GET":
        return [sandbox.http.get("/invoices.json", params={"api_token": TOKEN}).status_code
                for _ in range(count)]
    return [sandbox.http.post("/invoices.json", json=INVOICE).status_code for _ in range(count)]


def test_latency_delays_every_answer(serve):
    slow = serve(vf_app(token=TOKEN, latency_ms=400), timeout=0.1)
    with pytest.raises(httpx.ReadTimeout):
        slow.http.get("/invoices.json", params={"api_token": TOKEN})
    fast = serve(vf_app(token=TOKEN), timeout=5)
    assert fast.http.get("/invoices.json", params={"api_token": TOKEN}).status_code == 200


def test_rate_limit_answers_429_with_retry_after(serve):
    # 1 request per 4 s: the second request is refused however slowly the machine runs, and
    # Retry-After (whole seconds, rounded up) is 4 whether 0 or 3.9 s passed in between.
    sandbox = serve(vf_app(token=TOKEN, rate_limit=0.25))
    first = sandbox.http.get("/invoices.json", params={"api_token": TOKEN})
    second = sandbox.http.get("/invoices.json", params={"api_token": TOKEN})
    assert first.status_code == 200
    assert second.status_code == 429
    assert second.headers["retry-after"] == "4"
    assert second.json() == {"code": "error", "message": "Rate limit exceeded, retry later"}
    assert sandbox.app.stats.rate_limited == 1


def test_rate_limit_on_erp_uses_its_error_payload(serve):
    sandbox = serve(erp_app(licence="l", secret="s", erp="acomba", rate_limit=0.25))
    answers = [sandbox.http.get("/api/Entity/CustomerInvoice", auth=("l", "s"))
               for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 429]
    assert answers[1].headers["retry-after"] == "4"
    assert answers[1].json() == {"Message": "Rate limit exceeded, retry later"}


def test_token_bucket_refills_at_the_rate():
    now = [0.0]
    middleware = FaultMiddleware(None, FaultConfig(rate_limit=4), clock=lambda: now[0])
    assert [middleware._take_token() for _ in range(5)] == [None] * 4 + [0.25]
    now[0] = 0.5  # two tokens back
    assert [middleware._take_token() for _ in range(3)] == [None, None, 0.25]


def test_fail_rate_answers_5xx_reproducibly_and_applies_nothing(serve):
    runs = [serve(vf_app(token=TOKEN, fail_rate=0.5, random_seed=11)) for _ in range(2)]
    first, second = (statuses(run, 30, "POST") for run in runs)
    assert first == second
    failed = [s for s in first if s != 201]
    assert set(failed) <= {500, 502, 503} and 5 < len(failed) < 25
    assert len(runs[0].state.invoices) == first.count(201)
    assert runs[0].app.stats.failed == len(failed)
    other = serve(vf_app(token=TOKEN, fail_rate=0.5, random_seed=12))
    assert statuses(other, 30, "POST") != first


def test_lost_response_is_applied_but_the_client_times_out(serve):
    sandbox = serve(vf_app(token=TOKEN, today=TODAY, lost_response_rate=1.0), timeout=0.3)
    with pytest.raises(httpx.ReadTimeout):
        sandbox.http.post("/invoices.json", json=INVOICE)
    assert eventually(lambda: len(sandbox.state.invoices) > 0)
    assert len(sandbox.state.invoices) == 1
    assert sandbox.app.stats.lost == 1
    # Reads are never lost.
    listed = sandbox.http.get("/invoices.json", params={"api_token": TOKEN})
    assert [i["price_gross"] for i in listed.json()] == ["12.0"]


def test_lost_response_held_past_the_limit_drops_the_connection(serve):
    sandbox = serve(erp_app(licence="l", secret="s", erp="quickbooks",
                            lost_response_rate=1.0, lost_response_hold=0.1), timeout=5)
    with pytest.raises(httpx.RemoteProtocolError):
        sandbox.http.post("/api/Entity/CustomerInvoice", auth=("l", "s"), json={
            "Facture": {"DateFacture": "2024-04-24", "InfoClientFacturerA": {
                "NoClient": "0Comptoir"}, "LigneFacture": [{"strNoProduit": "CAThermo",
                                                          "QteFacture": 1}]}})
    assert list(sandbox.state.invoices) == ["10044"]


def test_fault_options_are_validated():
    with pytest.raises(ValueError, match=r"fail_rate must be between 0 and 1, got 1\.5"):
        FaultConfig(fail_rate=1.5)
    with pytest.raises(ValueError, match="latency_ms must not be negative, got -1"):
        FaultConfig(latency_ms=-1)


def _applied_then_failing(sandbox):
    import attrs

    middleware = sandbox.app.middleware
    middleware.config = attrs.evolve(middleware.config, applied_fail_rate=1.0)
    return sandbox


def test_apply_then_fail_stores_the_write_and_answers_5xx_on_every_system(serve):
    vf = _applied_then_failing(serve(vf_app(token=TOKEN, today=TODAY)))
    answer = vf.http.post("/invoices.json", json=INVOICE)
    assert answer.status_code in (500, 502)
    assert answer.json() == {"code": "error", "message": "Injected failure after the write "
                             "was applied (sandbox)"}
    assert len(vf.state.invoices) == 1 and vf.app.stats.applied_failed == 1
    assert vf.http.get("/invoices.json", params={"api_token": TOKEN}).status_code == 200
    erp = _applied_then_failing(serve(erp_app(licence="l", secret="s", erp="quickbooks")))
    before = set(erp.state.invoices)
    answer = erp.http.post("/api/Entity/CustomerInvoice", auth=("l", "s"), json={
        "Facture": {"DateFacture": "2024-04-24", "InfoClientFacturerA": {
            "NoClient": "0Comptoir"}, "LigneFacture": [{"strNoProduit": "CAThermo",
                                                      "QteFacture": 1}]}})
    assert answer.status_code in (500, 502)
    assert len(set(erp.state.invoices) - before) == 1


def test_apply_then_fail_is_validated():
    with pytest.raises(ValueError, match=r"applied_fail_rate must be between 0 and 1"):
        FaultConfig(applied_fail_rate=2)


def test_the_request_log_keeps_every_arrival_and_finds_the_busiest_window(serve):
    now = [0.0]
    sandbox = vf_app(token=TOKEN, rate_limit=2)
    sandbox.middleware._clock = lambda: now[0]
    sandbox.middleware._refilled_at = 0.0
    served = serve(sandbox)
    times = [0.0, 0.125, 0.75, 1.25, 1.375, 1.5, 1.625, 3.0]  # exact in binary
    codes = []
    for at in times:
        now[0] = at
        codes.append(served.http.get("/invoices.json", params={"api_token": TOKEN}).status_code)
    assert codes == [200, 200, 200, 200, 429, 200, 429, 200]
    stats = sandbox.stats
    # answered or refused with 429, each request that reached the sandbox is in the log
    assert list(stats.arrivals) == times
    assert (stats.requests, stats.rate_limited) == (8, 2)
    assert stats.busiest(1.0) == 5  # [0.75, 1.75)
    assert stats.busiest(0.375) == 3  # [1.25, 1.625): 1.625 is out
    assert stats.busiest(0.25) == 2  # [1.25, 1.5) and [1.375, 1.625)
    assert stats.busiest(0.01) == 1
    assert stats.busiest(10) == 8
    assert FaultMiddleware(None, FaultConfig()).stats.busiest() == 0
