"""Fuzzing the CodaBox and ClearFacts sandboxes: hostile requests never get a 500.

Each example sends one hostile request (a documented path with odd segments, any method, a
hostile body, good or bad credentials), then the reads a client makes next, which must
still answer 200: nothing a request stored may break a later answer.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from fuzz.sandbox_requests import RAW_BODIES, body_text, hostile
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from passeur_clearfacts.sandbox import create_app as clearfacts_app
from passeur_codabox.sandbox import create_app as codabox_app
from support.fuzz import fuzz_settings

pytestmark = pytest.mark.fuzz

VENDOR = "0b0b0b0b-1111-4222-8333-444455556666"
TOKEN = "0123456789" * 8
GOOD = {"x-software-company": VENDOR,
        "authorization": "Basic " + base64.b64encode(b"pod66:sandbox-66").decode()}
PATHS = ["/v2/request-access-token/invoicing-software/", "/v2/get-credentials/{s}/",
         "/v2/delivery/pod-client/", "/v2/delivery/feed/{n}/", "/v2/delivery/feed/{n}",
         "/v2/delivery/redownload-feed/{n}/", "/v2/delivery/download/{s}/{f}/",
         "/v2/delivery/redownload/{s}/{f}/", "/v2/{s}/"]
SEGMENTS = st.one_of(st.sampled_from(["277", "278", "0", "9" * 40, "-1", "%00", "..", "é€"]),
                     st.text(min_size=1, max_size=30).map(
                         lambda t: "".join(c if c.isalnum() else "x" for c in t) or "x"))
FORMATS = st.sampled_from(["cod", "xml", "pdf", "docx", "", "COD", "x" * 50])


def _body(value: Any) -> st.SearchStrategy[bytes]:
    return st.one_of(st.sampled_from(RAW_BODIES), st.just(body_text(value)))


@st.composite
def _codabox_request(draw: st.DrawFn) -> tuple[str, str, bytes, dict[str, str]]:
    path = draw(st.sampled_from(PATHS)).format(s=draw(SEGMENTS), n=draw(SEGMENTS),
                                               f=draw(FORMATS))
    method = draw(st.sampled_from(["GET", "PUT", "POST", "DELETE", "HEAD", "PATCH"]))
    payload = draw(st.one_of(
        st.fixed_dictionaries({"feed_offset": hostile()}),
        st.fixed_dictionaries({"vat": hostile()}), hostile()))
    headers = draw(st.sampled_from([GOOD, {}, {"x-software-company": VENDOR},
                                    {**GOOD, "authorization": "Basic é€".encode()},
                                    {**GOOD, "authorization": "Basic " + "A" * 5000}]))
    return method, path, draw(_body(payload)), headers


CODABOX = TestClient(codabox_app(software_company=VENDOR, offices=1, clients=1, statements=1,
                                 invoices=1), follow_redirects=False)
CLEARFACTS = TestClient(clearfacts_app(token=TOKEN, administrations="0233960733=A",
                                       customers=3))


@fuzz_settings(scale=0.6)
@given(request=_codabox_request())
def test_codabox_never_answers_500(request) -> None:
    """One sandbox for every example: what an example stored stays for the next ones."""
    method, path, body, headers = request
    answer = CODABOX.request(method, path, content=body,
                             headers={**headers, "content-type": "application/json"})
    assert answer.status_code < 500, (method, path, answer.text)
    assert CODABOX.get("/v2/delivery/pod-client/", headers=GOOD).status_code == 200
    assert CODABOX.get("/v2/delivery/feed/277/", headers=GOOD).status_code == 200


QUERIES = st.one_of(
    st.sampled_from(["{ administrations { name } }", "{ document(id: $id) { date } }",
                     "mutation($v: String!) { uploadFile(vatnumber: $v, filename: $v, "
                     "invoicetype: PURCHASE) { uuid } }",
                     "query($c: String!, $o: Int) { customers(companyNumber: $c, offset: $o) "
                     "{ id } }", "{ " * 500, "query { __schema { types { name } } }"]),
    st.text(max_size=200))


@fuzz_settings(scale=0.6)
@given(query=QUERIES, variables=st.dictionaries(st.sampled_from(["v", "c", "o", "id"]),
                                                hostile(), max_size=3),
       multipart=st.booleans(), file=st.binary(max_size=200))
def test_clearfacts_never_answers_500(query, variables, multipart, file) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    text = body_text(variables).decode()
    if multipart:
        answer = CLEARFACTS.post("/graphql", headers=headers,
                                 data={"query": query, "variables": text},
                                 files={"file": ("f.xml", file)})
    else:
        answer = CLEARFACTS.post("/graphql", headers={**headers,
                                                      "content-type": "application/json"},
                                 content=json.dumps({"query": query}).encode()[:-1]
                                 + b', "variables": ' + text.encode() + b"}")
    assert answer.status_code < 500, (query, answer.text)
    assert "data" in answer.json()
    again = CLEARFACTS.post("/graphql", headers=headers,
                            json={"query": "{ administrations { companyNumber } }"})
    assert again.json() == {"data": {"administrations": [{"companyNumber": "0233960733"}]}}
