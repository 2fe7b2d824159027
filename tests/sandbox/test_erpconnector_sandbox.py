"""The ERP Connector sandbox answers as seeds 003/004 document, over a real loopback socket."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest

from passeur_erpconnector.sandbox import UNAUTHORIZED_BODY, create_app
from passeur_erpconnector.sandbox_seed import QUEBEC_CITIES
from support.erp_seed_004 import SEED_004, seed_payload

from .conftest import TODAY

AUTH = ("LIC-123", "s3cret")

def post(erp, payload, **headers):
    text = payload if isinstance(payload, str) else _dumps(payload)
    return erp.http.post("/api/Entity/CustomerInvoice", content=text.encode(), auth=AUTH,
                         headers={"content-type": "application/json", **headers})


def _dumps(payload) -> str:
    from passeur.sandbox import dumps
    return dumps(payload)


def exact(answer: httpx.Response):
    return json.loads(answer.text, parse_float=Decimal)


def invoices(erp, **params):
    answer = erp.http.get("/api/Entity/CustomerInvoice", params=params, auth=AUTH)
    assert answer.status_code == 200, answer.text
    return exact(answer)


@pytest.fixture
def make(serve):
    def start(**options):
        return serve(create_app(licence=AUTH[0], secret=AUTH[1], today=TODAY, **options))
    return start


@pytest.fixture
def qb(make):
    return make(erp="quickbooks")


@pytest.fixture
def acomba(make):
    return make(erp="acomba")


# -- the envelope of seed 004 -----------------------------------------------------------------
def test_seed_004_payload_gives_seed_004_envelope(qb):
    answer = post(qb, SEED_004, **{"If-None-Match": "*"})
    assert answer.status_code == 201
    body = exact(answer)
    assert {k: body[k] for k in ("OrigRemoteTaskID", "ResultType", "ErrorType",
                                 "ResultMessage", "IsTaskCompleted")} == {
        "OrigRemoteTaskID": 129014, "ResultType": "Success", "ErrorType": "None",
        "ResultMessage": "Tâche terminée avec succès", "IsTaskCompleted": True}
    result = body["ResultPayload"]
    assert {k: result[k] for k in ("Message", "NoFacture", "ResultatPaiement", "RecCardPos",
                                   "SousTotal", "Total")} == {
        "Message": "OK - Facture créée sous le numéro : 10044", "NoFacture": "10044",
        "ResultatPaiement": "OK - Aucun paiement appliqué", "RecCardPos": "115",
        "SousTotal": Decimal("1039.06"), "Total": Decimal("1195.17")}
    full = result["FullTransaction"]
    assert (full["TypeDoc"], full["DateFacture"], full["MontantNonPaye"], full["NbLignes"]) == (
        1, "2024-04-24T00:00:00", Decimal("1195.17"), 5)
    assert [(t["Taxe_Numero"], t["MontantTaxe"]) for t in full["ListeDesTaxes"]] == [
        ("T.P.S. 100%", Decimal("72.73")), ("T.V.Q. 100%", Decimal("83.38"))]
    assert full["InfoClientFacturerA"]["NomClient"] == "Ventes au comptoir"
    lines = [(ln["NoLigneFacture"], ln["strNoProduit"], ln.get("strNoGroupeProduit"),
              ln["QteFacture"], ln.get("QteCommande"), ln.get("PrixFinal"),
              ln["Montant_SousTotalLigne"], ln.get("Montant_TotalLigne"))
             for ln in full["LigneFacture"]]
    assert lines == [
        (1, "CAThermo", "115", 4, 4, 122, 488, Decimal("561.322")),
        (2, "", None, 0, None, None, 0, None),
        (3, "", None, 0, None, None, 0, None),
        (4, "", "115", 1, 0, Decimal("26.09"), Decimal("26.09"), Decimal("30.0100225")),
        (5, "SCIE-10", "126", 3, 3, Decimal("174.99"), Decimal("524.97"),
         Decimal("603.8467425"))]
    # Numbers travel as JSON numbers, never as strings.
    assert '"Total":1195.17' in answer.text and '"Montant_SousTotalLigne":488' in answer.text


def test_line_total_is_net_times_both_tax_factors(qb):
    full = exact(post(qb, SEED_004))["ResultPayload"]["FullTransaction"]
    for line in full["LigneFacture"]:
        if "Montant_TotalLigne" in line:
            assert line["Montant_TotalLigne"] == (
                line["Montant_SousTotalLigne"] * Decimal("1.07") * Decimal("1.075"))


def test_current_tax_group_is_an_option(make):
    erp = make(erp="quickbooks", tax_group="TPS5_TVQ9975")
    full = exact(post(erp, SEED_004))["ResultPayload"]["FullTransaction"]
    # 1039.06 x 5 % = 51.953 -> 51.95 ; x 9.975 % = 103.646235 -> 103.65 (not compound).
    assert [t["MontantTaxe"] for t in full["ListeDesTaxes"]] == [Decimal("51.95"),
                                                                 Decimal("103.65")]
    assert full["TotalFacture"] == Decimal("1194.66")
    assert full["LigneFacture"][0]["Montant_TotalLigne"] == Decimal("561.078")


def test_return_full_transaction_omitted_and_payments_applied(qb):
    payload = seed_payload()
    payload["ReturnFullTransaction"] = False
    payload["ListeModePaiements"] = [{"ModePaiement": 1, "dbl_MontantPaiement": Decimal("500.00")},
                                     {"ModePaiement": 102, "dbl_MontantPaiement": 695}]
    result = exact(post(qb, payload))["ResultPayload"]
    assert "FullTransaction" not in result
    assert result["ResultatPaiement"] == "OK - 2 paiement(s) appliqué(s) : 1195"
    assert invoices(qb)[0]["MontantNonPaye"] == Decimal("0.17")


# -- per-ERP rules ----------------------------------------------------------------------------
def test_acomba_requires_nofacture(acomba):
    answer = post(acomba, SEED_004)
    assert answer.status_code == 400
    body = exact(answer)
    assert (body["ResultType"], body["ErrorType"], body["IsTaskCompleted"]) == (
        "Error", "ValidationError", True)
    assert body["ResultPayload"] == {"Errors": {"Facture.NoFacture": ["obligatoire pour Acomba"]}}
    assert invoices(acomba) == []
    ok = post(acomba, seed_payload(NoFacture="F-2024-001"))
    assert exact(ok)["ResultPayload"]["NoFacture"] == "F-2024-001"


def test_if_none_match_conflict_when_the_number_exists(acomba):
    first = post(acomba, seed_payload(NoFacture="10044"), **{"If-None-Match": "*"})
    assert first.status_code == 201
    again = post(acomba, seed_payload(NoFacture="10044"), **{"If-None-Match": "*"})
    assert again.status_code == 412
    body = exact(again)
    assert (body["ResultType"], body["ErrorType"], body["ResultMessage"]) == (
        "Error", "Conflict", "La facture 10044 existe déjà")
    # Without the header the ERP still refuses a duplicate number, as a validation error.
    plain = post(acomba, seed_payload(NoFacture="10044"))
    assert (plain.status_code, exact(plain)["ErrorType"]) == (400, "ValidationError")
    assert len(invoices(acomba)) == 1


@pytest.mark.parametrize("erp", ["avantage", "sage50", "servex", "servicentre"])
def test_support_matrix_refuses_post(make, erp):
    sandbox = make(erp=erp)
    answer = post(sandbox, seed_payload(NoFacture="1"))
    assert answer.status_code == 405
    assert exact(answer)["ErrorType"] == "NotSupported"
    listing = sandbox.http.get("/api/Entity/CustomerInvoice", auth=AUTH)
    assert listing.status_code == (200 if erp == "avantage" else 405)


@pytest.mark.parametrize("erp", ["acomba", "quickbooks"])
def test_put_is_refused_everywhere(make, erp):
    sandbox = make(erp=erp)
    answer = sandbox.http.put("/api/Entity/CustomerInvoice/1", auth=AUTH, json={})
    assert answer.status_code == 405
    assert exact(answer)["ResultMessage"].startswith("L'opération PUT sur CustomerInvoice")


def test_validation_names_every_problem(qb):
    answer = post(qb, {"Facture": {"TypeDoc": "FACTURE", "InfoClientFacturerA": {"NoClient": "X"},
                                   "LigneFacture": [{"strNoProduit": "NOPE", "QteFacture": 1},
                                                    {"QteFacture": "deux", "PrixFinal": 3}]}})
    assert answer.status_code == 400
    assert exact(answer)["ResultPayload"]["Errors"] == {
        "Facture.TypeDoc": ["doit être l'un de FACTURES, COMMANDES, SOUMISSIONS, ACHATS"],
        "Facture.DateFacture": ["obligatoire"],
        "Facture.InfoClientFacturerA.NoClient": ["client 'X' introuvable"],
        "Facture.LigneFacture[0].strNoProduit": ["produit 'NOPE' introuvable"],
        # Invalid, not missing (issue 11): only the first message.
        "Facture.LigneFacture[1].QteFacture": ["doit être un nombre"]}


# -- auth, company, tasks ---------------------------------------------------------------------
def test_basic_auth_licence_and_secret(qb):
    for auth in (None, ("LIC-123", "wrong"), ("other", "s3cret")):
        answer = qb.http.get("/api/Entity/CustomerInvoice", auth=auth)
        assert (answer.status_code, answer.json()) == (401, UNAUTHORIZED_BODY)
        assert answer.headers["www-authenticate"] == 'Basic realm="ERP Connector"'


def test_company_id_header(make):
    erp = make(erp="quickbooks", company_id="42")
    ok = erp.http.get("/api/Entity/CustomerInvoice", auth=AUTH, headers={"CompanyId": "42"})
    other = erp.http.get("/api/Entity/CustomerInvoice", auth=AUTH, headers={"CompanyId": "7"})
    assert (ok.status_code, other.status_code) == (200, 403)
    assert other.json() == {"Message": "CompanyId '7' inconnu pour cette licence"}


def test_incomplete_task_is_fetched_later(make):
    erp = make(erp="quickbooks", pending_polls=2)
    answer = post(erp, SEED_004)
    assert answer.status_code == 202
    body = exact(answer)
    assert (body["IsTaskCompleted"], body["ResultType"], body["ResultPayload"]) == (
        False, "Pending", None)
    assert invoices(erp) == []
    task = f"/api/Task/{body['OrigRemoteTaskID']}"
    states = [exact(erp.http.get(task, auth=AUTH)) for _ in range(3)]
    assert [s["IsTaskCompleted"] for s in states] == [False, False, True]
    assert states[2]["ResultPayload"]["Total"] == Decimal("1195.17")
    assert [i["NoFacture"] for i in invoices(erp)] == ["10044"]
    assert erp.http.get("/api/Task/1", auth=AUTH).status_code == 404


# -- GET with OData options -------------------------------------------------------------------
@pytest.fixture
def seeded(make):
    return make(erp="quickbooks", seed=40, random_seed=5)


def test_get_one_and_404(seeded):
    first = invoices(seeded, **{"$top": "1"})[0]
    one = seeded.http.get(f"/api/Entity/CustomerInvoice/{first['NoFacture']}", auth=AUTH)
    assert exact(one) == first
    missing = seeded.http.get("/api/Entity/CustomerInvoice/NOPE", auth=AUTH)
    assert (missing.status_code, missing.json()) == (
        404, {"Message": "CustomerInvoice 'NOPE' introuvable"})


def test_filter_on_dates_numbers_strings(seeded):
    every = invoices(seeded)
    assert len(every) == 40
    since = invoices(seeded, **{"$filter": "DateFacture ge '2024-06-15'"})
    assert {i["NoFacture"] for i in since} == {
        i["NoFacture"] for i in every if i["DateFacture"] >= "2024-06-15"}
    assert 0 < len(since) < 40
    big = invoices(seeded, **{"$filter": "TotalFacture gt 500 and TotalFacture le 2000"})
    assert {i["NoFacture"] for i in big} == {
        i["NoFacture"] for i in every if Decimal(500) < i["TotalFacture"] <= Decimal(2000)}
    number = every[3]["NoFacture"]
    either = invoices(seeded, **{"$filter": f"NoFacture eq '{number}' or NoFacture eq '10044'"})
    assert sorted(i["NoFacture"] for i in either) == sorted({number, "10044"})
    assert [i["NoFacture"] for i in invoices(
        seeded, **{"$filter": f"NoFacture ne '{number}'"})] == [
        i["NoFacture"] for i in every if i["NoFacture"] != number]


def test_orderby_top_skip_select_expand(seeded):
    ordered = invoices(seeded, **{"$orderby": "TotalFacture desc, NoFacture"})
    totals = [i["TotalFacture"] for i in ordered]
    assert totals == sorted(totals, reverse=True)
    page = invoices(seeded, **{"$orderby": "TotalFacture desc, NoFacture", "$skip": "5",
                               "$top": "10"})
    assert page == ordered[5:15]
    picked = invoices(seeded, **{"$select": "NoFacture,DateFacture,TotalFacture",
                                 "$top": "2"})
    assert [sorted(i) for i in picked] == [["DateFacture", "NoFacture", "TotalFacture"]] * 2
    short = invoices(seeded, **{"$top": "1"})[0]["InfoClientFacturerA"]
    assert sorted(short) == ["EmailPrincipal_Adresse", "NoClient", "NomClient"]
    full = invoices(seeded, **{"$top": "1", "$expand": "InfoClientFacturerA,"
                                                       "LigneFacture/FicheProduit"})[0]
    customer = full["InfoClientFacturerA"]
    assert (customer["Ville"], customer["CodePostal"], customer["Pays"]) in {
        (city, code, "CA") for code, city in QUEBEC_CITIES}
    line = full["LigneFacture"][0]
    assert line["FicheProduit"]["strNoProduit"] == line["strNoProduit"]


@pytest.mark.parametrize(("params", "message"), [
    ({"$filter": "Foo eq 1"}, "$filter: unknown field 'Foo' at character 1"),
    ({"$filter": "NoFacture eq"}, "$filter: expected a value at the end of 'NoFacture eq'"),
    ({"$filter": "NoFacture is 'x'"},
     "$filter: expected an operator (eq, ne, gt, ge, lt, le, in) at character 11, got 'is'"),
    ({"$top": "-1"}, "$top: expected a whole number, got '-1'"),
    ({"$select": "NoFacture,Nope"}, "$select: unknown field 'Nope'"),
    ({"$orderby": "TotalFacture sideways"}, "$orderby: expected asc or desc after "
                                            "'TotalFacture'"),
])
def test_bad_query_options_are_400_with_a_clear_message(qb, params, message):
    answer = qb.http.get("/api/Entity/CustomerInvoice", params=params, auth=AUTH)
    assert (answer.status_code, answer.json()) == (400, {"Message": message})


def test_routes_also_answer_without_the_api_prefix(qb):
    assert qb.http.get("/Entity/CustomerInvoice", auth=AUTH).status_code == 200
    assert qb.http.get("/api/Entity/Nothing", auth=AUTH).status_code == 404


def test_unknown_erp_is_refused():
    with pytest.raises(ValueError, match="unknown ERP 'sage'; choose one of acomba"):
        create_app(erp="sage")
