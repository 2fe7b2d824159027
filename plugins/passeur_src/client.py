"""The SRC invoice-documents API over passeur.http.

Authentication is the connector's account: HTTP Basic on every call, or (`auth="token"`)
one `POST /api/v1/login` when the client is made, then a bearer token. Documents go as ZIP
archives of `{invoiceId}.pdf` built by `passeur.archives` within the site's limits; a
document sent again overwrites the one before, so an archive upload is safe to resend after
a lost answer (it is marked idempotent). The contract is issue 16's proposal; every choice it
leaves open is in docs/sandboxes.md.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote

import attrs
import httpx

from passeur import UsageError
from passeur.archives import ArchiveLimits, Refused, pack_archives, safe_member_name
from passeur.http import (
    BasicAuth,
    BearerAuth,
    Call,
    ErrorReading,
    HttpClient,
    HttpSettings,
    LiveClient,
    NoAuth,
    iter_pages,
)

__all__ = ["SendReport", "SrcClient", "client_factory", "src_error_body"]

MAX_UPDATES = 1000
PDF_MAGIC = b"%PDF-"


def src_error_body(body: Any) -> ErrorReading:
    """SRC's error body (assumed): `{"message": "..."}`."""
    message = body.get("message") if isinstance(body, Mapping) else None
    return ErrorReading(message=message if isinstance(message, str) and message else None)


@attrs.define
class SendReport:
    """What became of every document given to `send_documents`, by invoice id."""

    accepted: list[str] = attrs.field(factory=list)
    overwritten: list[str] = attrs.field(factory=list)
    rejected: list[Refused] = attrs.field(factory=list)
    archives: int = 0


def _segment(value: str) -> str:
    return quote(str(value), safe="")


class SrcClient(LiveClient):
    """A client of one SRC site with the connector's `login` and `password`."""

    def __init__(self, base_url: str, *, login: str, password: str, auth: str = "basic",
                 limits: ArchiveLimits | None = None, settings: HttpSettings | None = None,
                 transport: httpx.BaseTransport | None = None,
                 async_transport: httpx.AsyncBaseTransport | None = None) -> None:
        if not base_url:
            raise UsageError("sagesrc needs base_url (the SRC site's address)")
        if not login or not password:
            raise UsageError("sagesrc needs the connector's login and password (SRC: Configurer "
                             "> Accès connecteur)")
        if auth not in ("basic", "token"):
            raise UsageError(f"sagesrc auth must be basic or token, got {auth!r}")
        self.login = login
        self.limits = limits or ArchiveLimits()
        how: BasicAuth | BearerAuth = BasicAuth(login, password)
        if auth == "token":
            with HttpClient(base_url.rstrip("/"), auth=NoAuth(), settings=settings,
                            transport=transport, account=f"sagesrc:{login}",
                            error_body=src_error_body) as first:
                answer = first.call(Call("POST", "api/v1/login",
                                         json={"login": login, "password": password}))
            token = answer.get("token") if isinstance(answer, Mapping) else None
            if not isinstance(token, str) or not token:
                raise UsageError("SRC answered the login without a token")
            how = BearerAuth(token)
        super().__init__(base_url, auth=how, account=f"sagesrc:{login}", settings=settings,
                         transport=transport, async_transport=async_transport,
                         error_body=src_error_body)

    # -- entries -------------------------------------------------------------------------

    def invoices_page(self, page: int, page_size: int, *,
                      may_have_documents: bool | None = True,
                      has_document: bool | None = False) -> dict[str, Any]:
        """One page of the listing as SRC answers it (`items`, `page`, `pageSize`, `total`)."""
        answer: dict[str, Any] = self.http.call(Call("GET", "api/v1/invoices", params={
            "mayHaveDocuments": may_have_documents, "hasDocument": has_document,
            "page": page, "pageSize": page_size}))
        return answer

    def invoices(self, *, may_have_documents: bool | None = True,
                 has_document: bool | None = False,
                 page_size: int = 100) -> Iterator[dict[str, Any]]:
        """Every entry of the listing (by default: may have documents and has none). Read
        it to the end before sending documents: an entry that gets one leaves the listing,
        which moves the later pages."""
        def fetch(page: int, size: int) -> list[dict[str, Any]]:
            items = self.invoices_page(page, size, may_have_documents=may_have_documents,
                                       has_document=has_document).get("items")
            return list(items or [])
        return iter_pages(fetch, page_size)

    def set_may_have_documents(self, ids: Iterable[str], value: bool) -> list[dict[str, Any]]:
        """Exclude (`False`) or include again (`True`) entries; SRC's result per entry
        (`status`: updated, unchanged, notFound, invalid), in the order given."""
        wanted = list(ids)
        results: list[dict[str, Any]] = []
        for start in range(0, len(wanted), MAX_UPDATES):
            body = [{"id": ident, "mayHaveDocuments": value}
                    for ident in wanted[start:start + MAX_UPDATES]]
            answer = self.http.call(Call("PUT", "api/v1/invoices", json=body))
            results.extend((answer or {}).get("results") or [])
        return results

    # -- documents -----------------------------------------------------------------------

    def upload_archive(self, data: bytes, filename: str = "documents.zip", *,
                       resend_on_lost: bool = True) -> dict[str, Any]:
        """Send one ZIP; SRC's answer: `accepted` and `overwritten` ids, `rejected` files
        with their reason. By default resent after a lost answer (a resend overwrites with
        the same bytes); with `resend_on_lost=False` a lost answer or a 5xx that may have
        been applied raises `Uncertain` instead, for a caller that reconciles first (the
        src-documents flow counts every upload)."""
        answer: dict[str, Any] = self.http.call(Call(
            "POST", "v1/invoice-document-archives", idempotent=resend_on_lost,
            files=(("file", (filename, data, "application/zip")),)))
        return answer

    def send_documents(self, documents: Iterable[tuple[str, bytes]]) -> SendReport:
        """Send `(invoice id, PDF bytes)` pairs in as few archives as the limits allow,
        read lazily (one archive in memory at a time). A document that is no PDF, or whose
        id cannot be a file name as it is, is refused here with its reason."""
        report = SendReport()

        def members() -> Iterator[tuple[str, str, bytes]]:
            for ident, data in documents:
                name = f"{ident}.pdf"
                if safe_member_name(name) != name:
                    report.rejected.append(Refused(ident, f"invoice id {ident!r} cannot be "
                                                          "a file name as it is"))
                elif not data.startswith(PDF_MAGIC):
                    report.rejected.append(Refused(ident, "not a PDF (it does not start "
                                                          "with %PDF-)"))
                else:
                    yield ident, name, data

        for archive in pack_archives(members(), self.limits, report.rejected):
            answer = self.upload_archive(archive.data, f"documents-{report.archives + 1}.zip")
            report.archives += 1
            by_name = dict(archive.members)
            report.accepted.extend(str(i) for i in answer.get("accepted") or [])
            report.overwritten.extend(str(i) for i in answer.get("overwritten") or [])
            for item in answer.get("rejected") or []:
                name = str(item.get("file", ""))
                report.rejected.append(Refused(by_name.get(name, name),
                                               str(item.get("reason", "rejected"))))
        return report

    # -- the debtor's portal -------------------------------------------------------------

    def portal(self, debtor: str) -> list[dict[str, Any]]:
        """The documents the reminder's link shows `debtor`."""
        answer = self.http.call(Call("GET", f"portal/{_segment(debtor)}"))
        return list((answer or {}).get("documents") or [])

    def portal_document(self, debtor: str, invoice_id: str) -> bytes:
        data: bytes = self.http.call(Call(
            "GET", f"portal/{_segment(debtor)}/invoices/{_segment(invoice_id)}.pdf",
            expect="bytes"))
        return data

    # -- what `passeur pull` needs (passeur.http.DocumentClient) ---------------------------

    def iter_documents(self, doctype: str, *,
                       since: datetime.date | None = None) -> Iterator[dict[str, Any]]:
        """`invoice`: the entries that may have documents and have none."""
        if doctype != "invoice":
            raise UsageError(f"sagesrc has no document type {doctype!r} (invoice)")
        if since is not None:
            raise UsageError("src's listing has no date filter (leave out --since)")
        yield from self.invoices()

    def document_key(self, doctype: str, document: Mapping[str, Any]) -> str:
        return str(document.get("id") or "?")

    async def acreate_document(self, doctype: str,
                               document: Mapping[str, Any]) -> dict[str, Any]:
        raise UsageError("sagesrc entries come from Sage 100: send their documents instead")


def client_factory(config: Mapping[str, Any], *, settings: HttpSettings | None = None,
                   transport: httpx.BaseTransport | None = None,
                   async_transport: httpx.AsyncBaseTransport | None = None) -> SrcClient:
    """`SystemSpec.client_factory`: a client from resolved connection settings."""
    limits = ArchiveLimits(int(config.get("max_archive_bytes") or 20 * 1024 * 1024),
                           int(config.get("max_archive_files") or 1000))
    return SrcClient(str(config.get("base_url") or ""), login=str(config.get("login") or ""),
                     password=str(config.get("password") or ""),
                     auth=str(config.get("auth") or "basic"), limits=limits,
                     settings=settings, transport=transport, async_transport=async_transport)
