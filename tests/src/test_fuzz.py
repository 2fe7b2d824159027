"""Fuzzing the SRC sandbox: hostile requests and hostile archives never get a 500.

Each example sends one hostile request (a documented path with odd segments, any method, a
hostile JSON body or a hostile ZIP, good or bad credentials), then the reads a client makes
next, which must still answer 200: nothing a request stored may break a later answer.
"""

from __future__ import annotations

import base64
import io
import zipfile

import pytest
from fuzz.sandbox_requests import RAW_BODIES, body_text, hostile
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from passeur_src.sandbox import create_app
from support.fuzz import fuzz_settings

pytestmark = [pytest.mark.fuzz,
              pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning")]

GOOD = {"authorization": "Basic " + base64.b64encode(b"connecteur:sandbox-src").decode()}
PATHS = ["/api/v1/invoices", "/api/v1/invoices?page={s}&pageSize={s}",
         "/api/v1/invoices?mayHaveDocuments={s}&hasDocument={s}", "/api/v1/login",
         "/v1/invoice-document-archives", "/portal/{s}", "/portal/CLI001/invoices/{s}",
         "/{s}"]
SEGMENTS = st.one_of(st.sampled_from(["1", "0", "9" * 40, "-1", "%00", "..", "é€", "true",
                                      "FA000001.pdf", "CLI001"]),
                     st.text(min_size=1, max_size=30).map(
                         lambda t: "".join(c if c.isalnum() else "x" for c in t) or "x"))
NAMES = st.one_of(st.sampled_from(["FA000001.pdf", "FA000002.pdf", "../FA000003.pdf",
                                   "/abs.pdf", "a\\b.pdf", "dir/", "FA000007.pdf",
                                   "AV000010.PDF", "x.txt", "\x00.pdf"]),
                  st.text(max_size=20))
CONTENTS = st.one_of(st.just(b"%PDF-1.4 ok"), st.binary(max_size=200),
                     st.just(b"%PDF-" + b"\0" * 200_000))


@st.composite
def _archive(draw: st.DrawFn) -> bytes:
    buffer = io.BytesIO()
    method = draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name in draw(st.lists(NAMES, max_size=6)):
            info = zipfile.ZipInfo(name or "_")
            info.compress_type = method
            archive.writestr(info, draw(CONTENTS))
    data = buffer.getvalue()
    cut = draw(st.sampled_from([None, 10, len(data) // 2, len(data) - 5]))
    return data if cut is None else data[:cut]


@st.composite
def _request(draw: st.DrawFn) -> tuple[str, str, dict, dict[str, str]]:
    path = draw(st.sampled_from(PATHS)).format(s=draw(SEGMENTS))
    method = draw(st.sampled_from(["GET", "PUT", "POST", "DELETE", "HEAD"]))
    headers = draw(st.sampled_from([GOOD, {}, {"authorization": "Basic é€".encode()},
                                    {"authorization": "Bearer " + "A" * 5000}]))
    if draw(st.booleans()):
        kind = {"files": {draw(st.sampled_from(["file", "other"])):
                          ("a.zip", draw(_archive()), "application/zip")}}
    else:
        payload = draw(st.one_of(
            st.lists(st.fixed_dictionaries({"id": hostile(), "mayHaveDocuments": hostile()}),
                     max_size=3),
            st.fixed_dictionaries({"login": hostile(), "password": hostile()}), hostile()))
        body = draw(st.one_of(st.sampled_from(RAW_BODIES), st.just(body_text(payload))))
        kind = {"content": body, "headers": {"content-type": "application/json"}}
    return method, path, kind, headers


SRC = TestClient(create_app(max_archive_bytes=64 * 1024, max_archive_files=5,
                            max_document_bytes=100_000))


@fuzz_settings(scale=0.6)
@given(request=_request())
def test_src_never_answers_500(request) -> None:
    method, path, kind, headers = request
    extra = kind.pop("headers", {})
    answer = SRC.request(method, path, headers={**headers, **extra}, **kind)
    assert answer.status_code < 500, (method, path, answer.text)
    listing = SRC.get("/api/v1/invoices", headers=GOOD)
    assert listing.status_code == 200 and "total" in listing.json()
    assert SRC.get("/portal/CLI001", headers=GOOD).status_code == 200
