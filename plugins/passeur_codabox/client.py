"""The CodaBox REST API (v2) over passeur.http.

Every call carries `X-Software-Company` (the software vendor's key); delivery calls add HTTP
Basic with the office's login, which the onboarding calls give once: a token that CodaBox
e-mails after `request_access_token(vat)`, exchanged by `get_credentials(token)` for a
username and password (a second exchange fails, so that call is never retried blindly).
Paths always end with their slash (CodaBox redirects a GET without it and refuses a PUT).
Errors are Django REST Framework bodies: `{"detail": "..."}` or `{field: [messages]}`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

import httpx

from passeur import UsageError
from passeur.http import (
    BasicAuth,
    Call,
    ErrorReading,
    HttpSettings,
    LiveClient,
    NoAuth,
    nested_problems,
)

__all__ = ["DEFAULT_BASE_URL", "CodaBoxClient", "client_factory", "drf_error_body"]

DEFAULT_BASE_URL = "https://api.codabox.com/v2"


def drf_error_body(body: Any) -> ErrorReading:
    """A Django REST Framework error: `detail` is the message, other keys are fields."""
    if not isinstance(body, Mapping):
        return ErrorReading()
    detail = body.get("detail")
    fields = {k: v for k, v in body.items() if k != "detail"}
    return ErrorReading(message=detail if isinstance(detail, str) and detail else None,
                        problems=tuple(nested_problems(fields)))


def _segment(value: str) -> str:
    return quote(str(value), safe="")


class CodaBoxClient(LiveClient):
    """A client of one software vendor (`software_company`) and, for deliveries, one office
    login (`username`, `password`); without a login only the onboarding calls work."""

    def __init__(self, base_url: str = DEFAULT_BASE_URL, *, software_company: str,
                 username: str | None = None, password: str | None = None,
                 settings: HttpSettings | None = None,
                 transport: httpx.BaseTransport | None = None,
                 async_transport: httpx.AsyncBaseTransport | None = None) -> None:
        if not software_company:
            raise UsageError("codabox needs software_company (the X-Software-Company key)")
        if bool(username) != bool(password):
            raise UsageError("codabox needs both username and password (or neither, for "
                             "onboarding only)")
        self.username = username
        auth = BasicAuth(username, password) if username and password else NoAuth()
        super().__init__(base_url, auth=auth, account=f"codabox:{username or '-'}",
                         settings=settings,
                         headers={"X-Software-Company": software_company},
                         transport=transport, async_transport=async_transport,
                         error_body=drf_error_body)

    # -- onboarding ----------------------------------------------------------------------

    def request_access_token(self, vat: str) -> None:
        """Ask CodaBox to e-mail the office of `vat` (BE0123456789) a one-time token."""
        self.http.call(Call("POST", "request-access-token/invoicing-software/",
                            json={"vat": vat}))

    def get_credentials(self, token: str) -> dict[str, str]:
        """The office's username and password for a one-time token (works once only)."""
        answer = self.http.call(Call("GET", f"get-credentials/{_segment(token)}/",
                                     idempotent=False))
        if not isinstance(answer, Mapping) or not {"username", "password"} <= set(answer):
            raise UsageError("CodaBox answered get-credentials without a username and "
                             "password")
        return {"username": str(answer["username"]), "password": str(answer["password"])}

    # -- delivery ------------------------------------------------------------------------

    def pod_client(self) -> dict[str, Any]:
        """The login's pod client: `fetch_delay`, `allowed_formats` and `feed_clients`."""
        answer: dict[str, Any] = self.http.call(Call("GET", "delivery/pod-client/"))
        return answer

    def feed(self, feed_id: int, *, redownload: bool = False) -> list[dict[str, Any]]:
        """The entries after the feed's offset (of the redownload feed if `redownload`)."""
        kind = "redownload-feed" if redownload else "feed"
        answer = self.http.call(Call("GET", f"delivery/{kind}/{int(feed_id)}/"))
        entries = answer.get("feed_entries") if isinstance(answer, Mapping) else None
        return list(entries or [])

    def acknowledge(self, feed_id: int, feed_index: str, *, redownload: bool = False) -> None:
        """Move the feed's offset to `feed_index` (every entry up to it); idempotent."""
        kind = "redownload-feed" if redownload else "feed"
        self.http.call(Call("PUT", f"delivery/{kind}/{int(feed_id)}/",
                            json={"feed_offset": feed_index}))

    def download(self, feed_index: str, fmt: str, *, redownload: bool = False) -> bytes:
        """One document of an entry in a format of `allowed_formats` (`cod`, `xml`, `pdf`);
        an acknowledged entry is fetched again with `redownload=True`."""
        kind = "redownload" if redownload else "download"
        data: bytes = self.http.call(Call("GET", f"delivery/{kind}/{_segment(feed_index)}/"
                                                 f"{_segment(fmt)}/", expect="bytes"))
        return data

    # -- what `passeur pull` needs (passeur.http.DocumentClient) ---------------------------

    def iter_documents(self, doctype: str, *,
                       since: datetime.date | None = None) -> Iterator[dict[str, Any]]:
        """`feed_client`: the login's feed clients; `feed_entry`: every entry waiting in
        every feed, with its `feed_id` (read only: nothing is acknowledged). CodaBox says
        nothing of when an entry changed, so `since` is refused rather than ignored."""
        if since is not None:
            raise UsageError("codabox feeds have no dates to filter on: the feed offset "
                             "says what is new (leave out --since)")
        clients = list(self.pod_client().get("feed_clients") or [])
        if doctype == "feed_client":
            yield from clients
            return
        if doctype != "feed_entry":
            raise UsageError(f"codabox has no document type {doctype!r} (feed_entry, "
                             "feed_client)")
        for client in clients:
            for entry in self.feed(int(client["id"])):
                yield {**entry, "feed_id": client["id"]}

    def document_key(self, doctype: str, document: Mapping[str, Any]) -> str:
        if doctype == "feed_client":
            return str(document.get("client_code") or document.get("id") or "?")
        return str(document.get("feed_index") or "?")

    async def acreate_document(self, doctype: str,
                               document: Mapping[str, Any]) -> dict[str, Any]:
        raise UsageError("codabox is read only: documents are delivered, not created")


def client_factory(config: Mapping[str, Any], *, settings: HttpSettings | None = None,
                   transport: httpx.BaseTransport | None = None,
                   async_transport: httpx.AsyncBaseTransport | None = None) -> CodaBoxClient:
    """`SystemSpec.client_factory`: a client from resolved connection settings."""
    return CodaBoxClient(str(config.get("base_url") or DEFAULT_BASE_URL),
                         software_company=str(config.get("software_company") or ""),
                         username=config.get("username") or None,
                         password=config.get("password") or None, settings=settings,
                         transport=transport, async_transport=async_transport)
