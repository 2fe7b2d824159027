"""A local SRC (Sage Recouvrement Créances) invoice-documents API, served from memory.

`create_app(**options)` is this system's `SystemSpec.sandbox_factory`; `passeur sandbox sagesrc`
serves it on loopback. It follows the contract issue 16 proposes from seed 000: HTTP Basic
with the connector's login (or a bearer token from `POST /api/v1/login`); the listing of
entries that may have documents and have none; `PUT /api/v1/invoices` to exclude (or
include again); `POST /v1/invoice-document-archives` with a ZIP of `{invoiceId}.pdf` (a
document sent again overwrites, nothing is deleted); the debtor's portal. Every choice the
seed leaves open is an assumption listed in docs/sandboxes.md.
"""

from __future__ import annotations

import asyncio
import datetime
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from passeur.sandbox import (
    BadForm,
    BadJSON,
    BodyTooLarge,
    FaultConfig,
    JSONResponse,
    RequestApp,
    RouteTable,
    Sandbox,
    basic_matches,
    bearer_token,
    loads,
    parse_form,
    read_body,
    secret_matches,
)
from passeur_src.sandbox_archive import ArchiveRefused, read_members
from passeur_src.sandbox_store import SrcState, seed

__all__ = ["create_app"]

Handler = Callable[..., Awaitable[Response]]
MAX_PAGE_SIZE = 500
MAX_UPDATES = 1000
#: Form overhead allowed on top of the archive itself (boundaries, part headers).
FORM_SLACK = 64 * 1024
PDF_MAGIC = b"%PDF-"
#: An archive may inflate to this many times its size, no more (PDFs hardly compress).
INFLATION = 5


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"message": message}, status_code=status, headers=headers)


def _fault_body(status: int, message: str) -> dict[str, str]:
    return {"message": message}


def _nested(name: str) -> bool:
    return "/" in name or "\\" in name or ".." in name or ":" in name


def _flag(value: str | None, name: str) -> bool | None:
    if value is None:
        return None
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValueError(f"{name} must be true or false, got {value[:40]!r}")


def _positive(value: str | None, name: str, default: int) -> int:
    if value is None:
        return default
    text = value.strip()
    if not text.isdigit() or len(text) > 9 or int(text) < 1:
        raise ValueError(f"{name} must be a whole number from 1, got {value[:40]!r}")
    return int(text)


def _ordinals(value: str | int | None, name: str) -> frozenset[int]:
    """"2,5" -> {2, 5}: which upload requests a fault hits (1 is the first)."""
    text = "" if value in (None, "") else str(value)
    try:
        found = frozenset(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ValueError(f"{name} must list upload numbers such as 1,3, got {text[:40]!r}") \
            from None
    if any(n < 1 for n in found):
        raise ValueError(f"{name} counts uploads from 1, got {text[:40]!r}")
    return found


class _Api(RequestApp):
    def __init__(self, state: SrcState, *, max_archive_bytes: int, max_archive_files: int,
                 max_document_bytes: int, fail_uploads: frozenset[int] = frozenset(),
                 lose_uploads: frozenset[int] = frozenset(),
                 lost_response_hold: float = 30.0) -> None:
        self.state = state
        #: Which archive uploads (counted from 1, every POST to the archives endpoint)
        #: are answered 502 without being stored, or stored and never answered.
        self.fail_uploads = set(fail_uploads)
        self.lose_uploads = set(lose_uploads)
        self.lost_response_hold = lost_response_hold
        self.upload_calls = 0
        self.max_archive_bytes = max_archive_bytes
        self.max_archive_files = max_archive_files
        self.max_document_bytes = max_document_bytes
        self.routes = RouteTable([
            (r"/api/v1/login", {"POST": self.login}, False),
            (r"/api/v1/invoices", {"GET": self.list_invoices, "PUT": self.update_invoices},
             True),
            (r"/v1/invoice-document-archives", {"POST": self.upload}, True),
            (r"/portal/(?P<debtor>[^/]{1,100})", {"GET": self.portal}, False),
            (r"/portal/(?P<debtor>[^/]{1,100})/invoices/(?P<name>[^/]{1,200})",
             {"GET": self.portal_document}, False),
        ])

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if not (scope["type"] == "http" and scope["method"] == "POST"
                and scope["path"] == "/v1/invoice-document-archives"):
            await super().__call__(scope, receive, send)
            return
        self.upload_calls += 1
        if self.upload_calls in self.fail_uploads:
            await _error(502, "Injected failure before the archive was read (sandbox)")(
                scope, receive, send)
        elif self.upload_calls in self.lose_uploads:
            await self._lose(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)

    async def _lose(self, scope: Any, receive: Any, send: Any) -> None:
        """Store the archive, swallow the answer, and hold until the client gives up (it
        sees a read timeout), then break the connection mid-answer."""
        async def swallow(message: Any) -> None:
            return None

        await super().__call__(scope, receive, swallow)
        try:
            async with asyncio.timeout(self.lost_response_hold):
                while (await receive())["type"] != "http.disconnect":
                    pass
        except TimeoutError:
            await send({"type": "http.response.start", "status": 500,
                        "headers": [(b"content-length", b"1")]})

    async def respond(self, request: Request) -> Response:
        path, method = request.url.path, request.method.upper()
        match = self.routes.match(path)
        if match is None:
            return _error(404, f"no such resource: {path[:200]}")
        if match.route.login and not self._authenticated(request.headers.get("authorization", "")):
            return _error(401, "authentication required: the connector's login and "
                               "password (SRC: Configurer > Accès connecteur)",
                          {"WWW-Authenticate": 'Basic realm="SRC"'})
        handler = match.route.handler(method)
        if handler is None:
            return _error(405, f"method {method[:20]} not allowed",
                          {"Allow": match.route.allow()})
        try:
            return await handler(request, **match.params)
        except BodyTooLarge as exc:
            return _error(413, f"request body larger than {exc.limit} bytes")
        except (BadJSON, BadForm, ValueError) as exc:
            return _error(400, str(exc))

    def _authenticated(self, header: str) -> bool:
        token = bearer_token(header)
        if token is not None:
            return any(secret_matches(token, known) for known in self.state.tokens)
        return basic_matches(header, self.state.login, self.state.password)

    async def login(self, request: Request) -> Response:
        body = loads(await read_body(request, 64 * 1024))
        if not isinstance(body, dict) or not (
                secret_matches(body.get("login"), self.state.login)
                & secret_matches(body.get("password"), self.state.password)):
            return _error(401, "wrong login or password")
        token = secrets.token_hex(24)
        self.state.tokens[token] = self.state.login
        return JSONResponse({"token": token, "tokenType": "Bearer", "expiresIn": 3600})

    async def list_invoices(self, request: Request) -> Response:
        query = request.query_params
        may = _flag(query.get("mayHaveDocuments"), "mayHaveDocuments")
        has = _flag(query.get("hasDocument"), "hasDocument")
        page = _positive(query.get("page"), "page", 1)
        size = min(MAX_PAGE_SIZE, _positive(query.get("pageSize"), "pageSize", 100))
        rows = [e for e in self.state.entries.values()
                if (may is None or e.may_have_documents == may)
                and (has is None or (e.document is not None) == has)]
        start = (page - 1) * size
        return JSONResponse({"items": [e.wire() for e in rows[start:start + size]],
                             "page": page, "pageSize": size, "total": len(rows)})

    async def update_invoices(self, request: Request) -> Response:
        body = loads(await read_body(request, 1024 * 1024))
        if not isinstance(body, list):
            return _error(400, 'expected a JSON array of {"id", "mayHaveDocuments"}')
        if len(body) > MAX_UPDATES:
            return _error(413, f"{len(body)} items; at most {MAX_UPDATES} per call")
        results: list[dict[str, Any]] = []
        for item in body:
            ident = item.get("id") if isinstance(item, dict) else None
            value = item.get("mayHaveDocuments") if isinstance(item, dict) else None
            label = ident[:100] if isinstance(ident, str) else None
            if not isinstance(ident, str) or not isinstance(value, bool):
                results.append({"id": label, "status": "invalid",
                                "message": 'each item needs "id" (text) and '
                                           '"mayHaveDocuments" (true or false)'})
                continue
            entry = self.state.entries.get(ident)
            if entry is None:
                results.append({"id": label, "status": "notFound",
                                "message": "unknown invoice"})
                continue
            status = "unchanged" if entry.may_have_documents == value else "updated"
            entry.may_have_documents = value
            results.append({"id": ident, "status": status, "mayHaveDocuments": value})
        return JSONResponse({"results": results})

    async def upload(self, request: Request) -> Response:
        body = await read_body(request, self.max_archive_bytes + FORM_SLACK)
        form = parse_form(request.headers.get("content-type", ""), body)
        part = form.get("file")
        if part is None or part.filename is None:
            return _error(400, 'expected the archive as the file part "file"')
        if len(part.data) > self.max_archive_bytes:
            return _error(413, f"archive larger than {self.max_archive_bytes} bytes")
        try:
            members = read_members(part.data, max_files=self.max_archive_files,
                                   max_document_bytes=self.max_document_bytes,
                                   max_total_bytes=INFLATION * self.max_archive_bytes,
                                   is_nested=_nested)
        except ArchiveRefused as exc:
            return _error(exc.status, exc.message)
        self.state.archives += 1
        archive = self.state.archives
        accepted: list[str] = []
        overwritten: list[str] = []
        rejected: list[dict[str, str]] = []
        names: set[str] = set()
        for member in members:
            name = member.name[:200]
            if member.reason is not None:
                rejected.append({"file": name, "reason": member.reason})
                continue
            if member.name in names:
                rejected.append({"file": name, "reason": "duplicate name in the archive"})
                continue
            names.add(member.name)
            stem, dot, extension = member.name.rpartition(".")
            if not dot or extension.lower() != "pdf":
                rejected.append({"file": name, "reason": "not a PDF: the name must be "
                                                         "{invoiceId}.pdf"})
                continue
            entry = self.state.entries.get(stem)
            if entry is None:
                rejected.append({"file": name, "reason": "unknown invoice"})
                continue
            if not entry.may_have_documents:
                rejected.append({"file": name, "reason": "invoice excluded "
                                                         "(mayHaveDocuments is false)"})
                continue
            assert member.data is not None
            if not member.data.startswith(PDF_MAGIC):
                rejected.append({"file": name, "reason": "not a PDF: the content does not "
                                                         "start with %PDF-"})
                continue
            if self.state.store(archive, stem, member.data):
                overwritten.append(stem)
            accepted.append(stem)
        return JSONResponse({"archiveId": archive, "accepted": accepted,
                             "overwritten": overwritten, "rejected": rejected})

    async def portal(self, request: Request, debtor: str) -> Response:
        entries = self.state.debtor(debtor)
        if not entries:
            return _error(404, "no such debtor")
        documents = [{"invoiceId": e.id, "number": e.id, "amount": e.amount,
                      "dueDate": e.due_date.isoformat(), "size": len(e.document),
                      "url": f"/portal/{debtor}/invoices/{e.id}.pdf"}
                     for e in entries if e.document is not None]
        return JSONResponse({"debtor": debtor, "documents": documents})

    async def portal_document(self, request: Request, debtor: str, name: str) -> Response:
        stem, _, extension = name.rpartition(".")
        entry = self.state.entries.get(stem)
        if (extension != "pdf" or entry is None or entry.customer_code != debtor
                or entry.document is None):
            return _error(404, "no such document")
        return Response(entry.document, media_type="application/pdf")


def create_app(*, login: str = "connecteur", password: str = "sandbox-src",
               invoices: int = 30, customers: int = 5, with_documents: int = 4,
               excluded: int = 7, today: str = "", random_seed: int = 0,
               max_archive_bytes: int = 20 * 1024 * 1024, max_archive_files: int = 1000,
               max_document_bytes: int = 10 * 1024 * 1024, latency_ms: float = 0.0,
               rate_limit: float | None = None, fail_rate: float = 0.0,
               lost_response_rate: float = 0.0, lost_response_hold: float = 30.0,
               applied_fail_rate: float = 0.0, fail_uploads: str = "",
               lose_uploads: str = "") -> Sandbox:
    """An SRC sandbox with `invoices` Sage 100 entries over `customers` debtors; every
    `with_documents`-th holds a document already, every `excluded`-th is excluded (0: none).
    The connector's login is `login` / `password`. `fail_uploads` and `lose_uploads` list
    archive uploads by number ("2,5"): answered 502 without being stored, or stored and
    never answered (held `lost_response_hold` seconds, then the connection breaks)."""
    for name, value, low, high in (("invoices", invoices, 0, 100_000),
                                   ("customers", customers, 1, 10_000),
                                   ("with_documents", with_documents, 0, 100_000),
                                   ("excluded", excluded, 0, 100_000),
                                   ("max_archive_bytes", max_archive_bytes, 1024, 2**31),
                                   ("max_archive_files", max_archive_files, 1, 65535),
                                   ("max_document_bytes", max_document_bytes, 16, 2**31)):
        if not low <= int(value) <= high:
            raise ValueError(f"{name} must be between {low} and {high}, got {value}")
    if not login or not password:
        raise ValueError("login and password must not be empty")
    day = datetime.date.fromisoformat(today) if today else datetime.date(2026, 6, 30)
    state = SrcState(login, password)
    state.rng.seed(random_seed)
    seed(state, invoices=int(invoices), customers=int(customers),
         with_documents=int(with_documents), excluded=int(excluded), today=day)
    faults = FaultConfig(latency_ms=latency_ms, rate_limit=rate_limit, fail_rate=fail_rate,
                         lost_response_rate=lost_response_rate, seed=random_seed,
                         lost_response_hold=lost_response_hold,
                         applied_fail_rate=applied_fail_rate)
    summary = {"connector login": f"{login}:{password}",
               "entries": f"{len(state.entries)} ({customers} debtors CLI001...)",
               "limits": f"{max_archive_bytes} bytes, {max_archive_files} files per archive"}
    return Sandbox(_Api(state, max_archive_bytes=int(max_archive_bytes),
                        max_archive_files=int(max_archive_files),
                        max_document_bytes=int(max_document_bytes),
                        fail_uploads=_ordinals(fail_uploads, "fail_uploads"),
                        lose_uploads=_ordinals(lose_uploads, "lose_uploads"),
                        lost_response_hold=float(lost_response_hold)),
                   state, faults, _fault_body, name="sagesrc", summary=summary)
