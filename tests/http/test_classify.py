"""Every failure class, decided in one place (passeur.http.errors)."""

from __future__ import annotations

import httpx
import pytest

from passeur.errors import TransportError
from passeur.http import (
    AuthError,
    Conflict,
    FieldProblem,
    NotFound,
    RateLimited,
    Retryable,
    Uncertain,
    UnexpectedResponse,
    ValidationError,
    classify_exception,
    classify_response,
    parse_retry_after,
)
from passeur_erpconnector.envelope import error_body as erp_error_body


def _response(status: int, json: object = None, headers: dict[str, str] | None = None,
              method: str = "POST") -> httpx.Response:
    request = httpx.Request(method, "http://sandbox.test/invoices.json")
    if json is None:
        return httpx.Response(status, headers=headers, request=request)
    return httpx.Response(status, json=json, headers=headers, request=request)


def test_success_is_not_an_error() -> None:
    assert classify_response(_response(201, {"id": 1}), idempotent=False) is None


@pytest.mark.parametrize(("status", "idempotent", "cls"), [
    (401, True, AuthError), (403, False, AuthError), (404, True, NotFound),
    (409, False, Conflict), (412, False, Conflict), (400, False, ValidationError),
    (422, False, ValidationError), (429, False, RateLimited), (500, True, Retryable),
    (502, True, Retryable), (503, False, Retryable), (500, False, Uncertain),
    (504, False, Uncertain), (418, True, UnexpectedResponse),
])
def test_status_classes(status: int, idempotent: bool, cls: type[Exception]) -> None:
    error = classify_response(_response(status, {}), idempotent=idempotent)
    assert type(error) is cls
    assert isinstance(error, TransportError)


def test_validation_error_carries_vosfactures_field_paths() -> None:
    body = {"code": "error", "message": {
        "seller_bank_account": ["Protection contre la modification du numéro de compte bancaire"],
        "positions": {"name": ["doit être rempli(e)"]}}}
    error = classify_response(_response(422, body), idempotent=False, url="U")
    assert isinstance(error, ValidationError)
    assert error.problems == (
        FieldProblem("seller_bank_account",
                     "Protection contre la modification du numéro de compte bancaire"),
        FieldProblem("positions.name", "doit être rempli(e)"),
    )
    assert str(error) == ("POST U: HTTP 422: document refused: seller_bank_account: Protection "
                          "contre la modification du numéro de compte bancaire; "
                          "positions.name: doit être rempli(e)")


def test_erp_connector_validation_says_each_problem_once() -> None:
    """ERP Connector's ResultMessage already lists the problems of ResultPayload.Errors."""
    body = {"OrigRemoteTaskID": 7, "ResultType": "Error", "ErrorType": "ValidationError",
            "ResultMessage": "Données invalides : Facture.NoFacture: obligatoire pour Acomba",
            "ResultPayload": {"Errors": {"Facture.NoFacture": ["obligatoire pour Acomba"],
                                        "Facture.DateFacture": ["n'est pas une date"]}},
            "IsTaskCompleted": True}
    # ERP Connector declares how its error bodies read; core knows nothing of the envelope
    generic = classify_response(_response(400, body), idempotent=False, url="U")
    assert isinstance(generic, ValidationError)
    assert str(generic) == "POST U: HTTP 400: document refused"
    error = classify_response(_response(400, body), idempotent=False, url="U",
                              error_body=erp_error_body)
    assert isinstance(error, ValidationError)
    assert [p.path for p in error.problems] == ["Facture.NoFacture", "Facture.DateFacture"]
    assert str(error) == ("POST U: HTTP 400: Données invalides : Facture.NoFacture: "
                          "obligatoire pour Acomba: Facture.DateFacture: n'est pas une date")


def test_auth_error_keeps_the_documented_message() -> None:
    body = {"code": "error", "message": "Vous devez être connecté"}
    error = classify_response(_response(401, body, method="GET"), idempotent=True, url="U")
    assert str(error) == "GET U: HTTP 401: Vous devez être connecté"


def test_rate_limited_reads_retry_after_seconds() -> None:
    error = classify_response(_response(429, {}, {"Retry-After": "3"}), idempotent=False)
    assert isinstance(error, RateLimited)
    assert error.retry_after == 3.0


def test_retry_after_http_date() -> None:
    # 2015-10-21 07:28:00 GMT is 1445412480 in Unix time
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("1.5") == 1.5


def test_network_failures_by_whether_the_request_left() -> None:
    request = httpx.Request("POST", "http://x.test/")
    refused = classify_exception(httpx.ConnectError("refused", request=request),
                                 idempotent=False, method="POST", url="U")
    assert type(refused) is Retryable
    lost = classify_exception(httpx.ReadTimeout("slow", request=request), idempotent=False,
                              method="POST", url="U")
    assert type(lost) is Uncertain
    assert "may have been applied" in str(lost)
    read = classify_exception(httpx.ReadTimeout("slow", request=request), idempotent=True,
                              method="GET", url="U")
    assert type(read) is Retryable
    dropped = classify_exception(httpx.RemoteProtocolError("gone", request=request),
                                 idempotent=False, method="POST", url="U")
    assert type(dropped) is Uncertain


def test_network_messages_are_redacted() -> None:
    request = httpx.Request("GET", "http://x.test/")
    cause = httpx.ConnectError("refused for token tok-SECRET-1", request=request)
    error = classify_exception(cause, idempotent=True, method="GET", url="U",
                               redact=lambda s: s.replace("tok-SECRET-1", "***"))
    assert str(error) == "GET U: could not connect (ConnectError: refused for token ***)"
