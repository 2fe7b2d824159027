"""A local ClearFacts GraphQL API, served from memory.

`create_app(**options)` is this system's `SystemSpec.sandbox_factory`; `passeur sandbox
clearfacts` serves it on loopback. One endpoint, `POST /graphql`, takes a JSON body or
multipart form data (`query`, `variables` as JSON text, `file`); the schema
(`schema.graphql`) is parsed, validated and executed by graphql-core, so a bad operation gets
the errors a GraphQL server gives (HTTP 200, `{"errors": [{"message", "locations", "path"}],
"data": null}`); a missing or wrong bearer token is a 401. What the issue leaves open is
listed in docs/sandboxes.md.
"""

from __future__ import annotations

import datetime
import json
import random
import re
import string
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from graphql import GraphQLError, GraphQLSchema, build_schema, graphql_sync
from lxml import etree
from starlette.requests import Request
from starlette.responses import Response

from passeur.http import is_mutation
from passeur.sandbox import (
    DEFAULT_MAX_BODY,
    BadForm,
    BodyTooLarge,
    FaultConfig,
    JSONResponse,
    RequestApp,
    Sandbox,
    bearer_token,
    lose_response,
    parse_form,
    read_body,
    secret_matches,
)
from passeur_clearfacts.sandbox_store import ClearFactsState, StoredDocument
from passeur_clearfacts.schema import PAGE_SIZE, TOKEN_LENGTH

__all__ = ["create_app", "file_kind", "graphql_schema"]

#: The CustomizationID marks of the XML invoices ClearFacts takes (Peppol BIS Billing 3,
#: UBL.BE, e-fff).
ACCEPTED_XML = ("urn:fdc:peppol.eu:2017:poacc:billing:3.0", "urn:UBL.BE:", "e-fff")
_UBL = ("urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
        "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2")
_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
_SCHEMA: GraphQLSchema | None = None


def graphql_schema() -> GraphQLSchema:
    """The sandbox's schema, built once from `schema.graphql`."""
    global _SCHEMA
    if _SCHEMA is None:
        built = build_schema((Path(__file__).with_name("schema.graphql")).read_text("utf-8"))
        document = built.get_type("Document")
        document.resolve_type = (  # type: ignore[union-attr]
            lambda value, info, abstract: value["__typename"])
        _SCHEMA = built
    return _SCHEMA


def file_kind(data: bytes) -> tuple[str | None, str]:
    """("pdf" | "jpeg" | "xml", "") for a file ClearFacts takes as an invoice, else
    (None, why not)."""
    if data.startswith(b"%PDF-"):
        return "pdf", ""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg", ""
    if data.lstrip()[:1] != b"<":
        return None, "the file is not a PDF, a JPEG or an XML invoice"
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False,
                                                             no_network=True))
    except etree.XMLSyntaxError as exc:
        return None, f"the XML file is not well-formed: {exc}"
    if etree.QName(root).namespace not in _UBL:
        return None, "the XML file is not a UBL invoice or credit note"
    found = root.xpath("*[local-name()='CustomizationID']/text()")
    mark = str(found[0]).strip() if found else ""
    if not any(m in mark for m in ACCEPTED_XML):
        return None, (f"the XML invoice is not Peppol BIS Billing 3, UBL.BE or e-fff "
                      f"(CustomizationID {mark[:120]!r})")
    return "xml", ""


def _pages(kind: str, data: bytes) -> int:
    return max(1, len(_PAGE.findall(data))) if kind == "pdf" else 1


def _administration(state: ClearFactsState, number: str, argument: str) -> Any:
    if number.upper().startswith("BE"):
        raise GraphQLError(f"{argument} must be the company number without 'BE' "
                           f"(e.g. {number[2:].strip()})")
    found = state.administrations.get(number)
    if found is None:
        raise GraphQLError(f"No administration with company number {number[:40]!r}")
    return found


def _file(info: Any) -> Any:
    part = info.context["file"]
    if part is None:
        raise GraphQLError("No file uploaded: send the operation as multipart form data "
                           "with a 'file' part")
    return part


def _filename(filename: str) -> str:
    name = filename.strip()
    if not name or len(name) > 255 or any(c in name for c in "/\\\x00"):
        raise GraphQLError("filename must be a plain file name of 1 to 255 characters")
    return name


class _Resolvers:
    """The root value: each field is a method graphql-core calls with `info` and the
    arguments."""

    def __init__(self, state: ClearFactsState) -> None:
        self.state = state

    def administrations(self, info: Any) -> list[dict[str, Any]]:
        return [a.wire() for a in self.state.administrations.values()]

    def journals(self, info: Any, companyNumber: str) -> list[dict[str, Any]]:
        return list(_administration(self.state, companyNumber, "companyNumber").journals)

    def customers(self, info: Any, companyNumber: str,
                  offset: int | None = 0) -> list[dict[str, Any]]:
        start = offset or 0
        if start < 0:
            raise GraphQLError("offset must not be negative")
        found = _administration(self.state, companyNumber, "companyNumber")
        return list(found.customers[start:start + PAGE_SIZE])

    def archiveCategories(self, info: Any, companyNumber: str) -> list[dict[str, str]]:
        return list(_administration(self.state, companyNumber, "companyNumber").categories)

    def document(self, info: Any, id: str) -> dict[str, Any]:
        found = self.state.document(id)
        if found is None:
            raise GraphQLError(f"Document {id[:80]!r} not found")
        return found.wire()

    def uploadFile(self, info: Any, vatnumber: str, filename: str,
                   invoicetype: str) -> dict[str, Any]:
        administration = _administration(self.state, vatnumber, "vatnumber")
        name = _filename(filename)
        part = _file(info)
        kind, why = file_kind(part.data)
        if kind is None:
            raise GraphQLError(f"Unsupported file {name!r}: {why}")
        stored = self.state.store(administration.company_number, "invoice", name,
                                  invoicetype, None, _pages(kind, part.data), part.data)
        return _uploaded(stored)

    def uploadArchiveFile(self, info: Any, vatnumber: str, filename: str,
                          type: str, category: str) -> dict[str, Any]:
        administration = _administration(self.state, vatnumber, "vatnumber")
        name = _filename(filename)
        categories = [c for c in administration.categories if c["type"] == type]
        if category not in {c["id"] for c in categories}:
            known = ", ".join(c["id"] for c in categories) or "none"
            raise GraphQLError(f"Unknown archive category {category[:40]!r} for type {type} "
                               f"(categories: {known})")
        part = _file(info)
        if not part.data:
            raise GraphQLError(f"The file {name!r} is empty")
        kind, _ = file_kind(part.data)
        stored = self.state.store(administration.company_number, "archive", name, type,
                                  category, _pages(kind or "other", part.data), part.data)
        return _uploaded(stored)


def _uploaded(stored: StoredDocument) -> dict[str, Any]:
    return {"uuid": stored.uuid, "amountOfPages": stored.pages}


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"errors": [{"message": message}], "data": None}, status_code=status,
                        headers=headers)


def _fault_body(status: int, message: str) -> dict[str, Any]:
    return {"errors": [{"message": message}], "data": None}


class _LostAnswer(Response):
    """The answer of an upload that was stored: its headers start, its body never comes,
    and the connection closes (the client cannot know whether the upload arrived)."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await lose_response(send)


def _numbers(value: str | Sequence[int]) -> frozenset[int]:
    if isinstance(value, str):
        try:
            return frozenset(int(v) for v in value.split(",") if v.strip())
        except ValueError:
            raise ValueError(f"expected upload numbers such as 2,5, got {value!r}") from None
    return frozenset(int(v) for v in value)


class _Api(RequestApp):
    def __init__(self, state: ClearFactsState, max_body: int,
                 lose_uploads: frozenset[int] = frozenset(),
                 fail_uploads: frozenset[int] = frozenset()) -> None:
        self.state = state
        self.max_body = max_body
        self.root = _Resolvers(state)
        self.lose_uploads = lose_uploads
        self.fail_uploads = fail_uploads

    def _authorised(self, request: Request) -> Response | None:
        token = bearer_token(request.headers.get("authorization", ""))
        if token is None or not secret_matches(token, self.state.token):
            return _error(401, "Unauthorized: a valid bearer token is required",
                          {"WWW-Authenticate": 'Bearer realm="clearfacts"'})
        return None

    async def respond(self, request: Request) -> Response:
        path = request.url.path.rstrip("/")
        if path not in ("/graphql", "/_sandbox/inbox"):
            return _error(404, "Not found")
        refused = self._authorised(request)
        if refused is not None:
            return refused
        if path == "/_sandbox/inbox":
            if request.method != "GET":
                return _error(405, "Method not allowed", {"Allow": "GET"})
            company = request.query_params.get("companyNumber")
            return JSONResponse([d.listed() for d in self.state.inbox(company)])
        if request.method != "POST":
            return _error(405, "Method not allowed: send GraphQL operations with POST",
                          {"Allow": "POST"})
        try:
            body = await read_body(request, self.max_body)
        except BodyTooLarge as exc:
            return _error(413, f"Request body larger than {exc.limit} bytes")
        operation = self._operation(request.headers.get("content-type", ""), body)
        if isinstance(operation, Response):
            return operation
        query, variables, name, file = operation
        number = None
        if "upload" in query and is_mutation(query):  # the Nth upload may meet a fault
            self.state.uploads += 1
            number = self.state.uploads
            if number in self.fail_uploads:
                return _error(500, "Injected server failure on upload "
                                   f"{number} (sandbox); nothing was stored")
        result = graphql_sync(graphql_schema(), query, root_value=self.root,
                              context_value={"file": file}, variable_values=variables,
                              operation_name=name)
        answer: dict[str, Any] = {"data": result.data}
        if result.errors:
            answer = {"errors": [e.formatted for e in result.errors], "data": None}
        elif number in self.lose_uploads:
            return _LostAnswer()
        return JSONResponse(answer)

    def _operation(self, content_type: str, body: bytes) -> tuple[str, Any, Any, Any] | Response:
        """(query, variables, operation name, file part) of a JSON or multipart body."""
        file = None
        if content_type.lower().startswith("multipart/"):
            try:
                parts = parse_form(content_type, body)
            except BadForm as exc:
                return _error(400, f"Invalid multipart body: {exc}")
            raw: dict[str, Any] = {"query": parts["query"].text if "query" in parts else None}
            if "variables" in parts:
                try:
                    raw["variables"] = json.loads(parts["variables"].text or "null")
                except ValueError:
                    return _error(400, "variables must be a JSON object (as text)")
            if "operationName" in parts:
                raw["operationName"] = parts["operationName"].text
            file = parts.get("file")
        else:
            try:
                raw = json.loads(body or b"null")
            except (ValueError, RecursionError):
                return _error(400, "The body is not JSON")
            if not isinstance(raw, dict):
                return _error(400, "The body must be a JSON object with a query")
        query, variables, name = raw.get("query"), raw.get("variables"), raw.get(
            "operationName")
        if not isinstance(query, str) or not query.strip():
            return _error(400, "Must provide a query string")
        if variables is not None and not isinstance(variables, dict):
            return _error(400, "variables must be a JSON object")
        if name is not None and not isinstance(name, str):
            return _error(400, "operationName must be a string")
        if len(query) > 100_000:
            return _error(400, "The query is longer than 100000 characters")
        return query, variables, name, file


def _token(rng: random.Random) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(rng.choice(alphabet) for _ in range(TOKEN_LENGTH))


def _administrations(text: str) -> list[tuple[str, str]]:
    """`0123456749=Name,0987654321=Other` as (company number, name) pairs."""
    found = []
    for item in filter(None, (i.strip() for i in text.split(","))):
        number, sep, name = item.partition("=")
        number = number.strip().upper().removeprefix("BE")
        if not sep or not re.fullmatch(r"[01][0-9]{9}", number) or not name.strip():
            raise ValueError(f"administration {item!r}: expected COMPANYNUMBER=Name "
                             "(10 digits, e.g. 0123456749=Boulangerie Dubois)")
        found.append((number, name.strip()))
    return found


def create_app(*, token: str | None = None,
               administrations: str | Sequence[tuple[str, str]] = "",
               count: int = 3, customers: int = 120, random_seed: int = 0,
               today: datetime.date | str | None = None, latency_ms: float = 0.0,
               rate_limit: float | None = None, fail_rate: float = 0.0,
               lost_response_rate: float = 0.0, lost_response_hold: float = 30.0,
               applied_fail_rate: float = 0.0, max_body: int = DEFAULT_MAX_BODY,
               lose_uploads: str | Sequence[int] = "",
               fail_uploads: str | Sequence[int] = "") -> Sandbox:
    """A ClearFacts sandbox: `administrations` as (company number, name) pairs or the text
    `0123456749=Name,...`, else `count` generated ones, each with four journals, archive
    categories and `customers` customers (the first one; the others 5). `token` is the
    personal access token it accepts (exactly 80 characters; generated if not given).
    `lose_uploads` / `fail_uploads` ("2,5"): the uploads (uploadFile and
    uploadArchiveFile, counted from 1) whose answer is lost after they are stored, or that
    are answered 500 without being stored: faults a test can place exactly."""
    rng = random.Random(random_seed)
    token = token or _token(rng)
    if len(token) != TOKEN_LENGTH:
        raise ValueError(f"a ClearFacts personal access token has exactly {TOKEN_LENGTH} "
                         f"characters, not {len(token)}")
    day = (datetime.date.fromisoformat(today) if isinstance(today, str) else today) or \
        datetime.date.today()
    state = ClearFactsState(token, day, random_seed)
    pairs = (_administrations(administrations) if isinstance(administrations, str)
             else list(administrations))
    if not pairs:
        pairs = [("", f"Administration {i + 1}") for i in range(int(count))]
    for i, (number, name) in enumerate(pairs):
        state.add_administration(name, number or None,
                                 customers=int(customers) if i == 0 else 5)
    faults = FaultConfig(latency_ms=latency_ms, rate_limit=rate_limit, fail_rate=fail_rate,
                         lost_response_rate=lost_response_rate, seed=random_seed,
                         lost_response_hold=lost_response_hold,
                         applied_fail_rate=applied_fail_rate)
    summary = {"endpoint": "POST /graphql", "token": token,
               "inbox (sandbox only)": "GET /_sandbox/inbox?companyNumber=..."}
    for administration in state.administrations.values():
        summary[administration.name] = administration.company_number
    return Sandbox(_Api(state, int(max_body), _numbers(lose_uploads), _numbers(fail_uploads)),
                   state, faults, _fault_body, name="clearfacts",
                   summary=summary)
