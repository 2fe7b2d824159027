"""ERP Connector: OData query building, Basic auth + CompanyId, If-None-Match: *, the task
envelope, task polling and the per-ERP support matrix (MockTransport)."""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passeur import UsageError
from passeur.http import AuthError, Conflict, NotFound, Uncertain, ValidationError, reset_budgets
from passeur_erpconnector.client import ErpConnectorClient, client_factory, create_body
from passeur_erpconnector.odata import Field, Query, literal

SEED_003_ENVELOPE = {
    "OrigRemoteTaskID": 129014, "ResultType": "Success", "ErrorType": "None",
    "ResultMessage": "Tâche terminée avec succès",
    "ResultPayload": {"Message": "OK - Facture créée sous le numéro : 10044",
                      "NoFacture": "10044", "SousTotal": 1039.06, "Total": 1195.17},
    "IsTaskCompleted": True,
}


@pytest.fixture(autouse=True)
def _fresh() -> None:
    reset_budgets()


def test_seed_003_filter_example() -> None:
    q = (Query().filter(Field("DateFacture") >= datetime.date(2024, 1, 1))
         .select("NoFacture", "DateFacture", "TotalFacture", "InfoClientFacturerA"))
    assert q.params() == [
        ("$filter", "DateFacture ge '2024-01-01'"),
        ("$select", "NoFacture,DateFacture,TotalFacture,InfoClientFacturerA")]


def test_every_option_and_combinators() -> None:
    q = (Query().filter((Field("TotalFacture") > Decimal("100.50"))
                        & ~(Field("EstInversee") == True))  # noqa: E712
         .filter(Field("InfoClientFacturerA/NoClient").isin(["C001", "C002"]))
         .expand("LigneFacture").orderby("DateFacture", desc=True).orderby("NoFacture")
         .top(50).skip(100))
    assert q.params() == [
        ("$filter", "((TotalFacture gt 100.50) and (not (EstInversee eq true))) and "
                    "((InfoClientFacturerA/NoClient eq 'C001' or "
                    "InfoClientFacturerA/NoClient eq 'C002'))"),
        ("$expand", "LigneFacture"), ("$orderby", "DateFacture desc,NoFacture"),
        ("$top", "50"), ("$skip", "100")]
    assert Query().equals(Référence="From OERP", NoVendeur=None).params() == [
        ("$filter", "(Référence eq 'From OERP') and (NoVendeur eq null)")]


@pytest.mark.parametrize(("bad", "message"), [
    (lambda: Field("NoFacture eq '1' or 1"), "is not a field name"),
    (lambda: Field("x") == 1.5, "not the float"),
    (lambda: Query().top(-1), r"\$top must be a whole number"),
    (lambda: Query().select("a,b"), "is not a field name"),
    (lambda: Query().filter("NoFacture eq '1'"), "expression built from Field"),
])
def test_injection_and_floats_are_refused(bad: Any, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        bad()


def _unquote(text: str) -> str:
    assert text.startswith("'") and text.endswith("'")
    inner = text[1:-1]
    assert re.fullmatch(r"(?:[^']|'')*", inner), "an unpaired quote would end the string"
    return inner.replace("''", "'")


@settings(deadline=None)  # pure and fast, but a loaded CI machine can pause
@given(st.text())
def test_string_literals_round_trip_and_cannot_escape(value: str) -> None:
    assert _unquote(literal(value)) == value


def _client(handler: Any, erp: str = "acomba", **kw: Any) -> ErpConnectorClient:
    return ErpConnectorClient("https://x.test/api", licence="LIC-42", secret="s3cr3t", erp=erp,
                              company_id=2, transport=httpx.MockTransport(handler),
                              sleep=lambda s: None, **kw)


def test_create_sends_basic_company_if_none_match_and_unwraps() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json=SEED_003_ENVELOPE)

    result = _client(handler).create("invoice", {
        "NoFacture": "10044", "DateFacture": "2024-04-24",
        "InfoClientFacturerA": {"NoClient": "0Comptoir"},
        "LigneFacture": [{"QteFacture": 4, "strNoProduit": "CAThermo",
                          "PrixFinal": Decimal("26.09")}],
        "ListeModePaiements": None})
    request = seen[0]
    assert (request.method, str(request.url)) == ("POST", "https://x.test/api/Entity/CustomerInvoice")
    assert request.headers["authorization"] == "Basic TElDLTQyOnMzY3IzdA=="
    assert request.headers["companyid"] == "2"
    assert request.headers["if-none-match"] == "*"
    body = json.loads(request.content, parse_float=Decimal)
    assert set(body) == {"Facture", "ListeModePaiements", "ReturnFullTransaction"}
    assert body["Facture"]["LigneFacture"][0]["PrixFinal"] == Decimal("26.09")
    assert result["NoFacture"] == "10044"
    assert result["Total"] == Decimal("1195.17")


def test_support_matrix_is_enforced_before_any_call() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    with pytest.raises(UsageError, match=r"avantage does not support create of invoice "
                                         r"through ERP Connector \(it allows: list, get\)"):
        _client(handler, erp="avantage").create("invoice", {"NoFacture": "1"})
    with pytest.raises(UsageError, match=r"sage50 does not support list .*allows: nothing"):
        _client(handler, erp="sage50").list_page("invoice")
    assert seen == []
    assert _client(handler, erp="avantage").list_page("invoice") == []


def test_iterate_walks_skip_top() -> None:
    data = [{"NoFacture": str(i), "TotalFacture": Decimal(i)} for i in range(230)]
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        skip, top = int(request.url.params["$skip"]), int(request.url.params["$top"])
        return httpx.Response(200, content=json.dumps(
            data[skip:skip + top], default=str).encode())

    got = list(_client(handler).iter_documents("invoice", since=datetime.date(2024, 1, 1)))
    assert [g["NoFacture"] for g in got] == [str(i) for i in range(230)]
    assert [(r.url.params["$skip"], r.url.params["$top"]) for r in seen] == [
        ("0", "100"), ("100", "100"), ("200", "100")]
    assert seen[0].url.params["$filter"] == "DateFacture ge '2024-01-01'"
    assert seen[0].url.params["$orderby"] == "DateFacture,NoFacture"  # a total order


def _failed(error_type: str, message: str, payload: Any = None) -> dict[str, Any]:
    return {"OrigRemoteTaskID": 7, "ResultType": "Error", "ErrorType": error_type,
            "ResultMessage": message, "ResultPayload": payload, "IsTaskCompleted": True}


@pytest.mark.parametrize(("envelope", "cls", "text"), [
    (_failed("ValidationError", "Champs invalides",
             {"NoFacture": ["obligatoire pour Acomba"]}), ValidationError,
     "task 7 failed (ValidationError): Champs invalides: NoFacture: obligatoire pour Acomba"),
    (_failed("NotFound", "Client introuvable"), NotFound, "Client introuvable"),
    (_failed("AlreadyExists", "La facture 10044 existe déjà"), Conflict, "existe déjà"),
    (_failed("LicenceInvalid", "Licence expirée"), AuthError, "Licence expirée"),
    (_failed("Timeout", "Le robot n'a pas répondu"), Uncertain, "robot n'a pas répondu"),
])
def test_failed_tasks_become_classified_errors(envelope: dict[str, Any], cls: type[Exception],
                                               text: str) -> None:
    client = _client(lambda r: httpx.Response(200, json=envelope))
    with pytest.raises(cls) as info:
        client.create("invoice", {"NoFacture": "1"})
    assert text in str(info.value)


def test_incomplete_task_is_polled_until_done() -> None:
    seen: list[str] = []
    pending = {**SEED_003_ENVELOPE, "IsTaskCompleted": False, "ResultType": "Pending",
               "ResultPayload": None}
    answers = iter([pending, pending, SEED_003_ENVELOPE])

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        return httpx.Response(200 if seen[1:] else 201, json=next(answers))

    assert _client(handler).create("invoice", {"NoFacture": "10044"})["NoFacture"] == "10044"
    assert seen == ["POST /api/Entity/CustomerInvoice", "GET /api/Task/129014",
                    "GET /api/Task/129014"]


def test_task_never_completing_is_uncertain() -> None:
    pending = {**SEED_003_ENVELOPE, "IsTaskCompleted": False}
    client = _client(lambda r: httpx.Response(200, json=pending), poll_timeout=0.0)
    with pytest.raises(Uncertain, match="task 129014 was still not completed after 0 s"):
        client.create("invoice", {"NoFacture": "1"})


def test_if_none_match_conflict() -> None:
    client = _client(lambda r: httpx.Response(412, json={"message": "existe déjà"}))
    with pytest.raises(Conflict, match="HTTP 412: existe déjà"):
        client.create("invoice", {"NoFacture": "1"})


def test_create_body_and_factory() -> None:
    assert create_body("invoice_create", {"Facture": {"NoFacture": "1"}}) == \
        {"Facture": {"NoFacture": "1"}}
    client = client_factory({"erp": "quickbooks", "licence": "L", "secret": "S",
                             "company_id": "3"})
    assert (client.base_url, client.erp, client.company_id) == (
        "https://v4.api.onlineerp.solution.quebec/api", "quickbooks", "3")
    with pytest.raises(UsageError, match="unknown ERP 'acombaa'"):
        client_factory({"erp": "acombaa", "licence": "L", "secret": "S"})
    with pytest.raises(UsageError, match="needs a licence code and a secret key"):
        client_factory({"erp": "acomba"})


def test_other_entities_and_document_client_protocol() -> None:
    from passeur.http import DocumentClient

    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[{"strNoProduit": "CAThermo", "PrixVente": 122}])

    client = _client(handler)
    assert isinstance(client, DocumentClient)
    products = client.list_entity("Product", Query().equals(EstActif=True).top(5))
    assert products == [{"strNoProduit": "CAThermo", "PrixVente": 122}]
    assert str(seen[0].url) == ("https://x.test/api/Entity/Product?%24filter=EstActif+eq+true"
                                "&%24top=5")
    assert client.document_key("invoice", {"Facture": {"NoFacture": "F-9"}}) == "NoFacture=F-9"
