"""Fuzzing every sandbox route: hostile requests never get a 500, only the platform's 4xx.

Each example sends one hostile request (any route, any method, hostile query and body, any
of the ways to send credentials) and then the reads a client makes next (listings in every
order, one record), because a value stored by one request must not break later answers.
A documented resource the sandbox does not implement answers 501, by design.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import Phase, given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from passeur_erpconnector.sandbox import create_app as erp_app
from passeur_vosfactures.sandbox import create_app as vf_app
from passeur_vosfactures.sandbox_query import ORDER_FIELDS
from support.fuzz import fuzz_settings

from .sandbox_requests import RAW_BODIES, body_text, hostile, json_bodies, route_calls

pytestmark = pytest.mark.fuzz

TOKEN = "fuzz-token"
LICENCE, SECRET = "LIC", "SECRET"
# No shrinking: the hostile values are large and a found failure is printed as drawn. One
# example is a request and the reads after it (scale 1 of the shared budget).
FUZZ = fuzz_settings(database=None, phases=[Phase.explicit, Phase.reuse, Phase.generate])

INVOICE_FIELDS = ["kind", "number", "issue_date", "sell_date", "payment_to", "paid_date",
                  "buyer_name", "buyer_email", "buyer_tax_no", "client_id", "department_id",
                  "status", "oid", "oid_unique", "currency", "income", "test", "paid",
                  "copy_invoice_from", "total_correction", "discount_kind", "show_discount",
                  "advance_creation_mode", "advance_value", "invoice_ids", "from_invoice_id",
                  "invoice_id", "calculating_strategy", "payment_to_kind", "buyer_override",
                  "reverse_charge", "seller_name", "description", "lang", "price_gross"]
POSITION_FIELDS = ["name", "quantity", "tax", "price_net", "price_gross", "total_price_gross",
                   "total_price_net", "product_id", "kind", "discount", "discount_percent",
                   "id", "_destroy", "code", "quantity_unit"]
VF_FIELDS = {
    "invoice": INVOICE_FIELDS,
    "client": ["name", "email", "tax_no", "external_id", "shortcut", "first_name"],
    "product": ["name", "code", "price_net", "price_gross", "tax", "disabled"],
    "banking_payment": ["price", "invoice_id", "invoice_ids", "paid", "paid_date"],
    "department": ["name", "main", "tax_no"],
    "webhook": ["kind", "url", "api_token", "active"],
}
VF_QUERY = ["period", "page", "per_page", "order", "kind", "kinds[]", "number", "client_id",
            "invoice_ids", "income", "status", "oid", "date_from", "date_to",
            "search_date_type", "include_positions", "find_by", "filter", "email", "name",
            "external_id", "tax_no", "status", "force", "email_to", "cancel_invoice_id",
            "additional_fields[invoice]", "include", "inline"]


def _query_values() -> st.SearchStrategy[Any]:
    return hostile().map(lambda v: v if isinstance(v, str) else str(v)[:80])


def _credentials(good: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Mostly the right credentials (so requests get past auth), sometimes hostile ones."""
    bad_tokens = st.sampled_from(["nope", "é€", "\ud800", "", " " * 3, "x" * 500]) | st.text(
        max_size=6)
    return st.one_of(st.just(good), st.just(good), st.just({}),
                     bad_tokens.map(lambda t: {"params": {"api_token": t}}),
                     bad_tokens.map(lambda t: {"headers": {"authorization": f"Bearer {t}"}}),
                     bad_tokens.map(lambda t: {"headers": {"authorization": "Basic " + t}}),
                     bad_tokens.map(lambda t: {"headers": {"authorization": "Basic " + (
                         base64.b64encode(t.encode("utf-8", "surrogatepass")).decode())}}))


def _request(client: TestClient, method: str, path: str, params: dict[str, str],
             body: bytes | None, credentials: dict[str, Any]) -> int:
    safe = {k: (v.encode("utf-8", "surrogatepass").decode("utf-8", "replace"))
            for k, v in {**params, **credentials.get("params", {})}.items()}
    headers: dict[str, Any] = {"content-type": "application/json"}
    for key, value in credentials.get("headers", {}).items():
        headers[key] = value.encode("utf-8", "surrogatepass")
    answer = client.request(method, path, params=safe, content=body, headers=headers)
    return answer.status_code


def _assert_no_server_error(status: int, method: str, path: str) -> None:
    assert status < 500 or status == 501, f"{method} {path} answered {status}"


@pytest.fixture(scope="module")
def vf_client():
    app = vf_app(token=TOKEN, today="2025-06-15", seed=8, random_seed=3)
    with TestClient(app, raise_server_exceptions=True) as client:
        client.app_state = app  # type: ignore[attr-defined]
        yield client


@FUZZ
@given(call=st.data())
def test_vosfactures_sandbox_never_answers_500(vf_client, call):
    routes = vf_client.app_state.inner.routes
    method, path = call.draw(route_calls(routes), label="route")
    params = call.draw(st.dictionaries(st.sampled_from(VF_QUERY), _query_values(),
                                       max_size=4), label="query")
    credentials = call.draw(_credentials({"params": {"api_token": TOKEN}}), label="auth")
    if method in ("POST", "PUT", "PATCH"):
        body = call.draw(st.one_of(
            json_bodies(VF_FIELDS, TOKEN, {"positions": POSITION_FIELDS}).map(body_text),
            st.sampled_from(RAW_BODIES), st.binary(max_size=20)), label="body")
    else:
        body = None
    status = _request(vf_client, method, path, params, body, credentials)
    _assert_no_server_error(status, method, path)
    # What was stored must not break the reads that follow.
    order = call.draw(st.sampled_from([*ORDER_FIELDS, *(f"{o}.desc" for o in ORDER_FIELDS)]))
    for read in ("/invoices.json", "/clients.json", "/products.json",
                 "/banking/payments.json", "/departments.json"):
        answer = vf_client.get(read, params={"api_token": TOKEN, "period": "all",
                                             "order": order, "include_positions": "true",
                                             "per_page": "100"})
        assert answer.status_code == 200, (read, answer.text[:300])


ERP_FIELDS = {
    "Facture": ["NoFacture", "TypeDoc", "DateFacture", "InfoClientFacturerA", "Référence",
                "Description", "FraisDeTransport", "TermeDePaiement", "InfoClientLivrerA",
                "ExtendedProperties", "NoVendeur"],
    "ListeModePaiements": ["ModePaiement", "dbl_MontantPaiement"],
}
LINE_FIELDS = ["strNoProduit", "QteFacture", "QteCommande", "PrixFinal", "PrixOrig",
               "DescriptionLigne", "strNoGroupeProduit", "NoGroupeTaxe", "MontantRabais_pct",
               "UniteMesure", "NoCompteGL", "ExtendedProperties"]
FILTERS = ["NoFacture eq '10044'", "(" * 3000 + "NoFacture eq '1'" + ")" * 3000,
           "not " * 3000 + "NoFacture eq '1'", "TotalFacture gt 9000.5m",
           "DateFacture ge datetime'2024-01-01T00:00:00'", "contains(NoFacture,'1')",
           "startswith(NoFacture,'10')", "NoFacture in ('1','2')", "TotalFacture gt 1e400",
           "TotalFacture gt " + "9" * 5000, "NoFacture eq '\ud800'", "Foo eq 1", "((",
           "NoFacture eq", "DateFacture ge '2024-13-45'", "not", "NoFacture eq 'a''b'"]
ERP_QUERY = {"$filter": st.sampled_from(FILTERS) | st.text(max_size=30),
             "$orderby": st.sampled_from(["NoFacture desc", "TotalFacture", "Foo", "NoFacture "
                                          "sideways", ",", "DateFacture asc, NoFacture desc"])
             | st.text(max_size=10),
             "$top": st.sampled_from(["1", "-1", "9" * 5000, "abc", "0"]),
             "$skip": st.sampled_from(["1", "-1", "9" * 5000, "abc"]),
             "$select": st.sampled_from(["NoFacture", "Foo", "NoFacture,,TotalFacture", ""]),
             "$expand": st.sampled_from(["InfoClientFacturerA", "LigneFacture/FicheProduit",
                                         "Foo/Bar", ""])}


@pytest.fixture(scope="module", params=["acomba", "quickbooks"])
def erp_client(request):
    app = erp_app(licence=LICENCE, secret=SECRET, erp=request.param, today="2025-06-15",
                  seed=6)
    with TestClient(app, raise_server_exceptions=True) as client:
        client.app_state = app  # type: ignore[attr-defined]
        yield client


def _basic(user: str, password: str) -> dict[str, Any]:
    raw = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"headers": {"authorization": f"Basic {raw}"}}


@FUZZ
@given(call=st.data())
def test_erpconnector_sandbox_never_answers_500(erp_client, call):
    routes = erp_client.app_state.inner.routes
    method, path = call.draw(route_calls(routes), label="route")
    params = call.draw(st.fixed_dictionaries({}, optional=ERP_QUERY), label="query")
    credentials = call.draw(_credentials(_basic(LICENCE, SECRET)), label="auth")
    if method in ("POST", "PUT", "PATCH"):
        body = call.draw(st.one_of(
            json_bodies(ERP_FIELDS, None, {"LigneFacture": LINE_FIELDS}).map(
                lambda b: body_text({"Facture": b.get("Facture", b),
                                     "ReturnFullTransaction": True})),
            json_bodies(ERP_FIELDS, None, {"LigneFacture": LINE_FIELDS}).map(body_text),
            st.sampled_from(RAW_BODIES), st.binary(max_size=20)), label="body")
    else:
        body = None
    status = _request(erp_client, method, path, params, body, credentials)
    _assert_no_server_error(status, method, path)
    answer = erp_client.get("/api/Entity/CustomerInvoice",
                            params={"$orderby": "NoFacture desc",
                                    "$expand": "InfoClientFacturerA,LigneFacture/FicheProduit"},
                            headers=_basic(LICENCE, SECRET)["headers"])
    assert answer.status_code == 200, answer.text[:300]
