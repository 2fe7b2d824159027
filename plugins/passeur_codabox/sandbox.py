"""A local CodaBox (REST v2, delivery and onboarding), served from memory.

`create_app(**options)` is this system's `SystemSpec.sandbox_factory`; `passeur sandbox
codabox` serves it on loopback. It follows the API as issue 15 describes it: the
`X-Software-Company` header and HTTP Basic on every delivery call, the one-time onboarding
token, feeds with an offset acknowledged by an idempotent PUT, the redownload feed, downloads
by format, Django REST Framework error bodies and Django's trailing-slash rule. Where that
description is silent, docs/sandboxes.md says what the sandbox assumes.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from passeur.sandbox import (
    DEFAULT_MAX_BODY,
    BadJSON,
    BodyTooLarge,
    FaultConfig,
    JSONResponse,
    RequestApp,
    RouteTable,
    Sandbox,
    basic_matches,
    loads,
    read_body,
    secret_matches,
)
from passeur_codabox.sandbox_seed import find_corpus, seed
from passeur_codabox.sandbox_store import CodaBoxState, Feed, Office

__all__ = ["DEFAULT_SOFTWARE_COMPANY", "create_app"]

DEFAULT_SOFTWARE_COMPANY = "5b1f4a0e-3c2d-4e8f-9a6b-7c1d2e3f4a5b"
NOT_FOUND = "Not found."
CONTENT_TYPES = {"cod": "text/plain; charset=iso-8859-1", "xml": "application/xml",
                 "pdf": "application/pdf"}

def _detail(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


def _fault_body(status: int, message: str) -> dict[str, str]:
    return {"detail": message}


class _Api(RequestApp):
    """The endpoints; `routes` pairs each path pattern (with its trailing slash) with the
    handler of each method it allows."""

    def __init__(self, state: CodaBoxState, max_body: int) -> None:
        self.state = state
        self.max_body = max_body
        self.routes = RouteTable([
            (r"/v2/request-access-token/invoicing-software/",
             {"POST": self.request_token}, False),
            (r"/v2/get-credentials/(?P<token>[^/]{1,200})/",
             {"GET": self.credentials}, False),
            (r"/v2/delivery/pod-client/", {"GET": self.pod_client}, True),
            (r"/v2/delivery/feed/(?P<feed_id>[0-9]{1,18})/",
             {"GET": self.feed, "PUT": self.acknowledge}, True),
            (r"/v2/delivery/redownload-feed/(?P<feed_id>[0-9]{1,18})/",
             {"GET": self.redownload_feed, "PUT": self.acknowledge_redownload}, True),
            (r"/v2/delivery/download/(?P<index>[^/]{1,200})/(?P<fmt>[^/]{1,20})/",
             {"GET": self.download}, True),
            (r"/v2/delivery/redownload/(?P<index>[^/]{1,200})/(?P<fmt>[^/]{1,20})/",
             {"GET": self.redownload}, True),
        ])

    # -- dispatch ----------------------------------------------------------------------

    async def respond(self, request: Request) -> Response:
        path = request.url.path
        method = request.method.upper()
        match = self.routes.match(path)
        if match is None:
            if not path.endswith("/") and self.routes.match(path + "/") is not None:
                if method in ("GET", "HEAD"):
                    query = request.url.query
                    location = path + "/" + (f"?{query}" if query else "")
                    return Response(status_code=301, headers={"Location": location})
                return _detail(404, f"{NOT_FOUND} ({method} needs the trailing slash: "
                               f"{path}/)")
            return _detail(404, NOT_FOUND)
        if not secret_matches(request.headers.get("x-software-company", ""),
                              self.state.software_company):
            return _detail(401, "Invalid or missing X-Software-Company header.")
        office: Office | None = None
        if match.route.login:
            office_or_error = self._authenticate(request)
            if isinstance(office_or_error, Response):
                return office_or_error
            office = office_or_error
        handler = match.route.handler(method)
        if handler is None:
            return _detail(405, f'Method "{method}" not allowed.',
                           {"Allow": match.route.allow("OPTIONS")})
        try:
            return await handler(request, office, **match.params)
        except BodyTooLarge as exc:
            return _detail(413, f"Request body larger than {exc.limit} bytes.")
        except BadJSON as exc:
            return _detail(400, f"JSON parse error - {exc}")

    def _authenticate(self, request: Request) -> Office | Response:
        header = request.headers.get("authorization", "")
        challenge = {"WWW-Authenticate": 'Basic realm="api"'}
        if not header:
            return _detail(401, "Authentication credentials were not provided.", challenge)
        for office in self.state.offices:
            if basic_matches(header, office.username, office.password):
                return office
        return _detail(401, "Invalid username/password.", challenge)

    async def _body(self, request: Request) -> Any:
        return loads(await read_body(request, self.max_body))

    # -- onboarding --------------------------------------------------------------------

    async def request_token(self, request: Request, office: None) -> Response:
        body = await self._body(request)
        vat = body.get("vat") if isinstance(body, dict) else None
        if not isinstance(vat, str) or not vat:
            return JSONResponse({"vat": ["This field is required."]}, status_code=400)
        normalised = vat.replace(" ", "").replace(".", "").upper()
        if not re.fullmatch(r"BE[01][0-9]{9}", normalised) or (
                97 - int(normalised[2:10]) % 97 != int(normalised[10:])):
            return JSONResponse({"vat": ["Enter a valid Belgian VAT number (BE0123456749)."]},
                                status_code=400)
        found = self.state.office_by_vat(normalised)
        if found is None:
            return JSONResponse({"vat": ["No accounting office with this VAT number."]},
                                status_code=400)
        self.state.issue_token(found)
        return JSONResponse({"detail": "A one-time token was sent by e-mail to the office."},
                            status_code=201)

    async def credentials(self, request: Request, office: None, token: str) -> Response:
        found = self.state.redeem(token)
        if found is None:
            return _detail(404, NOT_FOUND)
        return JSONResponse({"username": found.username, "password": found.password})

    # -- delivery ----------------------------------------------------------------------

    async def pod_client(self, request: Request, office: Office) -> Response:
        return JSONResponse({
            "id": office.pod_id, "fetch_delay": self.state.fetch_delay,
            "allowed_formats": self.state.allowed_formats,
            "feed_clients": [dict(feed.client) for feed in office.feeds]})

    def _feed(self, office: Office, feed_id: str) -> Feed | None:
        return office.feed(int(feed_id))

    async def feed(self, request: Request, office: Office, feed_id: str) -> Response:
        feed = self._feed(office, feed_id)
        if feed is None:
            return _detail(404, NOT_FOUND)
        return JSONResponse({"id": feed.id, "type": "download",
                             "feed_entries": [e.wire() for e in feed.entries[feed.offset:]]})

    async def redownload_feed(self, request: Request, office: Office, feed_id: str) -> Response:
        feed = self._feed(office, feed_id)
        if feed is None:
            return _detail(404, NOT_FOUND)
        entries = feed.entries[feed.redownload_offset:feed.offset]
        return JSONResponse({"id": feed.id, "type": "redownload",
                             "feed_entries": [e.wire() for e in entries]})

    async def _offset(self, request: Request, feed: Feed, limit: int) -> int | Response:
        """The position after the entry a PUT body names, among `entries[:limit]`."""
        body = await self._body(request)
        index = body.get("feed_offset") if isinstance(body, dict) else None
        if not isinstance(index, str) or not index:
            return JSONResponse({"feed_offset": ["This field is required."]}, status_code=400)
        position = feed.position(index)
        if position is None or position >= limit:
            return JSONResponse({"feed_offset": [f"Unknown feed index {index[:80]!r} for feed "
                                                 f"{feed.id}."]}, status_code=400)
        return position + 1

    async def acknowledge(self, request: Request, office: Office, feed_id: str) -> Response:
        feed = self._feed(office, feed_id)
        if feed is None:
            return _detail(404, NOT_FOUND)
        after = await self._offset(request, feed, len(feed.entries))
        if isinstance(after, Response):
            return after
        feed.offset = max(feed.offset, after)
        return JSONResponse({"id": feed.id,
                             "feed_offset": feed.entries[feed.offset - 1].feed_index})

    async def acknowledge_redownload(self, request: Request, office: Office,
                                     feed_id: str) -> Response:
        feed = self._feed(office, feed_id)
        if feed is None:
            return _detail(404, NOT_FOUND)
        after = await self._offset(request, feed, feed.offset)
        if isinstance(after, Response):
            return after
        feed.redownload_offset = max(feed.redownload_offset, after)
        return JSONResponse({"id": feed.id, "feed_offset":
                             feed.entries[feed.redownload_offset - 1].feed_index})

    async def _file(self, office: Office, index: str, fmt: str,
                    acknowledged: bool) -> Response:
        found = self.state.entry(office, index)
        if found is None:
            return _detail(404, NOT_FOUND)
        feed, position = found
        if (position < feed.offset) != acknowledged:
            where = "redownload" if position < feed.offset else "download"
            return _detail(404, f"{NOT_FOUND} (this entry is served by /v2/delivery/{where}/)")
        entry = feed.entries[position]
        allowed = self.state.allowed_formats.get(entry.document_model, [])
        data = entry.files.get(fmt)
        if fmt not in allowed or data is None:
            return _detail(404, f"{NOT_FOUND} (format {fmt[:20]!r} is not available for "
                           f"{entry.document_model})")
        return Response(data, media_type=CONTENT_TYPES[fmt])

    async def download(self, request: Request, office: Office, index: str,
                       fmt: str) -> Response:
        return await self._file(office, index, fmt, acknowledged=False)

    async def redownload(self, request: Request, office: Office, index: str,
                         fmt: str) -> Response:
        return await self._file(office, index, fmt, acknowledged=True)


def create_app(*, software_company: str = DEFAULT_SOFTWARE_COMPANY, offices: int = 3,
               clients: int = 2, statements: int = 3, invoices: int = 2,
               fetch_delay: int = 3600, corpus: str = "", random_seed: int = 0,
               latency_ms: float = 0.0, rate_limit: float | None = None,
               fail_rate: float = 0.0, lost_response_rate: float = 0.0,
               lost_response_hold: float = 30.0, applied_fail_rate: float = 0.0,
               max_body: int = DEFAULT_MAX_BODY) -> Sandbox:
    """A CodaBox sandbox: `offices` accounting offices of `clients` clients each, every
    client with one or two bank accounts of `statements` CODA statements and `invoices`
    electronic invoices; `corpus` is the test-data folder (found beside the checkout when
    empty; "none" for generated documents only). Each office's login is `podNN` /
    `sandbox-NN` (printed at start); `state.mailbox` holds the onboarding e-mails."""
    for name, value in (("offices", offices), ("clients", clients),
                        ("statements", statements), ("invoices", invoices)):
        if int(value) < 0 or int(value) > 1000:
            raise ValueError(f"{name} must be between 0 and 1000, got {value}")
    if int(fetch_delay) < 0:
        raise ValueError(f"fetch_delay must not be negative, got {fetch_delay}")
    state = CodaBoxState(software_company, int(fetch_delay), random_seed=random_seed)
    seed(state, offices=int(offices), clients=int(clients), statements=int(statements),
         invoices=int(invoices), corpus=find_corpus(corpus))
    faults = FaultConfig(latency_ms=latency_ms, rate_limit=rate_limit, fail_rate=fail_rate,
                         lost_response_rate=lost_response_rate, seed=random_seed,
                         lost_response_hold=lost_response_hold,
                         applied_fail_rate=applied_fail_rate)
    summary = {"base path": "/v2", "X-Software-Company": software_company,
               "fetch_delay": str(fetch_delay)}
    for office in state.offices:
        summary[f"{office.name} ({office.vat})"] = (
            f"{office.username}:{office.password}, feeds "
            + ", ".join(str(f.id) for f in office.feeds))
    return Sandbox(_Api(state, int(max_body)), state, faults, _fault_body, name="codabox",
                   summary=summary)
