"""GraphQL over the shared HTTP layer: one endpoint, every operation a POST, errors inside
a 200 answer.

A GraphQL server answers `{"data": ..., "errors": [{"message", "locations", "path"}]}` with
HTTP 200 whether the operation worked or not; `graphql_data` turns such errors into a
`GraphQLError` (a `ValidationError`: the server refused the operation, retrying will not
help) whose problems carry the error paths. A query is safe to repeat, so its call is
marked idempotent even though it is a POST; a mutation is not. Files travel as multipart
form data with the operation in `query` and `variables` as JSON text beside them, the
convention of several servers (not the GraphQL multipart request specification's `map`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from passeur.http.call import Call
from passeur.http.errors import FieldProblem, UnexpectedResponse, ValidationError

__all__ = ["GraphQLError", "graphql_call", "graphql_data", "is_mutation"]

_FIRST_WORD = re.compile(r"^(?:\s|,|#[^\n]*\n?)*([A-Za-z_]+|\{)")


class GraphQLError(ValidationError):
    """GraphQL `errors` in an answer; `errors` are the entries as sent, `data` what came
    with them (usually None)."""

    def __init__(self, message: str, *, errors: Sequence[Mapping[str, Any]] = (),
                 data: Any = None, **kw: Any) -> None:
        self.errors = tuple(dict(e) for e in errors)
        self.data = data
        super().__init__(message, **kw)


def is_mutation(query: str) -> bool:
    """Whether the first operation of `query` is a mutation (the shorthand `{...}` is a
    query)."""
    found = _FIRST_WORD.match(query)
    return found is not None and found.group(1) == "mutation"


def graphql_call(query: str, variables: Mapping[str, Any] | None = None, *, path: str = "",
                 files: Mapping[str, tuple[str, bytes, str]] | None = None,
                 mutation: bool | None = None) -> Call:
    """The POST of one operation to the endpoint at `path`; with `files`, as multipart
    form data (`query`, `variables` as JSON text, then each file part)."""
    writes = is_mutation(query) if mutation is None else mutation
    if files:
        form = [("query", query), ("variables", json.dumps(dict(variables or {}),
                                                           ensure_ascii=False))]
        return Call("POST", path, form=form, files=tuple(files.items()),
                    idempotent=not writes)
    body: dict[str, Any] = {"query": query}
    if variables:
        body["variables"] = dict(variables)
    return Call("POST", path, json=body, idempotent=not writes)


def _problem(error: Any) -> FieldProblem:
    if not isinstance(error, Mapping):
        return FieldProblem("", str(error))
    where = error.get("path")
    path = ".".join(str(p) for p in where) if isinstance(where, list) else ""
    message = str(error.get("message") or "error")
    locations = error.get("locations")
    if isinstance(locations, list) and locations and isinstance(locations[0], Mapping):
        first = locations[0]
        message += f" (at {first.get('line')}:{first.get('column')} of the operation)"
    return FieldProblem(path, message)


def graphql_data(answer: Any, *, method: str = "POST", url: str = "") -> Any:
    """The `data` of an answer, or `GraphQLError` when it carries errors."""
    if not isinstance(answer, Mapping) or not ({"data", "errors"} & set(answer)):
        raise UnexpectedResponse("the answer is not a GraphQL response (no data, no errors)",
                                 method=method, url=url, status=200)
    errors = answer.get("errors")
    if errors:
        listed = errors if isinstance(errors, list) else [errors]
        problems = [_problem(e) for e in listed]
        raise GraphQLError("the GraphQL operation was refused", errors=[
            e if isinstance(e, Mapping) else {"message": str(e)} for e in listed],
            data=answer.get("data"), problems=problems, method=method, url=url, status=200)
    return answer.get("data")
