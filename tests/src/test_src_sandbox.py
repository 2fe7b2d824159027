"""The SRC sandbox as issue 16's contract describes it: Basic auth, the missing-documents
listing, exclusion by PUT, archive uploads (accepted, overwritten, rejected with a reason,
413 beyond the limits, hostile ZIPs refused) and the debtor's portal."""

from __future__ import annotations

import io
import warnings
import zipfile

import pytest
from starlette.testclient import TestClient

from passeur.sandbox import tiny_pdf
from passeur_src.sandbox import create_app

AUTH = ("connecteur", "sandbox-src")


def _zip(members: list[tuple[str, bytes]], method: int = zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w", method) as archive:
        warnings.simplefilter("ignore")  # a duplicate name is what some tests send
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def _upload(http: TestClient, data: bytes, **kw):
    return http.post("/v1/invoice-document-archives", auth=AUTH,
                     files={"file": ("docs.zip", data, "application/zip")}, **kw)


@pytest.fixture
def app():
    return create_app(invoices=30, customers=5, with_documents=4, excluded=7)


@pytest.fixture
def http(app):
    return TestClient(app)


def _missing(http: TestClient, **params) -> dict:
    answer = http.get("/api/v1/invoices", auth=AUTH, params={
        "mayHaveDocuments": "true", "hasDocument": "false", **params})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_listing_has_the_documented_paged_shape(http) -> None:
    first = _missing(http, page=1, pageSize=10)
    # 30 entries: 7 hold a document (every 4th), 3 are excluded (7, 14, 21; 28 has one).
    assert first["total"] == 30 - 7 - 3 and first["page"] == 1 and first["pageSize"] == 10
    assert first["items"][0] == {
        "id": "FA000001", "number": "FA000001", "customerCode": "CLI001",
        "issueDate": "2026-03-30", "dueDate": "2026-04-29",
        "amount": first["items"][0]["amount"], "currency": "EUR",
        "mayHaveDocuments": True, "hasDocument": False}
    ids = [i["id"] for p in (1, 2, 3) for i in _missing(http, page=p, pageSize=10)["items"]]
    assert len(ids) == 20 and "FA000004" not in ids and "FA000007" not in ids
    assert "AV000010" in ids  # credit notes are entries too
    everything = http.get("/api/v1/invoices", auth=AUTH, params={"pageSize": 500}).json()
    assert everything["total"] == 30


@pytest.mark.parametrize("params", [{"page": "0"}, {"page": "x"}, {"pageSize": "-1"},
                                    {"mayHaveDocuments": "yes"}, {"hasDocument": "1"}])
def test_bad_listing_parameters_are_400(http, params) -> None:
    answer = http.get("/api/v1/invoices", auth=AUTH, params=params)
    assert answer.status_code == 400 and "must be" in answer.json()["message"]


def test_every_api_call_needs_the_connector_login(http) -> None:
    for method, path in (("GET", "/api/v1/invoices"), ("PUT", "/api/v1/invoices"),
                         ("POST", "/v1/invoice-document-archives")):
        answer = http.request(method, path, auth=("connecteur", "wrong"))
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"] == 'Basic realm="SRC"'
    token = http.post("/api/v1/login", json={"login": AUTH[0], "password": AUTH[1]}).json()
    assert http.get("/api/v1/invoices", headers={
        "Authorization": f"Bearer {token['token']}"}).status_code == 200
    assert http.post("/api/v1/login", json={"login": AUTH[0], "password": "x"}).status_code \
        == 401
    assert http.get("/api/v1/invoices", headers={"Authorization": "Bearer nope"}).status_code \
        == 401


def test_exclusion_is_per_item_and_reversible(http) -> None:
    answer = http.put("/api/v1/invoices", auth=AUTH, json=[
        {"id": "FA000001", "mayHaveDocuments": False}, {"id": "FA000007",
                                                        "mayHaveDocuments": False},
        {"id": "NOPE", "mayHaveDocuments": False}, {"id": "FA000002"}, "x"])
    assert answer.status_code == 200
    assert [(r["id"], r["status"]) for r in answer.json()["results"]] == [
        ("FA000001", "updated"), ("FA000007", "unchanged"), ("NOPE", "notFound"),
        ("FA000002", "invalid"), (None, "invalid")]
    assert "FA000001" not in [i["id"] for i in _missing(http, pageSize=100)["items"]]
    http.put("/api/v1/invoices", auth=AUTH, json=[{"id": "FA000001", "mayHaveDocuments": True}])
    assert "FA000001" in [i["id"] for i in _missing(http, pageSize=100)["items"]]


def test_an_upload_accepts_overwrites_and_rejects_with_reasons(app, http) -> None:
    pdf = tiny_pdf(["Facture FA000001"])
    data = _zip([("FA000001.pdf", pdf), ("FA000004.pdf", pdf), ("UNKNOWN.pdf", pdf),
                 ("FA000002.pdf", b"not a pdf"), ("FA000003.txt", pdf),
                 ("FA000001.pdf", pdf), ("sub/FA000005.pdf", pdf), ("../FA000006.pdf", pdf),
                 ("FA000007.pdf", pdf), ("folder/", b"")])
    answer = _upload(http, data)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["accepted"] == ["FA000001", "FA000004"]
    assert body["overwritten"] == ["FA000004"]  # it was seeded with a document
    assert [(r["file"], r["reason"].split(":")[0].split(" (")[0]) for r in body["rejected"]] \
        == [("UNKNOWN.pdf", "unknown invoice"), ("FA000002.pdf", "not a PDF"),
            ("FA000003.txt", "not a PDF"), ("FA000001.pdf", "duplicate name in the archive"),
            ("sub/FA000005.pdf", "nested folder"), ("../FA000006.pdf", "nested folder"),
            ("FA000007.pdf", "invoice excluded"), ("folder/", "nested folder")]
    assert app.state.entries["FA000001"].document == pdf
    assert app.state.sent("FA000001") == 1 and app.state.sent("FA000005") == 0
    # Sent again: overwritten, nothing deleted.
    second = _upload(http, _zip([("FA000001.pdf", pdf + b"%v2")])).json()
    assert second["overwritten"] == ["FA000001"] and app.state.sent("FA000001") == 2
    assert "FA000001" not in [i["id"] for i in _missing(http, pageSize=100)["items"]]


def test_the_portal_shows_what_was_uploaded_byte_for_byte(http) -> None:
    pdf = tiny_pdf(["Facture FA000006", "CLI001"])
    _upload(http, _zip([("FA000006.pdf", pdf)]))
    listing = http.get("/portal/CLI001").json()
    assert listing["debtor"] == "CLI001"
    urls = {d["invoiceId"]: d["url"] for d in listing["documents"]}
    assert urls["FA000006"] == "/portal/CLI001/invoices/FA000006.pdf"
    answer = http.get(urls["FA000006"])
    assert answer.status_code == 200 and answer.content == pdf
    assert answer.headers["content-type"] == "application/pdf"
    assert http.get("/portal/CLI002/invoices/FA000006.pdf").status_code == 404
    assert http.get("/portal/NOBODY").status_code == 404


def test_archives_beyond_the_limits_are_413() -> None:
    app = create_app(max_archive_bytes=4096, max_archive_files=3, max_document_bytes=2048)
    http = TestClient(app)
    pdf = b"%PDF-1.4 " + b"x" * 100
    too_many = _upload(http, _zip([(f"FA00000{n}.pdf", pdf) for n in range(1, 5)]))
    assert too_many.status_code == 413 and "at most 3 per archive" in too_many.text
    too_big = _upload(http, _zip([("FA000001.pdf", b"%PDF-" + bytes(range(256)) * 40)]))
    assert too_big.status_code == 413
    bomb = _zip([("FA000001.pdf", b"%PDF-" + b"\0" * 3_000_000)], zipfile.ZIP_DEFLATED)
    assert len(bomb) < 4096
    answer = _upload(http, bomb)
    assert answer.status_code == 413 and "inflates to" in answer.text
    assert app.state.uploads == []


def test_a_bomb_that_lies_about_its_size_is_refused_without_inflating() -> None:
    app = create_app(max_archive_bytes=64 * 1024, max_document_bytes=4096)
    http = TestClient(app)
    data = bytearray(_zip([("FA000001.pdf", b"%PDF-" + b"\0" * 1_000_000)],
                          zipfile.ZIP_DEFLATED))
    # Rewrite the declared uncompressed size (local header and central directory) to 100.
    local = data.index(b"PK\x03\x04")
    data[local + 22:local + 26] = (100).to_bytes(4, "little")
    central = data.index(b"PK\x01\x02")
    data[central + 24:central + 28] = (100).to_bytes(4, "little")
    answer = _upload(http, bytes(data))
    assert answer.status_code == 200
    [rejected] = answer.json()["rejected"]
    # The reader stops at the declared size, and the checksum then gives the lie away.
    assert rejected == {"file": "FA000001.pdf",
                        "reason": "unreadable file (Bad CRC-32 for file 'FA000001.pdf')"}
    assert app.state.uploads == []


def test_what_is_not_an_archive_is_400(http) -> None:
    assert _upload(http, b"PK\x03\x04garbage").status_code == 400
    no_file = http.post("/v1/invoice-document-archives", auth=AUTH, data={"x": "y"},
                        files={"other": ("a", b"b")})
    assert no_file.status_code == 400 and '"file"' in no_file.json()["message"]
    plain = http.post("/v1/invoice-document-archives", auth=AUTH, content=b"{}")
    assert plain.status_code == 400


def test_faults_aimed_at_one_upload() -> None:
    """fail_uploads answers those uploads 502 without storing them; the others go on."""
    app = create_app(invoices=5, customers=1, with_documents=0, excluded=0,
                     fail_uploads="2,3")
    client = TestClient(app)
    answers = [_upload(client, _zip([(f"FA00000{n}.pdf", tiny_pdf([str(n)]))]))
               for n in (1, 2, 3, 4)]
    assert [a.status_code for a in answers] == [200, 502, 502, 200]
    assert answers[1].json() == {"message": "Injected failure before the archive was read "
                                            "(sandbox)"}
    assert [u.invoice_id for u in app.state.uploads] == ["FA000001", "FA000004"]
    assert app.inner.upload_calls == 4


@pytest.mark.parametrize(("option", "value", "message"), [
    ("fail_uploads", "2;3", "fail_uploads must list upload numbers such as 1,3, got '2;3'"),
    ("lose_uploads", "0", "lose_uploads counts uploads from 1, got '0'"),
])
def test_upload_fault_options_are_checked(option, value, message) -> None:
    with pytest.raises(ValueError) as caught:
        create_app(**{option: value})
    assert str(caught.value) == message
