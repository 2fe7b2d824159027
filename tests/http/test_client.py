"""HttpClient / AsyncHttpClient over httpx.MockTransport: auth, retries, uncertainty,
rate budget, redaction."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from decimal import Decimal

import httpx
import pytest

import passeur.http.client as client_module
from passeur.http import (
    AsyncHttpClient,
    AuthError,
    BasicAuth,
    Call,
    HttpClient,
    HttpSettings,
    NotFound,
    RateLimited,
    Retryable,
    RetryPolicy,
    TokenAuth,
    TokenBucket,
    Uncertain,
    ValidationError,
    reset_budgets,
)

TOKEN = "qCedKxkTgQhGJpiI2SU"


@pytest.fixture(autouse=True)
def _fresh_budgets() -> None:
    reset_budgets()


def _client(handler, *, auth=None, retry=None, sleeps=None, rate=None) -> HttpClient:
    settings = HttpSettings(retry=retry or RetryPolicy(rng=random.Random(1)), rate_limit=rate)
    record = sleeps.append if sleeps is not None else (lambda s: None)
    return HttpClient("http://sandbox.test/base", auth=auth, settings=settings,
                      transport=httpx.MockTransport(handler), sleep=record)


def test_token_in_query_for_reads_and_body_for_writes() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True})

    with _client(handler, auth=TokenAuth(TOKEN)) as client:
        client.call(Call("GET", "/invoices.json", params={"page": 2}))
        client.call(Call("POST", "invoices.json", json={"invoice": {"kind": "vat"}}))
        client.call(Call("POST", "invoices/1/change_status.json", params={"status": "paid"}))
    assert str(seen[0].url) == f"http://sandbox.test/base/invoices.json?page=2&api_token={TOKEN}"
    assert json.loads(seen[1].content) == {"invoice": {"kind": "vat"}, "api_token": TOKEN}
    assert "api_token" not in str(seen[1].url)
    assert seen[2].url.params["api_token"] == TOKEN


def test_basic_auth_header() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    with _client(handler, auth=BasicAuth("LIC-1", "s3cret")) as client:
        client.call(Call("GET", "Entity/CustomerInvoice"))
    assert seen[0].headers["Authorization"] == "Basic TElDLTE6czNjcmV0"


def test_money_is_decimal_both_ways() -> None:
    sent: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.content)
        return httpx.Response(200, content=b'{"TotalFacture": 1195.17, "n": 3}')

    with _client(handler) as client:
        answer = client.call(Call("POST", "x", json={"PrixFinal": Decimal("26.090")}))
    assert sent[0] == b'{"PrixFinal":26.090}'
    assert answer == {"TotalFacture": Decimal("1195.17"), "n": 3}
    assert isinstance(answer["TotalFacture"], Decimal)


def test_retries_429_honouring_retry_after_then_succeeds() -> None:
    answers = iter([httpx.Response(429, headers={"Retry-After": "2"}),
                    httpx.Response(503), httpx.Response(201, json={"id": 7})])
    sleeps: list[float] = []
    with _client(lambda r: next(answers), sleeps=sleeps) as client:
        assert client.call(Call("POST", "invoices.json", json={})) == {"id": 7}
    assert sleeps[0] == 2.0
    assert 0.0 <= sleeps[1] <= 1.0  # full jitter below base_delay * 2 ** 1


def test_retries_5xx_on_reads_and_gives_up_after_max_attempts() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(502, json={"message": "bad gateway"})

    with _client(handler, retry=RetryPolicy(max_attempts=3, rng=random.Random(0))) as client, \
            pytest.raises(Exception) as info:
        client.call(Call("GET", "invoices.json"))
    assert len(calls) == 3
    assert str(info.value) == "GET http://sandbox.test/base/invoices.json: HTTP 502: bad gateway"


def test_lost_response_on_a_write_is_uncertain_and_never_retried() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ReadTimeout("timed out", request=request)

    with _client(handler) as client, pytest.raises(Uncertain):
        client.call(Call("POST", "invoices.json", json={"invoice": {}}))
    assert len(calls) == 1


def test_lost_response_on_a_read_is_retried() -> None:
    state = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        state["n"] += 1
        if state["n"] == 1:
            raise httpx.ReadTimeout("timed out", request=request)
        return httpx.Response(200, json=[1])

    with _client(handler) as client:
        assert client.call(Call("GET", "x")) == [1]
    assert state["n"] == 2


@pytest.mark.parametrize(("status", "cls"), [(401, AuthError), (404, NotFound),
                                              (422, ValidationError)])
def test_final_errors_are_not_retried(status: int, cls: type[Exception]) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(status, json={"code": "error", "message": {"kind": ["bad"]}})

    with _client(handler) as client, pytest.raises(cls):
        client.call(Call("GET", "x"))
    assert len(calls) == 1


def test_rate_limited_gives_up_when_server_asks_for_too_long() -> None:
    with _client(lambda r: httpx.Response(429, headers={"Retry-After": "86400"})) as client, \
            pytest.raises(RateLimited) as info:
        client.call(Call("GET", "x"))
    assert info.value.retry_after == 86400.0


def test_secrets_never_reach_the_log(caplog: pytest.LogCaptureFixture) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(422, json={"code": "error", "message": {"name": ["vide"]}})

    caplog.set_level(logging.DEBUG, logger="passeur.http")
    with _client(handler, auth=TokenAuth(TOKEN)) as client:
        with pytest.raises(ValidationError) as info:
            client.call(Call("POST", "clients.json", json={"client": {"password": "hunter22"}}))
        with pytest.raises(ValidationError):
            client.call(Call("GET", "clients.json"))
    text = caplog.text
    assert "api_token=%2A%2A%2A" in text or "api_token=***" in text
    assert TOKEN not in text and "hunter22" not in text
    assert TOKEN not in str(info.value)
    basic_logs: list[str] = []
    caplog.clear()
    with _client(lambda r: httpx.Response(200, json={}), auth=BasicAuth("LIC", "pw-secret")) as c:
        c.call(Call("GET", "x"))
    basic_logs.append(caplog.text)
    assert "pw-secret" not in basic_logs[0] and "TElDOnB3LXNlY3JldA==" not in basic_logs[0]
    assert "'authorization': '***'" in basic_logs[0]


def test_rate_budget_spaces_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    # A frozen clock (the machine may be slow between calls) and a fake sleep: the budget
    # the client takes from decides the waits alone.
    monkeypatch.setattr(client_module, "budget_for",
                        lambda key, rate, burst: TokenBucket(rate, burst, clock=lambda: 0.0))
    sleeps: list[float] = []
    with _client(lambda r: httpx.Response(200, json={}), rate=4.0, sleeps=sleeps) as client:
        for _ in range(3):
            client.call(Call("GET", "x"))
    # burst of 1: the 2nd call reserves the slot 1/4 s ahead, the 3rd the slot 1/2 s ahead
    assert sleeps == [0.25, 0.5]


def test_async_client_same_rules() -> None:
    calls: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) == 1:
            return httpx.Response(429, headers={"Retry-After": "0"})
        if request.method == "POST":
            raise httpx.ReadTimeout("lost", request=request)
        return httpx.Response(200, json={"price": 1.10})

    async def scenario() -> tuple[object, BaseException | None]:
        async with AsyncHttpClient("http://s.test", transport=httpx.MockTransport(handler),
                                   auth=TokenAuth(TOKEN)) as client:
            got = await client.call(Call("GET", "x"))
            try:
                await client.call(Call("POST", "y", json={}))
            except Uncertain as exc:
                return got, exc
        return got, None

    got, error = asyncio.run(scenario())
    assert got == {"price": Decimal("1.10")}
    assert isinstance(error, Uncertain)
    assert calls == ["GET", "GET", "POST"]


def test_guarded_write_is_resent_after_a_5xx() -> None:
    answers = iter([httpx.Response(500), httpx.Response(201, json={"id": 3})])
    with _client(lambda r: next(answers)) as client:
        assert client.call(Call("POST", "x", json={}, guarded=True)) == {"id": 3}


def test_unguarded_write_after_a_500_is_uncertain_not_retried() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(500, json={"error": "boom"})

    with _client(handler) as client, pytest.raises(Uncertain) as info:
        client.call(Call("POST", "x", json={}))
    assert len(calls) == 1
    assert str(info.value) == ("POST http://sandbox.test/base/x: HTTP 500: boom; the write may "
                               "have been applied")


def test_guarded_resend_refused_as_duplicate_is_uncertain() -> None:
    """The first attempt was applied but answered 502; the resend hits the duplicate guard."""
    answers = iter([httpx.Response(502),
                    httpx.Response(422, json={"code": "error",
                                              "message": {"oid": ["est déjà utilisé"]}})])
    with _client(lambda r: next(answers)) as client, pytest.raises(Uncertain) as info:
        client.call(Call("POST", "invoices.json", json={}, guarded=True))
    assert "probably created" in str(info.value)
    assert "oid: est déjà utilisé" in str(info.value)


def test_guarded_write_failing_to_the_end_after_a_500_is_uncertain_not_failed() -> None:
    """Any of the 500s may have come after the document was stored: "failed" would tell the
    user that pushing it again is safe."""
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(500 if len(calls) == 1 else 503, json={"error": "busy"})

    retry = RetryPolicy(max_attempts=3, rng=random.Random(1))
    with _client(handler, retry=retry) as client, pytest.raises(Uncertain) as info:
        client.call(Call("POST", "x", json={}, guarded=True))
    assert len(calls) == 3
    assert str(info.value) == (
        "POST http://sandbox.test/base/x: HTTP 503: every attempt failed, last with: busy; an "
        "earlier server error may have come after the document was stored: look it up before "
        "pushing it again")


def test_guarded_write_refused_by_503_only_is_a_plain_failure() -> None:
    """503 means "not processed": with no other server error nothing can have been stored."""
    retry = RetryPolicy(max_attempts=2, rng=random.Random(1))
    answer = httpx.Response(503, json={"error": "busy"})
    with _client(lambda r: answer, retry=retry) as client, pytest.raises(Retryable) as info:
        client.call(Call("POST", "x", json={}, guarded=True))
    assert type(info.value) is Retryable


def test_guarded_write_with_lost_response_is_still_uncertain() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.RemoteProtocolError("connection dropped", request=request)

    with _client(handler) as client, pytest.raises(Uncertain):
        client.call(Call("POST", "x", json={}, guarded=True))
    assert len(calls) == 1
