"""passeur.http's GraphQL helper: the call it builds and how it reads answers."""

from __future__ import annotations

import json

import httpx
import pytest

from passeur.http import (
    GraphQLError,
    HttpClient,
    UnexpectedResponse,
    ValidationError,
    graphql_call,
    graphql_data,
    is_mutation,
)


@pytest.mark.parametrize(("query", "expected"), [
    ("{ a }", False), ("query Q { a }", False), ("  # note\n mutation M { a }", True),
    ("mutation{a}", True), ("subscription { a }", False), ("", False)])
def test_is_mutation(query, expected) -> None:
    assert is_mutation(query) is expected


def test_queries_may_be_retried_mutations_not() -> None:
    assert graphql_call("{ a }").is_idempotent
    assert not graphql_call("mutation { a }").is_idempotent
    call = graphql_call("{ a(x: $x) }", {"x": 1}, path="graphql")
    assert (call.method, call.path, call.json) == ("POST", "graphql",
                                                   {"query": "{ a(x: $x) }", "variables": {"x": 1}})


def test_errors_become_a_graphql_error_with_paths() -> None:
    answer = {"errors": [{"message": "No such thing", "locations": [{"line": 2, "column": 3}],
                          "path": ["uploadFile"]}], "data": None}
    with pytest.raises(GraphQLError) as raised:
        graphql_data(answer, url="http://x/graphql")
    error = raised.value
    assert isinstance(error, ValidationError) and error.status == 200
    assert [str(p) for p in error.problems] == [
        "uploadFile: No such thing (at 2:3 of the operation)"]
    assert error.errors[0]["path"] == ["uploadFile"] and error.data is None
    assert graphql_data({"data": {"a": 1}}) == {"a": 1}
    with pytest.raises(UnexpectedResponse, match="not a GraphQL response"):
        graphql_data({"hello": 1})


def test_a_file_goes_as_multipart_with_query_and_variables_as_json_text() -> None:
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["type"] = request.headers["content-type"]
        seen["body"] = request.content
        return httpx.Response(200, json={"data": {"ok": True}})

    call = graphql_call("mutation($n: String!) { up(n: $n) }", {"n": "é"}, path="graphql",
                        files={"file": ("a.pdf", b"%PDF-1.4 data", "application/pdf")})
    with HttpClient("http://test", transport=httpx.MockTransport(handler)) as client:
        assert graphql_data(client.call(call)) == {"ok": True}
    assert seen["type"].startswith("multipart/form-data; boundary=")
    body = seen["body"]
    assert b'name="query"\r\n\r\nmutation($n: String!) { up(n: $n) }\r\n' in body
    assert f'name="variables"\r\n\r\n{json.dumps({"n": "é"}, ensure_ascii=False)}\r\n'.encode(
        ) in body
    assert b'name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n' \
           b"%PDF-1.4 data\r\n" in body
