"""The CodaBox sandbox over a real loopback socket, with a plain httpx client: the documented
REST v2 behaviour (issue 15), byte for byte where the issue is exact."""

from __future__ import annotations

import csv
import hashlib
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from passeur_coda import read_statements
from passeur_codabox.sandbox import create_app
from passeur_codabox.sandbox_seed import INVOICES

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "testdata"
MANIFEST = {row["path"]: row for row in csv.DictReader(
    (CORPUS / "MANIFEST.csv").open(encoding="utf-8"))}
VENDOR = "0b0b0b0b-1111-4222-8333-444455556666"


def _app(**kw):
    return create_app(software_company=VENDOR, **kw)


def _http(server, office=None, vendor=VENDOR) -> httpx.Client:
    headers = {"X-Software-Company": vendor} if vendor else {}
    auth = (office.username, office.password) if office is not None else None
    return httpx.Client(base_url=server.base_url, headers=headers, auth=auth, timeout=10)


@pytest.fixture
def served(serve):
    app = _app()
    server = serve(app)
    office = app.state.offices[0]
    with _http(server, office) as http:
        yield app, server, office, http


def test_every_delivery_call_needs_the_vendor_key_and_basic_credentials(served) -> None:
    _app, server, office, http = served
    with _http(server, office, vendor=None) as bare:
        answer = bare.get("/v2/delivery/pod-client/")
    assert (answer.status_code, answer.json()) == (
        401, {"detail": "Invalid or missing X-Software-Company header."})
    with _http(server, None) as anonymous:
        answer = anonymous.get("/v2/delivery/pod-client/")
    assert answer.status_code == 401
    assert answer.json() == {"detail": "Authentication credentials were not provided."}
    assert answer.headers["www-authenticate"] == 'Basic realm="api"'
    with httpx.Client(base_url=server.base_url, headers={"X-Software-Company": VENDOR},
                      auth=(office.username, "wrong")) as wrong:
        answer = wrong.get("/v2/delivery/pod-client/")
    assert (answer.status_code, answer.json()) == (401, {"detail": "Invalid username/password."})
    assert http.get("/v2/delivery/pod-client/").status_code == 200


def test_onboarding_token_gives_the_credentials_once(served) -> None:
    app, server, office, _ = served
    old_password = office.password
    with _http(server, None) as onboarding:
        answer = onboarding.post("/v2/request-access-token/invoicing-software/",
                                 json={"vat": office.vat})
        assert answer.status_code == 201
        assert [vat for vat, _ in app.state.mailbox] == [office.vat]
        token = app.state.mailbox[-1][1]
        first = onboarding.get(f"/v2/get-credentials/{token}/")
        assert first.status_code == 200
        credentials = first.json()
        assert set(credentials) == {"username", "password"}
        assert credentials["username"] == office.username
        second = onboarding.get(f"/v2/get-credentials/{token}/")
        assert (second.status_code, second.json()) == (404, {"detail": "Not found."})
        refused = onboarding.post("/v2/request-access-token/invoicing-software/",
                                  json={"vat": "BE0123456789"})
        assert refused.status_code == 400
        assert list(refused.json()) == ["vat"]
        missing = onboarding.post("/v2/request-access-token/invoicing-software/", json={})
        assert (missing.status_code, missing.json()) == (400, {"vat": ["This field is required."]})
    with httpx.Client(base_url=server.base_url, headers={"X-Software-Company": VENDOR},
                      auth=(office.username, old_password)) as old:
        assert old.get("/v2/delivery/pod-client/").status_code == 401
    with httpx.Client(base_url=server.base_url, headers={"X-Software-Company": VENDOR},
                      auth=(credentials["username"], credentials["password"])) as new:
        assert new.get("/v2/delivery/pod-client/").status_code == 200


def test_pod_client_lists_only_this_office_feeds(served) -> None:
    app, _server, office, http = served
    pod = http.get("/v2/delivery/pod-client/").json()
    assert pod["id"] == office.pod_id and pod["fetch_delay"] == 3600
    assert pod["allowed_formats"]["coda"] == ["cod", "pdf"]
    assert pod["allowed_formats"]["purchase_invoice"] == ["pdf", "xml"]
    ids = [c["id"] for c in pod["feed_clients"]]
    assert ids == [f.id for f in office.feeds] and len(ids) == 2
    assert all(c["fiduciary_id"] == office.fiduciary_id for c in pod["feed_clients"])
    other = app.state.offices[1].feeds[0].id
    assert http.get(f"/v2/delivery/feed/{other}/").json() == {"detail": "Not found."}


def test_statements_chain_per_account_and_parse_cleanly(served) -> None:
    _app, _server, office, http = served
    feed = office.feeds[0]
    entries = http.get(f"/v2/delivery/feed/{feed.id}/").json()["feed_entries"]
    coda = [e for e in entries if e["document_model"] == "coda"]
    ibans = {e["metadata"]["iban"] for e in coda}
    assert len(ibans) == 2 and len(coda) == 6  # two accounts, three statements each
    for iban in ibans:
        mine = [e for e in coda if e["metadata"]["iban"] == iban]
        assert [e["metadata"]["first_statement_number"] for e in mine] == [1, 2, 3]
        closing = None
        for entry in mine:
            data = http.get(f"/v2/delivery/download/{entry['feed_index']}/cod/")
            assert data.headers["content-type"] == "text/plain; charset=iso-8859-1"
            [read] = list(read_statements(data.content, "feed.cod"))
            assert read.issues == ()
            statement = read.statement
            assert statement.account.iban == iban == entry["metadata"]["iban"]
            assert int(statement.number) == entry["metadata"]["last_statement_number"]
            assert len(statement.movements) == entry["metadata"]["movement_count"]
            assert statement.closing_date.isoformat() == entry["metadata"]["new_balance_date"]
            if closing is not None:
                assert statement.opening_balance == closing
            closing = statement.closing_balance


def test_acknowledge_is_idempotent_and_moves_entries_to_the_redownload_feed(served) -> None:
    _app, _server, office, http = served
    path = f"/v2/delivery/feed/{office.feeds[1].id}/"
    entries = http.get(path).json()["feed_entries"]
    third = entries[2]["feed_index"]
    for _ in range(2):
        answer = http.put(path, json={"feed_offset": third})
        assert answer.status_code == 200
        assert [e["feed_index"] for e in http.get(path).json()["feed_entries"]] == [
            e["feed_index"] for e in entries[3:]]
    # an index already behind the offset changes nothing
    assert http.put(path, json={"feed_offset": entries[0]["feed_index"]}).status_code == 200
    assert len(http.get(path).json()["feed_entries"]) == len(entries) - 3
    unknown = http.put(path, json={"feed_offset": "00000000-0000-4000-8000-000000000000"})
    assert unknown.status_code == 400 and list(unknown.json()) == ["feed_offset"]
    redo = f"/v2/delivery/redownload-feed/{office.feeds[1].id}/"
    assert [e["feed_index"] for e in http.get(redo).json()["feed_entries"]] == [
        e["feed_index"] for e in entries[:3]]
    # the redownload feed has an offset of its own, and refuses what is not acknowledged
    assert http.put(redo, json={"feed_offset": entries[0]["feed_index"]}).status_code == 200
    assert len(http.get(redo).json()["feed_entries"]) == 2
    assert http.put(redo, json={"feed_offset": entries[-1]["feed_index"]}).status_code == 400
    assert len(http.get(path).json()["feed_entries"]) == len(entries) - 3


def test_downloads_by_format_and_their_refusals(served) -> None:
    _app, _server, office, http = served
    feed = office.feeds[0]
    entries = http.get(f"/v2/delivery/feed/{feed.id}/").json()["feed_entries"]
    invoice = next(e for e in entries if e["document_model"] == "purchase_invoice")
    xml = http.get(f"/v2/delivery/download/{invoice['feed_index']}/xml/")
    assert xml.status_code == 200 and xml.headers["content-type"] == "application/xml"
    # the corpus's own bytes: the first invoice is the first corpus file (MANIFEST sha256)
    assert hashlib.sha256(xml.content).hexdigest() == MANIFEST[INVOICES[0]]["sha256"]
    assert invoice["metadata"]["document_number"] == "V01/15000001"
    assert Decimal(invoice["metadata"]["amount"]) == Decimal("484")
    pdf = http.get(f"/v2/delivery/download/{invoice['feed_index']}/pdf/")
    assert pdf.content.startswith(b"%PDF-")
    coda = next(e for e in entries if e["document_model"] == "coda")
    for fmt in ("xml", "docx"):
        refused = http.get(f"/v2/delivery/download/{coda['feed_index']}/{fmt}/")
        assert refused.status_code == 404 and refused.json()["detail"].startswith("Not found.")
    http.put(f"/v2/delivery/feed/{feed.id}/", json={"feed_offset": coda["feed_index"]})
    assert http.get(f"/v2/delivery/download/{coda['feed_index']}/cod/").status_code == 404
    again = http.get(f"/v2/delivery/redownload/{coda['feed_index']}/cod/")
    assert again.status_code == 200 and again.content.startswith(b"0000")
    assert http.get(f"/v2/delivery/redownload/{invoice['feed_index']}/xml/").status_code == 404


def test_trailing_slash_rules(served) -> None:
    app, server, office, http = served
    moved = http.get("/v2/delivery/pod-client", params={"a": "1"})
    assert moved.status_code == 301 and moved.headers["location"] == "/v2/delivery/pod-client/?a=1"
    feed = office.feeds[0].id
    put = http.put(f"/v2/delivery/feed/{feed}", json={"feed_offset": "x"})
    assert put.status_code == 404
    assert put.json() == {"detail": f"Not found. (PUT needs the trailing slash: "
                                    f"/v2/delivery/feed/{feed}/)"}
    with _http(server, None) as onboarding:
        post = onboarding.post("/v2/request-access-token/invoicing-software", json={"vat": "x"})
    assert post.status_code == 404 and app.state.mailbox == []
    assert http.delete(f"/v2/delivery/feed/{feed}/").json() == {
        "detail": 'Method "DELETE" not allowed.'}


@pytest.mark.parametrize(("method", "path", "body"), [
    ("PUT", "/v2/delivery/feed/277/", b"{not json"),
    ("PUT", "/v2/delivery/feed/277/", b'{"feed_offset": 12}'),
    ("PUT", "/v2/delivery/feed/277/", b"[]"),
    ("PUT", "/v2/delivery/feed/277/", b'{"feed_offset": "\\ud800"}'),
    ("GET", "/v2/delivery/feed/" + "9" * 40 + "/", b""),
    ("GET", "/v2/delivery/download/%00%ff/cod/", b""),
    ("GET", "/v2/delivery/download/" + "a" * 5000 + "/cod/", b""),
    ("POST", "/v2/request-access-token/invoicing-software/", b'{"vat": ["BE"]}'),
    ("GET", "/v2/get-credentials/%2e%2e/", b""),
])
def test_hostile_input_is_a_4xx_never_a_500(served, method, path, body) -> None:
    _app, _server, _office, http = served
    answer = http.request(method, path, content=body,
                          headers={"Content-Type": "application/json"})
    assert 400 <= answer.status_code < 500, answer.text
    assert "detail" in answer.json() or answer.status_code == 400


def test_without_the_corpus_the_generated_documents_still_balance(serve) -> None:
    app = _app(corpus="none", offices=1, clients=1, statements=2, invoices=1)
    server = serve(app)
    office = app.state.offices[0]
    with _http(server, office) as http:
        entries = http.get(f"/v2/delivery/feed/{office.feeds[0].id}/").json()["feed_entries"]
        assert [e["document_model"] for e in entries] == ["coda", "coda", "purchase_invoice",
                                                          "coda", "coda"]
        for entry in entries[:2]:
            data = http.get(f"/v2/delivery/download/{entry['feed_index']}/cod/").content
            [read] = list(read_statements(data, "generated.cod"))
            assert read.issues == () and read.statement.closing_balance.amount > 0


def test_injected_failures_answer_in_drf_style(serve) -> None:
    app = _app(fail_rate=1.0)
    server = serve(app)
    with _http(server, app.state.offices[0]) as http:
        answer = http.get("/v2/delivery/pod-client/")
    assert answer.status_code in (500, 502, 503)
    assert answer.json() == {"detail": "Injected server failure (sandbox)"}
