"""The ClearFacts GraphQL sandbox over loopback with a plain httpx client: bearer token of 80
characters, GraphQL errors in 200 answers with `data: null`, 401 on auth, multipart uploads."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import httpx
import pytest

from passeur.sandbox import tiny_pdf
from passeur_clearfacts.sandbox import create_app

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "testdata"
UBLBE = CORPUS / "ublbe" / "UBLBE_BE0000000196_V01-15000001.xml"
PEPPOL = CORPUS / "ubl" / "peppol" / "base-example.xml"
CII = CORPUS / "cii" / "en16931" / "CII_business_example_01.xml"
EN16931_ONLY = CORPUS / "ubl" / "en16931" / "ubl-tc434-example1.xml"
TOKEN = "T" * 40 + "0123456789" * 4
ADMINS = "0233960733=Boulangerie Wilmotte,0417497106=Garage Delvaux"
UPLOAD = ("mutation($v: String!, $f: String!, $t: InvoiceType!) { uploadFile(vatnumber: $v, "
          "filename: $f, invoicetype: $t) { uuid amountOfPages } }")


@pytest.fixture
def served(serve):
    app = create_app(token=TOKEN, administrations=ADMINS, customers=230, today="2025-06-15")
    server = serve(app)
    with httpx.Client(base_url=server.base_url, timeout=10,
                      headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        yield app, http


def _gql(http, query, variables=None):
    answer = http.post("/graphql", json={"query": query, "variables": variables or {}})
    assert answer.status_code == 200, answer.text
    return answer.json()


def _upload(http, data, filename="invoice.xml", vat="0233960733", kind="PURCHASE"):
    answer = http.post("/graphql", data={"query": UPLOAD, "variables": json.dumps(
        {"v": vat, "f": filename, "t": kind})}, files={"file": (filename, data)})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_token_has_exactly_80_characters_and_auth_failures_are_401(served, serve) -> None:
    app, http = served
    assert len(app.state.token) == 80
    with pytest.raises(ValueError, match="exactly 80 characters, not 79"):
        create_app(token=TOKEN[:79])
    assert len(create_app().state.token) == 80
    for headers in ({}, {"Authorization": f"Bearer {TOKEN[:-1]}x"},
                    {"Authorization": f"Basic {TOKEN}"}):
        answer = httpx.post(str(http.base_url) + "/graphql", headers=headers,
                            json={"query": "{ administrations { name } }"})
        assert answer.status_code == 401
        assert answer.json()["data"] is None
        assert answer.headers["www-authenticate"].startswith("Bearer")


def test_administrations_journals_and_customers_by_pages_of_100(served) -> None:
    _, http = served
    data = _gql(http, "{ administrations { name companyNumber emails { type emailAddress } } }")
    assert [(a["name"], a["companyNumber"]) for a in data["data"]["administrations"]] == [
        ("Boulangerie Wilmotte", "0233960733"), ("Garage Delvaux", "0417497106")]
    journals = _gql(http, '{ journals(companyNumber: "0233960733") { id name creditNote } }')
    assert [(j["id"], j["creditNote"]) for j in journals["data"]["journals"]] == [
        ("AAN", False), ("AAN-NC", True), ("VER", False), ("VER-NC", True)]
    pages = [len(_gql(http, "query($o: Int) { customers(companyNumber: \"0233960733\", "
                            "offset: $o) { id } }", {"o": o})["data"]["customers"])
             for o in (0, 100, 200, 300)]
    assert pages == [100, 100, 30, 0]


def test_graphql_errors_are_200_with_data_null(served) -> None:
    _, http = served
    unknown = _gql(http, "{ administrations { nope } }")
    assert unknown == {"errors": [{"message": "Cannot query field 'nope' on type "
                                              "'Administration'. Did you mean 'name'?",
                                   "locations": [{"line": 1, "column": 21}]}], "data": None}
    with_be = _gql(http, '{ journals(companyNumber: "BE0233960733") { id } }')
    assert with_be["data"] is None
    [error] = with_be["errors"]
    assert error["path"] == ["journals"] and error["locations"] == [{"line": 1, "column": 3}]
    assert error["message"] == ("companyNumber must be the company number without 'BE' "
                                "(e.g. 0233960733)")
    missing = _gql(http, 'query { document(id: "nope") { date } }')
    assert missing["data"] is None and missing["errors"][0]["path"] == ["document"]
    syntax = _gql(http, "{ administrations {")
    assert syntax["data"] is None and "Syntax Error" in syntax["errors"][0]["message"]


def test_upload_lands_in_the_inbox_and_is_found_by_its_uuid(served) -> None:
    app, http = served
    data = UBLBE.read_bytes()
    answer = _upload(http, data, "V01-15000001.xml")
    uploaded = answer["data"]["uploadFile"]
    assert uploaded["amountOfPages"] == 1
    found = _gql(http, "query($id: String!) { document(id: $id) { date "
                       "... on InvoiceDocument { type paymentState } } }", {"id": uploaded["uuid"]})
    assert found == {"data": {"document": {"date": "2025-06-15", "type": "PURCHASE",
                                           "paymentState": "UNPAID"}}}
    [stored] = app.state.inbox("0233960733")
    assert stored.sha256 == hashlib.sha256(data).hexdigest() and stored.filename == \
        "V01-15000001.xml"
    # nothing in the API prevents a second copy (issue 15): the sandbox keeps both
    _upload(http, data, "V01-15000001.xml")
    assert len(app.state.inbox("0233960733")) == 2
    listed = http.get("/_sandbox/inbox", params={"companyNumber": "0233960733"}).json()
    assert [d["sha256"] for d in listed] == [stored.sha256] * 2


def test_upload_accepts_pdf_jpeg_and_the_belgian_xml_invoices_only(served) -> None:
    _, http = served
    pdf = tiny_pdf(["page"])
    assert _upload(http, pdf, "a.pdf", kind="SALE")["data"]["uploadFile"]["amountOfPages"] == 1
    assert "errors" not in _upload(http, b"\xff\xd8\xff\xe0" + b"\0" * 20, "a.jpg")
    assert "errors" not in _upload(http, PEPPOL.read_bytes(), "peppol.xml")
    for path, why in ((CII, "not a UBL invoice"),
                      (EN16931_ONLY, "not Peppol BIS Billing 3, UBL.BE or e-fff")):
        refused = _upload(http, path.read_bytes(), path.name)
        assert refused["data"] is None and why in refused["errors"][0]["message"]
    refused = _upload(http, b"hello", "a.txt")
    assert "not a PDF, a JPEG or an XML invoice" in refused["errors"][0]["message"]
    no_file = http.post("/graphql", data={"query": UPLOAD, "variables": json.dumps(
        {"v": "0233960733", "f": "x.pdf", "t": "SALE"})}, files={"other": ("x", b"x")})
    assert "No file uploaded" in no_file.json()["errors"][0]["message"]
    bad_type = _upload(http, pdf, "a.pdf", kind="CREDIT")
    assert bad_type["data"] is None and "InvoiceType" in bad_type["errors"][0]["message"]
    with_be = _upload(http, pdf, "a.pdf", vat="BE0233960733")
    assert "without 'BE'" in with_be["errors"][0]["message"]


def test_archive_upload_checks_the_category(served) -> None:
    app, http = served
    query = ("mutation($c: String!) { uploadArchiveFile(vatnumber: \"0417497106\", "
             "filename: \"st.cod\", type: FINANCIAL, category: $c) { uuid } }")
    ok = http.post("/graphql", data={"query": query, "variables": '{"c": "CODA"}'},
                   files={"file": ("st.cod", b"0000")}).json()
    assert "errors" not in ok
    [stored] = app.state.inbox("0417497106", kinds=("archive",))
    assert (stored.category, stored.type, stored.data) == ("CODA", "FINANCIAL", b"0000")
    wrong = http.post("/graphql", data={"query": query, "variables": '{"c": "CONTRACTS"}'},
                      files={"file": ("st.cod", b"0000")}).json()
    assert wrong["errors"][0]["message"] == ("Unknown archive category 'CONTRACTS' for type "
                                             "FINANCIAL (categories: CODA, BANK)")


@pytest.mark.parametrize(("content_type", "body"), [
    ("application/json", b"{nope"),
    ("application/json", b"[]"),
    ("application/json", b'{"query": 3}'),
    ("application/json", b'{"query": "{ administrations { name } }", "variables": []}'),
    ("application/json", b"[" * 100000),
    ("multipart/form-data; boundary=x", b"garbage"),
    ("multipart/form-data", b"--x\r\n"),
    ("text/plain", b"\xff\xfe"),
])
def test_hostile_bodies_are_4xx_never_500(served, content_type, body) -> None:
    _, http = served
    answer = http.post("/graphql", content=body, headers={"Content-Type": content_type})
    assert 400 <= answer.status_code < 500, answer.text
    assert answer.json()["data"] is None


def test_only_post_on_the_one_endpoint(served) -> None:
    _, http = served
    assert http.get("/graphql").status_code == 405
    assert http.post("/rest", json={}).status_code == 404
