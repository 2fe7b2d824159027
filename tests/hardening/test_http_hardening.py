"""Secrets in answers, httpx's own log, the rate budget and Retry-After (issue 12, items 5, 9)."""

from __future__ import annotations

import base64
import logging
import random

import httpx
import pytest

from passeur import load_registry
from passeur.engine.connection import DEFAULT_RATE_LIMIT, parse_connection
from passeur.errors import UsageError
from passeur.http import (
    BasicAuth,
    Call,
    HttpClient,
    HttpSettings,
    RateLimited,
    RetryPolicy,
    TokenAuth,
    ValidationError,
    reset_budgets,
)
from passeur.redaction import Redactor, redact_text, register_secrets

TOKEN = "tok/en+Secret 42"
LOGIN, PASSWORD = "relLicence", "pw:Sec+ret"


@pytest.fixture(autouse=True)
def _fresh_budgets() -> None:
    reset_budgets()


def _echo(status: int):
    """A server that quotes back everything it was sent, as an error message."""
    def handler(request: httpx.Request) -> httpx.Response:
        dump = (f"{request.method} {request.url} headers={dict(request.headers)} "
                f"body={request.content.decode()}")
        return httpx.Response(status, json={"code": "error", "message": {"request": [dump]},
                                            "auth": request.headers.get("authorization"),
                                            "ResultMessage": dump})
    return handler


def _client(handler, auth, **kw) -> HttpClient:
    settings = HttpSettings(retry=RetryPolicy(max_attempts=1, rng=random.Random(1)), **kw)
    return HttpClient("http://sandbox.test/", auth=auth, settings=settings,
                      transport=httpx.MockTransport(handler), sleep=lambda s: None)


def _forms() -> list[str]:
    basic = base64.b64encode(f"{LOGIN}:{PASSWORD}".encode()).decode()
    return [TOKEN, "tok%2Fen%2BSecret+42", "tok%2Fen%2BSecret%2042", PASSWORD, basic,
            basic[:12]]


@pytest.mark.parametrize("auth", [TokenAuth(TOKEN), BasicAuth(LOGIN, PASSWORD)])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_echoed_request_never_shows_a_secret(auth: object, method: str) -> None:
    client = _client(_echo(422), auth)
    with pytest.raises(ValidationError) as caught:
        client.call(Call(method, "invoices.json", json={"invoice": {"kind": "vat"}}
                         if method == "POST" else None))
    error = caught.value
    for text in (str(error), error.body, *(str(p) for p in error.problems)):
        for secret in _forms():
            assert secret not in text, (secret, text)


def test_the_redactor_masks_values_after_secret_names_and_encoded_forms() -> None:
    r = Redactor(secrets=[TOKEN])
    assert r.text('{"api_token":"anything", "name": "x"}') == '{"api_token":"***", "name": "x"}'
    assert r.text("GET /a?api_token=tok%2Fen%2BSecret+42&page=2") == "GET /a?api_token=***&page=2"
    assert r.text("auth=Basic cmVsTGljZW5jZTpwdzpTZWMrcmV0") == "auth=Basic ***"
    assert r.text("Authorization: Bearer abcdefgh12") == "Authorization: Bearer ***"
    assert r.text("password=hunter2; licence: L-123") == "password=***; licence: ***"
    assert r.text("total=12.50 kind: vat") == "total=12.50 kind: vat"


def test_httpx_own_log_is_masked(caplog: pytest.LogCaptureFixture) -> None:
    register_secrets([TOKEN])
    client = _client(lambda request: httpx.Response(200, json={}), TokenAuth(TOKEN))
    with caplog.at_level(logging.INFO):
        client.call(Call("GET", "invoices.json"))
    httpx_lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert httpx_lines and all("api_token=***" in line for line in httpx_lines)
    assert not any(secret in caplog.text for secret in _forms())


def test_redact_text_knows_every_registered_secret() -> None:
    register_secrets(["S3cr3t-Value"])
    assert redact_text("the server said S3cr3t-Value") == "the server said ***"


@pytest.mark.parametrize("url", ["http://user:secret@127.0.0.1:8080",
                                 "https://compta%40acme:pw@acme.vosfactures.fr/"])
def test_credentials_in_a_base_url_are_refused(url: str) -> None:
    text = (f'system = "vosfactures"\n[settings]\nbase_url = "{url}"\n'
            'api_token = { env = "T" }\n')
    with pytest.raises(UsageError, match=r"acme.toml:3: base_url has credentials in it"):
        parse_connection(text, load_registry(), name="acme.toml", environ={"T": "t0ken"})


def test_the_documented_rate_limit_is_the_default() -> None:
    text = 'system = "vosfactures"\n[settings]\naccount = "acme"\napi_token = { env = "T" }\n'
    connection = parse_connection(text, load_registry(), environ={"T": "t0ken"})
    assert connection.http.rate_limit == DEFAULT_RATE_LIMIT == 10
    text += "[http]\ntimeout = 5\n"
    assert parse_connection(text, load_registry(), environ={"T": "t0ken"}).http.rate_limit == 10


def test_many_429_with_retry_after_never_use_up_the_attempts() -> None:
    answers = iter([429] * 12 + [200])
    sleeps: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        status = next(answers)
        if status == 429:
            return httpx.Response(429, headers={"Retry-After": "1"}, json={})
        return httpx.Response(200, json={"ok": True})

    settings = HttpSettings(retry=RetryPolicy(max_attempts=3, rng=random.Random(1)))
    client = HttpClient("http://sandbox.test/", settings=settings,
                        transport=httpx.MockTransport(handler), sleep=sleeps.append)
    assert client.call(Call("GET", "x.json")) == {"ok": True}
    assert sleeps == [1.0] * 12


def test_pacing_has_a_total_bound() -> None:
    settings = HttpSettings(retry=RetryPolicy(max_attempts=3, max_rate_wait=5,
                                              rng=random.Random(1)))
    client = HttpClient("http://sandbox.test/", settings=settings,
                        transport=httpx.MockTransport(lambda r: httpx.Response(
                            429, headers={"Retry-After": "2"}, json={})),
                        sleep=lambda s: None)
    with pytest.raises(RateLimited):
        client.call(Call("GET", "x.json"))
